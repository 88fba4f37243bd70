/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The port's configuration operations (mana_cfg.c), as entries of
 * mana_ethdev.c's eth_dev_ops, and the limits the queue operations share.
 *
 * Threads: DPDK calls these on application control threads, which ethdev
 * serializes per port; never on a datapath lcore or the reset thread. Each
 * operation that changes the port enters the reset engine first
 * (mana_port_op_enter): -EBUSY while a reset runs, -EIO after a failed
 * recovery. Ownership: priv->cfg is written only here, under an operation;
 * the reset thread reads it while it excludes operations.
 */
#ifndef MANA_CFG_H
#define MANA_CFG_H

#include <stdint.h>

#include <ethdev_driver.h>

/* The RSS hash types the vport hashes on. */
#define MANA_RSS_HF (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | \
		     RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_IPV6 | \
		     RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP)

/* The largest frame an MTU allows: Ethernet header, one VLAN tag, CRC. */
static inline uint32_t
mana_frame_len(uint16_t mtu)
{
	return (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;
}

int mana_dev_configure(struct rte_eth_dev *dev);
int mana_promiscuous_enable(struct rte_eth_dev *dev);
int mana_promiscuous_disable(struct rte_eth_dev *dev);
int mana_allmulticast_enable(struct rte_eth_dev *dev);
int mana_allmulticast_disable(struct rte_eth_dev *dev);
int mana_mtu_set(struct rte_eth_dev *dev, uint16_t mtu);
int mana_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac);
int mana_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rss);
int mana_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rss);
int mana_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta,
		     uint16_t size);
int mana_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta,
		    uint16_t size);

#endif /* MANA_CFG_H */
