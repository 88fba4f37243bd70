/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "nl_devlink.h"
#include "nl_uapi.h"

#define NL_DL_EV_RCVBUF (1 << 20)

struct nl_devlink {
	struct nl_sock *req;
	struct nl_sock *ev;
	int family;
	int group;
	nl_dl_cb ev_cb;
	void *ev_arg;
};

/* Per-request state for the libnl callbacks. */
struct dl_req {
	nl_dl_cb cb;
	void *arg;
	struct nl_fmsg *fmsg;
	int dump;	/* a dump ends with DONE; a doit with its ACK */
	int done;
	int err;
	uint32_t seq;	/* the request's sequence number */
};

int
nl_devlink_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOBUFS;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	default:
		return -EIO;
	}
}

const char *
nl_devlink_strerror(int err)
{
	switch (err) {
	case -ENOENT:
		return "devlink genl family not found: kernel without devlink?";
	case -ENOBUFS:
		return "devlink events lost (receive buffer overrun)";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

/* peer_port 0: the kernel's generic netlink; else a test's fake kernel. */
static struct nl_devlink *
dl_open(uint32_t peer_port, int *err)
{
	struct nl_devlink *d = calloc(1, sizeof(*d));
	struct timeval tv = { .tv_sec = 5 };
	int ret;

	if (d == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	d->req = nl_socket_alloc();
	if (d->req == NULL) {
		*err = -ENOMEM;
		goto err_free;
	}
	ret = peer_port == 0 ? genl_connect(d->req) : nl_connect(d->req, NETLINK_USERSOCK);
	if (ret < 0) {
		*err = nl_devlink_errno(ret);
		goto err_sock;
	}
	if (peer_port != 0)
		nl_socket_set_peer_port(d->req, peer_port);
	setsockopt(nl_socket_get_fd(d->req), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	d->family = genl_ctrl_resolve(d->req, NLU_DEVLINK_GENL_NAME);
	if (d->family < 0) {
		*err = d->family == -NLE_OBJ_NOTFOUND ? -ENOENT : nl_devlink_errno(d->family);
		goto err_sock;
	}
	return d;

err_sock:
	nl_socket_free(d->req);
err_free:
	free(d);
	return NULL;
}

struct nl_devlink *
nl_devlink_open(int *err)
{
	return dl_open(0, err);
}

struct nl_devlink *
nl_devlink_open_peer(uint32_t peer_port, int *err)
{
	if (peer_port == 0) {
		*err = -EINVAL;
		return NULL;
	}
	return dl_open(peer_port, err);
}

void
nl_devlink_close(struct nl_devlink *d)
{
	if (d == NULL)
		return;
	if (d->ev != NULL)
		nl_socket_free(d->ev);
	nl_socket_free(d->req);
	free(d);
}

static int
req_valid(struct nl_msg *msg, void *data)
{
	struct dl_req *r = data;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_dl_msg m;

	if (nl_dl_msg_parse(&m, nlh, nlh->nlmsg_len) != 0)
		return NL_OK;
	if (r->fmsg != NULL && (m.present & NL_DL_HAS_FMSG))
		nl_fmsg_feed(r->fmsg, m.fmsg, m.fmsg_len);
	if (r->cb != NULL)
		r->cb(r->arg, &m);
	return NL_OK;
}

static int
req_finish(struct nl_msg *msg, void *data)
{
	struct dl_req *r = data;

	(void)msg;
	if (!r->dump)
		return NL_OK;	/* a multipart doit reply: the ACK follows */
	r->done = 1;
	return NL_STOP;
}

static int
req_ack(struct nl_msg *msg, void *data)
{
	struct dl_req *r = data;

	(void)msg;
	r->done = 1;
	return NL_STOP;
}

/*
 * Our own sequence check: libnl's default one expects seq + 1 after any
 * NLMSG_DONE, so the ACK that follows a multipart doit reply (DIAGNOSE: the
 * fmsg parts, DONE, then the ACK, all with the request's seq) failed with
 * -NLE_SEQ_MISMATCH. Every message of the reply carries the request's seq;
 * anything else is a leftover of an earlier request and is skipped.
 */
static int
req_seq_check(struct nl_msg *msg, void *data)
{
	struct dl_req *r = data;

	return nlmsg_hdr(msg)->nlmsg_seq == r->seq ? NL_OK : NL_SKIP;
}

static int
req_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *data)
{
	struct dl_req *r = data;

	(void)nla;
	r->err = e->error < 0 ? e->error : -e->error;
	r->done = 1;
	return NL_STOP;
}

static int
dl_put_target(struct nl_msg *msg, const struct nl_dl_target *t)
{
	if (t == NULL || t->bus == NULL)
		return 0;
	if (nla_put_string(msg, NLU_DEVLINK_ATTR_BUS_NAME, t->bus) < 0 ||
	    nla_put_string(msg, NLU_DEVLINK_ATTR_DEV_NAME, t->dev) < 0)
		return -EMSGSIZE;
	if (t->port >= 0 && nla_put_u32(msg, NLU_DEVLINK_ATTR_PORT_INDEX, (uint32_t)t->port) < 0)
		return -EMSGSIZE;
	if (t->reporter != NULL &&
	    nla_put_string(msg, NLU_DEVLINK_ATTR_HEALTH_REPORTER_NAME, t->reporter) < 0)
		return -EMSGSIZE;
	return 0;
}

static int
dl_request(struct nl_devlink *d, uint8_t cmd, int flags, const struct nl_dl_target *t,
	   struct dl_req *r)
{
	struct nl_msg *msg = nlmsg_alloc();
	int ret;

	if (msg == NULL)
		return -ENOMEM;
	if (genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, d->family, 0, flags, cmd,
			NLU_DEVLINK_GENL_VERSION) == NULL) {
		ret = -EMSGSIZE;
		goto out;
	}
	ret = dl_put_target(msg, t);
	if (ret < 0)
		goto out;
	nl_socket_modify_cb(d->req, NL_CB_VALID, NL_CB_CUSTOM, req_valid, r);
	nl_socket_modify_cb(d->req, NL_CB_FINISH, NL_CB_CUSTOM, req_finish, r);
	nl_socket_modify_cb(d->req, NL_CB_ACK, NL_CB_CUSTOM, req_ack, r);
	nl_socket_modify_err_cb(d->req, NL_CB_CUSTOM, req_error, r);
	nl_socket_modify_cb(d->req, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, req_seq_check, r);
	ret = nl_send_auto(d->req, msg);
	if (ret < 0) {
		ret = nl_devlink_errno(ret);
		goto out;
	}
	r->seq = nlmsg_hdr(msg)->nlmsg_seq;
	ret = 0;
	while (!r->done) {
		int rc = nl_recvmsgs_default(d->req);

		if (rc < 0 && !r->done) {
			ret = rc == -NLE_AGAIN ? -ETIMEDOUT : nl_devlink_errno(rc);
			break;
		}
	}
	if (r->err != 0)
		ret = r->err;
out:
	nlmsg_free(msg);
	return ret;
}

int
nl_devlink_health_get(struct nl_devlink *d, const struct nl_dl_target *t, nl_dl_cb cb, void *arg)
{
	bool dump = t == NULL || t->bus == NULL;
	struct dl_req r = { .cb = cb, .arg = arg, .dump = dump };

	return dl_request(d, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET, dump ? NLM_F_DUMP : 0, t, &r);
}

int
nl_devlink_fmsg(struct nl_devlink *d, uint8_t cmd, const struct nl_dl_target *t,
		struct nl_fmsg *f)
{
	int dump = cmd == NLU_DEVLINK_CMD_HEALTH_REPORTER_DUMP_GET;
	struct dl_req r = { .fmsg = f, .dump = dump };

	/* DIAGNOSE is a doit: multipart reply, DONE, then the ACK. */
	return dl_request(d, cmd, dump ? NLM_F_DUMP : 0, t, &r);
}

int
nl_devlink_do(struct nl_devlink *d, uint8_t cmd, const struct nl_dl_target *t)
{
	struct dl_req r = { 0 };

	return dl_request(d, cmd, 0, t, &r);
}

static int
ev_valid(struct nl_msg *msg, void *data)
{
	struct nl_devlink *d = data;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_dl_msg m;

	if (nl_dl_msg_parse(&m, nlh, nlh->nlmsg_len) == 0 && d->ev_cb != NULL)
		d->ev_cb(d->ev_arg, &m);
	return NL_OK;
}

int
nl_devlink_events_open(struct nl_devlink *d, nl_dl_cb cb, void *arg)
{
	int ret;

	d->group = genl_ctrl_resolve_grp(d->req, NLU_DEVLINK_GENL_NAME,
					 NLU_DEVLINK_GENL_MCGRP_CONFIG);
	if (d->group < 0)
		return d->group == -NLE_OBJ_NOTFOUND ? -ENOENT : nl_devlink_errno(d->group);
	d->ev = nl_socket_alloc();
	if (d->ev == NULL)
		return -ENOMEM;
	/* Notifications carry seq 0: no sequence checks on this socket. */
	nl_socket_disable_seq_check(d->ev);
	d->ev_cb = cb;
	d->ev_arg = arg;
	nl_socket_modify_cb(d->ev, NL_CB_VALID, NL_CB_CUSTOM, ev_valid, d);
	ret = genl_connect(d->ev);
	if (ret < 0)
		goto err;
	ret = nl_socket_add_membership(d->ev, d->group);
	if (ret < 0)
		goto err;
	ret = nl_socket_set_nonblocking(d->ev);
	if (ret < 0)
		goto err;
	nl_socket_set_buffer_size(d->ev, NL_DL_EV_RCVBUF, 0);
	return 0;

err:
	nl_socket_free(d->ev);
	d->ev = NULL;
	return nl_devlink_errno(ret);
}

int
nl_devlink_events_fd(const struct nl_devlink *d)
{
	return d->ev != NULL ? nl_socket_get_fd(d->ev) : -1;
}

int
nl_devlink_events_read(struct nl_devlink *d)
{
	for (;;) {
		int ret = nl_recvmsgs_default(d->ev);

		if (ret >= 0)
			continue;
		if (ret == -NLE_AGAIN)
			return 0;
		/* ENOBUFS arrives here as -NLE_NOMEM: events were lost. */
		return nl_devlink_errno(ret);
	}
}
