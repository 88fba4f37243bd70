/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_GDMA_H
#define MANA_GDMA_H

/*
 * MANA's own queue formats (GDMA): what the driver writes for the device
 * (work queue entries, doorbells) and what the device writes back
 * (completion queue entries), as real MANA reads and writes them. Both
 * backends use them: the datapath (mana_rxtx.c) builds and parses them for
 * hardware and simulator alike, and the simulator (sim/) is the device side.
 * Facts from the kernel's include/net/mana/{gdma,mana}.h and DPDK's
 * drivers/net/mana; the code is ours. Plain C11, no DPDK.
 *
 * Every device-visible word is little-endian and built with explicit shifts
 * and masks (no compiler bitfields), so the layout is defined; the bit
 * positions are the MANA_* constants below, and tests/pmd/gdma_test.c
 * checks them against byte layouts written by hand.
 *
 * Work queues (send and receive) are byte rings of `size` bytes (a power of
 * two) in 32-byte basic units (BU). A WQE is the 8-byte DMA OOB header, the
 * inline client OOB (8 bytes "small" or 24 "large", zero-padded), and the
 * scatter-gather list (16 bytes an element, at least one), rounded up to a
 * BU. Header and OOB never straddle the ring's end (they start on a BU and
 * fit in one); the SGL may, and then continues at the ring's start.
 *
 * Completion queues are arrays of 64-byte CQEs: 60 bytes of client data
 * (the TX or RX completion OOB) and a last dword with the work queue's id and
 * 3 owner bits. The consumer's head starts at `count`; the producer writes
 * the owner bits of its lap, so the consumer tells empty, valid and
 * overflowed entries apart without ever clearing one.
 *
 * Ownership: the caller owns every buffer; nothing here allocates. A work
 * queue is written by exactly one thread (the one that owns it, posting);
 * a completion queue is written by the device and read by exactly one thread.
 * Ordering: mana_gdma_db_write store-releases the doorbell after the WQEs;
 * mana_gdma_cqe_write store-releases the owner dword after the client data,
 * and mana_gdma_cq_poll load-acquires it before reading the data.
 * Threads: every function may be called by any thread on memory it owns as
 * above; none takes a lock or blocks.
 */
#include <stdbool.h>
#include <stdint.h>

/* Work queues. */
#define MANA_GDMA_BU              32u   /* basic unit of a work queue */
#define MANA_GDMA_DMA_OOB_LEN     8u    /* the DMA OOB header */
#define MANA_GDMA_OOB_SMALL       8u    /* inline client OOB, small */
#define MANA_GDMA_OOB_LARGE       24u   /* inline client OOB, large */
#define MANA_GDMA_SGE_LEN         16u
#define MANA_GDMA_MAX_SGE         30u   /* num_sgl_entries is 8 bits; 30 fill 512 B */
/* The SGE a WQE without data carries (the "dummy SGE" rule). */
#define MANA_GDMA_DUMMY_SGE_ADDR  1u

/* DMA OOB header, dword 0. */
#define MANA_WQE_LAST_VBYTES_SHIFT   24
/* DMA OOB header, dword 1. */
#define MANA_WQE_NUM_SGE_SHIFT       0     /* 8 bits */
#define MANA_WQE_OOB_DWORDS_SHIFT    8     /* 3 bits: 2 (small) or 6 (large) */
#define MANA_WQE_OOB_IN_SGL_BIT      11
#define MANA_WQE_CONSUME_CREDIT_BIT  12
#define MANA_WQE_FENCE_BIT           13
#define MANA_WQE_CLIENT_UNIT_SHIFT   16    /* 14 bits, LSO only */
#define MANA_WQE_CHECK_SN_BIT        30
#define MANA_WQE_SGL_DIRECT_BIT      31

/* TX client OOB: short part, dword 0. */
#define MANA_TXO_FORMAT_SHIFT        0     /* 2 bits: 0 short, 1 long */
#define MANA_TXO_OUTER_IPV4_BIT      2
#define MANA_TXO_OUTER_IPV6_BIT      3
#define MANA_TXO_IP_CSUM_BIT         4
#define MANA_TXO_TCP_CSUM_BIT        5
#define MANA_TXO_UDP_CSUM_BIT        6
#define MANA_TXO_SUPPRESS_CQE_BIT    7
#define MANA_TXO_VCQ_SHIFT           8     /* 24 bits: the CQ's id */
/* TX client OOB: short part, dword 1. */
#define MANA_TXO_L4_OFFSET_SHIFT     0     /* 10 bits: l2 + l3 length */
#define MANA_TXO_VSQ_FRAME_SHIFT     10    /* 14 bits: bits 10..23 of the SQ id */
#define MANA_TXO_VPORT_SHIFT         24    /* 8 bits: tx_vp_offset */
/* TX client OOB: long part, its dword 0 (dword 2 of the OOB). */
#define MANA_TXO_VLAN_INJECT_BIT     3
#define MANA_TXO_PCP_SHIFT           16    /* 3 bits */
#define MANA_TXO_DEI_BIT             19
#define MANA_TXO_VID_SHIFT           20    /* 12 bits */
#define MANA_TXO_FORMAT_SHORT        0u
#define MANA_TXO_FORMAT_LONG         1u

/* Doorbells: one 4 KiB page per device handle, shared by all its queues;
 * a queue is named by its id in the 64-bit value.
 */
#define MANA_DB_PAGE_SIZE   4096u
#define MANA_DB_SQ          0x000u   /* id:24 | reserved:8 | tail (bytes):32 */
#define MANA_DB_RQ          0x400u   /* id:24 | wqe_cnt:8 | tail (bytes):32 */
#define MANA_DB_CQ          0x800u   /* id:24 | reserved:8 | tail:31 | arm:1 */
#define MANA_DB_EQ          0xff8u   /* not used by this driver */
#define MANA_DB_ID_MASK     0xffffffu

/* Completion queues. */
#define MANA_GDMA_CQE_LEN        64u
#define MANA_GDMA_CQE_DATA_LEN   60u
#define MANA_CQE_WQ_SHIFT        0     /* dword 15: 24 bits */
#define MANA_CQE_IS_SQ_BIT       24
#define MANA_CQE_OWNER_SHIFT     29    /* 3 bits */
#define MANA_CQE_OWNER_MASK      7u

/* Completion OOB header (dword 0 of the client data). */
#define MANA_CQE_TYPE_MASK       0x3fu /* bits 0..5 */
#define MANA_CQE_CLIENT_SHIFT    6     /* 2 bits */
#define MANA_CQE_VENDOR_SHIFT    8     /* 24 bits */

enum mana_cqe_type {
	MANA_CQE_RX_OKAY = 1,
	MANA_CQE_RX_COALESCED_4 = 2,
	MANA_CQE_RX_OBJECT_FENCE = 3,
	MANA_CQE_RX_TRUNCATED = 4,
	MANA_CQE_TX_OKAY = 32,
	MANA_CQE_TX_SA_DROP = 33,
	MANA_CQE_TX_MTU_DROP = 34,
	MANA_CQE_TX_INVALID_OOB = 35,
	MANA_CQE_TX_INVALID_ETH_TYPE = 36,
	MANA_CQE_TX_HDR_PROCESSING_ERROR = 37,
	MANA_CQE_TX_VF_DISABLED = 38,
	MANA_CQE_TX_VPORT_IDX_OUT_OF_RANGE = 39,
	MANA_CQE_TX_VPORT_DISABLED = 40,
	MANA_CQE_TX_VLAN_TAGGING_VIOLATION = 41,
};

/* RX completion OOB, dword 1. */
#define MANA_RXC_VLAN_ID_SHIFT       0     /* 12 bits */
#define MANA_RXC_VLAN_PRESENT_BIT    12
#define MANA_RXC_OUTER_IP_OK_BIT     13
#define MANA_RXC_OUTER_IP_BAD_BIT    14
#define MANA_RXC_HASH_TYPE_SHIFT     16    /* 9 bits */
#define MANA_RXC_IP_OK_BIT           25
#define MANA_RXC_IP_BAD_BIT          26
#define MANA_RXC_TCP_OK_BIT          27
#define MANA_RXC_TCP_BAD_BIT         28
#define MANA_RXC_UDP_OK_BIT          29
#define MANA_RXC_UDP_BAD_BIT         30
#define MANA_RXC_PKTS                4u    /* per-packet infos in one CQE */
#define MANA_RXC_PKT_OFFSET          8u    /* first per-packet info, 12 B each */
#define MANA_RXC_WQE_OFFSET          56u   /* received_wqe_offset */

/* rx_hash_type bits (NDIS hash types). */
#define MANA_HASH_IPV4          (1u << 0)
#define MANA_HASH_TCP_IPV4      (1u << 1)
#define MANA_HASH_UDP_IPV4      (1u << 2)
#define MANA_HASH_IPV6          (1u << 3)
#define MANA_HASH_TCP_IPV6      (1u << 4)
#define MANA_HASH_UDP_IPV6      (1u << 5)
#define MANA_HASH_IPV6_EX       (1u << 6)
#define MANA_HASH_TCP_IPV6_EX   (1u << 7)
#define MANA_HASH_UDP_IPV6_EX   (1u << 8)

/* A scatter-gather element: addr is the buffer's address as the device
 * sees it (the virtual address on MANA, which translates through the lkey's
 * memory region; the same on the simulator).
 */
struct mana_gdma_sge {
	uint64_t addr;
	uint32_t lkey;
	uint32_t size;
};

/* The DMA OOB header's fields. */
struct mana_gdma_wqe_hdr {
	uint8_t last_vbytes;
	uint8_t num_sge;
	uint8_t oob_dwords;          /* 2 or 6 */
	bool oob_in_sgl;
	bool consume_credit;
	bool fence;
	uint16_t client_data_unit;   /* 14 bits */
	bool check_sn;
	bool sgl_direct;
};

/* A work queue as its poster sees it. head and tail count BUs, unmasked. */
struct mana_gdma_wq {
	uint8_t *buf;
	uint32_t size;               /* bytes, a power of two, >= 32 */
	uint32_t head;               /* BUs posted */
	uint32_t tail;               /* BUs the device is done with */
};

/* A WQE as the device reads it (mana_gdma_wqe_parse). */
struct mana_gdma_wqe_view {
	struct mana_gdma_wqe_hdr hdr;
	const uint8_t *oob;          /* inline client OOB, oob_len bytes */
	uint32_t oob_len;            /* 8 or 24 */
	uint32_t offset;             /* byte offset of the WQE in the ring */
	uint32_t bu;                 /* its size in BUs */
};

/* The TX client OOB's fields (short format; long adds the VLAN tag). */
struct mana_tx_oob {
	bool long_format;
	bool outer_ipv4;
	bool outer_ipv6;
	bool ip_csum;
	bool tcp_csum;
	bool udp_csum;
	bool suppress_cqe;
	uint32_t vcq;                /* the send queue's CQ id (24 bits) */
	uint16_t l4_offset;          /* transport header offset (10 bits) */
	uint16_t vsq_frame;          /* bits 10..23 of the SQ id (14 bits) */
	uint8_t vport_offset;        /* tx_vp_offset */
	bool vlan_inject;            /* long format only */
	uint8_t pcp;
	bool dei;
	uint16_t vid;
};

/* A decoded doorbell value. */
struct mana_db {
	uint32_t id;
	uint8_t wqe_cnt;             /* RQ only */
	uint32_t tail;               /* bytes for SQ and RQ; a CQ's is tail & 0x7fffffff */
	bool arm;                    /* CQ only: bit 63 */
};

/* A completion queue entry as the consumer copies it. */
struct mana_gdma_cqe {
	uint8_t data[MANA_GDMA_CQE_DATA_LEN];
	uint32_t wq_id;
	bool is_sq;
};

/* The completion OOB header. */
struct mana_cqe_hdr {
	uint8_t type;                /* enum mana_cqe_type */
	uint8_t client_type;
	uint32_t vendor_err;         /* 24 bits */
};

struct mana_tx_comp {
	struct mana_cqe_hdr hdr;
	uint32_t tx_data_offset;
	uint8_t tx_sgl_offset;       /* 5 bits */
	uint32_t tx_wqe_offset;      /* 27 bits */
};

struct mana_rx_pkt {
	uint16_t len;                /* 0: no more packets in this CQE */
	uint32_t hash;
};

struct mana_rx_comp {
	struct mana_cqe_hdr hdr;
	uint16_t vlan_id;
	bool vlan_present;
	bool outer_ip_ok, outer_ip_bad;
	uint16_t hash_type;          /* MANA_HASH_* */
	bool ip_ok, ip_bad;
	bool tcp_ok, tcp_bad;
	bool udp_ok, udp_bad;
	struct mana_rx_pkt pkt[MANA_RXC_PKTS];
	uint32_t wqe_offset;         /* received_wqe_offset */
};

/* Little-endian words in device memory. */
static inline void
mana_le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t
mana_le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void
mana_le64_put(uint8_t *p, uint64_t v)
{
	mana_le32_put(p, (uint32_t)v);
	mana_le32_put(p + 4, (uint32_t)(v >> 32));
}

static inline uint64_t
mana_le64_get(const uint8_t *p)
{
	return (uint64_t)mana_le32_get(p) | (uint64_t)mana_le32_get(p + 4) << 32;
}

/* Size in BUs of a WQE with a client OOB of oob_len bytes (0 to 24) and
 * nb_sge elements (0 counts as the dummy one).
 */
static inline uint32_t
mana_gdma_wqe_bu(uint32_t oob_len, uint32_t nb_sge)
{
	uint32_t oob = oob_len > MANA_GDMA_OOB_SMALL ? MANA_GDMA_OOB_LARGE : MANA_GDMA_OOB_SMALL;
	uint32_t bytes = MANA_GDMA_DMA_OOB_LEN + oob + MANA_GDMA_SGE_LEN * (nb_sge ? nb_sge : 1);

	return (bytes + MANA_GDMA_BU - 1) / MANA_GDMA_BU;
}

/* BUs free in wq. */
static inline uint32_t
mana_gdma_wq_free_bu(const struct mana_gdma_wq *wq)
{
	return wq->size / MANA_GDMA_BU - (wq->head - wq->tail);
}

/* The DMA OOB header, 8 bytes. */
void mana_gdma_wqe_hdr_encode(const struct mana_gdma_wqe_hdr *h, uint8_t out[8]);
void mana_gdma_wqe_hdr_decode(const uint8_t in[8], struct mana_gdma_wqe_hdr *h);

/*
 * Post a WQE at wq->head: the header, the client OOB (oob_len bytes, 0 to
 * 24, zero-padded to 8 or 24) and the SGL (nb_sge elements, 0: the dummy
 * one), wrapping the SGL at the ring's end; then head moves on. Returns the
 * WQE's size in BUs, -EINVAL (oob_len > 24, nb_sge > MANA_GDMA_MAX_SGE), or
 * -EBUSY when it does not fit (nothing written). The doorbell is the
 * caller's (mana_gdma_db_write).
 */
int mana_gdma_wqe_post(struct mana_gdma_wq *wq, const uint8_t *oob, uint32_t oob_len,
		       const struct mana_gdma_sge *sgl, uint32_t nb_sge);

/*
 * The device's side: read the WQE at byte offset (a multiple of 32) of the
 * ring buf of size bytes, of which avail bytes from offset are posted.
 * 0 and *v, or -EINVAL when the header is malformed (OOB size other than 2
 * or 6 dwords, OOB in the SGL, no SGE) or the WQE runs past avail.
 */
int mana_gdma_wqe_parse(const uint8_t *buf, uint32_t size, uint32_t offset, uint32_t avail,
			struct mana_gdma_wqe_view *v);

/* SGE i of a parsed WQE (i < v->hdr.num_sge), across the ring's end. */
void mana_gdma_wqe_sge(const uint8_t *buf, uint32_t size, const struct mana_gdma_wqe_view *v,
		       uint32_t i, struct mana_gdma_sge *sge);

/* The TX client OOB: 8 bytes (short) or 24 (long); returns the length. */
uint32_t mana_tx_oob_encode(const struct mana_tx_oob *o, uint8_t out[24]);
/* Decode len bytes (8 or 24) of a TX client OOB. */
void mana_tx_oob_decode(const uint8_t *in, uint32_t len, struct mana_tx_oob *o);

/* The VSQ frame number a TX OOB carries for send queue sq_id. */
static inline uint16_t
mana_tx_vsq_frame(uint32_t sq_id)
{
	return (uint16_t)((sq_id >> 10) & 0x3fff);
}

/* Doorbell values. tail: bytes (head BUs * 32, modulo 2^32) for work
 * queues; for a CQ the consumer's head (31 bits).
 */
uint64_t mana_db_sq(uint32_t sq_id, uint32_t tail);
uint64_t mana_db_rq(uint32_t rq_id, uint32_t tail, uint8_t wqe_cnt);
uint64_t mana_db_cq(uint32_t cq_id, uint32_t tail, bool arm);
void mana_db_decode(uint64_t v, struct mana_db *db);

/* Ring: store-release the 64-bit value at offset of the doorbell page,
 * after every WQE it covers (pairs with the device's read of them).
 */
static inline void
mana_gdma_db_write(uint8_t *page, uint32_t offset, uint64_t value)
{
	uint8_t le[8];
	uint64_t raw;

	mana_le64_put(le, value);
	__builtin_memcpy(&raw, le, sizeof(raw));
	__atomic_store_n((uint64_t *)(void *)(page + offset), raw, __ATOMIC_RELEASE);
}

/* The owner bits the producer writes at position pos, and the consumer
 * expects at head (both start at count, so a zeroed queue reads empty).
 */
static inline uint32_t
mana_cq_owner(uint32_t pos, uint32_t count)
{
	return (pos / count) & MANA_CQE_OWNER_MASK;
}

/* Dword 15 of a CQE. */
uint32_t mana_cqe_info(uint32_t wq_id, bool is_sq, uint32_t owner);

/*
 * Poll the CQE at head of the completion queue cq (count entries, a power
 * of two): 1 and *out (copied after a load-acquire of its owner dword),
 * 0 when empty, -EOVERFLOW when the producer lapped the consumer.
 */
int mana_gdma_cq_poll(const uint8_t *cq, uint32_t count, uint32_t head, struct mana_gdma_cqe *out);

/* The device's side: write a CQE at producer position pos (starting at
 * count): the client data, then (store-release) dword 15 with its owner bits.
 */
void mana_gdma_cqe_write(uint8_t *cq, uint32_t count, uint32_t pos, uint32_t wq_id, bool is_sq,
			 const uint8_t data[MANA_GDMA_CQE_DATA_LEN]);

/* Completion OOBs in the 60 bytes of client data. */
void mana_cqe_hdr_decode(const uint8_t data[4], struct mana_cqe_hdr *h);
void mana_tx_comp_encode(const struct mana_tx_comp *c, uint8_t data[MANA_GDMA_CQE_DATA_LEN]);
void mana_tx_comp_decode(const uint8_t data[MANA_GDMA_CQE_DATA_LEN], struct mana_tx_comp *c);
void mana_rx_comp_encode(const struct mana_rx_comp *c, uint8_t data[MANA_GDMA_CQE_DATA_LEN]);
void mana_rx_comp_decode(const uint8_t data[MANA_GDMA_CQE_DATA_LEN], struct mana_rx_comp *c);

#endif /* MANA_GDMA_H */
