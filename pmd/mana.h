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

#include "mana_devev.h"
#include "mana_drv.h"
#include "mana_guard.h"
#include "mana_hw.h"
#include "mana_mbox.h"
#include "mana_mp.h"
#include "mana_mr.h"
#include "mana_reset.h"

struct mana_queue_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;
};

/* A hardware work queue and its completion queue, as the driver sees them
 * (formats in mana_gdma.h; set from struct mana_hw_queue at start). The
 * software ring (sw_ring of the queue) holds the mbuf of each posted WQE in
 * posting order: the device completes a queue's WQEs in that order.
 */
struct mana_ring {
	struct mana_gdma_wq wq;  /* WQE ring: head and tail in BUs */
	uint8_t *cq;             /* CQE ring */
	uint32_t cq_count;
	uint32_t cq_head;        /* next CQE expected; starts at cq_count */
	uint32_t wq_id;          /* named by doorbells and TX OOBs */
	uint32_t cq_id;
	uint32_t desc_head;      /* sw_ring slots posted (unmasked) */
	uint32_t desc_tail;      /* ... completed */
	uint32_t desc_max;       /* at most this many posted: sw_ring, WQ, CQ */
	uint32_t desc_mask;      /* sw_size - 1 */
	uint8_t tx_vp_offset;    /* send queues */
};

struct mana_rxq {
	struct mana_guard_q guard;   /* first: its own cache line */
	const struct mana_gate *gate;
	struct mana_ring ring;
	struct rte_mbuf **sw_ring;   /* mbuf posted in each WQE slot */
	uint32_t sw_size;            /* entries in sw_ring, a power of two */
	/* The CQE being consumed: a coalesced one may carry more packets
	 * than a burst takes; the next burst goes on with it.
	 */
	struct mana_rx_comp comp;
	uint8_t comp_next;           /* next of its packets */
	uint8_t comp_nb;             /* its packets */
	struct mana_queue_stats stats;
	struct rte_mempool *mp;
	struct rte_eth_rxconf conf;  /* as set up (rxq_info_get) */
	uint32_t buf_len;            /* usable bytes in one mbuf */
	uint16_t nb_desc;            /* as requested; ring.mask + 1 may be more */
	uint16_t port_id;
	uint16_t queue_id;
	int socket_id;
	bool started;
	struct mana_mr_local mr;     /* the polling thread's lkey cache */
} __rte_cache_aligned;

struct mana_txq {
	struct mana_guard_q guard;   /* first: its own cache line */
	const struct mana_gate *gate;
	struct mana_ring ring;
	struct rte_mbuf **sw_ring;   /* mbuf sent by each WQE slot */
	uint32_t sw_size;            /* entries in sw_ring, a power of two */
	struct mana_queue_stats stats;
	struct rte_eth_txconf conf;  /* as set up (txq_info_get) */
	uint16_t nb_desc;
	uint16_t port_id;
	uint16_t queue_id;
	int socket_id;
	bool started;
	struct mana_mr_local mr;     /* the polling thread's lkey cache */
} __rte_cache_aligned;

/* Shared by all processes (ethdev dev_private). */
struct mana_priv {
	struct mana_gate gate;       /* the datapath gate (mana_guard.h) */
	uint32_t guard_mode;         /* enum mana_guard_mode the writer uses */
	uint16_t port_id;
	struct mana_hw_caps caps;
	/* The application's settings (MAC address and MTU included): written
	 * by control operations only, read by the reset thread's restart,
	 * which operations exclude (mana_reset_op_begin).
	 */
	struct mana_vport_cfg cfg;
	uint64_t rx_nombuf;          /* atomic */
	struct mana_hw_stats hw_stats_base;  /* device counters at the last reset of stats */
	struct mana_hw_stats hw_stats_acc;   /* ... of earlier incarnations, since then */
	uint64_t quiesce_timeout_ns;
	uint64_t hw_timeout_ns;
	uint64_t hw_poll_ns;         /* the engine asks the device this often */
	uint64_t rmv_wait_ns;        /* a bus removal's verdict window (0: none) */
	struct mana_mp_shared mp;    /* secondaries (mana_mp.h) */
};

/* Local to one process (ethdev process_private). The engine, the device
 * handles, the interrupt and the mailbox exist in the primary only; a
 * secondary has its doorbell mapping, a handle that forwards to the
 * backend's (mana_sec.c) and what it needs to resynchronize.
 */
struct mana_proc {
	struct mana_hw_dev *hwdev;   /* the device across incarnations */
	struct mana_hw *hw;          /* the open handle; NULL while torn down */
	uint8_t *db;                 /* its doorbell page mapping */
	uint16_t port_id;
	struct rte_intr_handle *intr;
	bool intr_registered;
	uint32_t intr_runs;          /* callback runs; ends each with release */
	bool reset_ready;            /* the engine is initialized */
	pthread_mutex_t stats_lock;  /* priv->hw_stats_base/_acc in this process */
	struct mana_mr_cache mr;     /* registrations with hw (mana_mr.h) */
	struct mana_reset reset;
	/* The control daemon's mailbox, or NULL (atomic: set after probe,
	 * read by the reset thread; cleared at close once it is joined).
	 */
	struct mana_mbox *mbox;
	/* The bus's device events (mana_devev.h), or NULL; set at probe,
	 * stopped at close (the closing thread's).
	 */
	struct mana_devev *devev;
	/* Primary: proc->hw against the rte_mp handler (a secondary's
	 * requests); share_ok: the device's doorbell may be handed out.
	 */
	pthread_mutex_t mp_lock;
	bool mp_ready;
	bool share_ok;
	/* Secondary (mana_sec.c). */
	bool secondary;
	int32_t pid;                 /* this process, as its bursts record it */
	uint64_t seen_word;          /* the gate word synchronized with (atomic) */
	uint32_t resync_pending;     /* a resynchronization is scheduled (atomic) */
	void (*resync)(struct mana_proc *proc);  /* schedule one (any thread) */
	struct mana_sec *sec;        /* the rest of a secondary's state */
};

static inline struct mana_proc *
mana_proc_of(uint16_t port_id)
{
	return rte_eth_devices[port_id].process_private;
}

static inline void
mana_queue_stats_clear(struct mana_queue_stats *st)
{
	__atomic_store_n(&st->packets, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&st->bytes, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&st->errors, 0, __ATOMIC_RELAXED);
}

/* The gate of a queue, published last by queue setup. */
static inline const struct mana_gate *
mana_gate_of(const struct mana_gate *const *gatep)
{
	return __atomic_load_n(gatep, __ATOMIC_ACQUIRE);
}

/* Relaxed counter update by the single writer of the counter. */
static inline void
mana_stat_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

/* mana_ethdev.c: the port's ethdev operations; a secondary's (read-only,
 * and its own close).
 */
extern const struct eth_dev_ops mana_dev_ops;
extern const struct eth_dev_ops mana_dev_sec_ops;

/* mana_observe.c: xstats and the /mana/reset telemetry endpoint. */
void mana_observe_port_add(struct mana_proc *proc);
void mana_observe_port_del(uint16_t port_id);
int mana_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n);
int mana_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int n);

/* mana_reset_port.c: the reset engine's adapter; starts the port's reset
 * thread (probe, before the port is published).
 */
int mana_port_reset_init(struct rte_eth_dev *dev);

/* mana_rxtx.c: datapath, called by the lcore owning the queue. */
uint16_t mana_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t mana_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n);
/* The same with a fenced guard, for processes without membarrier. */
uint16_t mana_rx_burst_fenced(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t mana_tx_burst_fenced(void *txq, struct rte_mbuf **pkts, uint16_t n);
/* A secondary's: the gate word must also be the one this process
 * synchronized with (proc->seen_word); a stale one refuses the burst and
 * schedules a resynchronization (proc->resync).
 */
uint16_t mana_rx_burst_sec(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t mana_tx_burst_sec(void *txq, struct rte_mbuf **pkts, uint16_t n);
uint16_t mana_rx_burst_sec_fenced(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t mana_tx_burst_sec_fenced(void *txq, struct rte_mbuf **pkts, uint16_t n);
/* Control path, queue stopped: post every free receive slot. */
int mana_rxq_fill(struct mana_rxq *rxq, struct mana_proc *proc);
/* Control path, queue stopped and hardware queue destroyed: free every
 * mbuf the queue still holds.
 */
void mana_rxq_drain(struct mana_rxq *rxq);
void mana_txq_drain(struct mana_txq *txq);

#endif /* MANA_H */
