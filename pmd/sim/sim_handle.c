/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * A handle on one incarnation of a simulated device: struct mana_hw_ops.
 * Made by sim_dev_open (sim_dev.c), released by its close op. Calls the
 * hub, memory registration, the queues, the wire and the service events.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pmd/mana_hw_refuse.h"
#include "sim_priv.h"

/* Release a handle. The device stays (it may be in service, or be opened
 * again); its doorbell page is truncated, so any late access faults.
 */
static void
sim_close(struct mana_hw *hw)
{
	struct sim_proc *p = (struct sim_proc *)hw;
	struct sim_device *o = p->owner;
	struct sim_dev *d = p->dev;
	unsigned int i;

	pthread_mutex_lock(&o->lock);
	o->handle = NULL;
	pthread_mutex_unlock(&o->lock);

	sim_lock_all(d);
	d->vport_up = 0;
	for (i = 0; i < MANA_MAX_QUEUES; i++) {
		sim_queue_free(&d->sq[i]);
		sim_queue_free(&d->rq[i]);
	}
	d->opened = 0;
	sim_unlock_all(d);
	sim_mr_revoke(d);

	if (ftruncate(p->memfd, 0) != 0)
		SIM_LOG(WARNING, "%s: cannot revoke the doorbell page: %s", d->name,
			strerror(errno));
	SIM_LOG(INFO, "%s: handle on identity %#" PRIx64 " closed", d->name, d->identity);
	sim_handle_free(p);
}

static int
sim_query(struct mana_hw *hw, struct mana_hw_caps *caps)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;

	if (!__atomic_load_n(&d->up, __ATOMIC_ACQUIRE))
		return -EIO;
	memcpy(caps->mac, d->mac, sizeof(caps->mac));
	caps->max_queues = MANA_MAX_QUEUES;
	caps->max_desc = MANA_MAX_DESC;
	caps->max_mtu = 9000;
	caps->identity = d->identity;
	return 0;
}

static int
sim_vport_start(struct mana_hw *hw, const struct mana_vport_cfg *cfg)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;
	unsigned int i;

	if (cfg->nb_rxq == 0 || cfg->nb_rxq > MANA_MAX_QUEUES)
		return -EINVAL;
	for (i = 0; i < MANA_RETA_SIZE; i++)
		if (cfg->reta[i] >= cfg->nb_rxq)
			return -EINVAL;
	sim_lock_all(d);
	if (!d->up) {
		sim_unlock_all(d);
		return -EIO;
	}
	d->cfg = *cfg;
	d->vport_up = 1;
	sim_unlock_all(d);
	sim_event_schedule_start(((struct sim_proc *)hw)->owner);
	return 0;
}

static void
sim_vport_stop(struct mana_hw *hw)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;

	sim_lock_all(d);
	d->vport_up = 0;
	sim_unlock_all(d);
}

static void *
sim_db_page(struct mana_hw *hw)
{
	return ((struct sim_proc *)hw)->db;
}

static int
sim_stats(struct mana_hw *hw, struct mana_hw_stats *st)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;

	st->rx_no_buffer = __atomic_load_n(&d->rx_no_buffer, __ATOMIC_RELAXED);
	st->rx_filtered = __atomic_load_n(&d->rx_filtered, __ATOMIC_RELAXED);
	st->rx_port_down = __atomic_load_n(&d->rx_port_down, __ATOMIC_RELAXED);
	return 0;
}

static int
sim_event_fd(struct mana_hw *hw)
{
	return ((struct sim_proc *)hw)->ev_rd;
}

static int
sim_event_get(struct mana_hw *hw, enum mana_hw_async *ev)
{
	uint8_t b;
	ssize_t n = read(((struct sim_proc *)hw)->ev_rd, &b, 1);

	if (n == 1) {
		*ev = (enum mana_hw_async)b;
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -EIO;
}

/* The page a secondary maps: the memfd itself (a BAR page through the
 * verbs command fd on hardware).
 */
static int
sim_share(struct mana_hw *hw, int *fd, uint32_t *map_len)
{
	*fd = ((struct sim_proc *)hw)->memfd;
	*map_len = MANA_DB_PAGE_SIZE;
	return 0;
}

static const struct mana_hw_ops sim_ops = {
	.name = "sim",
	.close = sim_close,
	.query = sim_query,
	.queue_create = sim_queue_create,
	.queue_destroy = sim_queue_destroy,
	.vport_start = sim_vport_start,
	.vport_stop = sim_vport_stop,
	.db_page = sim_db_page,
	.stats = sim_stats,
	.event_fd = sim_event_fd,
	.event_get = sim_event_get,
	.kick = sim_kick,
	.mr_reg = sim_mr_reg,
	.mr_dereg = sim_mr_dereg,
	.share = sim_share,
};

/* A secondary process's handle: the device's work on its doorbells (kick),
 * its counters; nothing that changes the device, which the primary owns.
 */
static void
sim_sec_close(struct mana_hw *hw)
{
	free(hw);
}

static const struct mana_hw_ops sim_sec_ops = {
	.name = "sim-secondary",
	.close = sim_sec_close,
	.query = mana_hw_refuse_query,
	.queue_create = mana_hw_refuse_queue_create,
	.queue_destroy = mana_hw_refuse_queue_destroy,
	.vport_start = mana_hw_refuse_vport_start,
	.vport_stop = mana_hw_refuse_vport_stop,
	.db_page = mana_hw_refuse_db_page,
	.stats = sim_stats,
	.event_fd = mana_hw_refuse_event_fd,
	.event_get = mana_hw_refuse_event_get,
	.kick = sim_kick,
	.mr_reg = mana_hw_refuse_mr_reg,
	.mr_dereg = mana_hw_refuse_mr_dereg,
};

int
sim_handle_sec_new(struct sim_device *o, struct mana_hw **out)
{
	struct sim_proc *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return -ENOMEM;
	p->hw.ops = &sim_sec_ops;
	p->owner = o;
	p->slot = o->slot;
	p->dev = &sim_hub->dev[o->slot];
	p->memfd = -1;
	p->ev_rd = -1;
	p->ev_wr = -1;
	*out = &p->hw;
	return 0;
}

int
sim_handle_new(struct sim_device *o, struct sim_proc **out)
{
	struct sim_proc *p = calloc(1, sizeof(*p));
	int fds[2], ret;

	if (p == NULL)
		return -ENOMEM;
	ret = sim_db_create(o->name, &p->memfd, &p->db);
	if (ret < 0) {
		SIM_LOG(ERR, "%s: cannot create the doorbell page: %s", o->name,
			strerror(-ret));
		goto err_free;
	}
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
		ret = -errno;
		goto err_unmap_db;
	}
	p->ev_rd = fds[0];
	p->ev_wr = fds[1];
	p->hw.ops = &sim_ops;
	p->owner = o;
	p->slot = o->slot;
	p->dev = &sim_hub->dev[o->slot];
	*out = p;
	return 0;

err_unmap_db:
	munmap(p->db, MANA_DB_PAGE_SIZE);
	close(p->memfd);
err_free:
	free(p);
	return ret;
}

void
sim_handle_free(struct sim_proc *p)
{
	sim_db_bury(p->owner, p->db);
	close(p->memfd);
	close(p->ev_rd);
	close(p->ev_wr);
	free(p);
}
