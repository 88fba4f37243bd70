/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The port's configuration operations: configure, promiscuous and
 * allmulticast modes, MTU, MAC address, RSS hash and RETA. Each keeps the
 * application's setting in priv->cfg, which every start applies whole (the
 * one that ends a reset included), and gives it to a running port at once.
 * Control threads only, serialized by ethdev; see mana_cfg.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include <ethdev_driver.h>

#include "mana.h"
#include "mana_cfg.h"
#include "mana_log.h"
#include "mana_port.h"

/* The Toeplitz key used until the application sets one. */
static const uint8_t mana_default_rss_key[MANA_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static void
mana_reta_default(struct mana_vport_cfg *cfg)
{
	unsigned int i;

	for (i = 0; i < MANA_RETA_SIZE; i++)
		cfg->reta[i] = (uint16_t)(i % cfg->nb_rxq);
}

static int
mana_configure(struct rte_eth_dev *dev)
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

int
mana_dev_configure(struct rte_eth_dev *dev)
{
	int ret = mana_port_op_enter(dev);

	if (ret != 0)
		return ret;
	ret = mana_configure(dev);
	mana_port_op_exit(dev);
	return ret;
}


/* What an update does to the port's configuration. */
struct mana_cfg_edit {
	void (*apply)(struct mana_vport_cfg *cfg, const struct mana_cfg_edit *e);
	bool on;
	uint16_t mtu;
	const uint8_t *mac;
	const struct rte_eth_rss_conf *rss;
	const struct rte_eth_rss_reta_entry64 *reta;
};

/*
 * Change the port's configuration (priv->cfg: the application's settings,
 * applied whole by every start, including the one that ends a reset) as an
 * operation: the reset thread reads cfg only while it excludes operations,
 * so the copy kept for a failure and the edit both happen inside the
 * operation. A running port gets the change now; if the device refuses it,
 * cfg is as before.
 */
static int
mana_cfg_change(struct rte_eth_dev *dev, const struct mana_cfg_edit *e)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_vport_cfg old, want;
	struct mana_hw *hw;
	int ret;

	/*
	 * Nothing to change: done, in every state. ethdev's start re-applies
	 * the promiscuous and allmulticast modes after dev_start, when a
	 * service event may already have begun a reset: refusing them then
	 * (-EBUSY) fails a start that worked, and ethdev's rollback stop is
	 * refused too, leaving the port started. The reset restores cfg whole.
	 * Reading cfg here needs no operation: only control threads, which
	 * ethdev serializes, write it; the reset thread only reads it.
	 */
	want = priv->cfg;
	e->apply(&want, e);
	if (memcmp(&want, &priv->cfg, sizeof(want)) == 0)
		return 0;
	ret = mana_port_op_enter(dev);
	if (ret != 0)
		return ret;
	old = priv->cfg;
	e->apply(&priv->cfg, e);
	hw = ((struct mana_proc *)dev->process_private)->hw;
	if (dev->data->dev_started && hw != NULL)
		ret = mana_port_hw_result(dev, hw->ops->vport_start(hw, &priv->cfg));
	if (ret != 0)
		priv->cfg = old;
	mana_port_op_exit(dev);
	return ret;
}

static void
mana_edit_promisc(struct mana_vport_cfg *cfg, const struct mana_cfg_edit *e)
{
	cfg->promisc = e->on;
}

static void
mana_edit_allmulti(struct mana_vport_cfg *cfg, const struct mana_cfg_edit *e)
{
	cfg->allmulti = e->on;
}

static void
mana_edit_mtu(struct mana_vport_cfg *cfg, const struct mana_cfg_edit *e)
{
	cfg->mtu = e->mtu;
}

static void
mana_edit_mac(struct mana_vport_cfg *cfg, const struct mana_cfg_edit *e)
{
	memcpy(cfg->mac, e->mac, RTE_ETHER_ADDR_LEN);
}

int
mana_promiscuous_enable(struct rte_eth_dev *dev)
{
	const struct mana_cfg_edit e = { .apply = mana_edit_promisc, .on = true };

	return mana_cfg_change(dev, &e);
}

int
mana_promiscuous_disable(struct rte_eth_dev *dev)
{
	const struct mana_cfg_edit e = { .apply = mana_edit_promisc, .on = false };

	return mana_cfg_change(dev, &e);
}

int
mana_allmulticast_enable(struct rte_eth_dev *dev)
{
	const struct mana_cfg_edit e = { .apply = mana_edit_allmulti, .on = true };

	return mana_cfg_change(dev, &e);
}

int
mana_allmulticast_disable(struct rte_eth_dev *dev)
{
	const struct mana_cfg_edit e = { .apply = mana_edit_allmulti, .on = false };

	return mana_cfg_change(dev, &e);
}

int
mana_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	const struct mana_cfg_edit e = { .apply = mana_edit_mtu, .mtu = mtu };
	uint16_t i;

	/* The application's queues: ethdev serializes control calls. */
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct mana_rxq *q = dev->data->rx_queues[i];

		if (q != NULL && q->buf_len < mana_frame_len(mtu)) {
			MANA_DRV_LOG(ERR, "port %u: MTU %u needs %u-byte buffers, rxq %u has %u",
				     dev->data->port_id, mtu, mana_frame_len(mtu), i, q->buf_len);
			return -EINVAL;
		}
	}
	return mana_cfg_change(dev, &e);
}

int
mana_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	const struct mana_cfg_edit e = { .apply = mana_edit_mac, .mac = mac->addr_bytes };

	return mana_cfg_change(dev, &e);
}

/* RSS hash types and key: kept in priv->cfg (restored by every start,
 * including the one that ends a reset) and applied to a running port now.
 */
static void
mana_edit_rss(struct mana_vport_cfg *cfg, const struct mana_cfg_edit *e)
{
	cfg->rss_hf = e->rss->rss_hf;
	if (e->rss->rss_key != NULL)
		memcpy(cfg->rss_key, e->rss->rss_key, MANA_RSS_KEY_LEN);
}

int
mana_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rss)
{
	const struct mana_cfg_edit e = { .apply = mana_edit_rss, .rss = rss };

	if ((rss->rss_hf & ~MANA_RSS_HF) != 0 ||
	    (rss->rss_key != NULL && rss->rss_key_len != MANA_RSS_KEY_LEN)) {
		MANA_DRV_LOG(ERR, "port %u: RSS: hash types %#" PRIx64 " (supported %#" PRIx64 "), key of %u bytes (must be %u)",
			     dev->data->port_id, rss->rss_hf, (uint64_t)MANA_RSS_HF,
			     rss->rss_key != NULL ? rss->rss_key_len : MANA_RSS_KEY_LEN,
			     MANA_RSS_KEY_LEN);
		return -EINVAL;
	}
	return mana_cfg_change(dev, &e);
}

int
mana_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rss)
{
	struct mana_priv *priv = dev->data->dev_private;

	mana_port_ro_enter(dev);
	rss->rss_hf = priv->cfg.rss_hf;
	if (rss->rss_key != NULL && rss->rss_key_len >= MANA_RSS_KEY_LEN)
		memcpy(rss->rss_key, priv->cfg.rss_key, MANA_RSS_KEY_LEN);
	rss->rss_key_len = MANA_RSS_KEY_LEN;
	mana_port_op_exit(dev);
	return 0;
}

/* Entry i of an ethdev RETA array: is it selected, and where is it. */
static inline bool
mana_reta_selected(const struct rte_eth_rss_reta_entry64 *reta, unsigned int i)
{
	return reta[i / RTE_ETH_RETA_GROUP_SIZE].mask >> (i % RTE_ETH_RETA_GROUP_SIZE) & 1;
}

static inline uint16_t *
mana_reta_entry(struct rte_eth_rss_reta_entry64 *reta, unsigned int i)
{
	return &reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
}

static void
mana_edit_reta(struct mana_vport_cfg *cfg, const struct mana_cfg_edit *e)
{
	const struct rte_eth_rss_reta_entry64 *group;
	unsigned int i;

	for (i = 0; i < MANA_RETA_SIZE; i++) {
		group = &e->reta[i / RTE_ETH_RETA_GROUP_SIZE];
		if (mana_reta_selected(e->reta, i))
			cfg->reta[i] = group->reta[i % RTE_ETH_RETA_GROUP_SIZE];
	}
}

int
mana_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta, uint16_t size)
{
	const struct mana_cfg_edit e = { .apply = mana_edit_reta, .reta = reta };
	unsigned int i;

	if (size != MANA_RETA_SIZE) {
		MANA_DRV_LOG(ERR, "port %u: RETA of %u entries (must be %u)", dev->data->port_id,
			     size, MANA_RETA_SIZE);
		return -EINVAL;
	}
	for (i = 0; i < size; i++)
		if (mana_reta_selected(reta, i) && *mana_reta_entry(reta, i) >= dev->data->nb_rx_queues)
			return -EINVAL;
	return mana_cfg_change(dev, &e);
}

int
mana_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta, uint16_t size)
{
	struct mana_priv *priv = dev->data->dev_private;
	unsigned int i;

	if (size != MANA_RETA_SIZE)
		return -EINVAL;
	mana_port_ro_enter(dev);
	for (i = 0; i < size; i++)
		if (mana_reta_selected(reta, i))
			*mana_reta_entry(reta, i) = priv->cfg.reta[i];
	mana_port_op_exit(dev);
	return 0;
}
