/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The reset engine's effects on an ethdev port (struct mana_reset_ops), and
 * the device's async events, which start resets.
 *
 * Threads:
 *   - the engine ops run on the port's reset thread ("mana-rst-<port>", an
 *     EAL control thread), which owns the device while a reset runs; notify
 *     and phase also tell the control daemon's mailbox (mana_mbox.h), if
 *     any, without blocking;
 *   - mana_port_intr_cb runs on the EAL interrupt thread: it reads the
 *     device's events and hands them to the engine, never waiting;
 *   - mana_port_intr_enable/disable run on whichever thread owns the device
 *     (probe, the reset thread, close). disable waits for a running callback.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>

#include <ethdev_driver.h>
#include <rte_interrupts.h>

#include "mana.h"
#include "mana_log.h"
#include "mana_port.h"

static struct rte_eth_dev *
port_dev(void *ctx)
{
	return &rte_eth_devices[((struct mana_proc *)ctx)->port_id];
}

static void
port_notify(void *ctx, enum mana_reset_event ev)
{
	struct rte_eth_dev *dev = port_dev(ctx);
	struct mana_proc *proc = ctx;
	enum rte_eth_event_type type;
	enum mana_mp_outcome out = 0;

	switch (ev) {
	case MANA_REV_RECOVERING:
		type = RTE_ETH_EVENT_ERR_RECOVERING;
		MANA_RESET_LOG(NOTICE, "port %u: device reset: recovering", dev->data->port_id);
		break;
	case MANA_REV_SUCCESS:
		type = RTE_ETH_EVENT_RECOVERY_SUCCESS;
		out = MANA_MP_OUT_SUCCESS;
		MANA_RESET_LOG(NOTICE, "port %u: device reset: recovered", dev->data->port_id);
		break;
	case MANA_REV_FAILED:
		type = RTE_ETH_EVENT_RECOVERY_FAILED;
		out = MANA_MP_OUT_FAILED;
		MANA_RESET_LOG(ERR, "port %u: device reset: recovery failed; close the port",
			       dev->data->port_id);
		break;
	case MANA_REV_REMOVED:
		type = RTE_ETH_EVENT_INTR_RMV;
		out = MANA_MP_OUT_REMOVED;
		MANA_RESET_LOG(ERR, "port %u: the device was removed", dev->data->port_id);
		break;
	default:
		return;
	}
	/* ctrl and the secondaries first: the application's callbacks may
	 * close the port.
	 */
	mana_mbox_reset_event(__atomic_load_n(&proc->mbox, __ATOMIC_ACQUIRE), ev);
	if (out != 0)
		mana_mp_publish(proc);
	mana_mp_event(proc, out != 0 ? MANA_MP_OUTCOME : MANA_MP_RECOVERING, out);
	rte_eth_dev_callback_process(dev, type, NULL);
}

static void
port_phase(void *ctx, uint64_t seq, enum mana_reset_phase ph)
{
	struct mana_proc *proc = ctx;

	/* Pairs with the release in mana_drv_port_init. */
	mana_mbox_phase(__atomic_load_n(&proc->mbox, __ATOMIC_ACQUIRE), seq, ph);
}

/*
 * ethdev suggests a recovering PMD point the burst functions at dummies. The
 * closed gate has the same effect (bursts return 0 at once), in every
 * process, without writing pointers that polling threads are reading.
 * A stopped port's gate closed, and its bursts drained, when it stopped; its
 * queue arrays are the application's (ethdev may be freeing them right now).
 */
static int
port_quiesce(void *ctx, bool started, uint64_t timeout_ns)
{
	if (!started)
		return 0;
	return mana_port_quiesce(port_dev(ctx), timeout_ns);
}

static void
port_teardown(void *ctx, bool started)
{
	struct rte_eth_dev *dev = port_dev(ctx);

	if (started)
		mana_port_queues_down(dev);
	mana_port_hw_close(dev);
}

static enum mana_hw_status
port_hw_probe(void *ctx)
{
	struct mana_proc *proc = ctx;

	switch (proc->hwdev->ops->probe(proc->hwdev)) {
	case MANA_HWP_READY:
		return MANA_HW_READY;
	case MANA_HWP_SAME:
		return MANA_HW_SAME;
	case MANA_HWP_GONE:
		return MANA_HW_GONE;
	default:
		return MANA_HW_DOWN;
	}
}

static int
port_reprobe(void *ctx, bool started)
{
	struct rte_eth_dev *dev = port_dev(ctx);
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_proc *proc = ctx;
	struct mana_hw_caps caps;
	struct mana_hw *hw;
	int ret;

	ret = proc->hwdev->ops->open(proc->hwdev, &hw);
	if (ret != 0) {
		if (ret != -EAGAIN)
			MANA_RESET_LOG(ERR, "port %u: cannot open the device: %s",
				       dev->data->port_id, rte_strerror(-ret));
		return ret;
	}
	ret = hw->ops->query(hw, &caps);
	/* A stopped port may be reconfigured meanwhile: its queue counts are
	 * checked against the new device by dev_configure and dev_start.
	 */
	if (ret == 0 && started && (caps.max_queues < dev->data->nb_rx_queues ||
				    caps.max_queues < dev->data->nb_tx_queues)) {
		MANA_RESET_LOG(ERR, "port %u: the new device has %u queues, %u/%u configured",
			       dev->data->port_id, caps.max_queues, dev->data->nb_rx_queues,
			       dev->data->nb_tx_queues);
		ret = -EPROTO;
	}
	if (ret == 0 && hw->ops->db_page(hw) == NULL)
		ret = -EIO;
	if (ret != 0) {
		hw->ops->close(hw);
		return ret == -EIO ? -EAGAIN : ret;
	}
	__atomic_store_n(&priv->caps.identity, caps.identity, __ATOMIC_RELAXED);
	mana_mp_hw_set(proc, hw);
	ret = mana_port_intr_enable(dev);
	if (ret != 0) {
		mana_port_hw_close(dev);
		return ret;
	}
	MANA_RESET_LOG(INFO, "port %u: device back, identity %#" PRIx64, dev->data->port_id,
		       caps.identity);
	return 0;
}

static int
port_restore(void *ctx, bool started)
{
	struct rte_eth_dev *dev = port_dev(ctx);
	int ret;

	if (!started)
		return 0;     /* the application had not started it */
	/* Queues, MTU, MAC, promiscuous/allmulticast and RSS as the
	 * application left them (priv->cfg), then the gate opens.
	 */
	ret = mana_port_start(dev);
	if (ret != 0)
		mana_port_hw_close(dev);
	/* -EIO: the new device went down already; the engine waits again. */
	return ret == -EIO ? -EAGAIN : ret;
}

/* Closed from one of the engine's event callbacks: the reset thread's last
 * act frees the port's per-process state (mana_reset.h).
 */
static void
port_release(void *ctx)
{
	mana_port_proc_free(ctx);
}

static const struct mana_reset_ops port_reset_ops = {
	.notify = port_notify,
	.phase = port_phase,
	.quiesce = port_quiesce,
	.teardown = port_teardown,
	.hw_probe = port_hw_probe,
	.reprobe = port_reprobe,
	.restore = port_restore,
	.release = port_release,
};

struct port_thread {
	void *(*fn)(void *);
	void *arg;
};

/* The reset thread sleeps in steps of 10 us while it waits for bursts in
 * flight (mana_guard_wait_idle): with the default 50 us timer slack each
 * step would last 60 us. Ours is 1 us; the application's threads keep theirs.
 */
static void *
port_thread_main(void *p)
{
	struct port_thread pt = *(struct port_thread *)p;

	free(p);
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	return pt.fn(pt.arg);
}

static int
port_thread_create(pthread_t *t, const char *name, void *(*fn)(void *), void *arg)
{
	struct port_thread *pt = malloc(sizeof(*pt));
	int ret;

	if (pt == NULL)
		return -ENOMEM;
	pt->fn = fn;
	pt->arg = arg;
	ret = rte_ctrl_thread_create(t, name, NULL, port_thread_main, pt);
	if (ret != 0)
		free(pt);
	return ret;
}

int
mana_port_reset_init(struct rte_eth_dev *dev)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_proc *proc = dev->process_private;
	struct mana_reset_params p = {
		.quiesce_timeout_ns = priv->quiesce_timeout_ns,
		.hw_timeout_ns = priv->hw_timeout_ns,
		.hw_poll_ns = priv->hw_poll_ns != 0 ? priv->hw_poll_ns : 1000000,
		.rmv_wait_ns = priv->rmv_wait_ns,
		.thread_create = port_thread_create,
	};
	int ret;

	snprintf(p.thread_name, sizeof(p.thread_name), "mana-rst-%u", dev->data->port_id);
	ret = mana_reset_init(&proc->reset, &port_reset_ops, proc, &p);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: cannot start the reset thread: %s", dev->data->name,
			      rte_strerror(-ret));
		return ret;
	}
	proc->reset_ready = true;
	return 0;
}

