/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrl/ctrld/log.h"
#include "ctrl/ctrld/sim_kernel.h"
#include "netlink/nl_uapi.h"
#include "proto/simhost/simhost.h"

struct sim_kernel {
	char dir[SIMHOST_PATH_MAX];
	int fd;
	bool rdma, devlink;
	struct nl_loop *loop;
	struct detect *det;
	sim_kernel_pci_cb pci_removed;
	void *pci_ctx;
};

/* ---- the backend: the state files ---- */

static void
rdma_dev_of(const struct simhost_dev *d, struct nl_rdma_dev *out)
{
	memset(out, 0, sizeof(*out));
	out->index = d->ib_index;
	snprintf(out->name, sizeof(out->name), "%s", d->ibdev);
	out->node_guid = d->node_guid;
	out->ports = 1;
	snprintf(out->ndev_name, sizeof(out->ndev_name), "%s", d->netdev);
	out->ndev_index = d->ifindex;
}

struct dump_arg {
	nl_rdma_dev_cb cb;
	void *arg;
	uint32_t index;		/* GET: the index asked */
	struct nl_rdma_dev *found;
	bool hit;
};

static int
dump_one(void *arg, const struct simhost_dev *d)
{
	struct dump_arg *a = arg;
	struct nl_rdma_dev dev;

	if (!d->registered)
		return 0;
	rdma_dev_of(d, &dev);
	if (a->found != NULL) {
		if (d->ib_index != a->index)
			return 0;
		*a->found = dev;
		a->hit = true;
		return 1;	/* stop the walk */
	}
	a->cb(a->arg, &dev);
	return 0;
}

/* Unreadable state files (being replaced, another format) are skipped, as
 * a device half-registered is not in a kernel's dump; said once per walk.
 */
static void
log_bad(const struct sim_kernel *sk, int nbad, const char *what)
{
	char b[12];

	if (nbad == 0)
		return;
	snprintf(b, sizeof(b), "%d", nbad);
	log_rec(LOG_LVL_DEBUG, "simulated kernel: state files skipped", "dir", sk->dir, "files",
		b, "during", what, NULL);
}

static int
sk_rdma_dump(void *ctx, nl_rdma_dev_cb cb, void *arg)
{
	struct sim_kernel *sk = ctx;
	struct dump_arg a = { .cb = cb, .arg = arg };
	int nbad = 0, ret;

	ret = simhost_dev_foreach(sk->dir, dump_one, &a, &nbad);
	log_bad(sk, nbad, "RDMA dump");
	return ret < 0 ? ret : 0;
}

static int
sk_rdma_dev_get(void *ctx, uint32_t index, struct nl_rdma_dev *dev)
{
	struct sim_kernel *sk = ctx;
	struct dump_arg a = { .index = index, .found = dev };
	int nbad = 0, ret;

	ret = simhost_dev_foreach(sk->dir, dump_one, &a, &nbad);
	log_bad(sk, nbad, "RDMA get");
	if (ret < 0)
		return ret;
	return a.hit ? 0 : -ENODEV;
}

/* "pci/BDF" into bus and dev; false when it is not that. */
static bool
handle_split(const char *h, struct nl_dl_msg *m)
{
	const char *slash = strchr(h, '/');

	if (slash == NULL || slash == h || slash[1] == '\0' ||
	    (size_t)(slash - h) >= sizeof(m->bus) || strlen(slash + 1) >= sizeof(m->dev))
		return false;
	snprintf(m->bus, sizeof(m->bus), "%.*s", (int)(slash - h), h);
	snprintf(m->dev, sizeof(m->dev), "%s", slash + 1);
	m->present |= NL_DL_HAS_BUS | NL_DL_HAS_DEV;
	return true;
}

static void
reporter_fill(struct nl_dl_msg *m, const char *reporter, int error, uint64_t err_count,
	      uint64_t recover_count)
{
	snprintf(m->reporter, sizeof(m->reporter), "%s", reporter);
	m->state = error ? NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR :
		NLU_DEVLINK_HEALTH_REPORTER_STATE_HEALTHY;
	m->err_count = err_count;
	m->recover_count = recover_count;
	m->present |= NL_DL_HAS_REPORTER | NL_DL_HAS_NAME | NL_DL_HAS_STATE | NL_DL_HAS_ERR |
		      NL_DL_HAS_RECOVER;
}

struct dl_arg {
	void (*cb)(void *arg, const struct nl_dl_msg *m);
	void *arg;
};

static int
dl_one(void *arg, const struct simhost_dev *d)
{
	struct dl_arg *a = arg;
	struct nl_dl_msg m;

	if (!d->devlink || d->reporter[0] == '\0')
		return 0;
	nl_dl_msg_init(&m, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET);
	snprintf(m.bus, sizeof(m.bus), "pci");
	snprintf(m.dev, sizeof(m.dev), "%s", d->pci);
	m.present |= NL_DL_HAS_BUS | NL_DL_HAS_DEV;
	reporter_fill(&m, d->reporter, d->health_error, d->error_count, d->recover_count);
	a->cb(a->arg, &m);
	return 0;
}

int
sim_kernel_devlink_dump(void *ctx, void (*cb)(void *arg, const struct nl_dl_msg *m), void *arg)
{
	struct sim_kernel *sk = ctx;
	struct dl_arg a = { .cb = cb, .arg = arg };
	int nbad = 0, ret;

	ret = simhost_dev_foreach(sk->dir, dl_one, &a, &nbad);
	log_bad(sk, nbad, "devlink dump");
	return ret < 0 ? ret : 0;
}

struct detect_backend
sim_kernel_backend(struct sim_kernel *sk)
{
	struct detect_backend be = {
		.rdma_dump = sk->rdma ? sk_rdma_dump : NULL,
		.rdma_dev_get = sk->rdma ? sk_rdma_dev_get : NULL,
		.devlink_dump = sk->devlink ? sim_kernel_devlink_dump : NULL,
		.ctx = sk,
	};

	return be;
}

/* ---- notifications ---- */

static void
rdma_ntf(struct sim_kernel *sk, const struct simhost_ntf *n, uint8_t event)
{
	struct nl_nldev_msg m;

	/* As a 6.12 kernel's RDMA_NLDEV_CMD_MONITOR (fill_nldev_handle, and
	 * fill_mon_netdev_association for NETDEV_ATTACH).
	 */
	nl_nldev_msg_init(&m, NLU_NLDEV_CMD_MONITOR);
	m.event = event;
	m.dev_index = n->index;
	snprintf(m.dev_name, sizeof(m.dev_name), "%s", n->name);
	m.present = NL_NLDEV_HAS_EVENT | NL_NLDEV_HAS_DEV_INDEX | NL_NLDEV_HAS_DEV_NAME;
	if (event == NLU_RDMA_NETDEV_ATTACH_EVENT) {
		m.port = n->port;
		m.ndev_index = n->ifindex;
		snprintf(m.ndev_name, sizeof(m.ndev_name), "%s", n->netdev);
		m.present |= NL_NLDEV_HAS_PORT | NL_NLDEV_HAS_NDEV_INDEX | NL_NLDEV_HAS_NDEV_NAME;
	}
	detect_rdma_event(sk->det, &m);
}

static void
devlink_ntf(struct sim_kernel *sk, const struct simhost_ntf *n, uint8_t cmd, const char *text)
{
	struct nl_dl_msg m;

	nl_dl_msg_init(&m, cmd);
	if (!handle_split(n->handle, &m)) {
		sk->det->st.errors++;
		log_rec(LOG_LVL_WARN, "simulated kernel: malformed notification, skipped", "text",
			text, "error", "devlink handle is not BUS/DEV", NULL);
		return;
	}
	if (cmd == NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER)
		reporter_fill(&m, n->reporter, n->health_error, n->error_count, n->recover_count);
	detect_devlink_event(sk->det, &m);
}

static void
dispatch(struct sim_kernel *sk, const struct simhost_ntf *n, const char *text)
{
	log_rec(LOG_LVL_DEBUG, "simulated kernel notification", "text", text, NULL);
	switch (n->type) {
	case SIMHOST_NTF_RDMA_REGISTER:
	case SIMHOST_NTF_RDMA_NETDEV_ATTACH:
	case SIMHOST_NTF_RDMA_UNREGISTER:
		if (!sk->rdma)
			return;	/* rdma = off: no RDMA source */
		rdma_ntf(sk, n, n->type == SIMHOST_NTF_RDMA_REGISTER ? NLU_RDMA_REGISTER_EVENT :
			 n->type == SIMHOST_NTF_RDMA_UNREGISTER ? NLU_RDMA_UNREGISTER_EVENT :
			 NLU_RDMA_NETDEV_ATTACH_EVENT);
		return;
	case SIMHOST_NTF_DEVLINK_HEALTH:
	case SIMHOST_NTF_DEVLINK_DEL:
	case SIMHOST_NTF_DEVLINK_NEW:
		if (!sk->devlink)
			return;
		devlink_ntf(sk, n, n->type == SIMHOST_NTF_DEVLINK_HEALTH ?
			    NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER :
			    n->type == SIMHOST_NTF_DEVLINK_DEL ? NLU_DEVLINK_CMD_DEL :
			    NLU_DEVLINK_CMD_NEW, text);
		return;
	case SIMHOST_NTF_PCI_REMOVE:
		log_rec(LOG_LVL_INFO, "simulated kernel: PCI function removed", "pci", n->bdf, NULL);
		if (sk->pci_removed != NULL)
			sk->pci_removed(sk->pci_ctx, n->bdf, "uevent", sk->det->now());
		return;
	case SIMHOST_NTF_PCI_ADD:
		log_rec(LOG_LVL_INFO, "simulated kernel: PCI function added", "pci", n->bdf, NULL);
		return;
	}
}

static void
on_sock(void *arg, int fd, uint32_t events)
{
	struct sim_kernel *sk = arg;
	char raw[SIMHOST_NTF_MAX];
	struct simhost_ntf n;
	int ret;

	(void)events;
	/* At most a bounded batch per wakeup: the loop serves the others too. */
	for (int i = 0; i < 256; i++) {
		raw[0] = '\0';
		ret = simhost_ntf_recv(fd, &n, raw, sizeof(raw));
		if (ret == 0)
			return;
		if (ret == -EBADMSG) {
			sk->det->st.errors++;
			log_rec(LOG_LVL_WARN, "simulated kernel: malformed notification, skipped",
				"text", raw, "error", simhost_errmsg(), NULL);
			continue;
		}
		if (ret < 0) {
			detect_read_error(sk->det, "sim-kernel", ret);
			return;
		}
		dispatch(sk, &n, raw);
	}
}

/* ---- setup ---- */

struct sim_kernel *
sim_kernel_open(const struct sim_kernel_cfg *cfg, char *err, size_t n)
{
	struct sim_kernel *sk;
	struct stat st;
	int ret;

	if (stat(cfg->dir, &st) < 0) {
		snprintf(err, n, "simulated host %s: %s (start the simulated device with "
			 "host=%s first, or make the directory)", cfg->dir, strerror(errno),
			 cfg->dir);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, n, "simulated host %s: not a directory", cfg->dir);
		return NULL;
	}
	if (access(cfg->dir, W_OK | X_OK) < 0) {
		snprintf(err, n, "simulated host %s: not writable by this user (uid %u): %s",
			 cfg->dir, (unsigned int)geteuid(), strerror(errno));
		return NULL;
	}
	sk = calloc(1, sizeof(*sk));
	if (sk == NULL) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	snprintf(sk->dir, sizeof(sk->dir), "%s", cfg->dir);
	sk->rdma = cfg->rdma;
	sk->devlink = cfg->devlink;
	sk->loop = cfg->loop;
	sk->det = cfg->det;
	sk->pci_removed = cfg->pci_removed;
	sk->pci_ctx = cfg->pci_ctx;
	ret = simhost_dir_init(sk->dir);
	if (ret < 0) {
		snprintf(err, n, "simulated host %s: %s", sk->dir, simhost_errmsg());
		goto err_free;
	}
	sk->fd = simhost_kernel_bind(sk->dir);
	if (sk->fd < 0) {
		snprintf(err, n, "simulated host %s: cannot bind kernel.sock: %s", sk->dir,
			 sk->fd == -EADDRINUSE ? "another mana-ctrld is bound to it" :
			 simhost_errmsg());
		goto err_free;
	}
	if (nl_loop_add(sk->loop, sk->fd, on_sock, sk) < 0) {
		snprintf(err, n, "cannot watch the simulated kernel's socket: too many fds");
		goto err_unbind;
	}
	log_rec(LOG_LVL_WARN, "simulated kernel in use: for simulation only", "dir", sk->dir,
		"rdma", sk->rdma ? "sim" : "off", "devlink", sk->devlink ? "on" : "off", NULL);
	return sk;
err_unbind:
	simhost_kernel_unbind(sk->dir, sk->fd);
err_free:
	free(sk);
	return NULL;
}

void
sim_kernel_close(struct sim_kernel *sk)
{
	if (sk == NULL)
		return;
	nl_loop_del(sk->loop, sk->fd);
	simhost_kernel_unbind(sk->dir, sk->fd);
	free(sk);
}
