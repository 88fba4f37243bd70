/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_HWQ_H
#define MANA_HWQ_H

/*
 * The device-visible queue formats: what the driver writes for the hardware
 * (work queue entries, doorbells) and what the hardware writes back
 * (completion queue entries). Today this is the project's own format, and
 * only the simulated device (pmd/sim/) reads and writes it: real MANA reads
 * GDMA work queue entries and writes GDMA completions, which the driver does
 * not speak yet (issue 12 replaces this format with MANA's own, for both
 * backends). There is no rdma-core backend yet.
 *
 * Ownership: queue memory is allocated by the backend in memory that every
 * DPDK process of the instance sees at the same address. A work queue is
 * written by exactly one driver thread (the lcore polling that queue) and read
 * by the hardware; a completion queue is written by the hardware and read by
 * that same driver thread. Doorbells live in a per-device page that each
 * process maps for itself.
 *
 * Ordering: the driver fills WQEs, then publishes the new producer index with
 * a store-release to the doorbell; the hardware load-acquires the doorbell
 * before reading WQEs. The hardware fills a CQE, then store-releases its
 * owner_seq; the driver load-acquires owner_seq before reading the rest.
 */
#include <stdint.h>

#define MANA_MAX_QUEUES    16u     /* rx and tx queues per port */
#define MANA_MIN_DESC      64u
#define MANA_MAX_DESC      4096u   /* power of two */
#define MANA_WQE_MAX_SGE   6u

#define MANA_DB_PAGE_SIZE  4096u
/* One cache line per doorbell so that lcores polling different queues do
 * not share lines.
 */
#define MANA_DB_SQ_OFFSET(q) ((uint32_t)(q) * 64u)
#define MANA_DB_RQ_OFFSET(q) (2048u + (uint32_t)(q) * 64u)

/* A scatter-gather element: addr is the buffer's address as the hardware
 * sees it (IOVA on real hardware, the virtual address on the simulator).
 */
struct mana_sge {
	uint64_t addr;
	uint32_t len;
	uint32_t lkey;
};

/* A work queue entry: one packet to send, or one buffer to receive into. */
struct mana_wqe {
	uint16_t num_sge;
	uint16_t flags;
	uint32_t pkt_len;          /* tx: sum of sge lengths */
	uint64_t reserved[3];
	struct mana_sge sge[MANA_WQE_MAX_SGE];
};

enum mana_cqe_status {
	MANA_CQE_OK = 0,
	MANA_CQE_RX_TRUNCATED = 1, /* packet longer than the posted buffer */
	MANA_CQE_TX_BAD_WQE = 2,   /* malformed WQE: no SGE, too many, bad length */
	MANA_CQE_BAD_LKEY = 3,     /* an SGE outside the memory region of its lkey */
};

/* A completion queue entry. A CQE at ring position n (counting from 0 since
 * the queue was created) is valid when owner_seq == n + 1; zeroed memory is
 * therefore never mistaken for a completion.
 */
struct mana_cqe {
	uint32_t wqe_index;        /* position of the completed WQE in its WQ */
	uint32_t pkt_len;          /* rx: bytes written to the buffer */
	uint16_t status;           /* enum mana_cqe_status */
	uint16_t reserved0;
	uint32_t rss_hash;
	uint32_t reserved1;
	uint32_t owner_seq;
	uint64_t reserved2;
};

_Static_assert(sizeof(struct mana_wqe) == 128, "WQE must be 128 bytes");
_Static_assert(sizeof(struct mana_cqe) == 32, "CQE must be 32 bytes");
_Static_assert(MANA_DB_RQ_OFFSET(MANA_MAX_QUEUES - 1) + 8 <= MANA_DB_PAGE_SIZE,
	       "doorbells must fit in one page");

#endif /* MANA_HWQ_H */
