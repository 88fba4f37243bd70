/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The port layer (mana_port.h): what the ethdev operations, the reset
 * engine's adapter and the observers do to a port, written once. Nothing
 * here calls up into them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ethdev_driver.h>
#include <rte_interrupts.h>

#include "mana.h"
#include "mana_log.h"
#include "mana_clock.h"
#include "mana_port.h"
#include "mana_sec.h"

/* A teardown step longer than this is logged with its parts. */
#define MANA_PORT_SLOW_NS (500ULL * 1000000)

static struct mana_hw *
mana_hw_of(struct rte_eth_dev *dev)
{
	return ((struct mana_proc *)dev->process_private)->hw;
}


/* Enter an operation that changes the port: 0, -EBUSY or -EIO. */
int
mana_port_op_enter(struct rte_eth_dev *dev)
{
	struct mana_proc *proc = dev->process_private;
	int ret = mana_reset_op_begin(&proc->reset, false, NULL);

	if (ret == -EBUSY)
		MANA_DRV_LOG(INFO, "port %u: busy: a device reset is in progress",
			     dev->data->port_id);
	else if (ret == -EIO)
		MANA_DRV_LOG(ERR, "port %u: the device did not recover; close the port",
			     dev->data->port_id);
	return ret;
}


void
mana_port_op_exit(struct rte_eth_dev *dev)
{
	struct mana_proc *proc = dev->process_private;

	if (proc->secondary)
		mana_sec_ro_exit(proc);
	else
		mana_reset_op_end(&proc->reset);
}


/* The device failed a control operation with -EIO: it is going away (its
 * DEVICE_FATAL may still be on the way). Start the reset now (merged with
 * the event when it comes) and tell the application to retry: -EBUSY.
 */
int
mana_port_hw_result(struct rte_eth_dev *dev, int ret)
{
	if (ret != -EIO)
		return ret;
	MANA_DRV_LOG(INFO, "port %u: the device is not responding: resetting",
		     dev->data->port_id);
	mana_reset_request(&((struct mana_proc *)dev->process_private)->reset);
	return -EBUSY;
}


/* Enter a read-only operation: returns whether the device may be touched. */
bool
mana_port_ro_enter(struct rte_eth_dev *dev)
{
	struct mana_proc *proc = dev->process_private;
	bool device_ok = false;

	if (proc->secondary)
		return mana_sec_ro_enter(proc);
	mana_reset_op_begin(&proc->reset, true, &device_ok);
	return device_ok;
}


/* A queue the backend made, as the datapath will use it. -EPROTO when the
 * backend's description breaks what the formats need (mana_hw.h).
 */
static int
mana_ring_attach(struct mana_ring *r, const struct mana_hw_queue *hq, uint32_t sw_size)
{
	if (hq->wq_buf == NULL || hq->cq_buf == NULL || hq->wq_count == 0 ||
	    hq->wq_size < MANA_GDMA_BU || !rte_is_power_of_2(hq->wq_size) ||
	    !rte_is_power_of_2(hq->cq_count) || hq->cq_count < hq->wq_count ||
	    hq->wq_id > MANA_DB_ID_MASK || hq->cq_id > MANA_DB_ID_MASK ||
	    hq->tx_vp_offset > UINT8_MAX)
		return -EPROTO;
	memset(r, 0, sizeof(*r));
	r->wq.buf = hq->wq_buf;
	r->wq.size = hq->wq_size;
	r->cq = hq->cq_buf;
	r->cq_count = hq->cq_count;
	/* The consumer's head starts at count: a zeroed CQE reads empty. */
	r->cq_head = hq->cq_count;
	r->wq_id = hq->wq_id;
	r->cq_id = hq->cq_id;
	r->tx_vp_offset = (uint8_t)hq->tx_vp_offset;
	/* One CQE per WQE at most, one sw_ring slot each: never more posted
	 * than either holds (the CQ cannot overflow).
	 */
	r->desc_max = RTE_MIN(sw_size, hq->wq_count);
	r->desc_mask = sw_size - 1;
	return 0;
}


/* The link is up while the vport runs; written atomically, since the reset
 * thread and the application's link queries meet here.
 */
static void
mana_link_set(struct rte_eth_dev *dev, bool up)
{
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_100G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	rte_eth_linkstatus_set(dev, &link);
}


/* Destroy the hardware queues and take back every mbuf they held. */
static void
mana_queues_teardown(struct rte_eth_dev *dev, uint16_t nb_rxq, uint16_t nb_txq)
{
	struct mana_hw *hw = mana_hw_of(dev);
	uint16_t i;

	for (i = 0; i < nb_rxq; i++) {
		struct mana_rxq *rxq = dev->data->rx_queues[i];

		if (rxq == NULL)
			continue;
		if (hw != NULL)
			hw->ops->queue_destroy(hw, MANA_HWQ_RQ, i);
		mana_rxq_drain(rxq);
		rxq->started = false;
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	for (i = 0; i < nb_txq; i++) {
		struct mana_txq *txq = dev->data->tx_queues[i];

		if (txq == NULL)
			continue;
		if (hw != NULL)
			hw->ops->queue_destroy(hw, MANA_HWQ_SQ, i);
		mana_txq_drain(txq);
		txq->started = false;
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
}


/* A start failed at what. -EIO: the device went down meanwhile (a service
 * event while a reset restarts the port, or while the application starts
 * it): the reset that follows or goes round again deals with it, so it is
 * not an error of the port's.
 */
static void
mana_port_start_failed(struct rte_eth_dev *dev, const char *what, int ret)
{
	if (ret == -EIO)
		MANA_DRV_LOG(INFO, "port %u: cannot %s: the device went down", dev->data->port_id,
			     what);
	else
		MANA_DRV_LOG(ERR, "port %u: cannot %s: %s", dev->data->port_id, what,
			     rte_strerror(-ret));
}

int
mana_port_start(struct rte_eth_dev *dev)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_proc *proc = dev->process_private;
	struct mana_hw *hw = proc->hw;
	struct mana_hw_queue hq;
	uint16_t nb_tx = 0, nb_rx = 0;
	int ret;

	if (hw == NULL)
		return -EIO;
	/* ethdev starts a port whose queues were never set up. */
	for (nb_rx = 0; nb_rx < dev->data->nb_rx_queues; nb_rx++)
		if (dev->data->rx_queues[nb_rx] == NULL) {
			MANA_DRV_LOG(ERR, "port %u: rx queue %u is not set up", dev->data->port_id,
				     nb_rx);
			return -EINVAL;
		}
	for (nb_tx = 0; nb_tx < dev->data->nb_tx_queues; nb_tx++)
		if (dev->data->tx_queues[nb_tx] == NULL) {
			MANA_DRV_LOG(ERR, "port %u: tx queue %u is not set up", dev->data->port_id,
				     nb_tx);
			return -EINVAL;
		}
	/* The receive pools' memory, before any buffer is posted. */
	for (nb_rx = 0; nb_rx < dev->data->nb_rx_queues; nb_rx++) {
		struct mana_rxq *rxq = dev->data->rx_queues[nb_rx];

		ret = mana_mr_register_pool(&proc->mr, hw, rxq->mp);
		if (ret != 0) {
			MANA_DRV_LOG(ERR, "port %u: cannot register mempool %s: %s",
				     dev->data->port_id, rxq->mp->name, rte_strerror(-ret));
			return ret;
		}
	}
	nb_rx = 0;
	for (nb_tx = 0; nb_tx < dev->data->nb_tx_queues; nb_tx++) {
		struct mana_txq *txq = dev->data->tx_queues[nb_tx];

		ret = hw->ops->queue_create(hw, MANA_HWQ_SQ, nb_tx, txq->nb_desc, txq->socket_id,
					    &hq);
		if (ret == 0) {
			ret = mana_ring_attach(&txq->ring, &hq, txq->sw_size);
			if (ret != 0)
				hw->ops->queue_destroy(hw, MANA_HWQ_SQ, nb_tx);
		}
		if (ret != 0) {
			mana_port_start_failed(dev, "create a send queue", ret);
			goto err_teardown;
		}
		txq->started = true;
		dev->data->tx_queue_state[nb_tx] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	for (nb_rx = 0; nb_rx < dev->data->nb_rx_queues; nb_rx++) {
		struct mana_rxq *rxq = dev->data->rx_queues[nb_rx];

		ret = hw->ops->queue_create(hw, MANA_HWQ_RQ, nb_rx, rxq->nb_desc, rxq->socket_id,
					    &hq);
		if (ret == 0) {
			ret = mana_ring_attach(&rxq->ring, &hq, rxq->sw_size);
			if (ret == 0)
				ret = mana_rxq_fill(rxq, proc);
			if (ret != 0) {
				hw->ops->queue_destroy(hw, MANA_HWQ_RQ, nb_rx);
				mana_rxq_drain(rxq);
			}
		}
		if (ret != 0) {
			mana_port_start_failed(dev, "start a receive queue", ret);
			goto err_teardown;
		}
		rxq->started = true;
		dev->data->rx_queue_state[nb_rx] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	/* The reset thread reads cfg here; only control operations, which
	 * a reset excludes, write it.
	 */
	ret = hw->ops->vport_start(hw, &priv->cfg);
	if (ret != 0) {
		mana_port_start_failed(dev, "start the vport", ret);
		goto err_teardown;
	}
	/* Queues and doorbell are ready: the secondaries get the doorbell
	 * and the word the gate opens with, then the bursts come in.
	 */
	mana_mp_remap(dev->process_private, mana_gate_next_word(&priv->gate));
	mana_gate_open(&priv->gate);
	mana_link_set(dev, true);
	MANA_DRV_LOG(INFO, "port %u: started, %u rx and %u tx queues", dev->data->port_id,
		     nb_rx, nb_tx);
	return 0;

err_teardown:
	mana_queues_teardown(dev, nb_rx, nb_tx);
	return ret;
}


int
mana_port_quiesce(struct rte_eth_dev *dev, uint64_t timeout_ns)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_guard_q *qs[2 * MANA_MAX_QUEUES];
	unsigned int n = 0, stuck = 0;
	uint64_t waited = 0;
	uint16_t i;
	int ret;

	mana_gate_close(&priv->gate, (enum mana_guard_mode)priv->guard_mode);
	for (i = 0; i < dev->data->nb_rx_queues && n < RTE_DIM(qs); i++) {
		struct mana_rxq *q = dev->data->rx_queues[i];

		qs[n++] = q != NULL ? &q->guard : NULL;
	}
	for (i = 0; i < dev->data->nb_tx_queues && n < RTE_DIM(qs); i++) {
		struct mana_txq *q = dev->data->tx_queues[i];

		qs[n++] = q != NULL ? &q->guard : NULL;
	}
	ret = mana_guard_wait_idle(qs, n, timeout_ns, &stuck, &waited);
	if (ret != 0)
		MANA_DRV_LOG(ERR, "port %u: %s queue %u still in a burst after %" PRIu64 " ms",
			     dev->data->port_id,
			     stuck < dev->data->nb_rx_queues ? "rx" : "tx",
			     stuck < dev->data->nb_rx_queues ? stuck :
			     stuck - dev->data->nb_rx_queues, waited / 1000000);
	return ret;
}


void
mana_port_queues_down(struct rte_eth_dev *dev)
{
	struct mana_hw *hw = mana_hw_of(dev);
	uint64_t t0 = mana_now_ns(), t1, t2;

	mana_link_set(dev, false);
	if (hw != NULL)
		hw->ops->vport_stop(hw);
	t1 = mana_now_ns();
	mana_queues_teardown(dev, dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	t2 = mana_now_ns();
	if (t2 - t0 > MANA_PORT_SLOW_NS)
		MANA_DRV_LOG(WARNING, "port %u: taking the queues down took %" PRIu64 " ms: vport %" PRIu64 " ms, queues %" PRIu64 " ms",
			     dev->data->port_id, (t2 - t0) / 1000000,
			     (t1 - t0) / 1000000, (t2 - t1) / 1000000);
}


int
mana_port_stop(struct rte_eth_dev *dev)
{
	struct mana_priv *priv = dev->data->dev_private;

	/* Even an application that keeps polling a stopping port is safe.
	 * A burst stuck inside: refuse, and leave the port as it was.
	 */
	if (mana_port_quiesce(dev, priv->quiesce_timeout_ns) != 0) {
		mana_gate_open(&priv->gate);
		return -EBUSY;
	}
	mana_port_queues_down(dev);
	return 0;
}


/* Free the per-process state of a closed port (also called as the reset
 * engine's release op, on its thread, when the port was closed from one of
 * its event callbacks).
 */
void
mana_port_proc_free(struct mana_proc *proc)
{
	if (proc->intr != NULL)
		rte_intr_instance_free(proc->intr);
	mana_mp_port_del(proc);
	mana_mr_cache_fini(&proc->mr);
	pthread_mutex_destroy(&proc->mp_lock);
	pthread_mutex_destroy(&proc->stats_lock);
	free(proc);
}



/* acc += what the device counted since base. */
static void
mana_hw_stats_add_since(struct mana_hw_stats *acc, const struct mana_hw_stats *now,
			const struct mana_hw_stats *base)
{
	acc->rx_no_buffer += now->rx_no_buffer - base->rx_no_buffer;
	acc->rx_filtered += now->rx_filtered - base->rx_filtered;
	acc->rx_port_down += now->rx_port_down - base->rx_port_down;
}


/* The device's own counters, summed over its incarnations since the last
 * stats reset. Inside a read-only op (device_ok from it).
 */
void
mana_port_hw_stats_sum(struct rte_eth_dev *dev, bool device_ok, struct mana_hw_stats *out)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_proc *proc = dev->process_private;
	struct mana_hw_stats hs;

	pthread_mutex_lock(&proc->stats_lock);
	*out = priv->hw_stats_acc;
	if (device_ok && proc->hw->ops->stats(proc->hw, &hs) == 0)
		mana_hw_stats_add_since(out, &hs, &priv->hw_stats_base);
	pthread_mutex_unlock(&proc->stats_lock);
}


void
mana_port_hw_stats(struct rte_eth_dev *dev, struct mana_hw_stats *out)
{
	mana_port_hw_stats_sum(dev, mana_port_ro_enter(dev), out);
	mana_port_op_exit(dev);
}


void
mana_port_hw_stats_save(struct rte_eth_dev *dev)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_proc *proc = dev->process_private;
	struct mana_hw_stats hs;

	pthread_mutex_lock(&proc->stats_lock);
	if (proc->hw != NULL && proc->hw->ops->stats(proc->hw, &hs) == 0)
		mana_hw_stats_add_since(&priv->hw_stats_acc, &hs, &priv->hw_stats_base);
	/* The next incarnation counts from zero. */
	memset(&priv->hw_stats_base, 0, sizeof(priv->hw_stats_base));
	pthread_mutex_unlock(&proc->stats_lock);
}


void
mana_port_hw_close(struct rte_eth_dev *dev)
{
	struct mana_proc *proc = dev->process_private;
	uint64_t t0 = mana_now_ns(), t1, t2, t3;

	mana_port_intr_disable(dev);
	t1 = mana_now_ns();
	if (proc->hw == NULL)
		return;
	mana_port_hw_stats_save(dev);
	/* Secondaries park their doorbell mappings first (bounded), and
	 * register nothing more.
	 */
	mana_mp_park(proc);
	/* Every registration goes with the handle (queues are down). */
	mana_mr_flush(&proc->mr, proc->hw);
	t2 = mana_now_ns();
	mana_mp_hw_close(proc);
	t3 = mana_now_ns();
	/* These are short; one that is not says where a reset's teardown
	 * went (a stuck interrupt callback, the device's own locks).
	 */
	if (t3 - t0 > MANA_PORT_SLOW_NS)
		MANA_DRV_LOG(WARNING, "port %u: closing the device took %" PRIu64 " ms: events off %" PRIu64 " ms, secondaries and registrations %" PRIu64 " ms, handle %" PRIu64 " ms",
			     dev->data->port_id, (t3 - t0) / 1000000, (t1 - t0) / 1000000,
			     (t2 - t1) / 1000000, (t3 - t2) / 1000000);
}


static void
mana_port_intr_cb(void *arg)
{
	struct mana_proc *proc = arg;
	struct mana_hw *hw = proc->hw;
	enum mana_hw_async ev;
	unsigned int fatal = 0;
	int n;

	while ((n = hw->ops->event_get(hw, &ev)) > 0)
		if (ev == MANA_ASYNC_DEVICE_FATAL)
			fatal++;
	if (n < 0) {
		/* The event channel broke: the device is as good as gone.
		 * Stop listening to it (this handle is replaced by the reset).
		 */
		fatal++;
		rte_intr_callback_unregister_pending(proc->intr, mana_port_intr_cb, proc, NULL);
	}
	if (fatal > 0) {
		MANA_RESET_LOG(INFO, "port %u: %u DEVICE_FATAL event(s)", proc->port_id, fatal);
		mana_reset_request(&proc->reset);
	}
	/* Pairs with the acquire in mana_port_intr_disable. */
	__atomic_fetch_add(&proc->intr_runs, 1, __ATOMIC_RELEASE);
}


int
mana_port_intr_enable(struct rte_eth_dev *dev)
{
	struct mana_proc *proc = dev->process_private;
	int fd = proc->hw->ops->event_fd(proc->hw);
	int ret;

	if (fd < 0)
		return 0;
	if (proc->intr == NULL) {
		proc->intr = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
		if (proc->intr == NULL)
			return -ENOMEM;
	}
	if (rte_intr_fd_set(proc->intr, fd) != 0 ||
	    rte_intr_type_set(proc->intr, RTE_INTR_HANDLE_EXT) != 0)
		return -EINVAL;
	ret = rte_intr_callback_register(proc->intr, mana_port_intr_cb, proc);
	if (ret != 0) {
		MANA_DRV_LOG(ERR, "port %u: cannot listen to device events: %s",
			     dev->data->port_id, rte_strerror(-ret));
		return ret;
	}
	proc->intr_registered = true;
	return 0;
}


void
mana_port_intr_disable(struct rte_eth_dev *dev)
{
	struct mana_proc *proc = dev->process_private;
	int ret;

	if (!proc->intr_registered)
		return;
	/* Wait for a callback running on the interrupt thread, so proc and
	 * the handle outlive it (-EAGAIN while it runs; -ENOENT: it
	 * unregistered itself). Not rte_intr_callback_unregister_sync: it
	 * spins, and the interrupt thread may share this CPU. The callback
	 * is short and never waits for us.
	 */
	while ((ret = rte_intr_callback_unregister(proc->intr, mana_port_intr_cb, proc)) ==
	       -EAGAIN) {
		struct timespec ts = { 0, 20000 };

		nanosleep(&ts, NULL);
	}
	/* The loop above waited for a running callback inside EAL; this
	 * acquire orders the callback's last accesses before what the caller
	 * frees next, in terms our own code (and ThreadSanitizer) can see.
	 */
	(void)__atomic_load_n(&proc->intr_runs, __ATOMIC_ACQUIRE);
	if (ret < 0 && ret != -ENOENT)
		MANA_DRV_LOG(ERR, "port %u: cannot stop listening to device events: %s",
			     dev->data->port_id, rte_strerror(-ret));
	proc->intr_registered = false;
}
