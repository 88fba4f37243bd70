/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_DRV_H
#define MANA_DRV_H

/*
 * The driver core as a backend's bus glue sees it (pmd/sim/ for the
 * simulated vdev, pmd/verbs/ for real MANA on rdma-core): the one header such
 * glue includes besides mana_hw.h. Everything else of the core stays behind
 * it.
 *
 * Ownership: mana_drv_port_init takes the device (hwdev) and its open handle
 * (hw) on success; the port releases both at close. On failure the caller
 * still owns them. dev_private must be mana_drv_priv_size() bytes.
 *
 * Threads: the thread probing or removing the device (rte_eal_init,
 * rte_dev_probe, rte_dev_remove), never a datapath lcore.
 */
#include <stddef.h>
#include <stdint.h>

#include <ethdev_driver.h>

#include "mana_hw.h"
#include "mana_mbox.h"

/* What every backend's devargs give the core. */
struct mana_drv_params {
	uint64_t quiesce_timeout_ns;   /* bound on waiting for bursts in flight */
	uint64_t hw_timeout_ns;        /* bound on waiting for the hardware */
	uint64_t hw_poll_ns;           /* how often to ask it meanwhile */
	uint64_t mp_timeout_ns;        /* bound on waiting for secondaries */
	/* How long a bus removal waits for the control daemon to call it a
	 * service event (used only with a mailbox; 0: final at once).
	 */
	uint64_t rmv_wait_ns;
	struct mana_mbox_cfg mbox;     /* the control daemon's mailbox, or none */
};

/* Size of the port's dev_private (rte_eth_vdev_allocate and the like). */
size_t mana_drv_priv_size(void);

/* Make dev a MANA port on top of an open device: the port's state, its
 * reset engine, its interrupt, its mailbox thread (when p->mbox asks for
 * one), its listener of the bus's removals of dev->device (mana_devev.h). The caller then calls rte_eth_dev_probing_finish. 0, or a negative
 * errno after one log line saying why.
 */
int mana_drv_port_init(struct rte_eth_dev *dev, struct mana_hw_dev *hwdev, struct mana_hw *hw,
		       const struct mana_drv_params *p);

/* A secondary process: attach to the port called name that the primary
 * owns, of the bus device device, on hwdev (the backend's view of the device in this process, which
 * the port then owns: destroyed when this process's port goes). The
 * secondary gets no devargs: everything it needs is in the shared port.
 * 0, or a negative errno after one log line.
 */
int mana_drv_port_attach(const char *name, struct rte_device *device,
			 struct mana_hw_dev *hwdev);

/* The bus removes the device: stop the port if started, then close it
 * (which releases it). 0 if the application closed it already. In a
 * secondary: release this process's state only; the port goes on.
 */
int mana_drv_port_remove(struct rte_eth_dev *dev);

#endif /* MANA_DRV_H */
