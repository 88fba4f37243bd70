/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TEST_DPDK_INJECT_H
#define MANA_TEST_DPDK_INJECT_H

/*
 * Traffic for tests that poll ports themselves: four 64-byte broadcast IPv4
 * frames from mp, sent on queue q of port; what the queue refuses is freed.
 * Called by the thread that owns the queue. Header-only.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

static inline void
test_inject_broadcast(struct rte_mempool *mp, uint16_t port, uint16_t q)
{
	struct rte_mbuf *m[4];
	unsigned int i, sent;

	if (rte_pktmbuf_alloc_bulk(mp, m, 4) != 0)
		return;
	for (i = 0; i < 4; i++) {
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m[i], 64);

		memset(eh, 0, 64);
		memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	}
	sent = rte_eth_tx_burst(port, q, m, 4);
	if (sent < 4)
		rte_pktmbuf_free_bulk(m + sent, 4 - sent);
}

#endif /* MANA_TEST_DPDK_INJECT_H */
