/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The datapath: receive and transmit bursts over the hardware work and
 * completion queues, in MANA's formats (mana_gdma.h), for every backend.
 * Each function here that takes a queue runs on the one lcore that polls
 * that queue, except the fill and drain helpers, which the control path
 * calls while the queue is stopped.
 *
 * Every burst runs inside the datapath guard (mana_guard.h): it reads no
 * queue or doorbell pointer before mana_guard_enter succeeded, and touches no
 * device memory after mana_guard_exit. A closed gate makes it return 0 at once.
 */
#include <errno.h>

#include <rte_branch_prediction.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "mana.h"
#include "mana_log.h"
#include "mana_rxtx_hook.h"


/* Ring a work queue's doorbell (mana_gdma_db_write orders it after the
 * WQEs), and hand the write to a backend that simulates the device.
 */
static inline void
mana_db_ring(struct mana_proc *proc, uint8_t *db, uint32_t offset, uint64_t value)
{
	mana_gdma_db_write(db, offset, value);
	if (proc->hw->ops->kick != NULL)
		proc->hw->ops->kick(proc->hw, offset, value);
}

static inline void
mana_db_ring_rq(struct mana_proc *proc, const struct mana_ring *r)
{
	/* wqe_cnt 1, as upstream writes it; the device goes by the tail. */
	mana_db_ring(proc, proc->db, MANA_DB_RQ,
		     mana_db_rq(r->wq_id, r->wq.head * MANA_GDMA_BU, 1));
}

/* Post a receive buffer in every free slot: one WQE of one BU each (the
 * small OOB, zero, and one SGE). Returns how many were posted; on
 * allocation failure the slots stay empty until the next burst.
 */
static uint32_t
mana_rxq_post(struct mana_rxq *rxq, struct mana_proc *proc)
{
	struct mana_ring *r = &rxq->ring;
	uint32_t room = r->desc_max - (r->desc_head - r->desc_tail);
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
			uintptr_t addr = rte_pktmbuf_mtod(bufs[i], uintptr_t);
			struct mana_gdma_sge sge = {
				.addr = (uint64_t)addr,
				.lkey = mana_mr_lkey(&rxq->mr, &proc->mr, proc->hw, rxq->mp, addr,
						     rxq->buf_len),
				.size = rxq->buf_len,
			};

			/* Unregistered memory (the device could not write
			 * it), or no room in the WQ: keep the slots empty.
			 */
			if (unlikely(sge.lkey == MANA_LKEY_NONE ||
				     mana_gdma_wqe_post(&r->wq, NULL, 0, &sge, 1) < 0)) {
				rte_pktmbuf_free_bulk(bufs + i, n - i);
				return done + i;
			}
			rxq->sw_ring[r->desc_head & r->desc_mask] = bufs[i];
			r->desc_head++;
		}
		room -= n;
		done += n;
	}
	return done;
}

/* Take the next CQE of a receive queue into rxq->comp: 1 when it carries
 * packets (comp_nb of them), 0 when the queue is empty, -1 for a CQE that
 * consumed one WQE without a packet (its mbuf is in *failed).
 */
static inline int
mana_rx_cqe_next(struct mana_rxq *rxq, struct rte_mbuf **failed)
{
	struct mana_ring *r = &rxq->ring;
	struct mana_gdma_cqe cqe;
	unsigned int k;
	int ret;

	for (;;) {
		ret = mana_gdma_cq_poll(r->cq, r->cq_count, r->cq_head, &cqe);
		if (ret == 0)
			return 0;
		if (unlikely(ret < 0)) {
			MANA_DP_LOG(ERR, "port %u rxq %u: completion queue overflow",
				    rxq->port_id, rxq->queue_id);
			return 0;
		}
		r->cq_head++;
		mana_rx_comp_decode(cqe.data, &rxq->comp);
		rxq->comp_next = 0;
		switch (rxq->comp.hdr.type) {
		case MANA_CQE_RX_OKAY:
			rxq->comp_nb = 1;
			return 1;
		case MANA_CQE_RX_COALESCED_4:
			/* A zero length ends its packets. */
			for (k = 0; k < MANA_RXC_PKTS && rxq->comp.pkt[k].len != 0; k++)
				;
			rxq->comp_nb = (uint8_t)k;
			if (k > 0)
				return 1;
			continue;
		case MANA_CQE_RX_OBJECT_FENCE:
			rxq->comp_nb = 0;
			continue;
		default:
			/* Truncated, or a type this driver does not know:
			 * the WQE is consumed, its buffer holds no packet.
			 */
			MANA_DP_LOG(DEBUG, "port %u rxq %u: completion type %u, vendor error %#x",
				    rxq->port_id, rxq->queue_id, rxq->comp.hdr.type,
				    rxq->comp.hdr.vendor_err);
			rxq->comp_nb = 0;
			*failed = NULL;
			if (r->desc_tail != r->desc_head) {
				*failed = rxq->sw_ring[r->desc_tail & r->desc_mask];
				rxq->sw_ring[r->desc_tail & r->desc_mask] = NULL;
				r->desc_tail++;
				r->wq.tail += MANA_RX_WQE_BU;
			}
			return -1;
		}
	}
}

/* The checksum results of a receive CQE as mbuf flags (as upstream). */
static inline uint64_t
mana_rx_csum_flags(const struct mana_rx_comp *c)
{
	uint64_t f = 0;

	if (c->ip_ok)
		f |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	else if (c->ip_bad)
		f |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	if (c->outer_ip_bad)
		f |= RTE_MBUF_F_RX_OUTER_IP_CKSUM_BAD;
	if (c->tcp_ok || c->udp_ok)
		f |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	else if (c->tcp_bad || c->udp_bad)
		f |= RTE_MBUF_F_RX_L4_CKSUM_BAD;
	return f;
}

/* A secondary found the gate open with another word than the one it is in
 * step with: it missed a resynchronization. Schedule one, once (slow path).
 */
static __rte_noinline void
mana_burst_stale(struct mana_proc *proc)
{
	struct mana_priv *priv = rte_eth_devices[proc->port_id].data->dev_private;

	__atomic_fetch_add(&priv->mp.refused, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&proc->resync_pending, __ATOMIC_RELAXED) == 0)
		proc->resync(proc);
}

/* Enter the guard: in a secondary (sec, a constant) the gate must be open
 * with the word this process is in step with (mana_mp.h).
 */
static __rte_always_inline bool
mana_burst_enter(struct mana_guard_q *q, const struct mana_gate *g, uint16_t port_id,
		 enum mana_guard_mode mode, bool sec)
{
	struct mana_proc *proc;
	uint64_t seen = MANA_GATE_CLOSED;

	if (!sec)
		return mana_guard_enter(q, g, mode);
	proc = mana_proc_of(port_id);
	if (mana_rxtx_hook_sec_unguarded())
		return true;   /* the must-crash test build only */
	mana_guard_owner(q, proc->pid);
	if (likely(mana_guard_enter_word(q, g, mode, &proc->seen_word, &seen)))
		return true;
	/* (seen stays closed when the queue is not one of ours.) */
	if (!(seen & MANA_GATE_CLOSED))
		mana_burst_stale(proc);
	return false;
}

static __rte_always_inline void
mana_burst_exit(struct mana_guard_q *q, bool sec)
{
	if (sec && mana_rxtx_hook_sec_unguarded())
		return;        /* it never entered (the must-crash test build) */
	mana_guard_exit(q);
}

static __rte_always_inline uint16_t
mana_rx_burst_guarded(struct mana_rxq *rxq, struct rte_mbuf **pkts, uint16_t n,
		      enum mana_guard_mode mode, bool sec)
{
	struct mana_ring *r = &rxq->ring;
	uint64_t bytes = 0, errors = 0;
	uint16_t nb = 0;

	mana_rxtx_hook_burst_start();
	if (!mana_burst_enter(&rxq->guard, mana_gate_of(&rxq->gate), rxq->port_id, mode, sec))
		return 0;
	mana_rxtx_hook_guarded();
	while (nb < n) {
		const struct mana_rx_pkt *pi;
		struct rte_mbuf *m;

		if (rxq->comp_next == rxq->comp_nb) {
			int got = mana_rx_cqe_next(rxq, &m);

			if (got == 0)
				break;
			if (got < 0) {
				rte_pktmbuf_free(m);
				errors++;
				continue;
			}
		}
		pi = &rxq->comp.pkt[rxq->comp_next++];
		if (unlikely(r->desc_tail == r->desc_head)) {
			/* A completion for a WQE never posted. */
			errors++;
			continue;
		}
		/* Each packet fills the next posted WQE, in order. */
		m = rxq->sw_ring[r->desc_tail & r->desc_mask];
		rxq->sw_ring[r->desc_tail & r->desc_mask] = NULL;
		r->desc_tail++;
		r->wq.tail += MANA_RX_WQE_BU;
		m->data_len = pi->len;
		m->pkt_len = pi->len;
		m->port = rxq->port_id;
		if (rxq->comp.hash_type != 0) {
			m->hash.rss = pi->hash;
			m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		}
		m->ol_flags |= mana_rx_csum_flags(&rxq->comp);
		m->packet_type = rte_net_get_ptype(m, NULL, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
						   RTE_PTYPE_L4_MASK);
		bytes += pi->len;
		pkts[nb++] = m;
	}
	if (nb + errors > 0) {
		struct mana_proc *proc = mana_proc_of(rxq->port_id);

		if (mana_rxq_post(rxq, proc) > 0)
			mana_db_ring_rq(proc, r);
		mana_stat_add(&rxq->stats.packets, nb);
		mana_stat_add(&rxq->stats.bytes, bytes);
		if (errors > 0)
			mana_stat_add(&rxq->stats.errors, errors);
	}
	mana_burst_exit(&rxq->guard, sec);
	return nb;
}

uint16_t
mana_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_rx_burst_guarded(rxq, pkts, n, MANA_GUARD_ASYM, false);
}

uint16_t
mana_rx_burst_fenced(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_rx_burst_guarded(rxq, pkts, n, MANA_GUARD_FENCED, false);
}

#define MANA_FREE_BATCH 64

/*
 * The checksum offloads m asks for, into the TX OOB (as upstream): the
 * device computes the IPv4 header checksum, and completes a TCP or UDP
 * checksum whose field holds the pseudo-header's sum, written here. The
 * headers must be in the first segment. -EINVAL: the device cannot do it.
 */
static inline int
mana_tx_offload(struct rte_mbuf *m, struct mana_tx_oob *oob)
{
	uint64_t fl = m->ol_flags, l4 = fl & RTE_MBUF_F_TX_L4_MASK;
	uint32_t l4_off = (uint32_t)m->l2_len + m->l3_len;
	void *l3h;

	if (likely((fl & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)) == 0))
		return 0;
	oob->outer_ipv4 = (fl & RTE_MBUF_F_TX_IPV4) != 0;
	oob->outer_ipv6 = (fl & RTE_MBUF_F_TX_IPV6) != 0;
	if (fl & RTE_MBUF_F_TX_IP_CKSUM) {
		if (!oob->outer_ipv4)
			return -EINVAL;
		oob->ip_csum = true;
	}
	if (l4 == 0)
		return 0;
	if (l4 != RTE_MBUF_F_TX_TCP_CKSUM && l4 != RTE_MBUF_F_TX_UDP_CKSUM)
		return -EINVAL;       /* SCTP: not offered */
	if (oob->outer_ipv4 == oob->outer_ipv6 || l4_off > 0x3ff ||
	    l4_off + (l4 == RTE_MBUF_F_TX_TCP_CKSUM ? sizeof(struct rte_tcp_hdr) :
		      sizeof(struct rte_udp_hdr)) > m->data_len)
		return -EINVAL;
	l3h = rte_pktmbuf_mtod_offset(m, void *, m->l2_len);
	if (l4 == RTE_MBUF_F_TX_TCP_CKSUM) {
		struct rte_tcp_hdr *tcp = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, l4_off);

		tcp->cksum = oob->outer_ipv4 ? rte_ipv4_phdr_cksum(l3h, fl) :
					       rte_ipv6_phdr_cksum(l3h, fl);
		oob->tcp_csum = true;
	} else {
		struct rte_udp_hdr *udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, l4_off);

		udp->dgram_cksum = oob->outer_ipv4 ? rte_ipv4_phdr_cksum(l3h, fl) :
						     rte_ipv6_phdr_cksum(l3h, fl);
		oob->udp_csum = true;
	}
	oob->l4_offset = (uint16_t)l4_off;
	return 0;
}

/* The BUs of the send WQE that carried m (its size follows from its
 * segments: one SGE each, the small OOB).
 */
static inline uint32_t
mana_tx_wqe_bu(const struct rte_mbuf *m)
{
	return mana_gdma_wqe_bu(MANA_GDMA_OOB_SMALL, m->nb_segs);
}

/* Free the mbufs of every completed send, a batch to the mempool at a time:
 * one ring operation per batch, not per mbuf, so that threads sharing a
 * core with this one (whose ring operations spin while it is preempted
 * inside one) wait as little as possible. One CQE per WQE, in order.
 */
static void
mana_txq_reap(struct mana_txq *txq)
{
	struct rte_mbuf *done[MANA_FREE_BATCH];
	struct mana_ring *r = &txq->ring;
	unsigned int nb = 0;
	uint64_t errors = 0;
	struct mana_gdma_cqe cqe;
	int ret;

	while ((ret = mana_gdma_cq_poll(r->cq, r->cq_count, r->cq_head, &cqe)) > 0) {
		struct mana_tx_comp tc;
		struct rte_mbuf *m;

		r->cq_head++;
		mana_tx_comp_decode(cqe.data, &tc);
		if (unlikely(tc.hdr.type != MANA_CQE_TX_OKAY)) {
			MANA_DP_LOG(DEBUG, "port %u txq %u: completion type %u, vendor error %#x",
				    txq->port_id, txq->queue_id, tc.hdr.type, tc.hdr.vendor_err);
			errors++;
		}
		if (unlikely(r->desc_tail == r->desc_head)) {
			errors++;     /* a completion for a WQE never posted */
			continue;
		}
		m = txq->sw_ring[r->desc_tail & r->desc_mask];
		txq->sw_ring[r->desc_tail & r->desc_mask] = NULL;
		r->desc_tail++;
		r->wq.tail += mana_tx_wqe_bu(m);
		done[nb++] = m;
		if (nb == MANA_FREE_BATCH) {
			rte_pktmbuf_free_bulk(done, nb);
			nb = 0;
		}
	}
	if (unlikely(ret < 0)) {
		MANA_DP_LOG(ERR, "port %u txq %u: completion queue overflow", txq->port_id,
			    txq->queue_id);
		errors++;
	}
	if (nb > 0)
		rte_pktmbuf_free_bulk(done, nb);
	if (errors > 0)
		mana_stat_add(&txq->stats.errors, errors);
}

static __rte_always_inline uint16_t
mana_tx_burst_guarded(struct mana_txq *txq, struct rte_mbuf **pkts, uint16_t n,
		      enum mana_guard_mode mode, bool sec)
{
	struct mana_ring *r = &txq->ring;
	struct mana_proc *proc;
	uint64_t bytes = 0, dropped = 0;
	uint16_t i, sent = 0;
	/* NULL but in the must-fail test build (mana_rxtx_hook.h). */
	uint8_t *early_db = mana_rxtx_hook_early_db(txq->port_id);

	mana_rxtx_hook_burst_start();
	if (!mana_burst_enter(&txq->guard, mana_gate_of(&txq->gate), txq->port_id, mode, sec))
		return 0;
	proc = mana_proc_of(txq->port_id);
	mana_txq_reap(txq);
	for (i = 0; i < n && r->desc_head - r->desc_tail < r->desc_max; i++) {
		struct rte_mbuf *m = pkts[i], *seg;
		struct mana_gdma_sge sgl[MANA_WQE_MAX_SGE];
		struct mana_tx_oob oob = {
			.vcq = r->cq_id,
			.vsq_frame = mana_tx_vsq_frame(r->wq_id),
			.vport_offset = r->tx_vp_offset,
		};
		uint8_t oob_bytes[MANA_GDMA_OOB_LARGE];
		uint32_t s = 0, oob_len;
		int ret;

		if (unlikely(m->nb_segs > MANA_WQE_MAX_SGE || m->pkt_len == 0 ||
			     mana_tx_offload(m, &oob) != 0))
			goto drop;     /* the hardware cannot send it */
		for (seg = m; seg != NULL; seg = seg->next, s++) {
			uintptr_t addr = rte_pktmbuf_mtod(seg, uintptr_t);

			sgl[s].addr = (uint64_t)addr;
			sgl[s].size = seg->data_len;
			sgl[s].lkey = mana_mr_lkey(&txq->mr, &proc->mr, proc->hw, seg->pool, addr,
						   seg->data_len);
			if (unlikely(sgl[s].lkey == MANA_LKEY_NONE))
				goto drop;     /* memory the device cannot read */
		}
		oob_len = mana_tx_oob_encode(&oob, oob_bytes);
		ret = mana_gdma_wqe_post(&r->wq, oob_bytes, oob_len, sgl, s);
		if (unlikely(ret == -EBUSY))
			break;         /* the WQ is full: the application keeps it */
		if (unlikely(ret < 0))
			goto drop;
		txq->sw_ring[r->desc_head & r->desc_mask] = m;
		r->desc_head++;
		bytes += m->pkt_len;
		sent++;
		continue;
drop:
		rte_pktmbuf_free(m);
		dropped++;
	}
	if (sent > 0) {
		mana_db_ring(proc, early_db != NULL ? early_db : proc->db, MANA_DB_SQ,
			     mana_db_sq(r->wq_id, r->wq.head * MANA_GDMA_BU));
		mana_stat_add(&txq->stats.packets, sent);
		mana_stat_add(&txq->stats.bytes, bytes);
	}
	if (dropped > 0)
		mana_stat_add(&txq->stats.errors, dropped);
	mana_burst_exit(&txq->guard, sec);
	return i;
}

uint16_t
mana_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_tx_burst_guarded(txq, pkts, n, MANA_GUARD_ASYM, false);
}

uint16_t
mana_tx_burst_fenced(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_tx_burst_guarded(txq, pkts, n, MANA_GUARD_FENCED, false);
}

uint16_t
mana_rx_burst_sec(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_rx_burst_guarded(rxq, pkts, n, MANA_GUARD_ASYM, true);
}

uint16_t
mana_rx_burst_sec_fenced(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_rx_burst_guarded(rxq, pkts, n, MANA_GUARD_FENCED, true);
}

uint16_t
mana_tx_burst_sec(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_tx_burst_guarded(txq, pkts, n, MANA_GUARD_ASYM, true);
}

uint16_t
mana_tx_burst_sec_fenced(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return mana_tx_burst_guarded(txq, pkts, n, MANA_GUARD_FENCED, true);
}

int
mana_rxq_fill(struct mana_rxq *rxq, struct mana_proc *proc)
{
	struct mana_ring *r = &rxq->ring;

	mana_rxq_post(rxq, proc);
	if (r->desc_head == r->desc_tail) {
		MANA_DRV_LOG(ERR, "port %u rxq %u: no receive buffer from pool %s (empty, or its memory not registered)",
			     rxq->port_id, rxq->queue_id, rxq->mp->name);
		return -ENOMEM;
	}
	mana_db_ring_rq(proc, r);
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
	rxq->comp_next = 0;
	rxq->comp_nb = 0;
}

void
mana_txq_drain(struct mana_txq *txq)
{
	mana_sw_ring_free(txq->sw_ring, txq->sw_size);
	memset(&txq->ring, 0, sizeof(txq->ring));
}
