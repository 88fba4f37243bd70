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
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_thash.h>
#include <rte_udp.h>

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

/* Toeplitz hash of the frame as the receiver's RSS configuration asks, and
 * what it hashed (MANA_HASH_*, 0: nothing).
 */
static uint32_t
sim_rss_hash(const struct mana_vport_cfg *cfg, const uint8_t *frame, uint32_t len,
	     uint16_t *htype)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	union rte_thash_tuple t;
	uint32_t l3 = RTE_ETHER_HDR_LEN, tuple_len = 0;
	uint8_t proto = 0;
	const uint8_t *l4 = NULL;
	uint64_t l4_bits = 0;

	*htype = 0;
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
		*htype = tuple_len == RTE_THASH_V4_L3_LEN ? MANA_HASH_IPV4 :
			 proto == IPPROTO_TCP ? MANA_HASH_TCP_IPV4 : MANA_HASH_UDP_IPV4;
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
		*htype = tuple_len == RTE_THASH_V6_L3_LEN ? MANA_HASH_IPV6 :
			 proto == IPPROTO_TCP ? MANA_HASH_TCP_IPV6 : MANA_HASH_UDP_IPV6;
	}
	if (tuple_len == 0)
		return 0;
	return rte_softrss((uint32_t *)&t, tuple_len, cfg->rss_key);
}

/* A WQE being worked: its queue's ring and the parsed WQE. */
struct sim_wqe {
	const struct sim_queue *q;
	struct mana_gdma_wqe_view v;
};

/* Bytes an SGL covers. */
static uint64_t
sim_sgl_len(const struct sim_wqe *w)
{
	struct mana_gdma_sge sge;
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < w->v.hdr.num_sge; i++) {
		mana_gdma_wqe_sge(w->q->wq, w->q->wq_size, &w->v, i, &sge);
		sum += sge.size;
	}
	return sum;
}

/* The DMA: the send WQE's SGL into the receive WQE's, in order. Returns the
 * bytes copied (the caller checked that they fit).
 */
static uint32_t
sim_dma(const struct sim_wqe *tx, const struct sim_wqe *rx)
{
	struct mana_gdma_sge ts, rs;
	uint32_t ti = 0, toff = 0, ri, total = 0;

	mana_gdma_wqe_sge(tx->q->wq, tx->q->wq_size, &tx->v, 0, &ts);
	for (ri = 0; ri < rx->v.hdr.num_sge && ti < tx->v.hdr.num_sge; ri++) {
		uint32_t roff = 0;

		mana_gdma_wqe_sge(rx->q->wq, rx->q->wq_size, &rx->v, ri, &rs);
		while (roff < rs.size && ti < tx->v.hdr.num_sge) {
			uint32_t n = RTE_MIN(ts.size - toff, rs.size - roff);

			memcpy((uint8_t *)(uintptr_t)rs.addr + roff,
			       (const uint8_t *)(uintptr_t)ts.addr + toff, n);
			roff += n;
			toff += n;
			total += n;
			if (toff == ts.size && ++ti < tx->v.hdr.num_sge) {
				mana_gdma_wqe_sge(tx->q->wq, tx->q->wq_size, &tx->v, ti, &ts);
				toff = 0;
			}
		}
	}
	return total;
}

/* An RX CQE for the WQE at the queue's tail: rc's fields, one packet of
 * len bytes.
 */
static void
sim_rx_cqe_write(struct sim_queue *q, struct mana_rx_comp *rc, uint32_t wqe_offset, uint8_t type,
		 uint32_t verr, uint32_t len)
{
	uint8_t data[MANA_GDMA_CQE_DATA_LEN];

	rc->hdr.type = type;
	rc->hdr.vendor_err = verr;
	rc->pkt[0].len = (uint16_t)len;
	rc->wqe_offset = wqe_offset;
	mana_rx_comp_encode(rc, data);
	mana_gdma_cqe_write(q->cq, q->cq_count, q->cq_prod++, q->wq_id, false, data);
}

/* Write the coalesced CQE being filled, if any. The RQ's lock held. */
static void
sim_rx_flush(struct sim_queue *q)
{
	uint8_t data[MANA_GDMA_CQE_DATA_LEN];

	if (q->pend_nb == 0)
		return;
	mana_rx_comp_encode(&q->pend, data);
	mana_gdma_cqe_write(q->cq, q->cq_count, q->cq_prod++, q->wq_id, false, data);
	q->pend_nb = 0;
}

/* One more packet into the coalesced CQE being filled: rc's per-CQE
 * fields must be those of the packets already in it (else it is written
 * first). A packet of len bytes, in the WQE at wqe_offset.
 */
static void
sim_rx_coalesce(struct sim_queue *q, const struct mana_rx_comp *rc, uint32_t wqe_offset,
		uint32_t len)
{
	const struct mana_rx_comp *p = &q->pend;

	if (q->pend_nb > 0 &&
	    (p->hash_type != rc->hash_type || p->ip_ok != rc->ip_ok || p->ip_bad != rc->ip_bad ||
	     p->tcp_ok != rc->tcp_ok || p->tcp_bad != rc->tcp_bad || p->udp_ok != rc->udp_ok ||
	     p->udp_bad != rc->udp_bad))
		sim_rx_flush(q);
	if (q->pend_nb == 0) {
		q->pend = *rc;
		memset(q->pend.pkt, 0, sizeof(q->pend.pkt));
		q->pend.hdr.type = MANA_CQE_RX_COALESCED_4;
		q->pend.hdr.vendor_err = 0;
		q->pend.wqe_offset = wqe_offset;
	}
	q->pend.pkt[q->pend_nb].len = (uint16_t)len;
	q->pend.pkt[q->pend_nb].hash = rc->pkt[0].hash;
	if (++q->pend_nb == MANA_RXC_PKTS)
		sim_rx_flush(q);
}

/* The send doorbell's work ended: write every coalesced CQE being filled
 * on the receiver's queues. Under the SQ's lock; takes each RQ's.
 */
static void
sim_rx_flush_peer(struct sim_hub *hub, struct sim_dev *tx)
{
	uint64_t ref = __atomic_load_n(&tx->peer_ref, __ATOMIC_RELAXED);
	struct sim_dev *rx;
	unsigned int i;

	if (ref == 0)
		return;
	rx = &hub->dev[(ref & 0xff) - 1];
	for (i = 0; i < MANA_MAX_QUEUES; i++) {
		struct sim_queue *q = &rx->rq[i];

		sim_lock(&q->lock);
		if (q->created)
			sim_rx_flush(q);
		sim_unlock(&q->lock);
	}
}

/* Where a frame's IP and transport headers are, as the device's parser
 * finds them (one VLAN tag skipped). False: not IPv4 or IPv6, or cut short.
 */
struct sim_hdrs {
	uint32_t l3;
	uint32_t l4;
	uint32_t l4_len;
	bool v4;
	bool frag;
	uint8_t proto;
};

static bool
sim_parse(const uint8_t *f, uint32_t len, struct sim_hdrs *h)
{
	uint16_t et;

	memset(h, 0, sizeof(*h));
	h->l3 = RTE_ETHER_HDR_LEN;
	if (len < h->l3)
		return false;
	et = rte_be_to_cpu_16(*(const rte_be16_t *)(f + 12));
	if (et == RTE_ETHER_TYPE_VLAN && len >= h->l3 + 4) {
		et = rte_be_to_cpu_16(*(const rte_be16_t *)(f + 16));
		h->l3 += 4;
	}
	if (et == RTE_ETHER_TYPE_IPV4 && len >= h->l3 + sizeof(struct rte_ipv4_hdr)) {
		const struct rte_ipv4_hdr *ip = (const void *)(f + h->l3);
		uint32_t ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
		uint32_t tot = rte_be_to_cpu_16(ip->total_length);

		if (ihl < sizeof(*ip) || tot < ihl || h->l3 + tot > len)
			return false;
		h->v4 = true;
		h->l4 = h->l3 + ihl;
		h->l4_len = tot - ihl;
		h->proto = ip->next_proto_id;
		h->frag = (ip->fragment_offset &
			   rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
		return true;
	}
	if (et == RTE_ETHER_TYPE_IPV6 && len >= h->l3 + sizeof(struct rte_ipv6_hdr)) {
		const struct rte_ipv6_hdr *ip6 = (const void *)(f + h->l3);
		uint32_t plen = rte_be_to_cpu_16(ip6->payload_len);

		if (h->l3 + sizeof(*ip6) + plen > len)
			return false;
		h->l4 = h->l3 + sizeof(*ip6);
		h->l4_len = plen;
		h->proto = ip6->proto;
		return true;
	}
	return false;
}

/* The transport checksum field's offset in its header, 0: none. */
static uint32_t
sim_l4_csum_at(const struct sim_hdrs *h)
{
	if (h->frag)
		return 0;
	if (h->proto == IPPROTO_TCP && h->l4_len >= sizeof(struct rte_tcp_hdr))
		return offsetof(struct rte_tcp_hdr, cksum);
	if (h->proto == IPPROTO_UDP && h->l4_len >= sizeof(struct rte_udp_hdr))
		return offsetof(struct rte_udp_hdr, dgram_cksum);
	return 0;
}

/* The send side's checksum offloads, on the frame as it goes on the wire
 * (the sender's memory is only read): the IPv4 header checksum computed;
 * a TCP or UDP checksum completed from the pseudo-header sum the driver
 * left in its field.
 */
static void
sim_tx_csum(uint8_t *f, uint32_t len, const struct mana_tx_oob *oob)
{
	struct sim_hdrs h;
	uint32_t at;
	uint16_t c;

	if (!(oob->ip_csum || oob->tcp_csum || oob->udp_csum) || !sim_parse(f, len, &h))
		return;
	if (oob->ip_csum && h.v4) {
		struct rte_ipv4_hdr *ip = (void *)(f + h.l3);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	at = sim_l4_csum_at(&h);
	if (at == 0 || !((oob->tcp_csum && h.proto == IPPROTO_TCP) ||
			 (oob->udp_csum && h.proto == IPPROTO_UDP)))
		return;
	c = (uint16_t)~rte_raw_cksum(f + h.l4, h.l4_len);
	if (c == 0 && h.proto == IPPROTO_UDP)
		c = 0xffff;
	memcpy(f + h.l4 + at, &c, sizeof(c));
}

/* The receive side's checks, into the CQE's checksum bits. */
static void
sim_rx_csum(const uint8_t *f, uint32_t len, struct mana_rx_comp *rc)
{
	struct sim_hdrs h;
	uint16_t field;
	bool ok;

	if (!sim_parse(f, len, &h))
		return;
	if (h.v4) {
		ok = rte_raw_cksum(f + h.l3, h.l4 - h.l3) == 0xffff;
		rc->ip_ok = ok;
		rc->ip_bad = !ok;
	}
	if (sim_l4_csum_at(&h) == 0)
		return;
	memcpy(&field, f + h.l4 + sim_l4_csum_at(&h), sizeof(field));
	if (h.proto == IPPROTO_UDP && h.v4 && field == 0)
		ok = true;       /* no checksum to check */
	else if (h.v4)
		ok = rte_ipv4_udptcp_cksum_verify((const void *)(f + h.l3), f + h.l4) == 0;
	else
		ok = rte_ipv6_udptcp_cksum_verify((const void *)(f + h.l3), f + h.l4) == 0;
	if (h.proto == IPPROTO_TCP) {
		rc->tcp_ok = ok;
		rc->tcp_bad = !ok;
	} else {
		rc->udp_ok = ok;
		rc->udp_bad = !ok;
	}
}

static void
sim_tx_cqe_write(struct sim_queue *q, const struct mana_gdma_wqe_view *v, uint8_t type,
		 uint32_t verr)
{
	struct mana_tx_comp tc = {
		.hdr = { .type = type, .vendor_err = verr },
		.tx_wqe_offset = v->offset / MANA_GDMA_BU,
	};
	uint8_t data[MANA_GDMA_CQE_DATA_LEN];

	mana_tx_comp_encode(&tc, data);
	mana_gdma_cqe_write(q->cq, q->cq_count, q->cq_prod++, q->wq_id, true, data);
}

/* Deliver one frame to the device at the other end of the wire. */
static void
sim_deliver(struct sim_hub *hub, struct sim_dev *tx, const struct sim_wqe *w,
	    const struct mana_tx_oob *oob, uint32_t len)
{
	struct mana_rx_comp rc = { .hdr = { .type = 0 } };
	uint64_t ref = __atomic_load_n(&tx->peer_ref, __ATOMIC_RELAXED);
	struct mana_gdma_sge first;
	struct sim_wqe rw;
	unsigned int slot;
	struct sim_dev *rx;
	struct sim_queue *q;
	uint32_t qid, hash, avail;
	uint16_t htype;
	const uint8_t *frame;

	if (ref == 0)
		return;
	slot = (unsigned int)(ref & 0xff) - 1;
	rx = &hub->dev[slot];
	/* The headers are read from the sender's first segment, as a NIC's
	 * parser would see them on the wire.
	 */
	mana_gdma_wqe_sge(w->q->wq, w->q->wq_size, &w->v, 0, &first);
	frame = (const uint8_t *)(uintptr_t)first.addr;
	/* rx->cfg is written only under all of rx's queue locks; read it under
	 * one of them, taken below, and recheck the link then.
	 */
	sim_lock(&rx->rq[0].lock);
	if (!rx->in_use || sim_ref(slot, rx->slot_gen) != ref || !rx->up || !rx->vport_up) {
		sim_unlock(&rx->rq[0].lock);
		__atomic_fetch_add(&rx->rx_port_down, 1, __ATOMIC_RELAXED);
		return;
	}
	if (!sim_mac_accepts(rx, frame, first.size)) {
		sim_unlock(&rx->rq[0].lock);
		__atomic_fetch_add(&rx->rx_filtered, 1, __ATOMIC_RELAXED);
		return;
	}
	hash = sim_rss_hash(&rx->cfg, frame, first.size, &htype);
	rc.hash_type = htype;
	rc.pkt[0].hash = hash;
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
	if (!q->created || q->broken || !rx->opened) {
		__atomic_fetch_add(&rx->rx_port_down, 1, __ATOMIC_RELAXED);
		goto out;
	}
	avail = q->db_tail - q->wq_tail;
	if (avail == 0) {
		__atomic_fetch_add(&rx->rx_no_buffer, 1, __ATOMIC_RELAXED);
		goto out;
	}
	rw.q = q;
	if (avail > q->wq_size ||
	    mana_gdma_wqe_parse(q->wq, q->wq_size, q->wq_tail & (q->wq_size - 1), avail,
				&rw.v) != 0) {
		SIM_LOG(ERR, "%s: rq %u: malformed WQE at byte %u: the queue stops", rx->name,
			qid, q->wq_tail & (q->wq_size - 1));
		q->broken = true;
		__atomic_fetch_add(&rx->rx_no_buffer, 1, __ATOMIC_RELAXED);
		goto out;
	}
	if (len > sim_sgl_len(&rw)) {
		sim_rx_flush(q);
		sim_rx_cqe_write(q, &rc, rw.v.offset, MANA_CQE_RX_TRUNCATED, 0, 0);
	} else if (!sim_mr_sgl_ok(rx, q->wq, q->wq_size, &rw.v)) {
		sim_rx_flush(q);
		sim_rx_cqe_write(q, &rc, rw.v.offset, MANA_CQE_RX_TRUNCATED, SIM_VERR_LKEY, 0);
	} else {
		len = sim_dma(w, &rw);
		/* The checksums, on a frame in one buffer (the driver posts
		 * one SGE a WQE).
		 */
		if (rw.v.hdr.num_sge == 1) {
			struct mana_gdma_sge rs;

			mana_gdma_wqe_sge(q->wq, q->wq_size, &rw.v, 0, &rs);
			sim_tx_csum((uint8_t *)(uintptr_t)rs.addr, len, oob);
			sim_rx_csum((const uint8_t *)(uintptr_t)rs.addr, len, &rc);
		}
		if (rx->rx_coalesce)
			sim_rx_coalesce(q, &rc, rw.v.offset, len);
		else
			sim_rx_cqe_write(q, &rc, rw.v.offset, MANA_CQE_RX_OKAY, 0, len);
	}
	q->wq_tail += rw.v.bu * MANA_GDMA_BU;
out:
	sim_unlock(&q->lock);
}

/* What the hardware makes of a send WQE: a TX CQE type, *verr, and the
 * frame's length in *len.
 */
static uint8_t
sim_tx_check(struct sim_dev *d, const struct sim_wqe *w, struct mana_tx_oob *oob, uint32_t *verr,
	     uint32_t *len)
{
	uint64_t sum;

	*verr = 0;
	*len = 0;
	mana_tx_oob_decode(w->v.oob, w->v.oob_len, oob);
	if (oob->long_format != (w->v.oob_len == MANA_GDMA_OOB_LARGE) ||
	    oob->vcq != w->q->cq_id || oob->vsq_frame != mana_tx_vsq_frame(w->q->wq_id)) {
		*verr = SIM_VERR_WQE;
		return MANA_CQE_TX_INVALID_OOB;
	}
	if (oob->vport_offset != w->q->vp_offset)
		return MANA_CQE_TX_VPORT_IDX_OUT_OF_RANGE;
	sum = sim_sgl_len(w);
	if (sum < RTE_ETHER_HDR_LEN)
		return MANA_CQE_TX_HDR_PROCESSING_ERROR;
	if (sum > RTE_ETHER_MAX_JUMBO_FRAME_LEN)
		return MANA_CQE_TX_MTU_DROP;
	if (!sim_mr_sgl_ok(d, w->q->wq, w->q->wq_size, &w->v)) {
		*verr = SIM_VERR_LKEY;
		return MANA_CQE_TX_HDR_PROCESSING_ERROR;
	}
	*len = (uint32_t)sum;
	return MANA_CQE_TX_OKAY;
}

/* A receive queue's doorbell: what the driver posted. */
static void
sim_rq_doorbell(struct sim_dev *d, const struct mana_db *db)
{
	struct sim_queue *q = sim_queue_by_id(d, MANA_HWQ_RQ, db->id);

	if (q == NULL)
		return;
	sim_lock(&q->lock);
	if (q->created && q->wq_id == db->id)
		q->db_tail = db->tail;
	sim_unlock(&q->lock);
}

void
sim_kick(struct mana_hw *hw, uint32_t offset, uint64_t value)
{
	struct sim_proc *p = (struct sim_proc *)hw;
	struct sim_dev *d = p->dev;
	struct sim_queue *q;
	struct mana_db db;
	bool delivered = false;

	mana_db_decode(value, &db);
	if (offset == MANA_DB_RQ) {
		sim_rq_doorbell(d, &db);
		return;
	}
	if (offset != MANA_DB_SQ)
		return;
	q = sim_queue_by_id(d, MANA_HWQ_SQ, db.id);
	if (q == NULL)
		return;
	sim_lock(&q->lock);
	/* A dead device does nothing: the WQEs stay where they are. */
	if (!d->up || !q->created || q->wq_id != db.id || q->broken || !d->opened) {
		sim_unlock(&q->lock);
		return;
	}
	while (q->wq_tail != db.tail) {
		uint32_t avail = db.tail - q->wq_tail, verr, len;
		struct sim_wqe w = { .q = q };
		struct mana_tx_oob oob;
		uint8_t type;

		if (avail > q->wq_size ||
		    mana_gdma_wqe_parse(q->wq, q->wq_size, q->wq_tail & (q->wq_size - 1), avail,
					&w.v) != 0) {
			SIM_LOG(ERR, "%s: sq %#x: malformed WQE at byte %u: the queue stops",
				d->name, q->wq_id, q->wq_tail & (q->wq_size - 1));
			q->broken = true;
			break;
		}
		type = sim_tx_check(d, &w, &oob, &verr, &len);
		if (type == MANA_CQE_TX_OKAY && d->vport_up) {
			sim_deliver(sim_hub, d, &w, &oob, len);
			delivered = true;
		}
		/* No CQE for a suppressed WQE, unless it failed. */
		if (type != MANA_CQE_TX_OKAY || !oob.suppress_cqe)
			sim_tx_cqe_write(q, &w.v, type, verr);
		q->wq_tail += w.v.bu * MANA_GDMA_BU;
	}
	if (delivered)
		sim_rx_flush_peer(sim_hub, d);
	sim_unlock(&q->lock);
}
