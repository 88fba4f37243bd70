/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_PORT_H
#define MANA_PORT_H

/*
 * The port layer: start, stop, quiesce and tear down a port's queues on its
 * device, close the device handle, listen to the device's events, keep the
 * device's counters across incarnations, and enter the reset engine for an
 * operation. The ethdev operations (mana_ethdev.c), the reset engine's
 * adapter (mana_reset_port.c) and the observers (mana_observe.c) call down
 * into it; it calls none of them.
 *
 * Ownership: the port's state is struct mana_priv (shared memory) and
 * struct mana_proc (this process), both in mana.h; nothing here allocates
 * beyond what they hold, but for the interrupt instance (freed with proc).
 *
 * Threads and locking:
 *   - start, stop, quiesce, queues_down, hw_close, intr_enable/disable run on
 *     the thread that owns the device: an application control thread inside
 *     an operation (mana_port_op_enter), or the port's reset thread while it
 *     excludes operations; the closing thread at close.
 *   - the op_* calls: application control threads (ethdev serializes them per
 *     port); they never block on a reset.
 *   - the device's events arrive on the EAL interrupt thread
 *     (intr_enable registers the callback; it only wakes the engine).
 *   - hw_stats_* take proc->stats_lock (process-local) for a few loads.
 */
#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>

#include "mana_hw.h"

struct mana_proc;

/* Enter an operation that changes the port: 0, -EBUSY while a reset runs,
 * -EIO after a failed recovery (one log line each). Pair with op_exit.
 */
int mana_port_op_enter(struct rte_eth_dev *dev);
void mana_port_op_exit(struct rte_eth_dev *dev);
/* Enter a read-only operation (works in every state): whether the device
 * may be touched. Pair with op_exit.
 */
bool mana_port_ro_enter(struct rte_eth_dev *dev);
/* The device failed a control operation with ret: -EIO means it is going
 * away; start the reset now and tell the application to retry (-EBUSY).
 */
int mana_port_hw_result(struct rte_eth_dev *dev, int ret);

/* Create the hardware queues, post receive buffers, start the vport with
 * priv->cfg (read only), open the gate. -EINVAL (logged) when a configured
 * queue was never set up; -EIO when the device is down (not logged as an
 * error: the caller decides), other errors logged.
 */
int mana_port_start(struct rte_eth_dev *dev);
/* Close the gate, wait for bursts in flight, stop the vport, destroy the
 * hardware queues and take back their mbufs. -EBUSY if a burst stays inside
 * (the gate is open again, the port as it was).
 */
int mana_port_stop(struct rte_eth_dev *dev);
/* Close the gate and wait (at most timeout_ns) for bursts in flight. */
int mana_port_quiesce(struct rte_eth_dev *dev, uint64_t timeout_ns);
/* Stop the vport, destroy the queues, return the mbufs (gate closed, idle). */
void mana_port_queues_down(struct rte_eth_dev *dev);
/* Close the device handle (events first, counters saved, registrations
 * released): its doorbell page and queue memory go away.
 */
void mana_port_hw_close(struct rte_eth_dev *dev);

/* Listen to the open handle's async events (DEVICE_FATAL starts a reset). */
int mana_port_intr_enable(struct rte_eth_dev *dev);
/* Stop listening; waits for a callback running on the interrupt thread. */
void mana_port_intr_disable(struct rte_eth_dev *dev);

/* The device's own counters over all its incarnations since the last stats
 * reset; device_ok from mana_port_ro_enter (inside the read-only op).
 */
void mana_port_hw_stats_sum(struct rte_eth_dev *dev, bool device_ok, struct mana_hw_stats *out);
/* The same as a read-only operation of its own (any control thread). */
void mana_port_hw_stats(struct rte_eth_dev *dev, struct mana_hw_stats *out);
/* Fold the device's counters into the port before its handle goes away. */
void mana_port_hw_stats_save(struct rte_eth_dev *dev);

/* Free a closed port's per-process state (its interrupt instance, MR cache,
 * locks); the handle and device were released before.
 */
void mana_port_proc_free(struct mana_proc *proc);

#endif /* MANA_PORT_H */
