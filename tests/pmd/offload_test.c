/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Checksum offloads, queue info and packet types on two simulated ports
 * joined by the wire (issue 12, part 6). Port 0 sends, port 1 receives:
 *
 *   a) IPv4/UDP, IPv4/TCP, IPv6/UDP, IPv6/TCP frames with every checksum
 *      field wrong and the offload flags set: the receiver gets them with
 *      correct checksums (checked here in software) and the mbuf says so
 *      (RTE_MBUF_F_RX_IP_CKSUM_GOOD for IPv4, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
 *   b) the same frames without the flags: the receiver flags them BAD (so
 *      a) cannot pass by a device that ignores the flags, or a driver that
 *      does not pass them);
 *   c) a valid IPv4 frame without offloads: GOOD as it is;
 *   d) packet types from the receive burst; dev_info's offload
 *      capabilities; rxq/txq info as set up; the supported ptypes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
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

#define TX_OFFLOADS (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM | \
		     RTE_ETH_TX_OFFLOAD_UDP_CKSUM)
#define PAYLOAD 100

static int
port_setup(uint16_t port)
{
	struct rte_eth_conf conf;
	struct rte_eth_rxconf rxc = { .rx_free_thresh = 32,
				      .offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM };
	struct rte_eth_txconf txc = { .tx_free_thresh = 32, .offloads = TX_OFFLOADS };

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM;
	conf.txmode.offloads = TX_OFFLOADS;
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, &rxc, test_pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, &txc) != 0 ||
	    rte_eth_promiscuous_enable(port) != 0 || rte_eth_dev_start(port) != 0) {
		fprintf(stderr, "port %u: set-up with offloads failed\n", port);
		return -1;
	}
	return 0;
}

/* A frame: Ethernet, IPv4 or IPv6, TCP or UDP, PAYLOAD bytes; every
 * checksum field 0xbeef (wrong). With offload, the flags and lengths.
 */
static struct rte_mbuf *
frame(bool v6, uint8_t proto, bool offload)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);
	uint32_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	uint32_t l4 = proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) :
					     sizeof(struct rte_udp_hdr);
	uint32_t len = RTE_ETHER_HDR_LEN + l3 + l4 + PAYLOAD, i;
	struct rte_ether_hdr *eh;
	uint8_t *p, *l4h;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	memset(p, 0, len);
	eh = (struct rte_ether_hdr *)p;
	memset(&eh->dst_addr, 0x02, sizeof(eh->dst_addr));
	eh->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	if (v6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eh + 1);

		ip6->vtc_flow = rte_cpu_to_be_32(0x60000000);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(l4 + PAYLOAD));
		ip6->proto = proto;
		ip6->hop_limits = 64;
		ip6->src_addr[15] = 1;
		ip6->dst_addr[15] = 2;
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + l4 + PAYLOAD));
		ip->time_to_live = 64;
		ip->next_proto_id = proto;
		ip->src_addr = rte_cpu_to_be_32(0x0a000001);
		ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
		ip->hdr_checksum = 0xbeef;
	}
	l4h = p + RTE_ETHER_HDR_LEN + l3;
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4h;

		t->src_port = rte_cpu_to_be_16(1234);
		t->dst_port = rte_cpu_to_be_16(80);
		t->data_off = 5 << 4;
		t->cksum = 0xbeef;
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4h;

		u->src_port = rte_cpu_to_be_16(1234);
		u->dst_port = rte_cpu_to_be_16(53);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(l4 + PAYLOAD));
		u->dgram_cksum = 0xbeef;
	}
	for (i = 0; i < PAYLOAD; i++)
		l4h[l4 + i] = (uint8_t)(i * 7 + proto);
	if (offload) {
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->l3_len = l3;
		m->ol_flags = v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
		m->ol_flags |= proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM :
						      RTE_MBUF_F_TX_UDP_CKSUM;
	}
	return m;
}

/* Send m from port 0 and receive it on port 1 (NULL after 2 s). */
static struct rte_mbuf *
roundtrip(struct rte_mbuf *m)
{
	struct rte_mbuf *rx = NULL;
	unsigned int i;

	if (m == NULL || rte_eth_tx_burst(0, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	for (i = 0; i < 2000; i++) {
		/* Reap the send's completion too. */
		rte_eth_tx_burst(0, 0, NULL, 0);
		if (rte_eth_rx_burst(1, 0, &rx, 1) == 1)
			return rx;
		usleep(1000);
	}
	return NULL;
}

/* Are the checksums of the received frame right, checked in software? */
static void
check_wire_checksums(const struct rte_mbuf *m, bool v6, uint8_t proto, const char *what)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	const void *ip = p + RTE_ETHER_HDR_LEN;
	const void *l4 = p + RTE_ETHER_HDR_LEN + l3;
	int l4ok;

	if (!v6 && rte_ipv4_cksum(ip) != 0) {
		fprintf(stderr, "%s: IPv4 header checksum wrong on the wire\n", what);
		CHECK(!"ip checksum");
	}
	l4ok = v6 ? rte_ipv6_udptcp_cksum_verify(ip, l4) : rte_ipv4_udptcp_cksum_verify(ip, l4);
	if (l4ok != 0) {
		fprintf(stderr, "%s: %s checksum wrong on the wire\n", what,
			proto == IPPROTO_TCP ? "TCP" : "UDP");
		CHECK(!"l4 checksum");
	}
}

static void
test_checksums(void)
{
	static const struct {
		bool v6;
		uint8_t proto;
		uint32_t ptype;
	} cases[] = {
		{ false, IPPROTO_UDP, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP },
		{ false, IPPROTO_TCP, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP },
		{ true, IPPROTO_UDP, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_UDP },
		{ true, IPPROTO_TCP, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_TCP },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		char what[64];
		struct rte_mbuf *m;
		uint64_t ip, l4;

		/* a) offloaded: right on the wire, GOOD. */
		snprintf(what, sizeof(what), "%s/%s offloaded", cases[i].v6 ? "IPv6" : "IPv4",
			 cases[i].proto == IPPROTO_TCP ? "TCP" : "UDP");
		m = roundtrip(frame(cases[i].v6, cases[i].proto, true));
		CHECK(m != NULL);
		if (m == NULL)
			continue;
		check_wire_checksums(m, cases[i].v6, cases[i].proto, what);
		ip = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
		l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
		CHECK(ip == (cases[i].v6 ? RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN :
					   RTE_MBUF_F_RX_IP_CKSUM_GOOD));
		CHECK(l4 == RTE_MBUF_F_RX_L4_CKSUM_GOOD);
		/* d) the packet type from the receive burst. */
		if (m->packet_type != cases[i].ptype) {
			fprintf(stderr, "%s: packet type %#x, want %#x\n", what, m->packet_type,
				cases[i].ptype);
			CHECK(!"packet type");
		}
		rte_pktmbuf_free(m);

		/* b) not offloaded: the wrong checksums arrive, BAD. */
		m = roundtrip(frame(cases[i].v6, cases[i].proto, false));
		CHECK(m != NULL);
		if (m == NULL)
			continue;
		ip = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
		l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
		CHECK(ip == (cases[i].v6 ? RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN :
					   RTE_MBUF_F_RX_IP_CKSUM_BAD));
		CHECK(l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD);
		rte_pktmbuf_free(m);
	}
}

/* c) a frame with right checksums and no offload arrives GOOD as it is. */
static void
test_valid_frame_unchanged(void)
{
	struct rte_mbuf *m = frame(false, IPPROTO_UDP, false), *rx;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint16_t want_ip, want_udp;

	if (m == NULL) {
		CHECK(m != NULL);
		return;
	}
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	udp = (struct rte_udp_hdr *)(ip + 1);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	want_ip = ip->hdr_checksum;
	want_udp = udp->dgram_cksum;
	rx = roundtrip(m);
	CHECK(rx != NULL);
	if (rx == NULL)
		return;
	ip = rte_pktmbuf_mtod_offset(rx, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	udp = (struct rte_udp_hdr *)(ip + 1);
	CHECK(ip->hdr_checksum == want_ip && udp->dgram_cksum == want_udp);
	CHECK((rx->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD);
	CHECK((rx->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	rte_pktmbuf_free(rx);
}

/* d) what the port says it does, and its queues as set up. */
static void
test_infos(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_rxq_info rq;
	struct rte_eth_txq_info tq;
	uint32_t ptypes[32];
	int n, i;
	bool tcp = false, udp = false, v4 = false, v6 = false;

	CHECK(rte_eth_dev_info_get(0, &info) == 0);
	CHECK((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_CHECKSUM) == RTE_ETH_RX_OFFLOAD_CHECKSUM);
	CHECK(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH);
	CHECK((info.tx_offload_capa & TX_OFFLOADS) == TX_OFFLOADS);
	CHECK(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS);

	memset(&rq, 0, sizeof(rq));
	CHECK(rte_eth_rx_queue_info_get(1, 0, &rq) == 0);
	CHECK(rq.mp == test_pool && rq.nb_desc == 256 && rq.scattered_rx == 0);
	CHECK(rq.conf.rx_free_thresh == 32);
	CHECK(rq.conf.offloads & RTE_ETH_RX_OFFLOAD_CHECKSUM);
	CHECK(rq.rx_buf_size == RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM);
	memset(&tq, 0, sizeof(tq));
	CHECK(rte_eth_tx_queue_info_get(0, 0, &tq) == 0);
	CHECK(tq.nb_desc == 256 && tq.conf.tx_free_thresh == 32);
	CHECK((tq.conf.offloads & TX_OFFLOADS) == TX_OFFLOADS);

	n = rte_eth_dev_get_supported_ptypes(0, RTE_PTYPE_ALL_MASK, ptypes, RTE_DIM(ptypes));
	CHECK(n > 0 && n <= (int)RTE_DIM(ptypes));
	for (i = 0; i < n && i < (int)RTE_DIM(ptypes); i++) {
		tcp |= ptypes[i] == RTE_PTYPE_L4_TCP;
		udp |= ptypes[i] == RTE_PTYPE_L4_UDP;
		v4 |= ptypes[i] == RTE_PTYPE_L3_IPV4;
		v6 |= ptypes[i] == RTE_PTYPE_L3_IPV6;
	}
	CHECK(tcp && udp && v4 && v6);
}

int
main(int argc, char **argv)
{
	const struct test_eal_opts eo = { .name = "offload" };
	int p0, p1;

	(void)argc;
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	p0 = test_port_probe("net_mana_sim0", "");
	p1 = test_port_probe("net_mana_sim1", "");
	if (p0 != 0 || p1 != 1 || port_setup(0) != 0 || port_setup(1) != 0)
		return 1;
	test_infos();
	test_checksums();
	test_valid_frame_unchanged();
	test_port_down("net_mana_sim0", 0);
	test_port_down("net_mana_sim1", 1);
	if (test_failures == 0)
		printf("offload_test: ok\n");
	return test_eal_finish();
}
