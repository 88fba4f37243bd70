/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Coalesced receive completions (CQE_RX_COALESCED_4) through the receive
 * burst. Port 1's device coalesces (rx_coalesce=1); port 0 sends 7 frames
 * of one flow, of 7 different lengths, in one burst (one send doorbell):
 * the device writes two CQEs, of 4 and 3 packets (checked in the port's
 * completion queue itself). Port 1 is polled 3 packets at a time, so a
 * CQE's packets span bursts: every frame must come out once, in order, with
 * its own length, and no error be counted. Then the same with 64 frames
 * (16 CQEs) polled 5 at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "pmd/mana.h"
#include "pmd/mana_gdma.h"
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

#define BASE_LEN 100u

/* A UDP frame of BASE_LEN + i bytes (valid IPv4 checksum, no UDP one). */
static struct rte_mbuf *
frame(unsigned int i)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);
	uint16_t len = (uint16_t)(BASE_LEN + i);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	memset(eh, 0, len);
	memset(&eh->dst_addr, 0x02, sizeof(eh->dst_addr));
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eh)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(7);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eh) - sizeof(*ip)));
	return m;
}

/* Send n frames in one burst; receive them `per` at a time: each must be
 * the next one (its length), none missing. Returns how many came.
 */
static unsigned int
send_and_receive(unsigned int n, uint16_t per)
{
	struct rte_mbuf *tx[64], *rx[8];
	unsigned int i, got = 0, tries;

	for (i = 0; i < n; i++)
		tx[i] = frame(i);
	for (i = 0; i < n; i++)
		if (tx[i] == NULL) {
			CHECK(!"mbufs");
			rte_pktmbuf_free_bulk(tx, n);
			return 0;
		}
	CHECK(rte_eth_tx_burst(0, 0, tx, (uint16_t)n) == n);
	for (tries = 0; got < n && tries < 2000; tries++) {
		uint16_t k = rte_eth_rx_burst(1, 0, rx, per);

		CHECK(k <= per);
		for (i = 0; i < k; i++) {
			if (rx[i]->pkt_len != BASE_LEN + got) {
				fprintf(stderr, "frame %u: %u bytes, want %u\n", got,
					rx[i]->pkt_len, BASE_LEN + got);
				CHECK(!"frame order or length");
			}
			got++;
		}
		rte_pktmbuf_free_bulk(rx, k);
		if (k == 0)
			usleep(1000);
	}
	rte_eth_tx_burst(0, 0, NULL, 0);   /* reap the sends */
	return got;
}

/* The packets of the CQE at slot of port 1's receive queue 0, or -1 when
 * it is not a coalesced one. Only while that queue is not polled.
 */
static int
cqe_packets(uint32_t slot)
{
	const struct mana_rxq *rxq = rte_eth_devices[1].data->rx_queues[0];
	const uint8_t *e = rxq->ring.cq + (size_t)slot * MANA_GDMA_CQE_LEN;
	struct mana_rx_comp rc;
	int n;

	mana_rx_comp_decode(e, &rc);
	if (rc.hdr.type != MANA_CQE_RX_COALESCED_4)
		return -1;
	for (n = 0; n < (int)MANA_RXC_PKTS && rc.pkt[n].len != 0; n++)
		;
	return n;
}

int
main(int argc, char **argv)
{
	const struct test_eal_opts eo = { .name = "rx_coalesce" };
	const struct test_port_opts po = { .promisc = true };
	struct rte_eth_stats st;
	int p0, p1;

	(void)argc;
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	p0 = test_port_up("net_mana_sim0", "", &po);
	p1 = test_port_up("net_mana_sim1", "rx_coalesce=1", &po);
	if (p0 != 0 || p1 != 1)
		return 1;

	CHECK(send_and_receive(7, 3) == 7);
	/* The first two CQEs of the queue: 4 packets, then 3. */
	CHECK(cqe_packets(0) == 4);
	CHECK(cqe_packets(1) == 3);
	CHECK(send_and_receive(64, 5) == 64);

	CHECK(rte_eth_stats_get(1, &st) == 0);
	CHECK(st.ipackets == 71 && st.ierrors == 0);
	CHECK(rte_eth_stats_get(0, &st) == 0);
	CHECK(st.opackets == 71 && st.oerrors == 0);

	test_port_down("net_mana_sim0", 0);
	test_port_down("net_mana_sim1", 1);
	if (test_failures == 0)
		printf("rx_coalesce_test: ok\n");
	return test_eal_finish();
}
