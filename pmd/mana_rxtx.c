/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The datapath: receive and transmit bursts over the hardware work and
 * completion queues (format in mana_hwq.h). Each function here that takes a
 * queue runs on the one lcore that polls that queue, except the fill and drain
 * helpers, which the control path calls while the queue is stopped.
 *
 * Every burst runs inside the datapath guard (mana_guard.h): it reads no
 * queue or doorbell pointer before mana_guard_enter succeeded, and touches no
 * device memory after mana_guard_exit. A closed gate makes it return 0 at once.
 */
#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "mana.h"
#include "mana_log.h"
#include "mana_rxtx_hook.h"


/* Publish a new producer index; pairs with the hardware's load-acquire. */
static inline void
mana_db_ring(uint8_t *db, const struct mana_ring *r)
{
	__atomic_store_n((uint32_t *)(db + r->db_offset), r->wq_head, __ATOMIC_RELEASE);
}

static inline struct mana_cqe *
mana_cqe_next(struct mana_ring *r)
{
	struct mana_cqe *c = &r->cqe[r->cq_head & r->mask];

	/* Pairs with the hardware's store-release of owner_seq. */
	if (__atomic_load_n(&c->owner_seq, __ATOMIC_ACQUIRE) != r->cq_head + 1)
		return NULL;
	return c;
}

/* Post a receive buffer in every free slot. Returns how many were posted;
 * on allocation failure the slots stay empty until the next burst.
 */
static uint32_t
mana_rxq_post(struct mana_rxq *rxq, struct mana_proc *proc)
{
	struct mana_ring *r = &rxq->ring;
	uint32_t room = r->mask + 1 - (r->wq_head - r->cq_head);
	struct rte_mbuf *bufs[64];
	uint32_t done = 0;

	while (room > 0) {
		uint32_t n = RTE_MIN(room, RTE_DIM(bufs)), i;

		if (unlikely(rte_pktmbuf_alloc_bulk(rxq->mp, bufs, n) != 0)) {
			struct mana_priv *priv = rte_eth_devices[rxq->port_id].data->dev_private;

			__atomic_fetch_add(&priv->rx_nombuf, n, __ATOMIC_RELAXED);
			break;
		}
		for (i = 0; i < n; i++) {
			uint32_t slot = r->wq_head & r->mask;
			struct mana_wqe *w = &r->wqe[slot];
			uintptr_t addr = rte_pktmbuf_mtod(bufs[i], uintptr_t);
			uint32_t lkey = mana_mr_lkey(&rxq->mr, &proc->mr, proc->hw, rxq->mp, addr,
						     rxq->buf_len);

			if (unlikely(lkey == MANA_LKEY_NONE)) {
				/* Unregistered memory: the device could not
				 * write it. Keep the slots empty.
				 */
				rte_pktmbuf_free_bulk(bufs + i, n - i);
				return done + i;
			}
			w->num_sge = 1;
			w->flags = 0;
			w->pkt_len = 0;
			w->sge[0].addr = (uint64_t)addr;
			w->sge[0].len = rxq->buf_len;
			w->sge[0].lkey = lkey;
			rxq->sw_ring[slot] = bufs[i];
			r->wq_head++;
		}
		room -= n;
		done += n;
	}
	return done;
}

static __rte_always_inline uint16_t
mana_rx_burst_guarded(struct mana_rxq *rxq, struct rte_mbuf **pkts, uint16_t n,
		      enum mana_guard_mode mode)
{
	struct mana_ring *r = &rxq->ring;
	uint64_t bytes = 0, errors = 0;
	uint16_t nb = 0;
	struct mana_cqe *c;

	mana_rxtx_hook_burst_start();
	if (!mana_guard_enter(&rxq->guard, mana_gate_of(&rxq->gate), mode))
		return 0;
	while (nb < n && (c = mana_cqe_next(r)) != NULL) {
		uint32_t slot = c->wqe_index & r->mask;
		struct rte_mbuf *m = rxq->sw_ring[slot];

		rxq->sw_ring[slot] = NULL;
		r->cq_head++;
		if (unlikely(c->status != MANA_CQE_OK || m == NULL)) {
			MANA_DP_LOG(DEBUG, "port %u rxq %u: completion status %u", rxq->port_id,
				    rxq->queue_id, c->status);
			rte_pktmbuf_free(m);
			errors++;
			continue;
		}
		m->data_len = (uint16_t)c->pkt_len;
		m->pkt_len = c->pkt_len;
		m->port = rxq->port_id;
		if (c->rss_hash != 0) {
			m->hash.rss = c->rss_hash;
			m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		}
		bytes += c->pkt_len;
		pkts[nb++] = m;
	}
	if (nb + errors > 0) {
		struct mana_proc *proc = mana_proc_of(rxq->port_id);

		if (mana_rxq_post(rxq, proc) > 0)
			mana_db_ring(proc->db, r);
		mana_stat_add(&rxq->stats.packets, nb);
		mana_stat_add(&rxq->stats.bytes, bytes);
		if (errors > 0)
			mana_stat_add(&rxq->stats.errors, errors);
	}
	mana_guard_exit(&rxq->guard);
	return nb;
}

uint16_t
mana_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_rx_burst_guarded(rxq, pkts, n, MANA_GUARD_ASYM);
}

uint16_t
mana_rx_burst_fenced(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_rx_burst_guarded(rxq, pkts, n, MANA_GUARD_FENCED);
}

#define MANA_FREE_BATCH 64

/* Free the mbufs of every completed send, a batch to the mempool at a time:
 * one ring operation per batch, not per mbuf, so that threads sharing a
 * core with this one (whose ring operations spin while it is preempted
 * inside one) wait as little as possible.
 */
static void
mana_txq_reap(struct mana_txq *txq)
{
	struct rte_mbuf *done[MANA_FREE_BATCH];
	struct mana_ring *r = &txq->ring;
	unsigned int nb = 0;
	uint64_t errors = 0;
	struct mana_cqe *c;

	while ((c = mana_cqe_next(r)) != NULL) {
		uint32_t slot = c->wqe_index & r->mask;

		if (unlikely(c->status != MANA_CQE_OK))
			errors++;
		done[nb++] = txq->sw_ring[slot];
		txq->sw_ring[slot] = NULL;
		r->cq_head++;
		if (nb == MANA_FREE_BATCH) {
			rte_pktmbuf_free_bulk(done, nb);
			nb = 0;
		}
	}
	if (nb > 0)
		rte_pktmbuf_free_bulk(done, nb);
	if (errors > 0)
		mana_stat_add(&txq->stats.errors, errors);
}

static __rte_always_inline uint16_t
mana_tx_burst_guarded(struct mana_txq *txq, struct rte_mbuf **pkts, uint16_t n,
		      enum mana_guard_mode mode)
{
	struct mana_ring *r = &txq->ring;
	struct mana_proc *proc;
	uint32_t room;
	uint64_t bytes = 0, dropped = 0;
	uint16_t i, sent = 0;
	/* NULL but in the must-fail test build (mana_rxtx_hook.h). */
	uint8_t *early_db = mana_rxtx_hook_early_db(txq->port_id);

	mana_rxtx_hook_burst_start();
	if (!mana_guard_enter(&txq->guard, mana_gate_of(&txq->gate), mode))
		return 0;
	proc = mana_proc_of(txq->port_id);
	mana_txq_reap(txq);
	room = r->mask + 1 - (r->wq_head - r->cq_head);
	for (i = 0; i < n && room > 0; i++) {
		struct rte_mbuf *m = pkts[i], *seg;
		uint32_t slot = r->wq_head & r->mask;
		struct mana_wqe *w = &r->wqe[slot];
		uint16_t s = 0;

		if (unlikely(m->nb_segs > MANA_WQE_MAX_SGE || m->pkt_len == 0))
			goto drop;     /* the hardware cannot send it */
		for (seg = m; seg != NULL; seg = seg->next, s++) {
			uintptr_t addr = rte_pktmbuf_mtod(seg, uintptr_t);

			w->sge[s].addr = (uint64_t)addr;
			w->sge[s].len = seg->data_len;
			w->sge[s].lkey = mana_mr_lkey(&txq->mr, &proc->mr, proc->hw, seg->pool, addr,
						      seg->data_len);
			if (unlikely(w->sge[s].lkey == MANA_LKEY_NONE))
				goto drop;     /* memory the device cannot read */
		}
		w->num_sge = s;
		w->flags = 0;
		w->pkt_len = m->pkt_len;
		txq->sw_ring[slot] = m;
		r->wq_head++;
		room--;
		bytes += m->pkt_len;
		sent++;
		continue;
drop:
		rte_pktmbuf_free(m);
		dropped++;
	}
	if (sent > 0) {
		mana_db_ring(early_db != NULL ? early_db : proc->db, r);
		if (proc->hw->ops->kick != NULL)
			proc->hw->ops->kick(proc->hw, txq->queue_id);
		mana_stat_add(&txq->stats.packets, sent);
		mana_stat_add(&txq->stats.bytes, bytes);
	}
	if (dropped > 0)
		mana_stat_add(&txq->stats.errors, dropped);
	mana_guard_exit(&txq->guard);
	return i;
}

uint16_t
mana_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_tx_burst_guarded(txq, pkts, n, MANA_GUARD_ASYM);
}

uint16_t
mana_tx_burst_fenced(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_tx_burst_guarded(txq, pkts, n, MANA_GUARD_FENCED);
}

int
mana_rxq_fill(struct mana_rxq *rxq, struct mana_proc *proc)
{
	struct mana_ring *r = &rxq->ring;

	mana_rxq_post(rxq, proc);
	if (r->wq_head == r->cq_head) {
		MANA_DRV_LOG(ERR, "port %u rxq %u: no receive buffer from pool %s (empty, or its memory not registered)",
			     rxq->port_id, rxq->queue_id, rxq->mp->name);
		return -ENOMEM;
	}
	mana_db_ring(proc->db, r);
	return 0;
}

/* Every mbuf of a ring back to its pool, in bulk (NULL slots are skipped). */
static void
mana_sw_ring_free(struct rte_mbuf **sw_ring, uint32_t n)
{
	rte_pktmbuf_free_bulk(sw_ring, n);
	memset(sw_ring, 0, sizeof(*sw_ring) * n);
}

void
mana_rxq_drain(struct mana_rxq *rxq)
{
	mana_sw_ring_free(rxq->sw_ring, rxq->sw_size);
	memset(&rxq->ring, 0, sizeof(rxq->ring));
}

void
mana_txq_drain(struct mana_txq *txq)
{
	mana_sw_ring_free(txq->sw_ring, txq->sw_size);
	memset(&txq->ring, 0, sizeof(txq->ring));
}
