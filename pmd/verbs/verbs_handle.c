/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * A handle on one incarnation of a MANA port's device: the mana_hw_ops
 * table. Open, close, query, events and memory registration go through
 * verbs_ctx.c (any verbs device); queues, the RSS QP and the doorbell page
 * are MANA's (verbs_queue.c, and db_map below).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_ether.h>

#include "verbs_priv.h"
#include "verbs_sysfs.h"

/* mana_ib maps the context's doorbell page at offset 0 of the command fd
 * (what net/mana's secondary processes map too). MANA only.
 */
static int
db_map(struct verbs_hw *vh)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, (size_t)page, PROT_WRITE, MAP_SHARED, vh->vc.ctx->cmd_fd, 0);
	if (p == MAP_FAILED) {
		int ret = -errno;

		VERBS_LOG(ERR, "%s: cannot map the doorbell page of %s: %s", vh->dev->name,
			  vh->vc.ibdev, strerror(-ret));
		return ret;
	}
	vh->db_page = p;
	vh->db_len = (size_t)page;
	return 0;
}

static void
verbs_hw_close(struct mana_hw *hw)
{
	struct verbs_hw *vh = (struct verbs_hw *)hw;
	unsigned int leaked;

	/* The kernel's order: QPs, work queues and CQs, the parent domain,
	 * then memory regions, the domain and the context.
	 */
	verbs_queue_destroy_all(vh);
	verbs_queue_pd_close(vh);
	if (vh->db_page != NULL)
		munmap(vh->db_page, vh->db_len);
	leaked = verbs_ctx_close(&vh->vc);
	if (leaked != 0)
		VERBS_LOG(WARNING, "%s: %u memory regions were still registered at close",
			  vh->dev->name, leaked);
	vh->dev->open = NULL;
	free(vh);
}

static int
verbs_hw_query(struct mana_hw *hw, struct mana_hw_caps *caps)
{
	struct verbs_hw *vh = (struct verbs_hw *)hw;
	struct verbs_dev *vd = vh->dev;

	memset(caps, 0, sizeof(*caps));
	/* The port's netdev as the kernel has it now; else the probe's. */
	if (verbs_sysfs_port_mac(vd->sysfs, vh->vc.ibdev, vd->port, caps->mac) != 0)
		memcpy(caps->mac, vd->mac, sizeof(caps->mac));
	/* As net/mana: a QP (send) or WQ (receive) per queue, each with a
	 * CQ of as many entries as the queue.
	 */
	caps->max_queues = (uint16_t)RTE_MIN((unsigned int)vh->vc.max_qp, VERBS_MAX_QUEUES);
	caps->max_desc = RTE_MIN(vh->vc.max_qp_wr, (uint32_t)vh->vc.max_cqe);
	/* MTU is the kernel netdev's business on MANA (ip link set mtu). */
	caps->max_mtu = RTE_ETHER_MTU;
	caps->identity = vh->vc.node_guid;
	return 0;
}

static int
verbs_hw_vport_start(struct mana_hw *hw, const struct mana_vport_cfg *cfg)
{
	return verbs_queue_rss_start(hw, cfg);
}

static void *
verbs_hw_db_page(struct mana_hw *hw)
{
	return ((struct verbs_hw *)hw)->db_page;
}

/* A secondary maps the doorbell page as this handle did: offset 0 of the
 * verbs command fd (net/mana hands the same fd to its secondaries).
 */
static int
verbs_hw_share(struct mana_hw *hw, int *fd, uint32_t *map_len)
{
	struct verbs_hw *vh = (struct verbs_hw *)hw;

	*fd = vh->vc.ctx->cmd_fd;
	*map_len = (uint32_t)vh->db_len;
	return 0;
}

/* MANA's port counters are not reachable through verbs. */
static int
verbs_hw_stats(struct mana_hw *hw __rte_unused, struct mana_hw_stats *st __rte_unused)
{
	return -ENOTSUP;
}

static int
verbs_hw_event_fd(struct mana_hw *hw)
{
	return verbs_ctx_event_fd(&((struct verbs_hw *)hw)->vc);
}

static int
verbs_hw_event_get(struct mana_hw *hw, enum mana_hw_async *ev)
{
	struct verbs_hw *vh = (struct verbs_hw *)hw;
	enum ibv_event_type type;
	int ret;

	/* Other events (port up/down, QP errors) are acknowledged and
	 * dropped: the reset engine acts on DEVICE_FATAL alone.
	 */
	while ((ret = verbs_ctx_event_get(&vh->vc, &type)) == 1) {
		if (type == IBV_EVENT_DEVICE_FATAL) {
			*ev = MANA_ASYNC_DEVICE_FATAL;
			return 1;
		}
		VERBS_LOG(INFO, "%s: async event %s", vh->dev->name, ibv_event_type_str(type));
	}
	if (ret < 0) {
		/* After a disassociation every read fails with EIO: the core
		 * stops listening at the first one.
		 */
		VERBS_LOG(INFO, "%s: the event channel of %s failed: %s", vh->dev->name,
			  vh->vc.ibdev, strerror(-ret));
		return -EIO;
	}
	return 0;
}

static int
verbs_hw_mr_reg(struct mana_hw *hw, void *addr, size_t len, uint32_t *lkey)
{
	struct verbs_hw *vh = (struct verbs_hw *)hw;
	int ret = verbs_ctx_mr_reg(&vh->vc, addr, len, lkey);

	if (ret == 0)
		return 0;
	VERBS_LOG(ERR, "%s: ibv_reg_mr(%p, %zu): %s", vh->dev->name, addr, len, strerror(-ret));
	return ret == -ENOSPC || ret == -ENOMEM ? -ENOSPC : -EIO;
}

static void
verbs_hw_mr_dereg(struct mana_hw *hw, uint32_t lkey)
{
	struct verbs_hw *vh = (struct verbs_hw *)hw;
	int ret = verbs_ctx_mr_dereg(&vh->vc, lkey);

	if (ret != 0)
		VERBS_LOG(ERR, "%s: ibv_dereg_mr(lkey %#x): %s", vh->dev->name, lkey,
			  strerror(-ret));
}

static void
verbs_hw_vport_stop(struct mana_hw *hw)
{
	verbs_queue_rss_stop(hw);
}

static const struct mana_hw_ops verbs_hw_ops = {
	.name = "verbs",
	.close = verbs_hw_close,
	.query = verbs_hw_query,
	.queue_create = verbs_queue_create,
	.queue_destroy = verbs_queue_destroy,
	.vport_start = verbs_hw_vport_start,
	.vport_stop = verbs_hw_vport_stop,
	.db_page = verbs_hw_db_page,
	.stats = verbs_hw_stats,
	.event_fd = verbs_hw_event_fd,
	.event_get = verbs_hw_event_get,
	.kick = NULL,   /* the hardware works its queues itself */
	.mr_reg = verbs_hw_mr_reg,
	.mr_dereg = verbs_hw_mr_dereg,
	.share = verbs_hw_share,
};

int
verbs_hw_open(struct verbs_dev *vd, const char *ibdev, struct verbs_hw **out)
{
	struct verbs_hw *vh;
	int ret;

	vh = calloc(1, sizeof(*vh));
	if (vh == NULL)
		return -ENOMEM;
	vh->base.ops = &verbs_hw_ops;
	vh->dev = vd;
	ret = verbs_ctx_open(&vh->vc, ibdev);
	if (ret != 0) {
		VERBS_LOG(ERR, "%s: cannot open %s: %s", vd->name, ibdev, vh->vc.why);
		goto err_free;
	}
	if (vh->vc.vendor_id != VERBS_PCI_VENDOR_MICROSOFT) {
		VERBS_LOG(ERR, "%s: %s is not a MANA device (vendor %#x)", vd->name, ibdev,
			  vh->vc.vendor_id);
		ret = -ENODEV;
		goto err_close_ctx;
	}
	if (vd->port == 0 || vd->port > vh->vc.phys_port_cnt) {
		VERBS_LOG(ERR, "%s: %s has %u ports, not port %u", vd->name, ibdev,
			  vh->vc.phys_port_cnt, vd->port);
		ret = -ENODEV;
		goto err_close_ctx;
	}
	ret = db_map(vh);
	if (ret != 0)
		goto err_close_ctx;
	ret = verbs_queue_pd_open(vh);
	if (ret != 0)
		goto err_unmap_db;
	vd->open = vh;
	*out = vh;
	return 0;

err_unmap_db:
	munmap(vh->db_page, vh->db_len);
err_close_ctx:
	verbs_ctx_close(&vh->vc);
err_free:
	free(vh);
	return ret;
}
