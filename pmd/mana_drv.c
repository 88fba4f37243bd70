/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The driver core's entry for a backend's bus glue (mana_drv.h): make an
 * ethdev port on top of an open device, and remove it. Probe and remove run
 * on the thread that probes or removes the device, never on a datapath lcore.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_malloc.h>

#include "mana.h"
#include "mana_drv.h"
#include "mana_log.h"
#include "mana_port.h"
#include "mana_sec.h"

size_t
mana_drv_priv_size(void)
{
	return sizeof(struct mana_priv);
}

static int
mana_dev_init(struct rte_eth_dev *dev, struct mana_hw_dev *hwdev, struct mana_hw *hw,
	      const struct mana_drv_params *pp)
{
	struct mana_priv *priv = dev->data->dev_private;
	enum mana_guard_mode mode;
	struct mana_proc *proc;
	int ret;

	ret = hw->ops->query(hw, &priv->caps);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: cannot query the device: %s", dev->data->name,
			      rte_strerror(-ret));
		return ret;
	}
	proc = calloc(1, sizeof(*proc));
	if (proc == NULL)
		return -ENOMEM;
	ret = -pthread_mutex_init(&proc->stats_lock, NULL);
	if (ret != 0) {
		free(proc);
		return ret;
	}
	ret = -pthread_mutex_init(&proc->mp_lock, NULL);
	if (ret != 0) {
		pthread_mutex_destroy(&proc->stats_lock);
		free(proc);
		return ret;
	}
	ret = mana_mr_cache_init(&proc->mr);
	if (ret != 0) {
		pthread_mutex_destroy(&proc->mp_lock);
		pthread_mutex_destroy(&proc->stats_lock);
		free(proc);
		return ret;
	}
	proc->hwdev = hwdev;
	proc->port_id = dev->data->port_id;
	if (hw->ops->db_page(hw) == NULL) {
		MANA_INIT_LOG(ERR, "%s: the device has no doorbell page", dev->data->name);
		ret = -EIO;
		goto err_proc;
	}
	mana_mp_hw_set(proc, hw);
	dev->data->mac_addrs = rte_zmalloc("mana_mac", sizeof(struct rte_ether_addr), 0);
	if (dev->data->mac_addrs == NULL) {
		ret = -ENOMEM;
		goto err_proc;
	}
	/* The gate stays closed until the port starts. */
	priv->gate.word = MANA_GATE_CLOSED;
	mode = mana_guard_register(true);
	priv->guard_mode = mana_guard_writer_can_membarrier() ? MANA_GUARD_ASYM : MANA_GUARD_FENCED;
	if (mode == MANA_GUARD_FENCED || priv->guard_mode == MANA_GUARD_FENCED)
		MANA_INIT_LOG(NOTICE, "%s: membarrier unavailable: datapath guard fenced",
			      dev->data->name);
	priv->quiesce_timeout_ns = pp->quiesce_timeout_ns;
	priv->hw_timeout_ns = pp->hw_timeout_ns;
	priv->hw_poll_ns = pp->hw_poll_ns;
	/* Only a control daemon can call a bus removal a service event:
	 * without one, a removal is final at once.
	 */
	priv->rmv_wait_ns = pp->mbox.sock_path[0] != '\0' ? pp->rmv_wait_ns : 0;
	priv->port_id = dev->data->port_id;
	memcpy(priv->cfg.mac, priv->caps.mac, RTE_ETHER_ADDR_LEN);
	memcpy(dev->data->mac_addrs[0].addr_bytes, priv->caps.mac, RTE_ETHER_ADDR_LEN);
	dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	dev->process_private = proc;
	dev->dev_ops = &mana_dev_ops;
	if (priv->guard_mode == MANA_GUARD_FENCED || mode == MANA_GUARD_FENCED) {
		dev->rx_pkt_burst = mana_rx_burst_fenced;
		dev->tx_pkt_burst = mana_tx_burst_fenced;
	} else {
		dev->rx_pkt_burst = mana_rx_burst;
		dev->tx_pkt_burst = mana_tx_burst;
	}
	ret = mana_port_reset_init(dev);
	if (ret != 0)
		goto err_unhook;
	ret = mana_port_intr_enable(dev);
	if (ret != 0)
		goto err_reset;
	mana_mp_port_add(proc, pp->mp_timeout_ns);
	mana_observe_port_add(proc);
	return 0;

err_reset:
	{
		bool up;

		mana_reset_fini(&proc->reset, &up);
		mana_reset_destroy(&proc->reset);
	}
err_unhook:
	dev->process_private = NULL;
	rte_free(dev->data->mac_addrs);
	dev->data->mac_addrs = NULL;
err_proc:
	mana_mr_cache_fini(&proc->mr);
	pthread_mutex_destroy(&proc->mp_lock);
	pthread_mutex_destroy(&proc->stats_lock);
	free(proc);
	return ret;
}

/* The bus removed the port's device (RTE_DEV_EVENT_REMOVE), on the thread
 * that dispatches device events (the EAL interrupt thread): the engine
 * judges it (mana_reset.h), at once and without waiting.
 */
static void
mana_drv_bus_removed(void *arg)
{
	struct mana_proc *proc = arg;

	MANA_RESET_LOG(NOTICE, "port %u: the bus removed the device", proc->port_id);
	mana_reset_hw_event(&proc->reset, MANA_HWE_BUS_REMOVED);
}

int
mana_drv_port_init(struct rte_eth_dev *dev, struct mana_hw_dev *hwdev, struct mana_hw *hw,
		   const struct mana_drv_params *p)
{
	struct mana_proc *proc;
	int ret;

	ret = mana_dev_init(dev, hwdev, hw, p);
	if (ret != 0)
		return ret;
	/* In the background; the port works without it (mana_mbox.h). Pairs
	 * with the acquire loads on the reset thread (mana_reset_port.c).
	 */
	proc = dev->process_private;
	__atomic_store_n(&proc->mbox, mana_mbox_start(&p->mbox, dev->data->port_id, &proc->reset),
			 __ATOMIC_RELEASE);
	/* The bus's removals of the device (its name: the vdev's, or the PCI
	 * function's address). Without them the port still resets on the
	 * device's own events and the daemon's (logged by mana_devev).
	 */
	if (dev->device != NULL &&
	    mana_devev_start(dev->device->name, mana_drv_bus_removed, proc, &proc->devev) != 0)
		proc->devev = NULL;
	return 0;
}

int
mana_drv_port_attach(const char *name, struct rte_device *device, struct mana_hw_dev *hwdev)
{
	struct rte_eth_dev *dev;
	int ret;

	dev = rte_eth_dev_attach_secondary(name);
	if (dev == NULL) {
		MANA_INIT_LOG(ERR, "%s: the primary process has no such port", name);
		hwdev->ops->destroy(hwdev);
		return -ENODEV;
	}
	dev->device = device;
	ret = mana_sec_attach(dev, hwdev);
	if (ret != 0) {
		rte_eth_dev_release_port(dev);
		return ret;
	}
	dev->dev_ops = &mana_dev_sec_ops;
	rte_eth_dev_probing_finish(dev);
	return 0;
}

int
mana_drv_port_remove(struct rte_eth_dev *dev)
{
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* This process's state only: the primary owns the port. */
		mana_sec_close(dev);
		return rte_eth_dev_release_port(dev);
	}
	/* rte_eth_dev_close refuses a started port and releases the port. */
	if (dev->data->dev_started)
		rte_eth_dev_stop(dev->data->port_id);
	return rte_eth_dev_close(dev->data->port_id);
}
