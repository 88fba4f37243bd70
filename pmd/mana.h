/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_H
#define MANA_H

/*
 * Driver-private structures of the MANA PMD.
 *
 * Memory: struct mana_priv (ethdev dev_private) and the queue structures are
 * in DPDK shared memory, visible to every process; struct mana_proc
 * (ethdev process_private) is local to one process and holds what must be:
 * the backend handle and the doorbell mapping.
 *
 * Threads: a queue structure's datapath fields are written only by the lcore
 * polling that queue; counters are read by other threads with relaxed atomic
 * loads. Control-path fields are written by the thread running an ethdev
 * control operation, which DPDK serializes per port.
 */
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "mana_hw.h"

#define MANA_DRIVER_NAME "net_mana_sim"

struct mana_queue_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;
};

/* A hardware work queue and its completion queue, as the driver sees them. */
struct mana_ring {
	struct mana_wqe *wqe;
	struct mana_cqe *cqe;
	uint32_t mask;           /* nb_desc - 1 */
	uint32_t wq_head;        /* next WQE the driver posts */
	uint32_t cq_head;        /* next CQE the driver expects */
	uint32_t db_offset;
};

struct mana_rxq {
	struct mana_ring ring;
	struct rte_mbuf **sw_ring;   /* mbuf posted in each WQE slot */
	uint32_t sw_size;            /* entries in sw_ring, a power of two */
	struct mana_queue_stats stats;
	struct rte_mempool *mp;
	uint32_t buf_len;            /* usable bytes in one mbuf */
	uint16_t nb_desc;            /* as requested; ring.mask + 1 may be more */
	uint16_t port_id;
	uint16_t queue_id;
	int socket_id;
	bool started;
} __rte_cache_aligned;

struct mana_txq {
	struct mana_ring ring;
	struct rte_mbuf **sw_ring;   /* mbuf sent by each WQE slot */
	uint32_t sw_size;            /* entries in sw_ring, a power of two */
	struct mana_queue_stats stats;
	uint16_t nb_desc;
	uint16_t port_id;
	uint16_t queue_id;
	int socket_id;
	bool started;
} __rte_cache_aligned;

/* Shared by all processes (ethdev dev_private). */
struct mana_priv {
	uint16_t port_id;
	struct mana_hw_caps caps;
	struct mana_vport_cfg cfg;   /* the application's settings */
	struct rte_ether_addr mac;
	uint64_t rx_nombuf;          /* atomic */
	struct mana_hw_stats hw_stats_base;  /* hardware counters at the last stats reset */
};

/* Local to one process (ethdev process_private). */
struct mana_proc {
	struct mana_hw *hw;
	uint8_t *db;                 /* this process's doorbell page mapping */
};

static inline struct mana_proc *
mana_proc_of(uint16_t port_id)
{
	return rte_eth_devices[port_id].process_private;
}

/* Relaxed counter update by the single writer of the counter. */
static inline void
mana_stat_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

/* mana_ethdev.c */
extern const struct eth_dev_ops mana_dev_ops;
/* Set up a newly allocated port on top of an open device. On success the
 * port owns hw (dev_close closes it); on failure the caller still does.
 */
int mana_dev_init(struct rte_eth_dev *dev, struct mana_hw *hw);

/* mana_rxtx.c: datapath, called by the lcore owning the queue. */
uint16_t mana_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t mana_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n);
/* Control path, queue stopped: post every free receive slot. */
int mana_rxq_fill(struct mana_rxq *rxq, struct mana_proc *proc);
/* Control path, queue stopped and hardware queue destroyed: free every
 * mbuf the queue still holds.
 */
void mana_rxq_drain(struct mana_rxq *rxq);
void mana_txq_drain(struct mana_txq *txq);

#endif /* MANA_H */
