/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_HWQ_H
#define MANA_HWQ_H

/*
 * The queue limits every backend honours. The device-visible formats
 * themselves (WQEs, doorbells, CQEs) are MANA's own, in mana_gdma.h, for
 * the simulated device and real MANA alike.
 *
 * Ownership: queue memory is allocated by the backend (mana_hw.h,
 * queue_create) and stays valid until queue_destroy or close. A work queue
 * is written by exactly one driver thread (the lcore polling that queue) and
 * read by the device; a completion queue is written by the device and read
 * by that same driver thread. Threads: constants only.
 */
#include <stdint.h>

#include "mana_gdma.h"

#define MANA_MAX_QUEUES    16u     /* rx and tx queues per port */
#define MANA_MIN_DESC      64u
#define MANA_MAX_DESC      4096u   /* power of two */
/* Segments of a sent packet: one SGE each. A send WQE with the large OOB
 * is then at most 8 + 24 + 6 * 16 = 128 bytes, 4 BUs.
 */
#define MANA_WQE_MAX_SGE   6u
#define MANA_TX_WQE_MAX_BU 4u
#define MANA_RX_WQE_BU     1u      /* header, small OOB, one SGE */

_Static_assert(MANA_GDMA_DMA_OOB_LEN + MANA_GDMA_OOB_LARGE + MANA_WQE_MAX_SGE * MANA_GDMA_SGE_LEN <=
	       MANA_TX_WQE_MAX_BU * MANA_GDMA_BU, "a send WQE must fit in 4 BUs");
_Static_assert(MANA_GDMA_DMA_OOB_LEN + MANA_GDMA_OOB_SMALL + MANA_GDMA_SGE_LEN ==
	       MANA_RX_WQE_BU * MANA_GDMA_BU, "a receive WQE is one BU");

#endif /* MANA_HWQ_H */
