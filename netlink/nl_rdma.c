/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include "nl_rdma.h"
#include "nl_uapi.h"

/* libmnl's MNL_SOCKET_BUFFER_SIZE is 4 KiB here; dump skbs reach 32 KiB. */
#define NL_RDMA_BUF	32768
#define NL_RDMA_RCVBUF	(1 << 20)
#define NL_RDMA_DEV_MAX	256

struct nl_rdma {
	struct mnl_socket *req;
	struct mnl_socket *mon;
	uint32_t portid;
	uint32_t seq;
	char buf[NL_RDMA_BUF];
};

const char *
nl_rdma_strerror(int err)
{
	switch (err) {
	case -EPROTONOSUPPORT:
		return "NETLINK_RDMA not supported by this kernel";
	case -ENOBUFS:
		return "RDMA netlink notifications lost (receive buffer overrun)";
	case -EOPNOTSUPP:
		return "RDMA monitoring is not supported by the kernel";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

struct nl_rdma *
nl_rdma_open(int *err)
{
	struct timeval tv = { .tv_sec = 5 };
	struct nl_rdma *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	r->req = mnl_socket_open(NLU_NETLINK_RDMA);
	if (r->req == NULL) {
		*err = -errno;
		goto err_free;
	}
	if (mnl_socket_bind(r->req, 0, MNL_SOCKET_AUTOPID) < 0) {
		*err = -errno;
		goto err_close;
	}
	setsockopt(mnl_socket_get_fd(r->req), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r->portid = mnl_socket_get_portid(r->req);
	r->seq = (uint32_t)time(NULL);
	return r;

err_close:
	mnl_socket_close(r->req);
err_free:
	free(r);
	return NULL;
}

void
nl_rdma_close(struct nl_rdma *r)
{
	if (r == NULL)
		return;
	if (r->mon != NULL)
		mnl_socket_close(r->mon);
	mnl_socket_close(r->req);
	free(r);
}

/* Send a request and run the reply through cb until DONE / ACK / error. */
static int
rdma_transact(struct nl_rdma *r, uint16_t op, uint16_t flags, uint32_t dev_index,
	      mnl_cb_t cb, void *data)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	uint32_t seq = ++r->seq;
	int ret;

	nlh->nlmsg_type = NLU_RDMA_NL_GET_TYPE(NLU_RDMA_NL_NLDEV, op);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	if (dev_index != UINT32_MAX)
		mnl_attr_put_u32(nlh, NLU_NLDEV_ATTR_DEV_INDEX, dev_index);
	if (mnl_socket_sendto(r->req, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(r->req, r->buf, sizeof(r->buf));

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		ret = mnl_cb_run(r->buf, (size_t)n, seq, r->portid, cb, data);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

struct sys_ctx {
	int monitor;
};

static int
sys_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sys_ctx *c = data;
	struct nl_nldev_msg m;

	if (nl_nldev_msg_parse(&m, nlh, nlh->nlmsg_len) == 0 &&
	    (m.present & NL_NLDEV_HAS_MONITOR_MODE))
		c->monitor = m.monitor_mode != 0;
	return MNL_CB_OK;
}

int
nl_rdma_sys_get(struct nl_rdma *r, int *monitor)
{
	struct sys_ctx c = { 0 };
	int ret = rdma_transact(r, NLU_NLDEV_CMD_SYS_GET, 0, UINT32_MAX, sys_cb, &c);

	*monitor = c.monitor;
	return ret;
}

struct dev_list {
	struct nl_rdma_dev *d;
	unsigned int n, cap;
};

static int
dev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dev_list *l = data;
	struct nl_nldev_msg m;
	struct nl_rdma_dev *d;

	if (nl_nldev_msg_parse(&m, nlh, nlh->nlmsg_len) != 0 ||
	    !(m.present & NL_NLDEV_HAS_DEV_INDEX))
		return MNL_CB_OK;
	if (l->n == l->cap) {
		unsigned int cap = l->cap ? l->cap * 2 : 8;
		struct nl_rdma_dev *nd;

		if (cap > NL_RDMA_DEV_MAX)
			return MNL_CB_OK;
		nd = realloc(l->d, cap * sizeof(*nd));
		if (nd == NULL)
			return MNL_CB_ERROR;
		l->d = nd;
		l->cap = cap;
	}
	d = &l->d[l->n++];
	memset(d, 0, sizeof(*d));
	d->index = m.dev_index;
	memcpy(d->name, m.dev_name, sizeof(d->name));
	d->node_guid = m.node_guid;
	d->ports = m.port;
	memcpy(d->fw, m.fw, sizeof(d->fw));
	return MNL_CB_OK;
}

static int
port_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_rdma_dev *d = data;
	struct nl_nldev_msg m;

	if (nl_nldev_msg_parse(&m, nlh, nlh->nlmsg_len) != 0)
		return MNL_CB_OK;
	if ((m.present & NL_NLDEV_HAS_NDEV_NAME) && d->ndev_name[0] == '\0') {
		memcpy(d->ndev_name, m.ndev_name, sizeof(d->ndev_name));
		d->ndev_index = m.ndev_index;
	}
	return MNL_CB_OK;
}

int
nl_rdma_dump(struct nl_rdma *r, nl_rdma_dev_cb cb, void *arg)
{
	struct dev_list l = { 0 };
	int ret;

	ret = rdma_transact(r, NLU_NLDEV_CMD_GET, NLM_F_DUMP, UINT32_MAX, dev_cb, &l);
	for (unsigned int i = 0; ret == 0 && i < l.n; i++) {
		int pret = rdma_transact(r, NLU_NLDEV_CMD_PORT_GET, NLM_F_DUMP, l.d[i].index,
					 port_cb, &l.d[i]);

		/* A device that went away between the two dumps is skipped. */
		if (pret == 0)
			cb(arg, &l.d[i]);
		else if (pret != -ENODEV && pret != -EINVAL)
			ret = pret;
	}
	free(l.d);
	return ret;
}

int
nl_rdma_dev_get(struct nl_rdma *r, uint32_t index, struct nl_rdma_dev *dev)
{
	struct dev_list l = { 0 };
	int ret;

	ret = rdma_transact(r, NLU_NLDEV_CMD_GET, 0, index, dev_cb, &l);
	if (ret == 0 && l.n == 0)
		ret = -ENODEV;
	if (ret == 0) {
		*dev = l.d[0];
		ret = rdma_transact(r, NLU_NLDEV_CMD_PORT_GET, NLM_F_DUMP, index, port_cb, dev);
	}
	free(l.d);
	return ret;
}

int
nl_rdma_monitor_open(struct nl_rdma *r)
{
	int group = NLU_RDMA_NL_GROUP_NOTIFY;
	int rcvbuf = NL_RDMA_RCVBUF;
	int fd;

	r->mon = mnl_socket_open2(NLU_NETLINK_RDMA, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (r->mon == NULL)
		return -errno;
	if (mnl_socket_bind(r->mon, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	fd = mnl_socket_get_fd(r->mon);
	/* Keep ENOBUFS on: it is the only sign of lost events. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(r->mon, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		goto err;
	return 0;

err:
	{
		int e = -errno;

		mnl_socket_close(r->mon);
		r->mon = NULL;
		return e;
	}
}

int
nl_rdma_monitor_fd(const struct nl_rdma *r)
{
	return r->mon != NULL ? mnl_socket_get_fd(r->mon) : -1;
}

int
nl_rdma_monitor_read_fd(int fd, nl_recv_fn recv_fn, nl_rdma_event_cb cb, void *arg)
{
	char buf[NL_RDMA_BUF];
	int count = 0;

	for (;;) {
		ssize_t n = recv_fn(fd, buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		size_t left;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return count;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return count;
		left = (size_t)n;
		while (left >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
		       nlh->nlmsg_len <= left) {
			struct nl_nldev_msg m;

			if (nl_nldev_msg_parse(&m, nlh, nlh->nlmsg_len) == 0 &&
			    m.op == NLU_NLDEV_CMD_MONITOR) {
				cb(arg, &m);
				count++;
			}
			left -= NLMSG_ALIGN(nlh->nlmsg_len) < left ? NLMSG_ALIGN(nlh->nlmsg_len) : left;
			nlh = (const struct nlmsghdr *)((const char *)nlh +
							NLMSG_ALIGN(nlh->nlmsg_len));
		}
	}
}

int
nl_rdma_monitor_read(struct nl_rdma *r, nl_rdma_event_cb cb, void *arg)
{
	if (r->mon == NULL)
		return -EBADF;
	return nl_rdma_monitor_read_fd(mnl_socket_get_fd(r->mon), recv, cb, arg);
}
