/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The device's work, done on the CPU that rang a send doorbell (the
 * simulator has no engine of its own): consume the send queue, check each
 * WQE and its memory registrations, carry the frame over the wire to the
 * peer, where the MAC filter and RSS pick a receive queue, and write the
 * completions. Calls the hub, memory registration and the queues.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_thash.h>

#include "sim_priv.h"

#define SIM_RSS_V4 (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP)
#define SIM_RSS_V6 (RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP)

/* The receiver's MAC filter. */
static bool
sim_mac_accepts(const struct sim_dev *rx, const uint8_t *frame, uint32_t len)
{
	const struct rte_ether_addr *dst = (const struct rte_ether_addr *)frame;

	if (len < RTE_ETHER_HDR_LEN)
		return false;
	if (rx->cfg.promisc || rte_is_broadcast_ether_addr(dst))
		return true;
	if (rte_is_multicast_ether_addr(dst))
		return rx->cfg.allmulti;
	return memcmp(dst->addr_bytes, rx->cfg.mac, RTE_ETHER_ADDR_LEN) == 0;
}

/* Toeplitz hash of the frame as the receiver's RSS configuration asks. */
static uint32_t
sim_rss_hash(const struct mana_vport_cfg *cfg, const uint8_t *frame, uint32_t len)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	union rte_thash_tuple t;
	uint32_t l3 = RTE_ETHER_HDR_LEN, tuple_len = 0;
	uint8_t proto = 0;
	const uint8_t *l4 = NULL;
	uint64_t l4_bits = 0;

	if (cfg->rss_hf == 0 || len < l3)
		return 0;
	memset(&t, 0, sizeof(t));
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
	    len >= l3 + sizeof(struct rte_ipv4_hdr) && (cfg->rss_hf & SIM_RSS_V4)) {
		const struct rte_ipv4_hdr *ip = (const void *)(frame + l3);
		uint32_t ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;

		t.v4.src_addr = rte_be_to_cpu_32(ip->src_addr);
		t.v4.dst_addr = rte_be_to_cpu_32(ip->dst_addr);
		tuple_len = RTE_THASH_V4_L3_LEN;
		proto = ip->next_proto_id;
		if (ihl >= sizeof(*ip) && len >= l3 + ihl + 4 &&
		    (ip->fragment_offset &
		     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) == 0)
			l4 = frame + l3 + ihl;
		l4_bits = proto == IPPROTO_TCP ? RTE_ETH_RSS_NONFRAG_IPV4_TCP :
			  proto == IPPROTO_UDP ? RTE_ETH_RSS_NONFRAG_IPV4_UDP : 0;
		if (l4 != NULL && (cfg->rss_hf & l4_bits)) {
			t.v4.sport = rte_be_to_cpu_16(*(const rte_be16_t *)l4);
			t.v4.dport = rte_be_to_cpu_16(*(const rte_be16_t *)(l4 + 2));
			tuple_len = RTE_THASH_V4_L4_LEN;
		}
	} else if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6) &&
		   len >= l3 + sizeof(struct rte_ipv6_hdr) && (cfg->rss_hf & SIM_RSS_V6)) {
		const struct rte_ipv6_hdr *ip6 = (const void *)(frame + l3);

		rte_thash_load_v6_addrs(ip6, &t);
		tuple_len = RTE_THASH_V6_L3_LEN;
		proto = ip6->proto;
		if (len >= l3 + sizeof(*ip6) + 4)
			l4 = frame + l3 + sizeof(*ip6);
		l4_bits = proto == IPPROTO_TCP ? RTE_ETH_RSS_NONFRAG_IPV6_TCP :
			  proto == IPPROTO_UDP ? RTE_ETH_RSS_NONFRAG_IPV6_UDP : 0;
		if (l4 != NULL && (cfg->rss_hf & l4_bits)) {
			t.v6.sport = rte_be_to_cpu_16(*(const rte_be16_t *)l4);
			t.v6.dport = rte_be_to_cpu_16(*(const rte_be16_t *)(l4 + 2));
			tuple_len = RTE_THASH_V6_L4_LEN;
		}
	}
	if (tuple_len == 0)
		return 0;
	return rte_softrss((uint32_t *)&t, tuple_len, cfg->rss_key);
}

/* Copy the packet described by a send WQE into a buffer (the DMA). */
static uint32_t
sim_gather(const struct mana_wqe *w, uint8_t *dst, uint32_t room)
{
	uint32_t off = 0;
	uint16_t i;

	for (i = 0; i < w->num_sge; i++) {
		uint32_t n = RTE_MIN(w->sge[i].len, room - off);

		memcpy(dst + off, (const void *)(uintptr_t)w->sge[i].addr, n);
		off += n;
	}
	return off;
}

static void
sim_cqe_write(struct sim_queue *q, uint32_t wqe_index, uint32_t len, uint16_t status,
	      uint32_t hash)
{
	struct mana_cqe *c = &q->cqe[q->cq_prod & q->mask];

	c->wqe_index = wqe_index;
	c->pkt_len = len;
	c->status = status;
	c->rss_hash = hash;
	/* Publish last; pairs with the driver's load-acquire of owner_seq. */
	__atomic_store_n(&c->owner_seq, q->cq_prod + 1, __ATOMIC_RELEASE);
	q->cq_prod++;
}

/* Deliver one frame to the device at the other end of the wire. */
static void
sim_deliver(struct sim_hub *hub, struct sim_dev *tx, const struct mana_wqe *w)
{
	uint64_t ref = __atomic_load_n(&tx->peer_ref, __ATOMIC_RELAXED);
	unsigned int slot;
	struct sim_dev *rx;
	struct sim_queue *q;
	struct mana_wqe *rw;
	uint32_t posted, qid, hash, len;
	const uint8_t *frame;
	uint8_t *buf;

	if (ref == 0)
		return;
	slot = (unsigned int)(ref & 0xff) - 1;
	rx = &hub->dev[slot];
	/* The headers are read from the sender's first segment, as a NIC's
	 * parser would see them on the wire.
	 */
	frame = (const uint8_t *)(uintptr_t)w->sge[0].addr;
	len = w->sge[0].len;
	/* rx->cfg is written only under all of rx's queue locks; read it under
	 * one of them, taken below, and recheck the link then.
	 */
	sim_lock(&rx->rq[0].lock);
	if (!rx->in_use || sim_ref(slot, rx->slot_gen) != ref || !rx->up || !rx->vport_up) {
		sim_unlock(&rx->rq[0].lock);
		__atomic_fetch_add(&rx->rx_port_down, 1, __ATOMIC_RELAXED);
		return;
	}
	if (!sim_mac_accepts(rx, frame, len)) {
		sim_unlock(&rx->rq[0].lock);
		__atomic_fetch_add(&rx->rx_filtered, 1, __ATOMIC_RELAXED);
		return;
	}
	hash = sim_rss_hash(&rx->cfg, frame, len);
	qid = rx->cfg.nb_rxq > 1 && rx->cfg.rss_hf != 0 ? rx->cfg.reta[hash % MANA_RETA_SIZE] : 0;
	if (qid != 0) {
		sim_unlock(&rx->rq[0].lock);
		sim_lock(&rx->rq[qid].lock);
		if (!rx->up || !rx->vport_up) {
			sim_unlock(&rx->rq[qid].lock);
			__atomic_fetch_add(&rx->rx_port_down, 1, __ATOMIC_RELAXED);
			return;
		}
	}
	q = &rx->rq[qid];
	if (!q->created || sim_db_map[slot] == NULL) {
		__atomic_fetch_add(&rx->rx_port_down, 1, __ATOMIC_RELAXED);
		goto out;
	}
	posted = sim_db_read(slot, MANA_DB_RQ_OFFSET(qid));
	if (posted == q->wq_tail) {
		__atomic_fetch_add(&rx->rx_no_buffer, 1, __ATOMIC_RELAXED);
		goto out;
	}
	rw = &q->wqe[q->wq_tail & q->mask];
	buf = (uint8_t *)(uintptr_t)rw->sge[0].addr;
	if (rw->num_sge != 1 || w->pkt_len > rw->sge[0].len)
		sim_cqe_write(q, q->wq_tail, 0, MANA_CQE_RX_TRUNCATED, 0);
	else if (!sim_mr_ok(rx, rw->sge[0].addr, rw->sge[0].len, rw->sge[0].lkey))
		sim_cqe_write(q, q->wq_tail, 0, MANA_CQE_BAD_LKEY, 0);
	else
		sim_cqe_write(q, q->wq_tail, sim_gather(w, buf, rw->sge[0].len), MANA_CQE_OK,
			      hash);
	q->wq_tail++;
out:
	sim_unlock(&q->lock);
}

static bool
sim_wqe_valid(const struct mana_wqe *w)
{
	uint32_t sum = 0;
	uint16_t i;

	if (w->num_sge == 0 || w->num_sge > MANA_WQE_MAX_SGE)
		return false;
	for (i = 0; i < w->num_sge; i++) {
		if (w->sge[i].addr == 0)
			return false;
		sum += w->sge[i].len;
	}
	return sum == w->pkt_len && sum <= RTE_ETHER_MAX_JUMBO_FRAME_LEN;
}

void
sim_kick(struct mana_hw *hw, uint16_t sq_idx)
{
	struct sim_proc *p = (struct sim_proc *)hw;
	struct sim_dev *d = p->dev;
	struct sim_queue *q;
	uint32_t head;

	if (sq_idx >= MANA_MAX_QUEUES)
		return;
	q = &d->sq[sq_idx];
	sim_lock(&q->lock);
	/* A dead device does nothing: the WQEs stay where they are. */
	if (!d->up || !q->created || sim_db_map[p->slot] == NULL) {
		sim_unlock(&q->lock);
		return;
	}
	head = sim_db_read(p->slot, MANA_DB_SQ_OFFSET(sq_idx));
	while (q->wq_tail != head) {
		const struct mana_wqe *w = &q->wqe[q->wq_tail & q->mask];
		uint16_t status = MANA_CQE_OK;

		if (!sim_wqe_valid(w))
			status = MANA_CQE_TX_BAD_WQE;
		else if (!sim_mr_wqe_ok(d, w))
			status = MANA_CQE_BAD_LKEY;
		else if (d->vport_up)
			sim_deliver(sim_hub, d, w);
		sim_cqe_write(q, q->wq_tail, w->pkt_len, status, 0);
		q->wq_tail++;
	}
	sim_unlock(&q->lock);
}
