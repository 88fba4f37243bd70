/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * What the application configured survives a reset: the port is set up with
 * an RSS redirection table sending every flow to queue 1, its own RSS key,
 * an MTU, allmulticast on and promiscuous off, then started; the device
 * goes through a service event and comes back as a new incarnation (which
 * knows nothing of the old configuration). After RECOVERY_SUCCESS, traffic
 * from the peer must land on queue 1 only, multicast must pass and frames
 * for another MAC must not, and the queries must give back what was set.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "tests/lib/test_port.h"
#include "tests/lib/test_util.h"
#include "tests/lib/tsan_dpdk.h"

#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_suppressions(void);
const char *
__tsan_default_suppressions(void)
{
	return TSAN_DPDK_SUPPRESSIONS;
}
#endif

/* n UDP frames of different flows to dst, sent from port tx. */
static void
send_flows(uint16_t tx, const struct rte_ether_addr *dst, unsigned int n)
{
	struct rte_mbuf *m[64];
	unsigned int i, sent = 0;

	if (rte_pktmbuf_alloc_bulk(test_pool, m, n) != 0)
		return;
	for (i = 0; i < n; i++) {
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m[i], 64);
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p;
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		memset(p, 0, 64);
		eh->dst_addr = *dst;
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16(64 - sizeof(*eh));
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(0x0a000001 + i);
		ip->dst_addr = rte_cpu_to_be_32(0x0a000101);
		udp->src_port = rte_cpu_to_be_16((uint16_t)(1000 + i * 7));
		udp->dst_port = rte_cpu_to_be_16(4789);
	}
	while (sent < n) {
		uint16_t k = rte_eth_tx_burst(tx, 0, m + sent, (uint16_t)(n - sent));

		if (k == 0)
			break;
		sent += k;
	}
	if (sent < n)
		rte_pktmbuf_free_bulk(m + sent, n - sent);
}

/* Receive for a while on both queues of port; counts per queue. */
static void
drain(uint16_t port, unsigned int got[2])
{
	struct rte_mbuf *m[64];
	unsigned int round;
	uint16_t q, n;

	for (round = 0; round < 200; round++) {
		for (q = 0; q < 2; q++) {
			n = rte_eth_rx_burst(port, q, m, RTE_DIM(m));
			got[q] += n;
			rte_pktmbuf_free_bulk(m, n);
		}
		usleep(500);
	}
}

int
main(int argc, char **argv)
{
	static const uint8_t key[40] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32,
		0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0x11, 0x22, 0x33, 0x44,
		0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
		0xff, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
	};
	const struct test_eal_opts eo = { .name = "restore", .no_shconf = true };
	/* RSS over UDP flows; started once configured. */
	const struct test_port_opts rx_opts = {
		.nb_rxq = 2, .nb_txq = 2, .rss = true, .rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_UDP,
		.no_start = true,
	};
	const struct test_port_opts tx_opts = {
		.rss = true, .rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_UDP, .no_start = true,
	};
	struct rte_eth_rss_reta_entry64 reta[1];
	struct rte_eth_rss_conf rss = { .rss_key = (uint8_t *)(uintptr_t)key, .rss_key_len = 40,
					 .rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_UDP };
	struct rte_ether_addr mac, other = { .addr_bytes = { 0x02, 0, 0, 0, 0x77, 0x77 } };
	struct rte_ether_addr mcast = { .addr_bytes = { 0x01, 0, 0x5e, 0, 0, 1 } };
	uint8_t key_back[40];
	unsigned int got[2] = { 0, 0 };
	uint16_t rx, tx, mtu = 0;
	int rx_ret, tx_ret;

	(void)argc;
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	rx_ret = test_port_up("net_mana_sim0", "reset_period_ms=20,reset_count=1,recovery_ms=5",
			      &rx_opts);
	tx_ret = rx_ret < 0 ? -1 : test_port_up("net_mana_sim1", "", &tx_opts);
	if (rx_ret < 0 || tx_ret < 0) {
		fprintf(stderr, "cannot set up the ports\n");
		return 1;
	}
	rx = (uint16_t)rx_ret;
	tx = (uint16_t)tx_ret;
	/* The configuration: every flow to queue 1, our key, MTU 1400,
	 * allmulticast on, promiscuous off.
	 */
	memset(reta, 0, sizeof(reta));
	reta[0].mask = UINT64_MAX;
	for (unsigned int i = 0; i < RTE_ETH_RETA_GROUP_SIZE; i++)
		reta[0].reta[i] = 1;
	CHECK(rte_eth_dev_rss_reta_update(rx, reta, 64) == 0);
	CHECK(rte_eth_dev_rss_hash_update(rx, &rss) == 0);
	CHECK(rte_eth_dev_set_mtu(rx, 1400) == 0);
	CHECK(rte_eth_allmulticast_enable(rx) == 0);
	CHECK(rte_eth_promiscuous_disable(rx) == 0);
	/* Refused: bad sizes and types. */
	CHECK(rte_eth_dev_rss_reta_update(rx, reta, 32) == -EINVAL);
	rss.rss_hf = RTE_ETH_RSS_L2_PAYLOAD;
	CHECK(rte_eth_dev_rss_hash_update(rx, &rss) != 0);
	rss.rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_UDP;
	CHECK(rte_eth_dev_start(rx) == 0 && rte_eth_dev_start(tx) == 0);
	/* The service event, 20 ms after start, and the recovery. */
	test_wait_events(rx, RTE_ETH_EVENT_RECOVERY_SUCCESS, 1, 10000);
	CHECK(test_events(rx, RTE_ETH_EVENT_RECOVERY_SUCCESS) +
	      test_events(tx, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 1);

	CHECK(rte_eth_macaddr_get(rx, &mac) == 0);
	send_flows(tx, &mac, 32);
	send_flows(tx, &mcast, 8);
	send_flows(tx, &other, 8);     /* not ours, promiscuous off: dropped */
	drain(rx, got);
	printf("after the reset: %u frames on queue 0, %u on queue 1\n", got[0], got[1]);
	CHECK(got[0] == 0);            /* the RETA survived */
	CHECK(got[1] == 40);           /* unicast + multicast, not the other MAC */

	memset(reta, 0, sizeof(reta));
	reta[0].mask = UINT64_MAX;
	CHECK(rte_eth_dev_rss_reta_query(rx, reta, 64) == 0);
	CHECK(reta[0].reta[0] == 1 && reta[0].reta[63] == 1);
	memset(key_back, 0, sizeof(key_back));
	rss.rss_key = key_back;
	rss.rss_key_len = sizeof(key_back);
	CHECK(rte_eth_dev_rss_hash_conf_get(rx, &rss) == 0);
	CHECK(memcmp(key_back, key, sizeof(key)) == 0);
	CHECK(rss.rss_hf == RTE_ETH_RSS_NONFRAG_IPV4_UDP);
	CHECK(rte_eth_dev_get_mtu(rx, &mtu) == 0 && mtu == 1400);
	CHECK(rte_eth_allmulticast_get(rx) == 1 && rte_eth_promiscuous_get(rx) == 0);

	CHECK(rte_eth_dev_stop(rx) == 0 && rte_eth_dev_stop(tx) == 0);
	test_port_close("net_mana_sim0", rx);
	test_port_close("net_mana_sim1", tx);
	return test_eal_finish();
}
