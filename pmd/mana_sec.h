/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_SEC_H
#define MANA_SEC_H

/*
 * A secondary process's side of a port (mana_mp.h has the protocol).
 *
 * Ownership: mana_sec_attach makes this process's state of the port
 * (dev->process_private: struct mana_proc with its struct mana_sec) and
 * takes the backend's device view (hwdev) in every case; mana_sec_close
 * frees both, and nothing of the port's shared state: the primary owns the
 * port, its queues and its device.
 *
 * The doorbell page is mapped at one address for the life of the port in
 * this process: parked (no access, address kept) while the primary's
 * device is closed or this process is out of step, mapped again from the
 * fd of the next incarnation at the same address. So no burst ever holds
 * a pointer that another mapping could take over, and a write that the
 * guard failed to stop faults instead of landing elsewhere.
 *
 * Threads: attach and close on the thread probing or removing the device
 * (or the application's, for rte_eth_dev_close); the rte_mp handler on
 * this process's rte_mp_handle thread; the resynchronization on the port's
 * own control thread (mana-sync-<port>, which a burst wakes through an
 * eventfd; joined at close); ro_enter/exit on
 * application control threads. One mutex per port serializes all but the
 * bursts, which see only proc->seen_word (store-release after the mapping
 * is in place) through the guard.
 */
#include <stdbool.h>

#include <ethdev_driver.h>

#include "mana_hw.h"

struct mana_proc;

/* This process's state of the port the primary owns: map the doorbell if
 * the primary's device is open (else later, by itself), select the
 * secondary's bursts (the caller sets mana_dev_sec_ops). 0, or a negative errno after a log
 * line (hwdev destroyed then).
 */
int mana_sec_attach(struct rte_eth_dev *dev, struct mana_hw_dev *hwdev);

/* Release this process's state of the port (dev_close, remove). 0. */
int mana_sec_close(struct rte_eth_dev *dev);

/* An operation a secondary may not do: -EPERM, with a log line. */
int mana_sec_refuse(struct rte_eth_dev *dev);

/* Read-only operations in a secondary: whether the device may be touched
 * (this process is in step with an open device). Pair with ro_exit.
 */
bool mana_sec_ro_enter(struct mana_proc *proc);
void mana_sec_ro_exit(struct mana_proc *proc);

#endif /* MANA_SEC_H */
