/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * MANA only: the port's parent domain, queues through manadv and the RSS
 * QP. Runs on MANA hardware alone (rdma-core's mana provider, the mana_ib
 * kernel driver): rxe and the simulator have no manadv. Facts from the
 * public sources (rdma-core providers/mana, manadv.h; the kernel's
 * drivers/infiniband/hw/mana and include/net/mana/gdma.h; DPDK's
 * drivers/net/mana): queue buffers come from the provider's allocator,
 * which manadv_set_context_attr points at DPDK memory; a raw-packet QP (send)
 * or a work queue (receive) is created on a parent domain whose context is
 * the port number; manadv_init_obj gives buffers and ids.
 *
 * Control path only (the caller serializes, verbs_priv.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/manadv.h>
#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "verbs_priv.h"

/* The hash key length the MANA provider takes (Toeplitz). */
#define VERBS_TOEPLITZ_KEY_LEN 40u

static void *
queue_buf_alloc(size_t size, void *data)
{
	int socket = (int)(intptr_t)data;

	return rte_zmalloc_socket("mana_verbs_queue", size, (size_t)sysconf(_SC_PAGESIZE), socket);
}

static void
queue_buf_free(void *ptr, void *data __rte_unused)
{
	rte_free(ptr);
}

/* Queue buffers of the next creation from DPDK memory on socket. */
static int
queue_set_allocator(struct verbs_hw *vh, int socket_id)
{
	struct manadv_ctx_allocators a = {
		.alloc = queue_buf_alloc,
		.free = queue_buf_free,
		.data = (void *)(intptr_t)socket_id,
	};
	int ret;

	ret = manadv_set_context_attr(vh->vc.ctx, MANADV_CTX_ATTR_BUF_ALLOCATORS, &a);
	return ret > 0 ? -ret : ret;
}

/* A completion queue of nb entries, its buffer on socket_id. */
static int
cq_create(struct verbs_hw *vh, uint32_t nb, int socket_id, struct ibv_cq **cq)
{
	int ret;

	ret = queue_set_allocator(vh, socket_id);
	if (ret != 0)
		return ret;
	errno = 0;
	*cq = ibv_create_cq(vh->vc.ctx, (int)nb, NULL, NULL, 0);
	if (*cq == NULL)
		return errno > 0 ? -errno : -ENOMEM;
	return 0;
}

int
verbs_queue_pd_open(struct verbs_hw *vh)
{
	struct ibv_parent_domain_init_attr attr = {
		.pd = vh->vc.pd,
		.comp_mask = IBV_PARENT_DOMAIN_INIT_ATTR_PD_CONTEXT,
		.pd_context = (void *)(uintptr_t)vh->dev->port,
	};

	errno = 0;
	vh->ppd = ibv_alloc_parent_domain(vh->vc.ctx, &attr);
	if (vh->ppd == NULL) {
		int ret = errno > 0 ? -errno : -ENOMEM;

		VERBS_LOG(ERR, "%s: ibv_alloc_parent_domain: %s", vh->dev->name, strerror(-ret));
		return ret;
	}
	return 0;
}

void
verbs_queue_pd_close(struct verbs_hw *vh)
{
	if (vh->ppd != NULL)
		ibv_dealloc_pd(vh->ppd);
	vh->ppd = NULL;
}

static int
sq_create(struct verbs_hw *vh, uint16_t idx, uint32_t nb, int socket_id,
	  struct mana_hw_queue *q)
{
	struct verbs_sq *sq = &vh->sq[idx];
	struct ibv_qp_init_attr attr = { .qp_type = IBV_QPT_RAW_PACKET };
	struct manadv_qp dv_qp;
	struct manadv_cq dv_cq;
	struct manadv_obj obj = {
		.qp = { .out = &dv_qp },
		.cq = { .out = &dv_cq },
	};
	int ret;

	ret = cq_create(vh, nb, socket_id, &sq->cq);
	if (ret != 0)
		return ret;
	attr.send_cq = sq->cq;
	attr.recv_cq = sq->cq;
	attr.cap.max_send_wr = nb;
	attr.cap.max_send_sge = vh->vc.max_sge;
	errno = 0;
	sq->qp = ibv_create_qp(vh->ppd, &attr);
	if (sq->qp == NULL) {
		ret = errno > 0 ? -errno : -ENOMEM;
		goto err_destroy_cq;
	}
	obj.qp.in = sq->qp;
	obj.cq.in = sq->cq;
	ret = manadv_init_obj(&obj, MANADV_OBJ_QP | MANADV_OBJ_CQ);
	if (ret != 0) {
		ret = ret > 0 ? -ret : ret;
		goto err_destroy_qp;
	}
	sq->sq_id = dv_qp.sq_id;
	sq->cq_id = dv_cq.cq_id;
	sq->tx_vp_offset = dv_qp.tx_vp_offset;
	/* What the shared datapath needs of a MANA queue (mana_hw.h); it
	 * rings the context's doorbell page by queue id (mana_gdma.h).
	 */
	q->wq_buf = dv_qp.sq_buf;
	q->wq_size = dv_qp.sq_size;
	q->wq_count = dv_qp.sq_count;
	q->wq_id = dv_qp.sq_id;
	q->tx_vp_offset = dv_qp.tx_vp_offset;
	q->cq_buf = dv_cq.buf;
	q->cq_count = dv_cq.count;
	q->cq_id = dv_cq.cq_id;
	return 0;

err_destroy_qp:
	ibv_destroy_qp(sq->qp);
	sq->qp = NULL;
err_destroy_cq:
	ibv_destroy_cq(sq->cq);
	sq->cq = NULL;
	return ret;
}

static int
rq_create(struct verbs_hw *vh, uint16_t idx, uint32_t nb, int socket_id,
	  struct mana_hw_queue *q)
{
	struct verbs_rq *rq = &vh->rq[idx];
	struct ibv_wq_init_attr attr = {
		.wq_type = IBV_WQT_RQ,
		.max_wr = nb,
		.max_sge = 1,
		.pd = vh->ppd,
	};
	struct manadv_rwq dv_rwq;
	struct manadv_cq dv_cq;
	struct manadv_obj obj = {
		.rwq = { .out = &dv_rwq },
		.cq = { .out = &dv_cq },
	};
	int ret;

	ret = cq_create(vh, nb, socket_id, &rq->cq);
	if (ret != 0)
		return ret;
	attr.cq = rq->cq;
	errno = 0;
	rq->wq = ibv_create_wq(vh->vc.ctx, &attr);
	if (rq->wq == NULL) {
		ret = errno > 0 ? -errno : -ENOMEM;
		goto err_destroy_cq;
	}
	obj.rwq.in = rq->wq;
	obj.cq.in = rq->cq;
	ret = manadv_init_obj(&obj, MANADV_OBJ_RWQ | MANADV_OBJ_CQ);
	if (ret != 0) {
		ret = ret > 0 ? -ret : ret;
		goto err_destroy_wq;
	}
	rq->wq_id = dv_rwq.wq_id;
	rq->cq_id = dv_cq.cq_id;
	q->wq_buf = dv_rwq.buf;
	q->wq_size = dv_rwq.size;
	q->wq_count = dv_rwq.count;
	q->wq_id = dv_rwq.wq_id;
	q->tx_vp_offset = 0;
	q->cq_buf = dv_cq.buf;
	q->cq_count = dv_cq.count;
	q->cq_id = dv_cq.cq_id;
	return 0;

err_destroy_wq:
	ibv_destroy_wq(rq->wq);
	rq->wq = NULL;
err_destroy_cq:
	ibv_destroy_cq(rq->cq);
	rq->cq = NULL;
	return ret;
}

int
verbs_queue_create(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx,
		   uint32_t nb_desc, int socket_id, struct mana_hw_queue *q)
{
	struct verbs_hw *vh = (struct verbs_hw *)hw;
	uint32_t nb = rte_align32pow2(nb_desc);
	uint32_t max = RTE_MIN(vh->vc.max_qp_wr, (uint32_t)vh->vc.max_cqe);
	int ret;

	if (idx >= VERBS_MAX_QUEUES || nb_desc == 0 || nb > max) {
		VERBS_LOG(ERR, "%s: queue %u of %u descriptors: at most %u queues of %u",
			  vh->dev->name, idx, nb_desc, VERBS_MAX_QUEUES, max);
		return -EINVAL;
	}
	if (socket_id == SOCKET_ID_ANY)
		socket_id = (int)rte_socket_id();
	if (type == MANA_HWQ_SQ)
		ret = sq_create(vh, idx, nb, socket_id, q);
	else
		ret = rq_create(vh, idx, nb, socket_id, q);
	if (ret != 0)
		VERBS_LOG(ERR, "%s: cannot create %s queue %u: %s", vh->dev->name,
			  type == MANA_HWQ_SQ ? "send" : "receive", idx, strerror(-ret));
	return ret;
}

void
verbs_queue_destroy(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx)
{
	struct verbs_hw *vh = (struct verbs_hw *)hw;

	if (idx >= VERBS_MAX_QUEUES)
		return;
	if (type == MANA_HWQ_SQ) {
		if (vh->sq[idx].qp != NULL)
			ibv_destroy_qp(vh->sq[idx].qp);
		if (vh->sq[idx].cq != NULL)
			ibv_destroy_cq(vh->sq[idx].cq);
		memset(&vh->sq[idx], 0, sizeof(vh->sq[idx]));
	} else {
		if (vh->rq[idx].wq != NULL)
			ibv_destroy_wq(vh->rq[idx].wq);
		if (vh->rq[idx].cq != NULL)
			ibv_destroy_cq(vh->rq[idx].cq);
		memset(&vh->rq[idx], 0, sizeof(vh->rq[idx]));
	}
}

/* RTE_ETH_RSS_* to the provider's hash fields (what net/mana hashes on). */
static uint64_t
rss_fields(uint64_t hf)
{
	uint64_t m = 0;

	if (hf & (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_OTHER))
		m |= IBV_RX_HASH_SRC_IPV4 | IBV_RX_HASH_DST_IPV4;
	if (hf & (RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_FRAG_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_OTHER))
		m |= IBV_RX_HASH_SRC_IPV6 | IBV_RX_HASH_DST_IPV6;
	if (hf & (RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV6_TCP))
		m |= IBV_RX_HASH_SRC_PORT_TCP | IBV_RX_HASH_DST_PORT_TCP;
	if (hf & (RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV6_UDP))
		m |= IBV_RX_HASH_SRC_PORT_UDP | IBV_RX_HASH_DST_PORT_UDP;
	return m;
}

int
verbs_queue_rss_start(struct mana_hw *hw, const struct mana_vport_cfg *cfg)
{
	struct verbs_hw *vh = (struct verbs_hw *)hw;
	struct ibv_wq *wqs[VERBS_MAX_QUEUES];
	struct ibv_rwq_ind_table_init_attr ind_attr = { .ind_tbl = wqs };
	struct ibv_qp_init_attr_ex qp_attr = {
		.qp_type = IBV_QPT_RAW_PACKET,
		.comp_mask = IBV_QP_INIT_ATTR_PD | IBV_QP_INIT_ATTR_IND_TABLE |
			     IBV_QP_INIT_ATTR_RX_HASH,
		.pd = vh->ppd,
		.rx_hash_conf = {
			.rx_hash_function = IBV_RX_HASH_FUNC_TOEPLITZ,
			.rx_hash_key_len = VERBS_TOEPLITZ_KEY_LEN,
			.rx_hash_key = (uint8_t *)(uintptr_t)cfg->rss_key,
			.rx_hash_fields_mask = rss_fields(cfg->rss_hf),
		},
	};
	uint16_t i;
	int ret;

	RTE_BUILD_BUG_ON(MANA_RSS_KEY_LEN != VERBS_TOEPLITZ_KEY_LEN);
	/* The indirection table lists the work queues once each, so the
	 * queue count must be a power of two (as for net/mana).
	 */
	if (cfg->nb_rxq == 0 || cfg->nb_rxq > VERBS_MAX_QUEUES ||
	    !rte_is_power_of_2(cfg->nb_rxq)) {
		VERBS_LOG(ERR, "%s: %u receive queues: MANA needs a power of two up to %u",
			  vh->dev->name, cfg->nb_rxq, VERBS_MAX_QUEUES);
		return -EINVAL;
	}
	for (i = 0; i < cfg->nb_rxq; i++) {
		if (vh->rq[i].wq == NULL)
			return -EINVAL;
		wqs[i] = vh->rq[i].wq;
	}
	ind_attr.log_ind_tbl_size = rte_log2_u32(cfg->nb_rxq);
	errno = 0;
	vh->ind = ibv_create_rwq_ind_table(vh->vc.ctx, &ind_attr);
	if (vh->ind == NULL) {
		ret = errno > 0 ? -errno : -ENOMEM;
		VERBS_LOG(ERR, "%s: ibv_create_rwq_ind_table: %s", vh->dev->name, strerror(-ret));
		return ret;
	}
	qp_attr.rwq_ind_tbl = vh->ind;
	errno = 0;
	vh->rss_qp = ibv_create_qp_ex(vh->vc.ctx, &qp_attr);
	if (vh->rss_qp == NULL) {
		ret = errno > 0 ? -errno : -ENOMEM;
		VERBS_LOG(ERR, "%s: RSS QP: %s", vh->dev->name, strerror(-ret));
		goto err_destroy_ind;
	}
	return 0;

err_destroy_ind:
	ibv_destroy_rwq_ind_table(vh->ind);
	vh->ind = NULL;
	return ret;
}

void
verbs_queue_rss_stop(struct mana_hw *hw)
{
	struct verbs_hw *vh = (struct verbs_hw *)hw;

	if (vh->rss_qp != NULL)
		ibv_destroy_qp(vh->rss_qp);
	vh->rss_qp = NULL;
	if (vh->ind != NULL)
		ibv_destroy_rwq_ind_table(vh->ind);
	vh->ind = NULL;
}

void
verbs_queue_destroy_all(struct verbs_hw *vh)
{
	uint16_t i;

	verbs_queue_rss_stop(&vh->base);
	for (i = 0; i < VERBS_MAX_QUEUES; i++) {
		verbs_queue_destroy(&vh->base, MANA_HWQ_RQ, i);
		verbs_queue_destroy(&vh->base, MANA_HWQ_SQ, i);
	}
}
