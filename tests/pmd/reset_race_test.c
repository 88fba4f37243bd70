/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Control operations racing device resets, thousands of times, in one EAL
 * process that links the driver (so ThreadSanitizer sees every thread).
 *
 * Two simulated ports fire service events every few milliseconds on their own
 * (EAL alarms). Two poller threads forward between the ports and inject
 * traffic. The main thread cycles: probe (every few iterations), configure,
 * queue setup, start, settings changes while traffic flows, stop (sometimes
 * with the pollers still polling), close and remove (every few iterations).
 *
 * Checks: every control call returns 0 or -EBUSY (a reset was running) and
 * never anything else; a call refused with -EBUSY succeeds on retry once the
 * reset ended; every ERR_RECOVERING is followed by exactly one RECOVERY_*;
 * after the last close, no thread of the driver is left and every mbuf is
 * back in its pool. This is also review finding 9's regression test (the
 * reset thread's state shared without atomics): under tsan it fails on any
 * unsynchronized access.
 *
 *   reset_race_test [ITERATIONS]   (default 2000)
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "tests/lib/dpdk_inject.h"
#include "tests/lib/test_port.h"
#include "tests/lib/test_threads.h"
#include "tests/lib/test_util.h"
#include "tests/lib/tsan_dpdk.h"

#if defined(__SANITIZE_THREAD__)
#define TSAN_BUILD 1
#else
#define TSAN_BUILD 0
#endif

#if TSAN_BUILD
/* test_inject_broadcast() fills mbufs fresh from the pool, which another poller last wrote
 * before the mempool's (uninstrumented) ring handed them over.
 */
const char *__tsan_default_suppressions(void);
const char *
__tsan_default_suppressions(void)
{
	return TSAN_DPDK_SUPPRESSIONS "race:test_inject_broadcast\n";
}
#endif

#define NB_PORTS   2
#define NB_QUEUES  2
#define NB_DESC    256
#define BURST      32

static const char *const dev_names[NB_PORTS] = { "net_mana_sim0", "net_mana_sim1" };
static const char *const dev_args[NB_PORTS] = {
	/* Six threads on two cores, maybe with other jobs: a burst can be
	 * slow to leave while its thread waits for a CPU; 10 s (default 2 s)
	 * leaves room for that and still fails the test on a stuck burst.
	 */
	"reset_period_ms=30,recovery_ms=1,reset_timeout_ms=5000,quiesce_timeout_ms=10000",
	"reset_period_ms=37,recovery_ms=1,reset_timeout_ms=5000,quiesce_timeout_ms=10000",
};

static uint16_t ports[NB_PORTS];
static int polling;                 /* pollers may use the ports */
static int pollers_quit;
static int poller_idle[NB_QUEUES];
static uint64_t total_recovering, busy_retries, bad_returns, unpaired;

/* The stall watch: when each poller entered its current burst (monotonic
 * ns, 0: not in one), which, and its thread id.
 */
#define STALL_REPORT_NS (2ull * 1000000000)
static uint64_t burst_since[NB_QUEUES];
static uint32_t burst_what[NB_QUEUES];    /* port << 1 | tx */
static int poller_tid[NB_QUEUES];
static uint64_t stalls_seen;

static inline void
burst_begin(uint16_t q, uint16_t port, bool tx)
{
	__atomic_store_n(&burst_what[q], (uint32_t)port << 1 | tx, __ATOMIC_RELAXED);
	__atomic_store_n(&burst_since[q], test_now_ns(), __ATOMIC_RELEASE);
}

static inline void
burst_end(uint16_t q)
{
	__atomic_store_n(&burst_since[q], 0, __ATOMIC_RELEASE);
}

/* Not a check (a loaded machine may deschedule a poller for a while): when a
 * poller stays in one burst for seconds, say where every thread is, at 2, 4
 * and 8 s into it, so a stall in a run shows its cause.
 */
static void *
stall_watch(void *arg)
{
	uint64_t reported_since[NB_QUEUES] = { 0 };
	unsigned int reports[NB_QUEUES] = { 0 };

	(void)arg;
	while (!__atomic_load_n(&pollers_quit, __ATOMIC_ACQUIRE)) {
		uint16_t q;

		usleep(100 * 1000);
		for (q = 0; q < NB_QUEUES; q++) {
			uint64_t since = __atomic_load_n(&burst_since[q], __ATOMIC_ACQUIRE);
			uint32_t what = __atomic_load_n(&burst_what[q], __ATOMIC_RELAXED);
			uint64_t now = test_now_ns();

			if (since == 0 || now - since < STALL_REPORT_NS)
				continue;
			if (reported_since[q] != since) {
				reported_since[q] = since;
				reports[q] = 0;
				__atomic_fetch_add(&stalls_seen, 1, __ATOMIC_RELAXED);
			}
			if (reports[q] >= 3 || now - since < (STALL_REPORT_NS << reports[q]))
				continue;
			reports[q]++;
			fprintf(stderr, "stall watch: poller %u (tid %d) in a %s burst of port %u for %" PRIu64 " ms\n",
				q, poller_tid[q], what & 1 ? "tx" : "rx", what >> 1,
				(now - since) / 1000000);
			test_threads_dump(stderr, poller_tid[q]);
		}
	}
	return NULL;
}

/* The resets of port that ended (the recorder counts the events). */
static uint64_t
outcomes(uint16_t port)
{
	return test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) +
	       test_events(port, RTE_ETH_EVENT_RECOVERY_FAILED);
}

/* The test's event hook, after the recorder counted the event: every
 * ERR_RECOVERING is followed by exactly one RECOVERY_*.
 */
static void
on_event(uint16_t port, enum rte_eth_event_type type)
{
	uint64_t recovering = test_events(port, RTE_ETH_EVENT_ERR_RECOVERING);

	if (type == RTE_ETH_EVENT_ERR_RECOVERING) {
		if (recovering - 1 != outcomes(port))
			__atomic_fetch_add(&unpaired, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&total_recovering, 1, __ATOMIC_RELAXED);
	} else if (type == RTE_ETH_EVENT_RECOVERY_SUCCESS ||
		   type == RTE_ETH_EVENT_RECOVERY_FAILED) {
		if (outcomes(port) != recovering)
			__atomic_fetch_add(&unpaired, 1, __ATOMIC_RELAXED);
	}
}

/* Poller q owns queue q of both ports. */
static void *
poller_main(void *arg)
{
	uint16_t q = (uint16_t)(uintptr_t)arg;
	struct rte_mbuf *m[BURST];
	unsigned int turn = 0;

	/* As an application's lcore: an lcore id, so a mempool cache. */
	if (rte_thread_register() != 0)
		fprintf(stderr, "poller %u: no lcore id: %s\n", q, rte_strerror(rte_errno));
	__atomic_store_n(&poller_tid[q], (int)gettid(), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&pollers_quit, __ATOMIC_ACQUIRE)) {
		uint16_t p;

		if (!__atomic_load_n(&polling, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&poller_idle[q], 1, __ATOMIC_RELEASE);
			usleep(50);
			continue;
		}
		if (__atomic_exchange_n(&poller_idle[q], 0, __ATOMIC_ACQ_REL)) {
			/* Beginning to poll: read the ports' stats, as an
			 * application checking its ports would.
			 */
			struct rte_eth_stats st;

			for (p = 0; p < NB_PORTS; p++)
				rte_eth_stats_get(ports[p], &st);
		}
		for (p = 0; p < NB_PORTS; p++) {
			uint16_t n, sent;

			burst_begin(q, ports[p], false);
			n = rte_eth_rx_burst(ports[p], q, m, BURST);
			burst_begin(q, ports[p ^ 1], true);
			sent = rte_eth_tx_burst(ports[p ^ 1], q, m, n);
			burst_end(q);
			if (sent < n)
				rte_pktmbuf_free_bulk(m + sent, n - sent);
			if ((++turn & 63) == 0)
				test_inject_broadcast(test_pool, ports[p], q);
		}
	}
	__atomic_store_n(&poller_idle[q], 1, __ATOMIC_RELEASE);
	rte_thread_unregister();
	return NULL;
}

/* Stop polling and wait until both pollers acknowledged. */
static void
pollers_pause(void)
{
	unsigned int q;

	__atomic_store_n(&polling, 0, __ATOMIC_RELEASE);
	for (q = 0; q < NB_QUEUES; q++)
		__atomic_store_n(&poller_idle[q], 0, __ATOMIC_RELEASE);
	for (q = 0; q < NB_QUEUES; q++)
		while (!__atomic_load_n(&poller_idle[q], __ATOMIC_ACQUIRE))
			usleep(20);
}

/* A control call: 0 is fine; -EBUSY (a reset runs) is retried until the
 * reset ended; anything else is a failure of the driver.
 */
static int
call_check(const char *what, int line, int ret)
{
	if (ret != 0) {
		fprintf(stderr, "line %d: %s returned %d (%s)\n", line, what, ret,
			rte_strerror(-ret));
		__atomic_fetch_add(&bad_returns, 1, __ATOMIC_RELAXED);
	}
	return ret;
}

/* A reset ends within its bounds (quiesce 10 s, hardware 5 s): retry for
 * longer than that.
 */
#define CALL(expr) call_check(#expr, __LINE__, __extension__ ({ \
	int r_; \
	time_t t_ = time(NULL) + 30; \
	while ((r_ = (expr)) == -EBUSY && time(NULL) < t_) { \
		__atomic_fetch_add(&busy_retries, 1, __ATOMIC_RELAXED); \
		usleep(100); \
	} \
	r_; }))

static int
probe_ports(void)
{
	unsigned int i;

	for (i = 0; i < NB_PORTS; i++) {
		int port = test_port_probe(dev_names[i], dev_args[i]);

		if (port < 0)
			return -1;
		ports[i] = (uint16_t)port;
	}
	return 0;
}

static int
setup_ports(unsigned int it)
{
	struct rte_eth_conf conf;
	unsigned int i;
	uint16_t q;

	for (i = 0; i < NB_PORTS; i++) {
		memset(&conf, 0, sizeof(conf));
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_UDP;
		if (CALL(rte_eth_dev_configure(ports[i], NB_QUEUES, NB_QUEUES, &conf)) != 0)
			return -1;
		for (q = 0; q < NB_QUEUES; q++) {
			if (CALL(rte_eth_rx_queue_setup(ports[i], q, NB_DESC, SOCKET_ID_ANY, NULL,
							test_pool)) != 0 ||
			    CALL(rte_eth_tx_queue_setup(ports[i], q, NB_DESC, SOCKET_ID_ANY,
							NULL)) != 0)
				return -1;
		}
		if (CALL(rte_eth_promiscuous_enable(ports[i])) != 0)
			return -1;
		if (CALL(rte_eth_dev_start(ports[i])) != 0)
			return -1;
	}
	(void)it;
	return 0;
}

/* Settings changes and reads while traffic flows and resets happen. */
static void
churn(unsigned int it)
{
	struct rte_eth_dev_info info;
	struct rte_eth_stats st;
	struct rte_eth_xstat xs[32];
	unsigned int i, k;

	for (k = 0; k < 1 + it % 4; k++) {
		for (i = 0; i < NB_PORTS; i++) {
			CALL(rte_eth_dev_set_mtu(ports[i], (it + k) % 2 ? 1500 : 1400));
			CALL(rte_eth_allmulticast_enable(ports[i]));
			CALL(rte_eth_allmulticast_disable(ports[i]));
			/* Reads work in every state. */
			if (rte_eth_dev_info_get(ports[i], &info) != 0 ||
			    rte_eth_stats_get(ports[i], &st) != 0 ||
			    rte_eth_xstats_get(ports[i], xs, RTE_DIM(xs)) < 0) {
				fprintf(stderr, "a read failed on port %u\n", ports[i]);
				__atomic_fetch_add(&bad_returns, 1, __ATOMIC_RELAXED);
			}
		}
		usleep((useconds_t)(it * 37 % 700));
	}
}


int
main(int argc, char **argv)
{
	const struct test_eal_opts eo = {
		.name = "race", .mem_mb = 512, .no_shconf = true, .nb_mbufs = 8191, .cache = 256,
		.log_levels = "lib.eal:critical lib.ethdev:critical",
	};
	unsigned int iterations = argc > 1 ? (unsigned int)atoi(argv[1]) : 2000;
	unsigned int it, i, base_threads, q;
	pthread_t pollers[NB_QUEUES], watch;
	cpu_set_t all_cpus;
	int fails = 0;

	/* The CPUs this process may use, before the EAL pins this thread. */
	if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus) != 0)
		CPU_ZERO(&all_cpus);
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	__atomic_store_n(&test_event_hook, on_event, __ATOMIC_RELEASE);
	base_threads = test_thread_count();
	for (q = 0; q < NB_QUEUES; q++)
		pthread_create(&pollers[q], NULL, poller_main, (void *)(uintptr_t)q);
	pthread_create(&watch, NULL, stall_watch, NULL);
	/* Not on the pollers' CPU: it must run while they are stuck. */
	if (CPU_COUNT(&all_cpus) > 0)
		pthread_setaffinity_np(watch, sizeof(all_cpus), &all_cpus);
	base_threads += NB_QUEUES + 1;

	if (probe_ports() != 0)
		return 1;
	for (it = 0; it < iterations && bad_returns == 0; it++) {
		if (setup_ports(it) != 0)
			break;
		__atomic_store_n(&polling, 1, __ATOMIC_RELEASE);
		churn(it);
		/* Sometimes stop while the pollers still poll: the guard must
		 * keep them out of the queues being torn down. DPDK does not
		 * support this (rte_eth_dev_stop rewrites the fast-path table
		 * under the pollers with plain stores, and so does the driver
		 * when it refuses the stop and puts the table back), so ThreadSanitizer
		 * builds follow the rules and pause first; the other builds
		 * show the driver survives it.
		 */
		if (it % 3 != 0 || TSAN_BUILD)
			pollers_pause();
		for (i = 0; i < NB_PORTS; i++)
			CALL(rte_eth_dev_stop(ports[i]));
		pollers_pause();
		/* Close (during whatever reset runs) and probe again. */
		if (it % 10 == 9 || it + 1 == iterations) {
			/* Close during whatever reset is running. */
			for (i = 0; i < NB_PORTS; i++) {
				struct rte_eth_dev_info info;
				uint16_t p = ports[i];

				rte_eth_dev_info_get(p, &info);
				CALL(rte_eth_dev_close(p));
				if (test_events(p, RTE_ETH_EVENT_ERR_RECOVERING) != outcomes(p)) {
					fprintf(stderr, "port %u closed with %" PRIu64 " recovering and %" PRIu64 " outcomes\n",
						p, test_events(p, RTE_ETH_EVENT_ERR_RECOVERING),
						outcomes(p));
					fails++;
				}
				if (rte_vdev_uninit(dev_names[i]) != 0) {
					fprintf(stderr, "cannot remove %s\n", dev_names[i]);
					fails++;
				}
			}
			if (it + 1 < iterations && probe_ports() != 0)
				break;
		}
	}
	__atomic_store_n(&pollers_quit, 1, __ATOMIC_RELEASE);
	for (q = 0; q < NB_QUEUES; q++)
		pthread_join(pollers[q], NULL);
	pthread_join(watch, NULL);
	base_threads -= NB_QUEUES + 1;

	printf("%u iterations, %" PRIu64 " resets, %" PRIu64 " calls retried after -EBUSY, %" PRIu64 " bursts seen in for over %llu s\n",
	       it, __atomic_load_n(&total_recovering, __ATOMIC_RELAXED),
	       __atomic_load_n(&busy_retries, __ATOMIC_RELAXED),
	       __atomic_load_n(&stalls_seen, __ATOMIC_RELAXED), STALL_REPORT_NS / 1000000000);
	if (it < iterations) {
		fprintf(stderr, "FAIL: stopped after %u of %u iterations\n", it, iterations);
		fails++;
	}
	if (bad_returns != 0) {
		fprintf(stderr, "FAIL: %" PRIu64 " control calls failed\n", bad_returns);
		fails++;
	}
	if (__atomic_load_n(&unpaired, __ATOMIC_RELAXED) != 0) {
		fprintf(stderr, "FAIL: %" PRIu64 " events out of pairing\n",
			__atomic_load_n(&unpaired, __ATOMIC_RELAXED));
		fails++;
	}
	if (__atomic_load_n(&total_recovering, __ATOMIC_RELAXED) < iterations / 4) {
		fprintf(stderr, "FAIL: only %" PRIu64 " resets: the race was not exercised\n",
			__atomic_load_n(&total_recovering, __ATOMIC_RELAXED));
		fails++;
	}
	if (test_thread_count() != base_threads || test_thread_count_named("mana-rst") != 0) {
		fprintf(stderr, "FAIL: %u threads left, %u before\n", test_thread_count(), base_threads);
		fails++;
	}
	if (rte_mempool_in_use_count(test_pool) != 0) {
		fprintf(stderr, "FAIL: %u mbufs not returned\n", rte_mempool_in_use_count(test_pool));
		fails++;
	}
	if (test_eal_finish() != 0)
		fails++;
	return fails != 0;
}
