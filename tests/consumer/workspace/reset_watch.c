/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * reset_watch: a DPDK application on two MANA ports that rides through a
 * device reset: what an integrator's application does with mana-reset's
 * driver, loaded as a plugin (EAL's -d; the driver exports nothing else).
 *
 *   reset_watch EAL-ARGS [-- --seconds N]
 *
 * Ports 0 and 1 are wired to each other (net_mana_sim0 and net_mana_sim1 are
 * peers, or two MANA VFs on one network). It sends broadcast frames on port 0
 * and receives them on port 1 for N seconds (default 3), counting the
 * driver's recovery events (RTE_ETH_EVENT_ERR_RECOVERING, _RECOVERY_SUCCESS,
 * _RECOVERY_FAILED) and the frames received before the first reset and after
 * the last recovery; then prints the driver's reset xstats (by name).
 * Exit status 0 when every reset recovered, at least one happened, and frames
 * arrived before and after it; 1 otherwise; 2 on bad arguments.
 *
 * Threads: main() on the main lcore; event callbacks on the driver's reset
 * thread, which only bump the counters below (atomics, no lock).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define BURST 32
#define NB_DESC 256
#define NB_MBUFS 4096
#define FRAME_LEN 64

/* Written by the callbacks (reset thread), read by main(). */
static uint32_t nb_recovering;
static uint32_t nb_success;
static uint32_t nb_failed;

static const enum rte_eth_event_type recovery_events[] = {
	RTE_ETH_EVENT_ERR_RECOVERING,
	RTE_ETH_EVENT_RECOVERY_SUCCESS,
	RTE_ETH_EVENT_RECOVERY_FAILED,
};

static int
on_recovery_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret_param)
{
	(void)arg;
	(void)ret_param;
	switch (type) {
	case RTE_ETH_EVENT_ERR_RECOVERING:
		__atomic_fetch_add(&nb_recovering, 1, __ATOMIC_RELAXED);
		break;
	case RTE_ETH_EVENT_RECOVERY_SUCCESS:
		/* Release: pairs with main()'s acquire load; frames it counts
		 * after seeing this are the recovered port's. */
		__atomic_fetch_add(&nb_success, 1, __ATOMIC_RELEASE);
		break;
	case RTE_ETH_EVENT_RECOVERY_FAILED:
		__atomic_fetch_add(&nb_failed, 1, __ATOMIC_RELAXED);
		break;
	default:
		break;
	}
	printf("reset_watch: port %u: %s\n", port,
	       type == RTE_ETH_EVENT_ERR_RECOVERING ? "ERR_RECOVERING" :
	       type == RTE_ETH_EVENT_RECOVERY_SUCCESS ? "RECOVERY_SUCCESS" : "RECOVERY_FAILED");
	fflush(stdout);
	return 0;
}

static int
port_start(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0)
		fprintf(stderr, "reset_watch: port %u: cannot start: %s\n", port, rte_strerror(-rc));
	return rc;
}

/* A burst of broadcast frames from port's MAC address; 0 if the pool is dry. */
static unsigned int
make_burst(struct rte_mempool *pool, const struct rte_ether_addr *src, struct rte_mbuf **pkts)
{
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(pool, pkts, BURST) != 0)
		return 0;
	for (i = 0; i < BURST; i++) {
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)rte_pktmbuf_append(pkts[i], FRAME_LEN);

		memset(eh, 0, FRAME_LEN);
		memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
		rte_ether_addr_copy(src, &eh->src_addr);
		eh->ether_type = rte_cpu_to_be_16(0x88b5); /* local experimental */
	}
	return BURST;
}

/* The driver's xstat of port by name, or -1. */
static int64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, value;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &value, 1) != 1)
		return -1;
	return (int64_t)value;
}

static int
parse_app_args(int argc, char **argv, unsigned int *seconds)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			char *end;
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (*end != '\0' || v == 0 || v > 3600) {
				fprintf(stderr, "reset_watch: --seconds wants 1 to 3600, not %s\n", argv[i]);
				return -1;
			}
			*seconds = (unsigned int)v;
		} else {
			fprintf(stderr, "usage: reset_watch EAL-ARGS [-- --seconds N]\n");
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct rte_mbuf *pkts[BURST];
	struct rte_mempool *pool;
	struct rte_ether_addr mac0;
	uint64_t rx_before = 0, rx_after = 0, deadline;
	unsigned int seconds = 3;
	uint32_t recovering, success, failed;
	unsigned int i;
	uint16_t port;
	int n, ok;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "reset_watch: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	if (parse_app_args(argc - n, argv + n, &seconds) != 0) {
		rte_eal_cleanup();
		return 2;
	}
	if (rte_eth_dev_count_avail() < 2) {
		fprintf(stderr, "reset_watch: needs two wired ports (e.g. --vdev=net_mana_sim0 "
			"--vdev=net_mana_sim1 with -d librte_net_mana.so); have %u\n",
			rte_eth_dev_count_avail());
		rte_eal_cleanup();
		return 2;
	}
	pool = rte_pktmbuf_pool_create("reset_watch", NB_MBUFS, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "reset_watch: no mbuf pool: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	for (i = 0; i < RTE_DIM(recovery_events); i++) {
		n = rte_eth_dev_callback_register(RTE_ETH_ALL, recovery_events[i],
						  on_recovery_event, NULL);
		if (n != 0) {
			fprintf(stderr, "reset_watch: cannot register for event %d: %s\n",
				recovery_events[i], rte_strerror(-n));
			rte_eal_cleanup();
			return 1;
		}
	}
	for (port = 0; port < 2; port++) {
		if (port_start(port, pool) != 0) {
			rte_eal_cleanup();
			return 1;
		}
	}
	rte_eth_macaddr_get(0, &mac0);

	deadline = rte_get_timer_cycles() + (uint64_t)seconds * rte_get_timer_hz();
	while (rte_get_timer_cycles() < deadline) {
		/* Acquire: pairs with the callback's release. */
		bool recovered = __atomic_load_n(&nb_success, __ATOMIC_ACQUIRE) > 0;
		bool resetting = __atomic_load_n(&nb_recovering, __ATOMIC_RELAXED) >
				 __atomic_load_n(&nb_success, __ATOMIC_RELAXED) +
				 __atomic_load_n(&nb_failed, __ATOMIC_RELAXED);
		unsigned int nb = make_burst(pool, &mac0, pkts), sent;
		int k;

		/* During a reset the driver's bursts return 0 at once. */
		sent = nb ? rte_eth_tx_burst(0, 0, pkts, (uint16_t)nb) : 0;
		if (sent < nb)
			rte_pktmbuf_free_bulk(pkts + sent, nb - sent);
		n = rte_eth_rx_burst(1, 0, pkts, BURST);
		if (!recovered && !resetting && __atomic_load_n(&nb_recovering, __ATOMIC_RELAXED) == 0)
			rx_before += (uint64_t)n;
		else if (recovered && !resetting)
			rx_after += (uint64_t)n;
		for (k = 0; k < n; k++)
			rte_pktmbuf_free(pkts[k]);
		/* Port 0 hears nothing but its own broadcasts' echoes, if any. */
		n = rte_eth_rx_burst(0, 0, pkts, BURST);
		for (k = 0; k < n; k++)
			rte_pktmbuf_free(pkts[k]);
		rte_delay_us_sleep(1000);
	}

	printf("reset_watch: events ERR_RECOVERING %u RECOVERY_SUCCESS %u RECOVERY_FAILED %u\n",
	       __atomic_load_n(&nb_recovering, __ATOMIC_ACQUIRE),
	       __atomic_load_n(&nb_success, __ATOMIC_ACQUIRE),
	       __atomic_load_n(&nb_failed, __ATOMIC_ACQUIRE));
	printf("reset_watch: frames received on port 1: %" PRIu64 " before the reset, %" PRIu64
	       " after the recovery\n", rx_before, rx_after);
	printf("reset_watch: port 0 xstats reset_requested %" PRId64 " reset_succeeded %" PRId64
	       " reset_last_total_us %" PRId64 " reset_last_wait_hw_us %" PRId64 "\n",
	       xstat(0, "reset_requested"), xstat(0, "reset_succeeded"),
	       xstat(0, "reset_last_total_us"), xstat(0, "reset_last_wait_hw_us"));
	recovering = __atomic_load_n(&nb_recovering, __ATOMIC_ACQUIRE);
	success = __atomic_load_n(&nb_success, __ATOMIC_ACQUIRE);
	failed = __atomic_load_n(&nb_failed, __ATOMIC_ACQUIRE);
	ok = recovering > 0 && failed == 0 && success == recovering &&
	     xstat(0, "reset_succeeded") == (int64_t)success && rx_before > 0 && rx_after > 0;

	for (port = 0; port < 2; port++) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	printf("reset_watch: %s\n", ok ? "ok: the ports rode through the reset" : "FAIL");
	return ok ? 0 : 1;
}
