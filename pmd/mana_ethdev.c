/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * ethdev control operations. DPDK calls these from application control
 * threads and serializes them per port; they never run on a datapath lcore.
 * The device is reached only through the backend interface (mana_hw.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_malloc.h>

#include "mana.h"
#include "mana_log.h"

/* The Toeplitz key used until the application sets one. */
static const uint8_t mana_default_rss_key[MANA_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

#define MANA_RSS_HF (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | \
		     RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_IPV6 | \
		     RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP)

static struct mana_hw *
mana_hw_of(struct rte_eth_dev *dev)
{
	return ((struct mana_proc *)dev->process_private)->hw;
}

static uint32_t
mana_frame_len(uint16_t mtu)
{
	return (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;
}

static void
mana_reta_default(struct mana_vport_cfg *cfg)
{
	unsigned int i;

	for (i = 0; i < MANA_RETA_SIZE; i++)
		cfg->reta[i] = (uint16_t)(i % cfg->nb_rxq);
}

static int
mana_dev_configure(struct rte_eth_dev *dev)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct rte_eth_conf *conf = &dev->data->dev_conf;
	struct rte_eth_rss_conf *rss = &conf->rx_adv_conf.rss_conf;
	struct mana_vport_cfg *cfg = &priv->cfg;

	if (conf->rxmode.mq_mode != RTE_ETH_MQ_RX_NONE &&
	    conf->rxmode.mq_mode != RTE_ETH_MQ_RX_RSS) {
		MANA_DRV_LOG(ERR, "port %u: rx mq_mode %d not supported (only none or RSS)",
			     dev->data->port_id, conf->rxmode.mq_mode);
		return -EINVAL;
	}
	if (rss->rss_key != NULL && rss->rss_key_len != MANA_RSS_KEY_LEN) {
		MANA_DRV_LOG(ERR, "port %u: RSS key must be %u bytes, got %u",
			     dev->data->port_id, MANA_RSS_KEY_LEN, rss->rss_key_len);
		return -EINVAL;
	}
	if (conf->rxmode.mq_mode == RTE_ETH_MQ_RX_RSS)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;

	cfg->nb_rxq = dev->data->nb_rx_queues;
	cfg->rss_hf = conf->rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? rss->rss_hf & MANA_RSS_HF : 0;
	memcpy(cfg->rss_key, rss->rss_key != NULL ? rss->rss_key : mana_default_rss_key,
	       MANA_RSS_KEY_LEN);
	mana_reta_default(cfg);
	cfg->mtu = dev->data->mtu;
	return 0;
}

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
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_RSS_HASH;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->flow_type_rss_offloads = MANA_RSS_HF;
	info->hash_key_size = MANA_RSS_KEY_LEN;
	info->reta_size = MANA_RETA_SIZE;
	info->speed_capa = RTE_ETH_LINK_SPEED_100G;
	info->dev_capa = 0;
	return 0;
}

static int
mana_rx_queue_setup(struct rte_eth_dev *dev, uint16_t idx, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_rxconf *rx_conf,
		    struct rte_mempool *mp)
{
	struct mana_rxq *rxq;
	uint32_t buf_len, sw_size;

	RTE_SET_USED(rx_conf);
	buf_len = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	if (buf_len < mana_frame_len(dev->data->mtu)) {
		MANA_DRV_LOG(ERR, "port %u rxq %u: mbufs of pool %s hold %u bytes, an MTU %u frame needs %u (no scatter support)",
			     dev->data->port_id, idx, mp->name, buf_len, dev->data->mtu,
			     mana_frame_len(dev->data->mtu));
		return -EINVAL;
	}
	sw_size = rte_align32pow2(RTE_MAX((uint32_t)nb_desc, MANA_MIN_DESC));
	rxq = rte_zmalloc_socket("mana_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (rxq == NULL)
		return -ENOMEM;
	rxq->sw_ring = rte_zmalloc_socket("mana_rxq_sw", sw_size * sizeof(*rxq->sw_ring),
					  RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (rxq->sw_ring == NULL) {
		rte_free(rxq);
		return -ENOMEM;
	}
	rxq->sw_size = sw_size;
	rxq->mp = mp;
	rxq->buf_len = buf_len;
	rxq->nb_desc = nb_desc;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = idx;
	rxq->socket_id = (int)socket_id;
	dev->data->rx_queues[idx] = rxq;
	return 0;
}

static int
mana_tx_queue_setup(struct rte_eth_dev *dev, uint16_t idx, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_txconf *tx_conf)
{
	struct mana_txq *txq;
	uint32_t sw_size;

	RTE_SET_USED(tx_conf);
	sw_size = rte_align32pow2(RTE_MAX((uint32_t)nb_desc, MANA_MIN_DESC));
	txq = rte_zmalloc_socket("mana_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (txq == NULL)
		return -ENOMEM;
	txq->sw_ring = rte_zmalloc_socket("mana_txq_sw", sw_size * sizeof(*txq->sw_ring),
					  RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (txq->sw_ring == NULL) {
		rte_free(txq);
		return -ENOMEM;
	}
	txq->sw_size = sw_size;
	txq->nb_desc = nb_desc;
	txq->port_id = dev->data->port_id;
	txq->queue_id = idx;
	txq->socket_id = (int)socket_id;
	dev->data->tx_queues[idx] = txq;
	return 0;
}

static void
mana_rx_queue_release(struct rte_eth_dev *dev, uint16_t idx)
{
	struct mana_rxq *rxq = dev->data->rx_queues[idx];

	if (rxq == NULL)
		return;
	mana_rxq_drain(rxq);
	rte_free(rxq->sw_ring);
	rte_free(rxq);
	dev->data->rx_queues[idx] = NULL;
}

static void
mana_tx_queue_release(struct rte_eth_dev *dev, uint16_t idx)
{
	struct mana_txq *txq = dev->data->tx_queues[idx];

	if (txq == NULL)
		return;
	mana_txq_drain(txq);
	rte_free(txq->sw_ring);
	rte_free(txq);
	dev->data->tx_queues[idx] = NULL;
}

static int
mana_ring_attach(struct mana_ring *r, const struct mana_hw_queue *hq, uint32_t sw_size)
{
	if (hq->nb_desc > sw_size || !rte_is_power_of_2(hq->nb_desc))
		return -EPROTO;
	r->wqe = hq->wqe;
	r->cqe = hq->cqe;
	r->mask = hq->nb_desc - 1;
	r->wq_head = 0;
	r->cq_head = 0;
	r->db_offset = hq->db_offset;
	return 0;
}

/* Destroy the hardware queues and take back every mbuf they held. */
static void
mana_queues_teardown(struct rte_eth_dev *dev, uint16_t nb_rxq, uint16_t nb_txq)
{
	struct mana_hw *hw = mana_hw_of(dev);
	uint16_t i;

	for (i = 0; i < nb_rxq; i++) {
		struct mana_rxq *rxq = dev->data->rx_queues[i];

		hw->ops->queue_destroy(hw, MANA_HWQ_RQ, i);
		mana_rxq_drain(rxq);
		rxq->started = false;
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	for (i = 0; i < nb_txq; i++) {
		struct mana_txq *txq = dev->data->tx_queues[i];

		hw->ops->queue_destroy(hw, MANA_HWQ_SQ, i);
		mana_txq_drain(txq);
		txq->started = false;
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
}

static int
mana_dev_start(struct rte_eth_dev *dev)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_proc *proc = dev->process_private;
	struct mana_hw *hw = proc->hw;
	struct mana_hw_queue hq;
	uint16_t nb_tx = 0, nb_rx = 0;
	int ret;

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
			MANA_DRV_LOG(ERR, "port %u: cannot create send queue %u: %s",
				     dev->data->port_id, nb_tx, rte_strerror(-ret));
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
			MANA_DRV_LOG(ERR, "port %u: cannot start receive queue %u: %s",
				     dev->data->port_id, nb_rx, rte_strerror(-ret));
			goto err_teardown;
		}
		rxq->started = true;
		dev->data->rx_queue_state[nb_rx] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	memcpy(priv->cfg.mac, priv->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	priv->cfg.mtu = dev->data->mtu;
	ret = hw->ops->vport_start(hw, &priv->cfg);
	if (ret != 0) {
		MANA_DRV_LOG(ERR, "port %u: cannot start the vport: %s", dev->data->port_id,
			     rte_strerror(-ret));
		goto err_teardown;
	}
	dev->data->dev_link.link_status = RTE_ETH_LINK_UP;
	MANA_DRV_LOG(INFO, "port %u: started, %u rx and %u tx queues", dev->data->port_id,
		     nb_rx, nb_tx);
	return 0;

err_teardown:
	mana_queues_teardown(dev, nb_rx, nb_tx);
	return ret;
}

static int
mana_dev_stop(struct rte_eth_dev *dev)
{
	struct mana_hw *hw = mana_hw_of(dev);

	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	hw->ops->vport_stop(hw);
	mana_queues_teardown(dev, dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	return 0;
}

static int
mana_dev_close(struct rte_eth_dev *dev)
{
	struct mana_proc *proc = dev->process_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		mana_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		mana_tx_queue_release(dev, i);
	if (proc != NULL) {
		proc->hw->ops->close(proc->hw);
		free(proc);
		dev->process_private = NULL;
	}
	MANA_DRV_LOG(INFO, "port %u: closed", dev->data->port_id);
	return 0;
}

static int
mana_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_100G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = dev->data->dev_started ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	RTE_SET_USED(wait_to_complete);
	return rte_eth_linkstatus_set(dev, &link);
}

static int
mana_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_hw *hw = mana_hw_of(dev);
	struct mana_hw_stats hs;
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
	if (hw->ops->stats(hw, &hs) == 0)
		st->imissed = hs.rx_no_buffer - priv->hw_stats_base.rx_no_buffer;
	return 0;
}

static int
mana_stats_reset(struct rte_eth_dev *dev)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_hw *hw = mana_hw_of(dev);
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct mana_rxq *q = dev->data->rx_queues[i];

		if (q != NULL)
			memset(&q->stats, 0, sizeof(q->stats));
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct mana_txq *q = dev->data->tx_queues[i];

		if (q != NULL)
			memset(&q->stats, 0, sizeof(q->stats));
	}
	__atomic_store_n(&priv->rx_nombuf, 0, __ATOMIC_RELAXED);
	return hw->ops->stats(hw, &priv->hw_stats_base);
}

/* Apply a changed setting to a running port. */
static int
mana_vport_apply(struct rte_eth_dev *dev)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_hw *hw = mana_hw_of(dev);

	memcpy(priv->cfg.mac, priv->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	if (!dev->data->dev_started)
		return 0;
	return hw->ops->vport_start(hw, &priv->cfg);
}

static int
mana_promisc_set(struct rte_eth_dev *dev, bool on)
{
	struct mana_priv *priv = dev->data->dev_private;
	bool old = priv->cfg.promisc;
	int ret;

	priv->cfg.promisc = on;
	ret = mana_vport_apply(dev);
	if (ret != 0)
		priv->cfg.promisc = old;
	return ret;
}

static int
mana_promiscuous_enable(struct rte_eth_dev *dev)
{
	return mana_promisc_set(dev, true);
}

static int
mana_promiscuous_disable(struct rte_eth_dev *dev)
{
	return mana_promisc_set(dev, false);
}

static int
mana_allmulti_set(struct rte_eth_dev *dev, bool on)
{
	struct mana_priv *priv = dev->data->dev_private;
	bool old = priv->cfg.allmulti;
	int ret;

	priv->cfg.allmulti = on;
	ret = mana_vport_apply(dev);
	if (ret != 0)
		priv->cfg.allmulti = old;
	return ret;
}

static int
mana_allmulticast_enable(struct rte_eth_dev *dev)
{
	return mana_allmulti_set(dev, true);
}

static int
mana_allmulticast_disable(struct rte_eth_dev *dev)
{
	return mana_allmulti_set(dev, false);
}

static int
mana_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct mana_priv *priv = dev->data->dev_private;
	uint16_t i, old = priv->cfg.mtu;
	int ret;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct mana_rxq *q = dev->data->rx_queues[i];

		if (q != NULL && q->buf_len < mana_frame_len(mtu)) {
			MANA_DRV_LOG(ERR, "port %u: MTU %u needs %u-byte buffers, rxq %u has %u",
				     dev->data->port_id, mtu, mana_frame_len(mtu), i, q->buf_len);
			return -EINVAL;
		}
	}
	priv->cfg.mtu = mtu;
	ret = mana_vport_apply(dev);
	if (ret != 0)
		priv->cfg.mtu = old;
	return ret;
}

static int
mana_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct rte_ether_addr old = priv->mac;
	int ret;

	priv->mac = *mac;
	ret = mana_vport_apply(dev);
	if (ret != 0)
		priv->mac = old;
	return ret;
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
	.rx_queue_setup = mana_rx_queue_setup,
	.tx_queue_setup = mana_tx_queue_setup,
	.rx_queue_release = mana_rx_queue_release,
	.tx_queue_release = mana_tx_queue_release,
	.promiscuous_enable = mana_promiscuous_enable,
	.promiscuous_disable = mana_promiscuous_disable,
	.allmulticast_enable = mana_allmulticast_enable,
	.allmulticast_disable = mana_allmulticast_disable,
	.mtu_set = mana_mtu_set,
	.mac_addr_set = mana_mac_addr_set,
};

int
mana_dev_init(struct rte_eth_dev *dev, struct mana_hw *hw)
{
	struct mana_priv *priv = dev->data->dev_private;
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
	proc->hw = hw;
	proc->db = hw->ops->db_page(hw);
	if (proc->db == NULL) {
		MANA_INIT_LOG(ERR, "%s: the device has no doorbell page", dev->data->name);
		free(proc);
		return -EIO;
	}
	dev->data->mac_addrs = rte_zmalloc("mana_mac", sizeof(struct rte_ether_addr), 0);
	if (dev->data->mac_addrs == NULL) {
		free(proc);
		return -ENOMEM;
	}
	priv->port_id = dev->data->port_id;
	memcpy(priv->mac.addr_bytes, priv->caps.mac, RTE_ETHER_ADDR_LEN);
	dev->data->mac_addrs[0] = priv->mac;
	dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	dev->process_private = proc;
	dev->dev_ops = &mana_dev_ops;
	dev->rx_pkt_burst = mana_rx_burst;
	dev->tx_pkt_burst = mana_tx_burst;
	return 0;
}
