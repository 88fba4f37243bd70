/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * ethdev control operations. DPDK calls these from application control
 * threads; they never run on a datapath lcore. The device is reached only
 * through the backend interface (mana_hw.h).
 *
 * Every operation that changes the port enters the reset engine first
 * (mana_reset_op_begin): while a reset runs it gets -EBUSY at once, after a
 * failed recovery -EIO, and a reset that begins meanwhile waits for it to end.
 * Read-only operations (infos, link, stats) work in every state and touch the
 * device only while it is there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_malloc.h>

#include "mana.h"
#include "mana_cfg.h"
#include "mana_log.h"
#include "mana_mem.h"
#include "mana_port.h"
#include "mana_sec.h"

static int
mana_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct mana_priv *priv = dev->data->dev_private;

	info->max_rx_queues = priv->caps.max_queues;
	info->max_tx_queues = priv->caps.max_queues;
	info->max_mac_addrs = 1;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = (uint16_t)priv->caps.max_mtu;
	info->min_rx_bufsize = mana_frame_len(RTE_ETHER_MIN_MTU);
	info->max_rx_pktlen = mana_frame_len((uint16_t)priv->caps.max_mtu);
	info->rx_desc_lim.nb_max = (uint16_t)priv->caps.max_desc;
	info->rx_desc_lim.nb_min = MANA_MIN_DESC;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim = info->rx_desc_lim;
	info->tx_desc_lim.nb_seg_max = MANA_WQE_MAX_SGE;
	info->tx_desc_lim.nb_mtu_seg_max = MANA_WQE_MAX_SGE;
	info->default_rxportconf.ring_size = 512;
	info->default_txportconf.ring_size = 512;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	/* What upstream net/mana advertises: the device checks IPv4, TCP
	 * and UDP checksums on receive and computes them on send.
	 */
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_CHECKSUM | RTE_ETH_RX_OFFLOAD_RSS_HASH;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
				RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	info->flow_type_rss_offloads = MANA_RSS_HF;
	info->hash_key_size = MANA_RSS_KEY_LEN;
	info->reta_size = MANA_RETA_SIZE;
	info->speed_capa = RTE_ETH_LINK_SPEED_100G;
	info->dev_capa = 0;
	/* The driver recovers from device resets by itself and reports it
	 * with RTE_ETH_EVENT_ERR_RECOVERING / RECOVERY_SUCCESS / _FAILED.
	 */
	info->err_handle_mode = RTE_ETH_ERROR_HANDLE_MODE_PROACTIVE;
	return 0;
}

static int
mana_rxq_setup(struct rte_eth_dev *dev, uint16_t idx, uint16_t nb_desc,
	       unsigned int socket_id, const struct rte_eth_rxconf *conf, struct rte_mempool *mp)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_rxq *rxq;
	uint32_t buf_len, sw_size;

	buf_len = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	if (buf_len < mana_frame_len(dev->data->mtu)) {
		MANA_DRV_LOG(ERR, "port %u rxq %u: mbufs of pool %s hold %u bytes, an MTU %u frame needs %u (no scatter support)",
			     dev->data->port_id, idx, mp->name, buf_len, dev->data->mtu,
			     mana_frame_len(dev->data->mtu));
		return -EINVAL;
	}
	sw_size = rte_align32pow2(RTE_MAX((uint32_t)nb_desc, MANA_MIN_DESC));
	rxq = mana_zmalloc("mana_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (rxq == NULL)
		return -ENOMEM;
	rxq->sw_ring = mana_zmalloc("mana_rxq_sw", sw_size * sizeof(*rxq->sw_ring),
					  RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (rxq->sw_ring == NULL) {
		mana_free(rxq);
		return -ENOMEM;
	}
	rxq->sw_size = sw_size;
	mana_guard_init(&rxq->guard);
	rxq->mp = mp;
	rxq->conf = *conf;
	rxq->buf_len = buf_len;
	rxq->nb_desc = nb_desc;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = idx;
	rxq->socket_id = (int)socket_id;
	/* Last: a burst loads the gate pointer with acquire, so everything
	 * above is visible to it (pairs with mana_gate_of).
	 */
	__atomic_store_n(&rxq->gate, &priv->gate, __ATOMIC_RELEASE);
	dev->data->rx_queues[idx] = rxq;
	return 0;
}

static int
mana_rx_queue_setup(struct rte_eth_dev *dev, uint16_t idx, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_rxconf *rx_conf,
		    struct rte_mempool *mp)
{
	int ret = mana_port_op_enter(dev);

	if (ret != 0)
		return ret;
	ret = mana_rxq_setup(dev, idx, nb_desc, socket_id, rx_conf, mp);
	mana_port_op_exit(dev);
	return ret;
}

static int
mana_txq_setup(struct rte_eth_dev *dev, uint16_t idx, uint16_t nb_desc, unsigned int socket_id,
	       const struct rte_eth_txconf *conf)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_txq *txq;
	uint32_t sw_size;

	sw_size = rte_align32pow2(RTE_MAX((uint32_t)nb_desc, MANA_MIN_DESC));
	txq = mana_zmalloc("mana_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (txq == NULL)
		return -ENOMEM;
	txq->sw_ring = mana_zmalloc("mana_txq_sw", sw_size * sizeof(*txq->sw_ring),
					  RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (txq->sw_ring == NULL) {
		mana_free(txq);
		return -ENOMEM;
	}
	txq->sw_size = sw_size;
	mana_guard_init(&txq->guard);
	txq->conf = *conf;
	txq->nb_desc = nb_desc;
	txq->port_id = dev->data->port_id;
	txq->queue_id = idx;
	txq->socket_id = (int)socket_id;
	__atomic_store_n(&txq->gate, &priv->gate, __ATOMIC_RELEASE);
	dev->data->tx_queues[idx] = txq;
	return 0;
}

static int
mana_tx_queue_setup(struct rte_eth_dev *dev, uint16_t idx, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_txconf *tx_conf)
{
	int ret = mana_port_op_enter(dev);

	if (ret != 0)
		return ret;
	ret = mana_txq_setup(dev, idx, nb_desc, socket_id, tx_conf);
	mana_port_op_exit(dev);
	return ret;
}

static void
mana_rx_queue_release(struct rte_eth_dev *dev, uint16_t idx)
{
	struct mana_rxq *rxq = dev->data->rx_queues[idx];

	if (rxq == NULL)
		return;
	mana_rxq_drain(rxq);
	mana_free(rxq->sw_ring);
	mana_free(rxq);
	dev->data->rx_queues[idx] = NULL;
}

static void
mana_tx_queue_release(struct rte_eth_dev *dev, uint16_t idx)
{
	struct mana_txq *txq = dev->data->tx_queues[idx];

	if (txq == NULL)
		return;
	mana_txq_drain(txq);
	mana_free(txq->sw_ring);
	mana_free(txq);
	dev->data->tx_queues[idx] = NULL;
}

static int
mana_dev_start(struct rte_eth_dev *dev)
{
	struct mana_proc *proc = dev->process_private;
	int ret = mana_port_op_enter(dev);

	if (ret != 0)
		return ret;
	ret = mana_port_hw_result(dev, mana_port_start(dev));
	if (ret == 0)
		mana_reset_set_started(&proc->reset, true);
	mana_port_op_exit(dev);
	return ret;
}

/*
 * ethdev points this process's fast-path table at its dummy functions before
 * it asks the driver to stop, and leaves it so when the driver refuses: the
 * port would stay started with no datapath. Put the table back, whole, as
 * ethdev's start does. This runs in the stopping thread, before dev_stop
 * returns, in the window in which ethdev itself rewrote the table: the
 * application does not poll a port it is stopping. Nothing else ever
 * rewrites the table under polling threads.
 */
static void
mana_fp_ops_reinstall(struct rte_eth_dev *dev)
{
	struct rte_eth_fp_ops *fpo = &rte_eth_fp_ops[dev->data->port_id];

	fpo->rxq.data = dev->data->rx_queues;
	fpo->rxq.clbk = (void **)(uintptr_t)dev->post_rx_burst_cbs;
	fpo->txq.data = dev->data->tx_queues;
	fpo->txq.clbk = (void **)(uintptr_t)dev->pre_tx_burst_cbs;
	fpo->tx_pkt_prepare = dev->tx_pkt_prepare;
	fpo->rx_queue_count = dev->rx_queue_count;
	fpo->rx_descriptor_status = dev->rx_descriptor_status;
	fpo->tx_descriptor_status = dev->tx_descriptor_status;
	fpo->rx_pkt_burst = dev->rx_pkt_burst;
	fpo->tx_pkt_burst = dev->tx_pkt_burst;
}

static int
mana_dev_stop(struct rte_eth_dev *dev)
{
	struct mana_proc *proc = dev->process_private;
	int ret = mana_port_op_enter(dev);

	if (ret == -EBUSY) {
		/* While the reset waits for the hardware, the queues are down
		 * already: the stop is recorded and the reset ends with the
		 * port stopped. Otherwise refused: the port stays started, and
		 * its bursts return 0 until the reset reopens the gate.
		 */
		ret = mana_reset_stop_waiting(&proc->reset);
		if (ret == -EAGAIN)          /* the reset just ended */
			ret = mana_port_op_enter(dev);
		else if (ret == 0)
			return 0;
	}
	/* A port whose recovery failed is stopped already. */
	if (ret == -EIO)
		return 0;
	if (ret != 0)
		goto refused;
	ret = mana_port_stop(dev);
	if (ret == 0)
		mana_reset_set_started(&proc->reset, false);
	mana_port_op_exit(dev);
	if (ret == 0)
		return 0;
refused:
	mana_fp_ops_reinstall(dev);
	return ret;
}

static int
mana_dev_close(struct rte_eth_dev *dev)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_proc *proc = dev->process_private;
	bool device_up, engine_up, leak = false;
	int self_closed = 0;
	uint16_t i;

	if (proc == NULL)
		return 0;
	mana_observe_port_del(dev->data->port_id);
	/* Ends a reset in progress (RECOVERY_FAILED) and joins the thread. */
	engine_up = proc->reset_ready;
	if (engine_up) {
		self_closed = mana_reset_fini(&proc->reset, &device_up);
		proc->reset_ready = false;
	} else {
		device_up = proc->hw != NULL;   /* no reset thread to race with */
	}
	/* Whatever the state, no burst may be inside what is freed below;
	 * waiting for them also orders their last accesses before the frees.
	 */
	/* Secondaries: no more ATTACH; they stop for good (after their
	 * PARK, sent when the device closes below).
	 */
	mana_mp_event(proc, MANA_MP_CLOSED, 0);
	if (mana_port_quiesce(dev, priv->quiesce_timeout_ns) != 0) {
		/* Never free memory a running burst may touch. */
		MANA_DRV_LOG(ERR, "port %u: a burst is still running: leaking the port's queues and device resources instead of freeing them under it",
			     dev->data->port_id);
		leak = true;
	} else if (device_up) {
		mana_port_queues_down(dev);
	}
	/* No more ctrl events into the engine from here on (mana_mbox.h). */
	mana_mbox_stop(__atomic_exchange_n(&proc->mbox, NULL, __ATOMIC_ACQ_REL));
	/* No more bus removals into the engine from here on (the listener
	 * itself may go later: mana_devev.h).
	 */
	mana_devev_stop(proc->devev);
	proc->devev = NULL;
	/* No more DEVICE_FATAL into the engine from here on. */
	mana_port_intr_disable(dev);
	if (engine_up && !self_closed)
		mana_reset_destroy(&proc->reset);
	if (!leak) {
		mana_port_hw_close(dev);
		for (i = 0; i < dev->data->nb_rx_queues; i++)
			mana_rx_queue_release(dev, i);
		for (i = 0; i < dev->data->nb_tx_queues; i++)
			mana_tx_queue_release(dev, i);
		proc->hwdev->ops->destroy(proc->hwdev);
		proc->hwdev = NULL;
	}
	dev->process_private = NULL;
	/* Closed from an event callback: the reset thread frees proc last. */
	if (!self_closed)
		mana_port_proc_free(proc);
	MANA_DRV_LOG(INFO, "port %u: closed", dev->data->port_id);
	return 0;
}

static int
mana_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	struct rte_eth_link link;

	RTE_SET_USED(wait_to_complete);
	/* What the last start, stop or reset set (atomically). */
	rte_eth_linkstatus_get(dev, &link);
	return link.link_status == RTE_ETH_LINK_UP ? 0 : -1;
}

static int
mana_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_hw_stats hs = { 0 };
	bool device_ok = mana_port_ro_enter(dev);
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct mana_rxq *q = dev->data->rx_queues[i];
		uint64_t p, b;

		if (q == NULL)
			continue;
		p = __atomic_load_n(&q->stats.packets, __ATOMIC_RELAXED);
		b = __atomic_load_n(&q->stats.bytes, __ATOMIC_RELAXED);
		st->ipackets += p;
		st->ibytes += b;
		st->ierrors += __atomic_load_n(&q->stats.errors, __ATOMIC_RELAXED);
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[i] = p;
			st->q_ibytes[i] = b;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct mana_txq *q = dev->data->tx_queues[i];
		uint64_t p, b;

		if (q == NULL)
			continue;
		p = __atomic_load_n(&q->stats.packets, __ATOMIC_RELAXED);
		b = __atomic_load_n(&q->stats.bytes, __ATOMIC_RELAXED);
		st->opackets += p;
		st->obytes += b;
		st->oerrors += __atomic_load_n(&q->stats.errors, __ATOMIC_RELAXED);
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[i] = p;
			st->q_obytes[i] = b;
		}
	}
	st->rx_nombuf = __atomic_load_n(&priv->rx_nombuf, __ATOMIC_RELAXED);
	mana_port_hw_stats_sum(dev, device_ok, &hs);
	st->imissed = hs.rx_no_buffer;
	mana_port_op_exit(dev);
	return 0;
}

static int
mana_stats_reset(struct rte_eth_dev *dev)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_proc *proc = dev->process_private;
	bool device_ok = mana_port_ro_enter(dev);
	uint16_t i;

	/* Bursts may be updating the counters: clear them atomically. */
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct mana_rxq *q = dev->data->rx_queues[i];

		if (q != NULL)
			mana_queue_stats_clear(&q->stats);
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct mana_txq *q = dev->data->tx_queues[i];

		if (q != NULL)
			mana_queue_stats_clear(&q->stats);
	}
	__atomic_store_n(&priv->rx_nombuf, 0, __ATOMIC_RELAXED);
	pthread_mutex_lock(&proc->stats_lock);
	memset(&priv->hw_stats_acc, 0, sizeof(priv->hw_stats_acc));
	if (!device_ok || proc->hw->ops->stats(proc->hw, &priv->hw_stats_base) != 0)
		memset(&priv->hw_stats_base, 0, sizeof(priv->hw_stats_base));
	pthread_mutex_unlock(&proc->stats_lock);
	mana_port_op_exit(dev);
	return 0;
}

/* A queue as it was set up. ethdev calls these only for a queue that is
 * set up; the queue's structure outlives resets, and only its own release
 * (the application's, serialized with this call) frees it.
 */
static void
mana_rxq_info_get(struct rte_eth_dev *dev, uint16_t idx, struct rte_eth_rxq_info *qinfo)
{
	const struct mana_rxq *rxq = dev->data->rx_queues[idx];

	qinfo->mp = rxq->mp;
	qinfo->conf = rxq->conf;
	/* ethdev hands the driver the queue's own offloads only. */
	qinfo->conf.offloads |= dev->data->dev_conf.rxmode.offloads;
	qinfo->scattered_rx = 0;
	qinfo->nb_desc = rxq->nb_desc;
	qinfo->rx_buf_size = (uint16_t)rxq->buf_len;
}

static void
mana_txq_info_get(struct rte_eth_dev *dev, uint16_t idx, struct rte_eth_txq_info *qinfo)
{
	const struct mana_txq *txq = dev->data->tx_queues[idx];

	qinfo->conf = txq->conf;
	qinfo->conf.offloads |= dev->data->dev_conf.txmode.offloads;
	qinfo->nb_desc = txq->nb_desc;
}

/* Packet types the receive burst sets (rte_net_get_ptype on each frame, as
 * upstream net/mana does).
 */
static const uint32_t *
mana_supported_ptypes(struct rte_eth_dev *dev)
{
	static const uint32_t ptypes[] = {
		RTE_PTYPE_L2_ETHER,
		RTE_PTYPE_L2_ETHER_VLAN,
		RTE_PTYPE_L2_ETHER_QINQ,
		RTE_PTYPE_L3_IPV4,
		RTE_PTYPE_L3_IPV4_EXT,
		RTE_PTYPE_L3_IPV6,
		RTE_PTYPE_L3_IPV6_EXT,
		RTE_PTYPE_L4_FRAG,
		RTE_PTYPE_L4_TCP,
		RTE_PTYPE_L4_UDP,
		RTE_PTYPE_L4_SCTP,
		RTE_PTYPE_UNKNOWN
	};

	RTE_SET_USED(dev);
	return ptypes;
}

const struct eth_dev_ops mana_dev_ops = {
	.dev_configure = mana_dev_configure,
	.dev_start = mana_dev_start,
	.dev_stop = mana_dev_stop,
	.dev_close = mana_dev_close,
	.dev_infos_get = mana_dev_infos_get,
	.link_update = mana_link_update,
	.stats_get = mana_stats_get,
	.stats_reset = mana_stats_reset,
	.xstats_get = mana_xstats_get,
	.xstats_get_names = mana_xstats_get_names,
	.rx_queue_setup = mana_rx_queue_setup,
	.tx_queue_setup = mana_tx_queue_setup,
	.rx_queue_release = mana_rx_queue_release,
	.tx_queue_release = mana_tx_queue_release,
	.rxq_info_get = mana_rxq_info_get,
	.txq_info_get = mana_txq_info_get,
	.dev_supported_ptypes_get = mana_supported_ptypes,
	.promiscuous_enable = mana_promiscuous_enable,
	.promiscuous_disable = mana_promiscuous_disable,
	.allmulticast_enable = mana_allmulticast_enable,
	.allmulticast_disable = mana_allmulticast_disable,
	.mtu_set = mana_mtu_set,
	.mac_addr_set = mana_mac_addr_set,
	.rss_hash_update = mana_rss_hash_update,
	.rss_hash_conf_get = mana_rss_hash_conf_get,
	.reta_update = mana_reta_update,
	.reta_query = mana_reta_query,
};

/* A secondary's: what reads the port, and its own close and remove; the
 * rest is the primary's (mana_sec_refuse: -EPERM with a log line).
 */
const struct eth_dev_ops mana_dev_sec_ops = {
	.dev_configure = mana_sec_refuse,
	.dev_start = mana_sec_refuse,
	.dev_stop = mana_sec_refuse,
	.dev_close = mana_sec_close,
	.dev_infos_get = mana_dev_infos_get,
	.link_update = mana_link_update,
	.stats_get = mana_stats_get,
	.xstats_get = mana_xstats_get,
	.xstats_get_names = mana_xstats_get_names,
	.rxq_info_get = mana_rxq_info_get,
	.txq_info_get = mana_txq_info_get,
	.dev_supported_ptypes_get = mana_supported_ptypes,
	.rss_hash_conf_get = mana_rss_hash_conf_get,
	.reta_query = mana_reta_query,
};
