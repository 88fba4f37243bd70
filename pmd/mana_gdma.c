/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * MANA's queue formats (mana_gdma.h): encoders and decoders of work queue
 * entries, doorbells and completion queue entries, with explicit shifts and
 * masks into little-endian words. Plain C, no DPDK; calls nothing of the
 * driver's.
 */
#include <errno.h>
#include <string.h>

#include "mana_gdma.h"

static inline uint32_t
bit(bool b, unsigned int pos)
{
	return (uint32_t)(b ? 1u : 0u) << pos;
}

static inline bool
bit_get(uint32_t w, unsigned int pos)
{
	return (w >> pos) & 1u;
}

void
mana_gdma_wqe_hdr_encode(const struct mana_gdma_wqe_hdr *h, uint8_t out[8])
{
	uint32_t dw1 = (uint32_t)h->num_sge << MANA_WQE_NUM_SGE_SHIFT |
		       (uint32_t)(h->oob_dwords & 7u) << MANA_WQE_OOB_DWORDS_SHIFT |
		       bit(h->oob_in_sgl, MANA_WQE_OOB_IN_SGL_BIT) |
		       bit(h->consume_credit, MANA_WQE_CONSUME_CREDIT_BIT) |
		       bit(h->fence, MANA_WQE_FENCE_BIT) |
		       (uint32_t)(h->client_data_unit & 0x3fffu) << MANA_WQE_CLIENT_UNIT_SHIFT |
		       bit(h->check_sn, MANA_WQE_CHECK_SN_BIT) |
		       bit(h->sgl_direct, MANA_WQE_SGL_DIRECT_BIT);

	mana_le32_put(out, (uint32_t)h->last_vbytes << MANA_WQE_LAST_VBYTES_SHIFT);
	mana_le32_put(out + 4, dw1);
}

void
mana_gdma_wqe_hdr_decode(const uint8_t in[8], struct mana_gdma_wqe_hdr *h)
{
	uint32_t dw0 = mana_le32_get(in), dw1 = mana_le32_get(in + 4);

	h->last_vbytes = (uint8_t)(dw0 >> MANA_WQE_LAST_VBYTES_SHIFT);
	h->num_sge = (uint8_t)(dw1 >> MANA_WQE_NUM_SGE_SHIFT);
	h->oob_dwords = (uint8_t)((dw1 >> MANA_WQE_OOB_DWORDS_SHIFT) & 7u);
	h->oob_in_sgl = bit_get(dw1, MANA_WQE_OOB_IN_SGL_BIT);
	h->consume_credit = bit_get(dw1, MANA_WQE_CONSUME_CREDIT_BIT);
	h->fence = bit_get(dw1, MANA_WQE_FENCE_BIT);
	h->client_data_unit = (uint16_t)((dw1 >> MANA_WQE_CLIENT_UNIT_SHIFT) & 0x3fffu);
	h->check_sn = bit_get(dw1, MANA_WQE_CHECK_SN_BIT);
	h->sgl_direct = bit_get(dw1, MANA_WQE_SGL_DIRECT_BIT);
}

int
mana_gdma_wqe_post(struct mana_gdma_wq *wq, const uint8_t *oob, uint32_t oob_len,
		   const struct mana_gdma_sge *sgl, uint32_t nb_sge)
{
	static const struct mana_gdma_sge dummy = { .addr = MANA_GDMA_DUMMY_SGE_ADDR };
	struct mana_gdma_wqe_hdr h = { 0 };
	uint32_t bu, off, oob_room, i;
	uint8_t *p;

	if (oob_len > MANA_GDMA_OOB_LARGE || nb_sge > MANA_GDMA_MAX_SGE)
		return -EINVAL;
	bu = mana_gdma_wqe_bu(oob_len, nb_sge);
	if (bu > mana_gdma_wq_free_bu(wq))
		return -EBUSY;
	if (nb_sge == 0) {
		sgl = &dummy;
		nb_sge = 1;
	}
	oob_room = oob_len > MANA_GDMA_OOB_SMALL ? MANA_GDMA_OOB_LARGE : MANA_GDMA_OOB_SMALL;
	h.num_sge = (uint8_t)nb_sge;
	h.oob_dwords = (uint8_t)(oob_room / 4);
	/* The header and the OOB (at most 32 bytes) start on a BU: they never
	 * straddle the ring's end.
	 */
	off = (wq->head * MANA_GDMA_BU) & (wq->size - 1);
	p = wq->buf + off;
	mana_gdma_wqe_hdr_encode(&h, p);
	memset(p + MANA_GDMA_DMA_OOB_LEN, 0, oob_room);
	if (oob_len > 0)
		memcpy(p + MANA_GDMA_DMA_OOB_LEN, oob, oob_len);
	off = (off + MANA_GDMA_DMA_OOB_LEN + oob_room) & (wq->size - 1);
	for (i = 0; i < nb_sge; i++) {
		/* An element is 16-byte aligned in a ring of 32-byte units:
		 * it wraps whole, never in two parts.
		 */
		p = wq->buf + off;
		mana_le64_put(p, sgl[i].addr);
		mana_le32_put(p + 8, sgl[i].lkey);
		mana_le32_put(p + 12, sgl[i].size);
		off = (off + MANA_GDMA_SGE_LEN) & (wq->size - 1);
	}
	wq->head += bu;
	return (int)bu;
}

int
mana_gdma_wqe_parse(const uint8_t *buf, uint32_t size, uint32_t offset, uint32_t avail,
		    struct mana_gdma_wqe_view *v)
{
	if (avail < MANA_GDMA_BU || (offset & (MANA_GDMA_BU - 1)) != 0 || offset >= size)
		return -EINVAL;
	mana_gdma_wqe_hdr_decode(buf + offset, &v->hdr);
	if ((v->hdr.oob_dwords != MANA_GDMA_OOB_SMALL / 4 &&
	     v->hdr.oob_dwords != MANA_GDMA_OOB_LARGE / 4) ||
	    v->hdr.oob_in_sgl || v->hdr.num_sge == 0)
		return -EINVAL;
	v->oob = buf + offset + MANA_GDMA_DMA_OOB_LEN;
	v->oob_len = v->hdr.oob_dwords * 4u;
	v->offset = offset;
	v->bu = mana_gdma_wqe_bu(v->oob_len, v->hdr.num_sge);
	if (v->bu * MANA_GDMA_BU > avail || v->bu * MANA_GDMA_BU > size)
		return -EINVAL;
	return 0;
}

void
mana_gdma_wqe_sge(const uint8_t *buf, uint32_t size, const struct mana_gdma_wqe_view *v,
		  uint32_t i, struct mana_gdma_sge *sge)
{
	uint32_t off = (v->offset + MANA_GDMA_DMA_OOB_LEN + v->oob_len + i * MANA_GDMA_SGE_LEN) &
		       (size - 1);

	sge->addr = mana_le64_get(buf + off);
	sge->lkey = mana_le32_get(buf + off + 8);
	sge->size = mana_le32_get(buf + off + 12);
}

uint32_t
mana_tx_oob_encode(const struct mana_tx_oob *o, uint8_t out[24])
{
	uint32_t dw0 = (o->long_format ? MANA_TXO_FORMAT_LONG : MANA_TXO_FORMAT_SHORT)
			       << MANA_TXO_FORMAT_SHIFT |
		       bit(o->outer_ipv4, MANA_TXO_OUTER_IPV4_BIT) |
		       bit(o->outer_ipv6, MANA_TXO_OUTER_IPV6_BIT) |
		       bit(o->ip_csum, MANA_TXO_IP_CSUM_BIT) |
		       bit(o->tcp_csum, MANA_TXO_TCP_CSUM_BIT) |
		       bit(o->udp_csum, MANA_TXO_UDP_CSUM_BIT) |
		       bit(o->suppress_cqe, MANA_TXO_SUPPRESS_CQE_BIT) |
		       (o->vcq & MANA_DB_ID_MASK) << MANA_TXO_VCQ_SHIFT;
	uint32_t dw1 = (uint32_t)(o->l4_offset & 0x3ffu) << MANA_TXO_L4_OFFSET_SHIFT |
		       (uint32_t)(o->vsq_frame & 0x3fffu) << MANA_TXO_VSQ_FRAME_SHIFT |
		       (uint32_t)o->vport_offset << MANA_TXO_VPORT_SHIFT;

	mana_le32_put(out, dw0);
	mana_le32_put(out + 4, dw1);
	if (!o->long_format)
		return MANA_GDMA_OOB_SMALL;
	mana_le32_put(out + 8, bit(o->vlan_inject, MANA_TXO_VLAN_INJECT_BIT) |
			       (uint32_t)(o->pcp & 7u) << MANA_TXO_PCP_SHIFT |
			       bit(o->dei, MANA_TXO_DEI_BIT) |
			       (uint32_t)(o->vid & 0xfffu) << MANA_TXO_VID_SHIFT);
	memset(out + 12, 0, 12);
	return MANA_GDMA_OOB_LARGE;
}

void
mana_tx_oob_decode(const uint8_t *in, uint32_t len, struct mana_tx_oob *o)
{
	uint32_t dw0 = mana_le32_get(in), dw1 = mana_le32_get(in + 4);

	memset(o, 0, sizeof(*o));
	o->long_format = ((dw0 >> MANA_TXO_FORMAT_SHIFT) & 3u) == MANA_TXO_FORMAT_LONG;
	o->outer_ipv4 = bit_get(dw0, MANA_TXO_OUTER_IPV4_BIT);
	o->outer_ipv6 = bit_get(dw0, MANA_TXO_OUTER_IPV6_BIT);
	o->ip_csum = bit_get(dw0, MANA_TXO_IP_CSUM_BIT);
	o->tcp_csum = bit_get(dw0, MANA_TXO_TCP_CSUM_BIT);
	o->udp_csum = bit_get(dw0, MANA_TXO_UDP_CSUM_BIT);
	o->suppress_cqe = bit_get(dw0, MANA_TXO_SUPPRESS_CQE_BIT);
	o->vcq = dw0 >> MANA_TXO_VCQ_SHIFT;
	o->l4_offset = (uint16_t)((dw1 >> MANA_TXO_L4_OFFSET_SHIFT) & 0x3ffu);
	o->vsq_frame = (uint16_t)((dw1 >> MANA_TXO_VSQ_FRAME_SHIFT) & 0x3fffu);
	o->vport_offset = (uint8_t)(dw1 >> MANA_TXO_VPORT_SHIFT);
	if (len >= MANA_GDMA_OOB_LARGE) {
		uint32_t dw2 = mana_le32_get(in + 8);

		o->vlan_inject = bit_get(dw2, MANA_TXO_VLAN_INJECT_BIT);
		o->pcp = (uint8_t)((dw2 >> MANA_TXO_PCP_SHIFT) & 7u);
		o->dei = bit_get(dw2, MANA_TXO_DEI_BIT);
		o->vid = (uint16_t)((dw2 >> MANA_TXO_VID_SHIFT) & 0xfffu);
	}
}

uint64_t
mana_db_sq(uint32_t sq_id, uint32_t tail)
{
	return (uint64_t)(sq_id & MANA_DB_ID_MASK) | (uint64_t)tail << 32;
}

uint64_t
mana_db_rq(uint32_t rq_id, uint32_t tail, uint8_t wqe_cnt)
{
	return (uint64_t)(rq_id & MANA_DB_ID_MASK) | (uint64_t)wqe_cnt << 24 | (uint64_t)tail << 32;
}

uint64_t
mana_db_cq(uint32_t cq_id, uint32_t tail, bool arm)
{
	return (uint64_t)(cq_id & MANA_DB_ID_MASK) | (uint64_t)(tail & 0x7fffffffu) << 32 |
	       (uint64_t)(arm ? 1u : 0u) << 63;
}

void
mana_db_decode(uint64_t v, struct mana_db *db)
{
	db->id = (uint32_t)v & MANA_DB_ID_MASK;
	db->wqe_cnt = (uint8_t)(v >> 24);
	db->tail = (uint32_t)(v >> 32);
	db->arm = (v >> 63) & 1u;
}

uint32_t
mana_cqe_info(uint32_t wq_id, bool is_sq, uint32_t owner)
{
	return (wq_id & MANA_DB_ID_MASK) << MANA_CQE_WQ_SHIFT | bit(is_sq, MANA_CQE_IS_SQ_BIT) |
	       (owner & MANA_CQE_OWNER_MASK) << MANA_CQE_OWNER_SHIFT;
}

int
mana_gdma_cq_poll(const uint8_t *cq, uint32_t count, uint32_t head, struct mana_gdma_cqe *out)
{
	const uint8_t *e = cq + (size_t)(head & (count - 1)) * MANA_GDMA_CQE_LEN;
	uint32_t raw, info, owner, expected = mana_cq_owner(head, count);

	/* Pairs with the producer's store-release of dword 15. */
	raw = __atomic_load_n((const uint32_t *)(const void *)(e + MANA_GDMA_CQE_DATA_LEN),
			      __ATOMIC_ACQUIRE);
	info = mana_le32_get((const uint8_t *)&raw);
	owner = (info >> MANA_CQE_OWNER_SHIFT) & MANA_CQE_OWNER_MASK;
	if (owner == ((expected - 1) & MANA_CQE_OWNER_MASK))
		return 0;
	if (owner != expected)
		return -EOVERFLOW;
	memcpy(out->data, e, MANA_GDMA_CQE_DATA_LEN);
	out->wq_id = (info >> MANA_CQE_WQ_SHIFT) & MANA_DB_ID_MASK;
	out->is_sq = bit_get(info, MANA_CQE_IS_SQ_BIT);
	return 1;
}

void
mana_gdma_cqe_write(uint8_t *cq, uint32_t count, uint32_t pos, uint32_t wq_id, bool is_sq,
		    const uint8_t data[MANA_GDMA_CQE_DATA_LEN])
{
	uint8_t *e = cq + (size_t)(pos & (count - 1)) * MANA_GDMA_CQE_LEN;
	uint8_t le[4];
	uint32_t raw;

	memcpy(e, data, MANA_GDMA_CQE_DATA_LEN);
	mana_le32_put(le, mana_cqe_info(wq_id, is_sq, mana_cq_owner(pos, count)));
	memcpy(&raw, le, sizeof(raw));
	/* Publish last; pairs with the consumer's load-acquire. */
	__atomic_store_n((uint32_t *)(void *)(e + MANA_GDMA_CQE_DATA_LEN), raw, __ATOMIC_RELEASE);
}

void
mana_cqe_hdr_decode(const uint8_t data[4], struct mana_cqe_hdr *h)
{
	uint32_t dw = mana_le32_get(data);

	h->type = (uint8_t)(dw & MANA_CQE_TYPE_MASK);
	h->client_type = (uint8_t)((dw >> MANA_CQE_CLIENT_SHIFT) & 3u);
	h->vendor_err = dw >> MANA_CQE_VENDOR_SHIFT;
}

static uint32_t
mana_cqe_hdr_word(const struct mana_cqe_hdr *h)
{
	return (uint32_t)(h->type & MANA_CQE_TYPE_MASK) |
	       (uint32_t)(h->client_type & 3u) << MANA_CQE_CLIENT_SHIFT |
	       (h->vendor_err & 0xffffffu) << MANA_CQE_VENDOR_SHIFT;
}

void
mana_tx_comp_encode(const struct mana_tx_comp *c, uint8_t data[MANA_GDMA_CQE_DATA_LEN])
{
	memset(data, 0, MANA_GDMA_CQE_DATA_LEN);
	mana_le32_put(data, mana_cqe_hdr_word(&c->hdr));
	mana_le32_put(data + 4, c->tx_data_offset);
	mana_le32_put(data + 8, (uint32_t)(c->tx_sgl_offset & 0x1fu) | c->tx_wqe_offset << 5);
}

void
mana_tx_comp_decode(const uint8_t data[MANA_GDMA_CQE_DATA_LEN], struct mana_tx_comp *c)
{
	uint32_t dw2 = mana_le32_get(data + 8);

	mana_cqe_hdr_decode(data, &c->hdr);
	c->tx_data_offset = mana_le32_get(data + 4);
	c->tx_sgl_offset = (uint8_t)(dw2 & 0x1fu);
	c->tx_wqe_offset = dw2 >> 5;
}

void
mana_rx_comp_encode(const struct mana_rx_comp *c, uint8_t data[MANA_GDMA_CQE_DATA_LEN])
{
	unsigned int i;

	memset(data, 0, MANA_GDMA_CQE_DATA_LEN);
	mana_le32_put(data, mana_cqe_hdr_word(&c->hdr));
	mana_le32_put(data + 4, (uint32_t)(c->vlan_id & 0xfffu) << MANA_RXC_VLAN_ID_SHIFT |
				bit(c->vlan_present, MANA_RXC_VLAN_PRESENT_BIT) |
				bit(c->outer_ip_ok, MANA_RXC_OUTER_IP_OK_BIT) |
				bit(c->outer_ip_bad, MANA_RXC_OUTER_IP_BAD_BIT) |
				(uint32_t)(c->hash_type & 0x1ffu) << MANA_RXC_HASH_TYPE_SHIFT |
				bit(c->ip_ok, MANA_RXC_IP_OK_BIT) |
				bit(c->ip_bad, MANA_RXC_IP_BAD_BIT) |
				bit(c->tcp_ok, MANA_RXC_TCP_OK_BIT) |
				bit(c->tcp_bad, MANA_RXC_TCP_BAD_BIT) |
				bit(c->udp_ok, MANA_RXC_UDP_OK_BIT) |
				bit(c->udp_bad, MANA_RXC_UDP_BAD_BIT));
	for (i = 0; i < MANA_RXC_PKTS; i++) {
		uint8_t *p = data + MANA_RXC_PKT_OFFSET + 12 * i;

		mana_le32_put(p, c->pkt[i].len);
		mana_le32_put(p + 8, c->pkt[i].hash);
	}
	mana_le32_put(data + MANA_RXC_WQE_OFFSET, c->wqe_offset);
}

void
mana_rx_comp_decode(const uint8_t data[MANA_GDMA_CQE_DATA_LEN], struct mana_rx_comp *c)
{
	uint32_t dw1 = mana_le32_get(data + 4);
	unsigned int i;

	mana_cqe_hdr_decode(data, &c->hdr);
	c->vlan_id = (uint16_t)((dw1 >> MANA_RXC_VLAN_ID_SHIFT) & 0xfffu);
	c->vlan_present = bit_get(dw1, MANA_RXC_VLAN_PRESENT_BIT);
	c->outer_ip_ok = bit_get(dw1, MANA_RXC_OUTER_IP_OK_BIT);
	c->outer_ip_bad = bit_get(dw1, MANA_RXC_OUTER_IP_BAD_BIT);
	c->hash_type = (uint16_t)((dw1 >> MANA_RXC_HASH_TYPE_SHIFT) & 0x1ffu);
	c->ip_ok = bit_get(dw1, MANA_RXC_IP_OK_BIT);
	c->ip_bad = bit_get(dw1, MANA_RXC_IP_BAD_BIT);
	c->tcp_ok = bit_get(dw1, MANA_RXC_TCP_OK_BIT);
	c->tcp_bad = bit_get(dw1, MANA_RXC_TCP_BAD_BIT);
	c->udp_ok = bit_get(dw1, MANA_RXC_UDP_OK_BIT);
	c->udp_bad = bit_get(dw1, MANA_RXC_UDP_BAD_BIT);
	for (i = 0; i < MANA_RXC_PKTS; i++) {
		const uint8_t *p = data + MANA_RXC_PKT_OFFSET + 12 * i;

		c->pkt[i].len = (uint16_t)mana_le32_get(p);
		c->pkt[i].hash = mana_le32_get(p + 8);
	}
	c->wqe_offset = mana_le32_get(data + MANA_RXC_WQE_OFFSET);
}
