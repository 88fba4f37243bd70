/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrl/ctrld/fake_kernel.h"
#include "ctrl/ctrld/log.h"
#include "netlink/nl_uapi.h"

#define FK_DEVS 16

struct fake_kernel {
	int fd;
	struct nl_loop *loop;
	struct detect *det;
	struct nl_rdma_dev dev[FK_DEVS];	/* index 0: free */
	uint32_t next_index;
	char buf[1024];
	size_t len;
};

static struct nl_rdma_dev *
fk_find(struct fake_kernel *fk, const char *name)
{
	for (int i = 0; i < FK_DEVS; i++)
		if (fk->dev[i].index != 0 && strcmp(fk->dev[i].name, name) == 0)
			return &fk->dev[i];
	return NULL;
}

static void
fk_event(struct fake_kernel *fk, uint8_t event, const struct nl_rdma_dev *d)
{
	struct nl_nldev_msg m;

	nl_nldev_msg_init(&m, NLU_NLDEV_CMD_MONITOR);
	m.event = event;
	m.dev_index = d->index;
	snprintf(m.dev_name, sizeof(m.dev_name), "%s", d->name);
	m.present = NL_NLDEV_HAS_EVENT | NL_NLDEV_HAS_DEV_INDEX | NL_NLDEV_HAS_DEV_NAME;
	detect_rdma_event(fk->det, &m);
}

static void
fk_line(struct fake_kernel *fk, char *line)
{
	char cmd[16], name[NL_NLDEV_NAME_MAX], ndev[NL_NLDEV_IFNAME_MAX];
	struct nl_rdma_dev *d;
	uint64_t guid;

	if (sscanf(line, "add %63s %" SCNx64 " %15s", name, &guid, ndev) == 3) {
		d = NULL;
		for (int i = 0; i < FK_DEVS && d == NULL; i++)
			if (fk->dev[i].index == 0)
				d = &fk->dev[i];
		if (d == NULL || fk_find(fk, name) != NULL)
			goto bad;
		memset(d, 0, sizeof(*d));
		d->index = fk->next_index++;
		snprintf(d->name, sizeof(d->name), "%s", name);
		d->node_guid = guid;
		d->ports = 1;
		snprintf(d->ndev_name, sizeof(d->ndev_name), "%s", ndev);
		d->ndev_index = d->index + 100;
		fk_event(fk, NLU_RDMA_REGISTER_EVENT, d);
		return;
	}
	if (sscanf(line, "del %63s", name) == 1 && (d = fk_find(fk, name)) != NULL) {
		struct nl_rdma_dev gone = *d;

		memset(d, 0, sizeof(*d));
		fk_event(fk, NLU_RDMA_UNREGISTER_EVENT, &gone);
		return;
	}
	if (sscanf(line, "%15s", cmd) != 1)
		return;
bad:
	log_rec(LOG_LVL_WARN, "fake kernel: bad line", "line", line, NULL);
}

static void
fk_on_fd(void *arg, int fd, uint32_t events)
{
	struct fake_kernel *fk = arg;
	ssize_t n;
	char *nl;

	(void)events;
	while ((n = read(fd, fk->buf + fk->len, sizeof(fk->buf) - 1 - fk->len)) > 0) {
		fk->len += (size_t)n;
		fk->buf[fk->len] = '\0';
		while ((nl = strchr(fk->buf, '\n')) != NULL) {
			*nl = '\0';
			fk_line(fk, fk->buf);
			fk->len -= (size_t)(nl + 1 - fk->buf);
			memmove(fk->buf, nl + 1, fk->len + 1);
		}
		if (fk->len == sizeof(fk->buf) - 1)
			fk->len = 0;	/* a line too long: dropped */
	}
}

static int
fk_dump(void *ctx, nl_rdma_dev_cb cb, void *arg)
{
	struct fake_kernel *fk = ctx;

	for (int i = 0; i < FK_DEVS; i++)
		if (fk->dev[i].index != 0)
			cb(arg, &fk->dev[i]);
	return 0;
}

static int
fk_dev_get(void *ctx, uint32_t index, struct nl_rdma_dev *dev)
{
	struct fake_kernel *fk = ctx;

	for (int i = 0; i < FK_DEVS; i++) {
		if (fk->dev[i].index != 0 && fk->dev[i].index == index) {
			*dev = fk->dev[i];
			return 0;
		}
	}
	return -ENODEV;
}

struct detect_backend
fake_kernel_backend(struct fake_kernel *fk)
{
	struct detect_backend be = {
		.rdma_dump = fk_dump,
		.rdma_dev_get = fk_dev_get,
		.devlink_dump = NULL,
		.ctx = fk,
	};

	return be;
}

struct fake_kernel *
fake_kernel_open(const char *fifo, struct nl_loop *loop, struct detect *det)
{
	struct fake_kernel *fk = calloc(1, sizeof(*fk));

	if (fk == NULL)
		return NULL;
	fk->loop = loop;
	fk->det = det;
	fk->next_index = 1;
	if (mkfifo(fifo, 0600) < 0 && errno != EEXIST)
		goto err_free;
	/* Read-write: the FIFO always has a writer, so no EOF spin between tests' writes. */
	fk->fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fk->fd < 0)
		goto err_free;
	if (nl_loop_add(loop, fk->fd, fk_on_fd, fk) < 0)
		goto err_close;
	log_rec(LOG_LVL_WARN, "fake kernel in use: for tests only", "fifo", fifo, NULL);
	return fk;
err_close:
	close(fk->fd);
err_free:
	log_rec(LOG_LVL_ERR, "cannot open the fake kernel's FIFO", "fifo", fifo, "error",
		strerror(errno), NULL);
	free(fk);
	return NULL;
}

void
fake_kernel_close(struct fake_kernel *fk)
{
	if (fk == NULL)
		return;
	nl_loop_del(fk->loop, fk->fd);
	close(fk->fd);
	free(fk);
}
