/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Issue 11: a secondary process polls every queue of two simulated ports at
 * full speed (receive, forward, inject) while the primary resets the
 * devices again and again. A SIGSEGV, SIGBUS, SIGFPE or SIGILL in the
 * secondary is a failure (its handler says where); so is a hang, a lost or duplicated
 * recovery event in the secondary, a deaf secondary counted by the
 * primary, or traffic that does not resume after the last reset.
 *
 *   mp_poll_test RESETS [survives|must_crash]
 *
 * must_crash: the program is linked with the test build of the driver whose
 * secondary bursts skip the guard (tests/pmd/hooks/sec_unguarded): the
 * secondary must crash within the resets, and the test passes only if it
 * does (the check above can fail).
 *
 * The primary starts the secondary itself (this program again, with
 * --secondary PREFIX), on the same hugepage-backed DPDK instance. They share
 * a memzone of counters. Prints the latency of the secondaries' parking
 * (the IPC round trip of each reset: xstat mp_last_park_ack_us), p50/p99.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "pmd/mana.h"
#include "pmd/sim/mana_sim.h"
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

#define NB_PORTS 2
#define NB_Q     2
#define STATUS_MZ "mp_poll_status"

/* Shared by the two processes (a memzone the primary reserves). */
struct mp_status {
	uint32_t ready;            /* the secondary polls */
	uint32_t stop;             /* the primary asks it to finish */
	uint32_t crashed;          /* its signal handler ran */
	uint64_t rx, tx, bursts;   /* the secondary's traffic */
	uint64_t ev[RTE_ETH_EVENT_MAX];   /* events its application saw */
	uint64_t ev_bad;           /* an outcome without ERR_RECOVERING before it */
};

static struct mp_status *st;

/* ---- the secondary ---------------------------------------------------------- */

static void
sec_crash(int sig, siginfo_t *si, void *ctx)
{
	char msg[160];
	int n;

	(void)ctx;
	if (st != NULL)
		__atomic_store_n(&st->crashed, (uint32_t)sig, __ATOMIC_RELEASE);
	n = snprintf(msg, sizeof(msg), "mp_poll_test secondary: signal %d (%s) at address %p\n",
		     sig, strsignal(sig), si->si_addr);
	if (n > 0 && write(2, msg, (size_t)n) < 0)
		n = 0;
	_exit(98);
}

static uint32_t sec_open[RTE_MAX_ETHPORTS];   /* ERR_RECOVERING without outcome */

static int
sec_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	(void)arg;
	(void)ret;
	__atomic_fetch_add(&st->ev[type], 1, __ATOMIC_RELAXED);
	if (type == RTE_ETH_EVENT_ERR_RECOVERING) {
		sec_open[port]++;
	} else if (sec_open[port] == 0) {
		__atomic_fetch_add(&st->ev_bad, 1, __ATOMIC_RELAXED);
	} else {
		sec_open[port]--;
	}
	return 0;
}

/* Frames to broadcast, their IPv4 source varying so RSS spreads them. */
static void
sec_inject(struct rte_mempool *mp, uint16_t port, uint16_t q, uint32_t *salt)
{
	struct rte_mbuf *m[8];
	unsigned int i, sent;

	if (rte_pktmbuf_alloc_bulk(mp, m, RTE_DIM(m)) != 0)
		return;
	for (i = 0; i < RTE_DIM(m); i++) {
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m[i], 64);
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

		memset(eh, 0, 64);
		memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16(64 - sizeof(*eh));
		ip->time_to_live = 64;
		ip->next_proto_id = 253;
		ip->src_addr = rte_cpu_to_be_32(0x0a000000u + (*salt)++);
		ip->dst_addr = rte_cpu_to_be_32(0x0a640001u);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	sent = rte_eth_tx_burst(port, q, m, RTE_DIM(m));
	if (sent < RTE_DIM(m))
		rte_pktmbuf_free_bulk(m + sent, RTE_DIM(m) - sent);
	__atomic_fetch_add(&st->tx, sent, __ATOMIC_RELAXED);
}

static int
secondary(const char *argv0, const char *prefix)
{
	static const enum rte_eth_event_type types[] = {
		RTE_ETH_EVENT_ERR_RECOVERING, RTE_ETH_EVENT_RECOVERY_SUCCESS,
		RTE_ETH_EVENT_RECOVERY_FAILED, RTE_ETH_EVENT_INTR_RMV,
	};
	char *args[] = {
		(char *)(uintptr_t)argv0, "-l", "1", "--no-pci", "--proc-type=secondary",
		"--file-prefix", (char *)(uintptr_t)prefix, "--no-telemetry",
		"--log-level", "lib.eal:error", "--log-level", "pmd.net.mana.*:warning",
	};
	struct sigaction sa;
	const struct rte_memzone *mz;
	struct rte_mempool *mp;
	struct rte_mbuf *pkts[32];
	uint64_t idle = 0;
	uint32_t salt = 0;
	unsigned int i;
	uint16_t p, q;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sec_crash;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	if (rte_eal_init((int)RTE_DIM(args), args) < 0) {
		fprintf(stderr, "secondary: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	mz = rte_memzone_lookup(STATUS_MZ);
	mp = rte_mempool_lookup("mppoll");
	if (mz == NULL || mp == NULL || rte_eth_dev_count_avail() != NB_PORTS) {
		fprintf(stderr, "secondary: no status memzone, pool or ports (%u)\n",
			rte_eth_dev_count_avail());
		return 2;
	}
	st = mz->addr;
	for (i = 0; i < RTE_DIM(types); i++)
		rte_eth_dev_callback_register(RTE_ETH_ALL, types[i], sec_event, NULL);
	__atomic_store_n(&st->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE)) {
		uint64_t got = 0;

		for (p = 0; p < NB_PORTS; p++)
			for (q = 0; q < NB_Q; q++) {
				uint16_t n = rte_eth_rx_burst(p, q, pkts, RTE_DIM(pkts)), sent;

				st->bursts++;
				if (n == 0)
					continue;
				got += n;
				/* Forward to the other port, same queue. */
				sent = rte_eth_tx_burst(p ^ 1, q, pkts, n);
				if (sent < n)
					rte_pktmbuf_free_bulk(pkts + sent, n - sent);
			}
		__atomic_fetch_add(&st->rx, got, __ATOMIC_RELAXED);
		/* Keep traffic going: resets drop what was in flight. */
		if (got == 0 && ++idle % 64 == 0)
			for (q = 0; q < NB_Q; q++)
				sec_inject(mp, (uint16_t)(idle / 64 % NB_PORTS), q, &salt);
	}
	rte_eal_cleanup();
	return 0;
}

/* ---- the primary ------------------------------------------------------------ */

/* Remove the hugepage files and runtime directory of instance prefix. */
static void
drop_instance(const char *prefix)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s /dev/hugepages/%smap_*", prefix,
		 prefix);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove the files of %s\n", prefix);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool
wait_until(volatile uint64_t *v, uint64_t min, unsigned int ms)
{
	uint64_t end = test_now_ms() + ms;

	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) < min) {
		if (test_now_ms() > end)
			return false;
		usleep(1000);
	}
	return true;
}

int
main(int argc, char **argv)
{
	const struct test_eal_opts eo = {
		.name = "mppoll", .huge = true, .lcores = "0", .nb_mbufs = 8191, .cache = 64,
	};
	const struct test_port_opts po = {
		.nb_rxq = NB_Q, .nb_txq = NB_Q, .rss = true, .promisc = true,
	};
	unsigned int resets, i, done = 0;
	bool must_crash;
	const struct rte_memzone *mz;
	uint64_t *ack_us, rx_before;
	char prefix[64];
	int port[NB_PORTS], wst = 0;
	pid_t child;

	if (argc == 3 && strcmp(argv[1], "--secondary") == 0)
		return secondary(argv[0], argv[2]);
	resets = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 1000;
	must_crash = argc > 2 && strcmp(argv[2], "must_crash") == 0;
	if (resets == 0) {
		fprintf(stderr, "usage: %s RESETS [survives|must_crash]\n", argv[0]);
		return 2;
	}
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
	/* A reset costs several times more under a sanitizer. */
	resets = (resets + 3) / 4;
	printf("sanitizer build: %u resets\n", resets);
#endif
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	snprintf(prefix, sizeof(prefix), "mana_%s_%d", eo.name, (int)getpid());
	port[0] = test_port_up("net_mana_sim0", "recovery_ms=0", &po);
	port[1] = test_port_up("net_mana_sim1", "recovery_ms=0", &po);
	mz = rte_memzone_reserve(STATUS_MZ, sizeof(*st), SOCKET_ID_ANY, 0);
	ack_us = calloc(resets, sizeof(*ack_us));
	if (port[0] < 0 || port[1] < 0 || mz == NULL || ack_us == NULL) {
		fprintf(stderr, "primary: set-up failed\n");
		return 1;
	}
	st = mz->addr;
	memset(st, 0, sizeof(*st));

	child = fork();
	if (child == 0) {
		execl("/proc/self/exe", argv[0], "--secondary", prefix, (char *)NULL);
		_exit(127);
	}
	CHECK(child > 0);
	CHECK(wait_until((volatile uint64_t *)&st->ready, 1, 60000) ||
	      (fprintf(stderr, "the secondary did not start\n"), false));
	CHECK(wait_until(&st->rx, 1000, 30000) ||
	      (fprintf(stderr, "no traffic through the secondary\n"), false));
	printf("secondary polling: %" PRIu64 " packets received, %" PRIu64 " injected\n",
	       st->rx, st->tx);

	for (i = 0; i < resets; i++) {
		uint16_t pt = (uint16_t)port[i % NB_PORTS];
		uint64_t want = test_events(pt, RTE_ETH_EVENT_RECOVERY_SUCCESS) + 1;

		if (waitpid(child, &wst, WNOHANG) == child) {
			child = -1;
			break;
		}
		if (mana_sim_service_event(mana_proc_of(pt)->hwdev) != 0 ||
		    !test_wait_events(pt, RTE_ETH_EVENT_RECOVERY_SUCCESS, want, 20000)) {
			fprintf(stderr, "reset %u of port %u did not succeed\n", i, pt);
			test_failures++;
			break;
		}
		ack_us[done++] = test_xstat(pt, "mp_last_park_ack_us");
		if ((i + 1) % 200 == 0)
			printf("%u resets; secondary: %" PRIu64 " packets, %" PRIu64 " bursts\n",
			       i + 1, st->rx, st->bursts);
	}
	if (must_crash) {
		/* The unguarded secondary must have died of its bursts. */
		if (child > 0 && waitpid(child, &wst, WNOHANG) != child) {
			__atomic_store_n(&st->stop, 1, __ATOMIC_RELEASE);
			waitpid(child, &wst, 0);
		}
		printf("must_crash: secondary %s after %u resets (wait status %#x)\n",
		       st->crashed ? "crashed" : "did not crash", done, (unsigned int)wst);
		CHECK(st->crashed != 0);
		CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 98);
		free(ack_us);
		/* The unguarded secondary wrote into rings while the primary
		 * rebuilt them: the port's state is garbage now, and closing
		 * it would crash the primary. Leave without tearing down, and
		 * take back the instance's files.
		 */
		drop_instance(prefix);
		if (test_failures != 0)
			fprintf(stderr, "%d check(s) failed\n", test_failures);
		_exit(test_failures != 0 ? 1 : 0);
	}
	CHECK(child > 0 || (fprintf(stderr, "the secondary died during the resets (status %#x, signal handler %u)\n",
				    wst, st->crashed), false));
	CHECK(done == resets);
	/* Traffic resumes after the last reset, through the secondary. */
	rx_before = st->rx;
	CHECK(wait_until(&st->rx, rx_before + 1000, 20000) ||
	      (fprintf(stderr, "traffic did not resume after the last reset\n"), false));
	/* Its application saw each reset once, in order. */
	CHECK(wait_until(&st->ev[RTE_ETH_EVENT_RECOVERY_SUCCESS], done, 10000));
	printf("secondary events: %" PRIu64 " ERR_RECOVERING, %" PRIu64 " RECOVERY_SUCCESS, %" PRIu64 " RECOVERY_FAILED, %" PRIu64 " out of order\n",
	       st->ev[RTE_ETH_EVENT_ERR_RECOVERING], st->ev[RTE_ETH_EVENT_RECOVERY_SUCCESS],
	       st->ev[RTE_ETH_EVENT_RECOVERY_FAILED], st->ev_bad);
	CHECK(st->ev[RTE_ETH_EVENT_ERR_RECOVERING] == done);
	CHECK(st->ev[RTE_ETH_EVENT_RECOVERY_SUCCESS] == done);
	CHECK(st->ev[RTE_ETH_EVENT_RECOVERY_FAILED] == 0);
	CHECK(st->ev_bad == 0);
	for (i = 0; i < NB_PORTS; i++) {
		CHECK(test_xstat((uint16_t)port[i], "mp_secondaries") == 1);
		CHECK(test_xstat((uint16_t)port[i], "mp_deaf_secondaries") == 0);
	}
	qsort(ack_us, done, sizeof(*ack_us), cmp_u64);
	if (done > 0)
		printf("%u resets with a secondary polling: park acknowledged in p50 %" PRIu64 " us, p99 %" PRIu64 " us, max %" PRIu64 " us; secondary: %" PRIu64 " packets received, %" PRIu64 " bursts, %" PRIu64 " stale bursts, %" PRIu64 " resyncs\n",
		       done, ack_us[done / 2], ack_us[done * 99 / 100], ack_us[done - 1], st->rx,
		       st->bursts, test_xstat((uint16_t)port[0], "mp_stale_bursts"),
		       test_xstat((uint16_t)port[0], "mp_resyncs"));
	__atomic_store_n(&st->stop, 1, __ATOMIC_RELEASE);
	{
		uint64_t end = test_now_ms() + 30000;

		while (waitpid(child, &wst, WNOHANG) != child) {
			if (test_now_ms() > end) {
				fprintf(stderr, "the secondary does not exit: killed\n");
				kill(child, SIGKILL);
				waitpid(child, &wst, 0);
				test_failures++;
				break;
			}
			usleep(10000);
		}
	}
	CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
	/* Its exit stopped nothing of the port and freed its slot. */
	for (i = 0; i < NB_PORTS; i++) {
		struct rte_eth_link link;

		CHECK(test_xstat((uint16_t)port[i], "mp_secondaries") == 0);
		CHECK(rte_eth_link_get_nowait((uint16_t)port[i], &link) == 0 &&
		      link.link_status == RTE_ETH_LINK_UP);
	}
	free(ack_us);
	test_port_down("net_mana_sim0", (uint16_t)port[0]);
	test_port_down("net_mana_sim1", (uint16_t)port[1]);
	rte_memzone_free(mz);
	return test_eal_finish();
}
