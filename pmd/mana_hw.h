/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_HW_H
#define MANA_HW_H

/*
 * The hardware-backend interface: everything the driver asks of a MANA
 * device goes through struct mana_hw_ops. Two backends implement it: the
 * simulated device (pmd/sim/, the net_mana_sim vdev) and real MANA through
 * rdma-core (pmd/verbs/, ibverbs + manadv).
 *
 * Ownership: a struct mana_hw is a per-process handle to one device; the
 * backend allocates it in its open function and frees it in ops->close.
 * Queue memory handed out by queue_create belongs to the backend and stays
 * valid until queue_destroy or close.
 *
 * A struct mana_hw_dev is the device across its incarnations, in one process:
 * after a service event the handle is closed, and a new one is opened on the
 * device's next incarnation (a new identity) once probe says it is ready.
 *
 * Threads: every op except kick and event_get is control path: the caller
 * serializes them per device (control ops are excluded while the reset
 * thread owns the device). kick is datapath: it is called by the lcore that
 * owns a queue, right after it rang that queue's doorbell (and by the
 * control path filling a stopped receive queue). event_get
 * is called by the EAL interrupt thread while the handle is open.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mana_hwq.h"

#define MANA_RSS_KEY_LEN   40u
#define MANA_RETA_SIZE     64u

enum mana_hwq_type {
	MANA_HWQ_SQ,   /* send queue and its completion queue */
	MANA_HWQ_RQ,   /* receive queue and its completion queue */
};

/* What the device is and can do. identity changes each time the device comes
 * back from a service event (node GUID on hardware, a generation number on the
 * simulator), so the driver can tell a new incarnation from the old one.
 */
struct mana_hw_caps {
	uint8_t mac[6];
	uint16_t max_queues;
	uint32_t max_desc;
	uint32_t max_mtu;
	uint64_t identity;
};

/* The port configuration the driver asks for. The driver keeps the
 * application's settings in this form and applies it whole at every start,
 * including the start that ends a reset.
 */
struct mana_vport_cfg {
	uint8_t mac[6];
	bool promisc;
	bool allmulti;
	uint16_t mtu;
	uint16_t nb_rxq;
	uint64_t rss_hf;                  /* RTE_ETH_RSS_* bits, 0: no RSS */
	uint8_t rss_key[MANA_RSS_KEY_LEN];
	uint16_t reta[MANA_RETA_SIZE];    /* hash % MANA_RETA_SIZE -> rx queue */
};

/* Counters the hardware keeps (the driver cannot see these drops). */
struct mana_hw_stats {
	uint64_t rx_no_buffer;   /* arrived when no receive buffer was posted */
	uint64_t rx_filtered;    /* dropped by the MAC filter */
	uint64_t rx_port_down;   /* arrived while the port was stopped */
};

/* Asynchronous events of a device handle (ibv_async_event on hardware). */
enum mana_hw_async {
	MANA_ASYNC_DEVICE_FATAL = 1,   /* the device is gone: reset */
};

/* Where a device is, as probe sees it. */
enum mana_hw_presence {
	MANA_HWP_DOWN = 0,    /* in service: not there yet */
	MANA_HWP_READY = 1,   /* there, a new incarnation (or one the backend
			       * cannot tell from the last): open it */
	MANA_HWP_GONE = 2,    /* removed for good */
	/* There, and still the incarnation the driver opened last: it never
	 * went away since (on hardware: the same RDMA device, not one
	 * registered again; on the simulator: no service event since). Its
	 * service event may be yet to come: the reset engine takes it as
	 * back only when the control daemon is not waiting to say so
	 * (mana_reset.h, MANA_HW_SAME).
	 */
	MANA_HWP_SAME = 3,
};

/*
 * Where the backend placed a queue: a work queue and its completion queue,
 * in MANA's formats (mana_gdma.h). The fields are what rdma-core's
 * manadv_init_obj reports, one to one:
 *
 *   field         send queue (manadv_qp)   receive queue (manadv_rwq)
 *   wq_buf        sq_buf                   buf
 *   wq_size       sq_size                  size
 *   wq_count      sq_count                 count
 *   wq_id         sq_id                    wq_id
 *   tx_vp_offset  tx_vp_offset             0
 *   cq_buf        manadv_cq.buf of the queue's CQ
 *   cq_count      manadv_cq.count
 *   cq_id         manadv_cq.cq_id
 *
 * The doorbell page (manadv_qp/rwq.db_page, the same for every queue of a
 * context) is the handle's, from db_page(): a queue is named by its id in
 * the doorbell value, not by where in the page it is rung.
 */
struct mana_hw_queue {
	void *wq_buf;            /* the WQE byte ring */
	uint32_t wq_size;        /* its bytes: a power of two, a multiple of 32 */
	uint32_t wq_count;       /* WQEs it was created for (the driver keeps
				  * at most this many posted) */
	uint32_t wq_id;          /* in its doorbells, CQEs and TX OOBs (24 bits) */
	uint32_t tx_vp_offset;   /* send queues: the vport the TX OOB names */
	void *cq_buf;            /* cq_count CQEs of 64 bytes */
	uint32_t cq_count;       /* a power of two, >= wq_count */
	uint32_t cq_id;          /* the VCQ number of TX OOBs (24 bits) */
};

struct mana_hw;

struct mana_hw_ops {
	const char *name;
	/* Release the handle and everything it holds in this process. */
	void (*close)(struct mana_hw *hw);
	int (*query)(struct mana_hw *hw, struct mana_hw_caps *caps);
	/* Create queue idx of the given type for at least nb_desc WQEs
	 * (rounded up to a power of two): a send queue holds nb_desc WQEs of
	 * MANA_TX_WQE_MAX_BU BUs, a receive queue nb_desc of one BU, and the
	 * CQ one entry per WQE. -EINVAL on bad arguments, -ENOMEM, -EIO when
	 * the device is not usable.
	 */
	int (*queue_create)(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx,
			    uint32_t nb_desc, int socket_id, struct mana_hw_queue *q);
	void (*queue_destroy)(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx);
	/* Bring the port up with cfg (all queues created first) / down. */
	int (*vport_start)(struct mana_hw *hw, const struct mana_vport_cfg *cfg);
	void (*vport_stop)(struct mana_hw *hw);
	/* This process's mapping of the doorbell page, or NULL. */
	void *(*db_page)(struct mana_hw *hw);
	int (*stats)(struct mana_hw *hw, struct mana_hw_stats *st);
	/* The fd that becomes readable when an async event is pending. */
	int (*event_fd)(struct mana_hw *hw);
	/* Take one pending event: 1 and *ev, 0 when none, or a negative errno
	 * (-EIO: the event channel itself failed; treat as DEVICE_FATAL).
	 */
	int (*event_get)(struct mana_hw *hw, enum mana_hw_async *ev);
	/* Datapath; NULL on real hardware. Called right after each doorbell
	 * write (MANA_DB_SQ or MANA_DB_RQ at offset, value as written): a
	 * device register takes every write, the page's memory keeps only the
	 * last one of any queue, so the simulator is handed each. It has no
	 * engine of its own: it does the device's work for a send doorbell on
	 * the CPU that rang it.
	 */
	void (*kick)(struct mana_hw *hw, uint32_t offset, uint64_t value);
	/* Register [addr, addr + len) for the device to read and write (an
	 * ibv_reg_mr): 0 and the lkey its SGEs name, -ENOSPC, -EIO when the
	 * device is not usable. Every registration must be released with
	 * mr_dereg before close (close counts the rest as leaked). Any thread
	 * of the process; the backend serializes.
	 */
	int (*mr_reg)(struct mana_hw *hw, void *addr, size_t len, uint32_t *lkey);
	void (*mr_dereg)(struct mana_hw *hw, uint32_t lkey);
	/* For a secondary process (mana_mp.h): the fd it maps this handle's
	 * doorbell page from (offset 0, *map_len bytes, at most
	 * MANA_DB_PAGE_SIZE). The fd stays the handle's (the core sends a
	 * copy). NULL when the backend cannot serve secondaries. Control path
	 * of the primary, under the core's lock against close.
	 */
	int (*share)(struct mana_hw *hw, int *fd, uint32_t *map_len);
};

/* Backends embed this as their first member. */
struct mana_hw {
	const struct mana_hw_ops *ops;
};

struct mana_hw_dev;

struct mana_hw_dev_ops {
	/* Is the device there, and is it the incarnation opened last? Must
	 * not block for long.
	 */
	enum mana_hw_presence (*probe)(struct mana_hw_dev *d);
	/* Open the current incarnation: 0 and *hw; -EAGAIN while it is down,
	 * -ENODEV once it is gone, -EBUSY if a handle is already open.
	 */
	int (*open)(struct mana_hw_dev *d, struct mana_hw **hw);
	/* Forget the device (after its handle was closed). In a secondary:
	 * this process's view of it only.
	 */
	void (*destroy)(struct mana_hw_dev *d);
	/* A secondary process's handle on the incarnation the primary has
	 * open (whose doorbell page the core maps itself, from the fd the
	 * primary shares): the datapath's kick and the device's counters
	 * (stats); every other op of it is refused (-EPERM, NULL). 0 and *hw,
	 * -ENOTSUP when the backend cannot serve secondaries. Released with
	 * its close (which must not touch the device: the primary owns it).
	 * NULL in a primary's device.
	 */
	int (*attach)(struct mana_hw_dev *d, struct mana_hw **hw);
};

/* Backends embed this as their first member. */
struct mana_hw_dev {
	const struct mana_hw_dev_ops *ops;
};

#endif /* MANA_HW_H */
