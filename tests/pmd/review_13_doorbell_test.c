/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Review finding 13: the reviewed tx burst read the doorbell page pointer at
 * its top, before its state check, widening the window in which a reset can
 * unmap the page under it. Ours reads nothing of the device before the gate.
 *
 * Two simulated ports forward and reset every few milliseconds (the
 * simulator keeps every closed handle's doorbell page inaccessible, so a
 * stale write faults). The driver is built with a hook called first in
 * every burst (tests/pmd/hooks/burst/mana_rxtx_hook.h); here it sleeps, now and then, for as long as
 * a reset takes, so any read of the device made before the gate check goes
 * stale before it is used.
 *
 *   review_13_doorbell_test survives     the driver as it is: no fault in
 *                                        a thousand resets
 *   review_13_doorbell_test must_fault   linked with the build that reads the
 *                                        doorbell first (hooks/early_db/, the
 *                                        reviewed shape): it must fault
 *
 * The scenario runs in a child process; a fault ends it with status 77.
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
#include <rte_mbuf.h>

#include "tests/lib/dpdk_inject.h"
#include "tests/lib/test_port.h"
#include "tests/lib/test_util.h"
#include "tests/lib/tsan_dpdk.h"

#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_suppressions(void);
const char *
__tsan_default_suppressions(void)
{
	return TSAN_DPDK_SUPPRESSIONS "race:test_inject_broadcast\n";
}
#endif

#define NB_PORTS  2
#define NB_Q      2
#define FAULTED   77

extern void (*mana_test_burst_hook)(void);

static const char *const names[NB_PORTS] = { "net_mana_sim0", "net_mana_sim1" };
static uint16_t ports[NB_PORTS];
static int quit;
static __thread unsigned int hook_seed;

/* One burst in eight sleeps up to 3 ms: about a reset's length. */
static void
burst_hook(void)
{
	if (rand_r(&hook_seed) % 8 == 0)
		usleep(rand_r(&hook_seed) % 3000);
}

static void
on_fault(int sig)
{
	static const char msg[] = "fault in a burst: a stale doorbell page was written\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(FAULTED);
	_exit(FAULTED);
}

/* Poller q owns queue q of both ports. */
static void *
poller(void *arg)
{
	uint16_t q = (uint16_t)(uintptr_t)arg, p, n, sent;
	struct rte_mbuf *m[32];
	unsigned int turn = 0;

	hook_seed = 12345u + q;
	while (!__atomic_load_n(&quit, __ATOMIC_ACQUIRE))
		for (p = 0; p < NB_PORTS; p++) {
			n = rte_eth_rx_burst(ports[p], q, m, RTE_DIM(m));
			sent = rte_eth_tx_burst(ports[p ^ 1], q, m, n);
			if (sent < n)
				rte_pktmbuf_free_bulk(m + sent, n - sent);
			if ((++turn & 15) == 0)
				test_inject_broadcast(test_pool, ports[p], q);
		}
	return NULL;
}

/* Resets begun and ended on both ports. */
static uint64_t
resets(enum rte_eth_event_type type)
{
	return test_events(ports[0], type) + test_events(ports[1], type);
}

static uint64_t
outcomes(void)
{
	return resets(RTE_ETH_EVENT_RECOVERY_SUCCESS) + resets(RTE_ETH_EVENT_RECOVERY_FAILED);
}

/* The child: returns its exit status. */
static int
scenario(const char *argv0, uint64_t want_resets, unsigned int max_secs)
{
	const struct test_eal_opts eo = {
		.name = "r13", .nb_mbufs = 8191, .log_levels = "lib.ethdev:critical",
	};
	const struct test_port_opts po = {
		.nb_rxq = NB_Q, .nb_txq = NB_Q, .rss = true, .promisc = true,
	};
	struct sigaction sa;
	pthread_t t[NB_Q];
	unsigned int i, q;
	uint64_t n;
	time_t end;
	int ret, port;

	if (test_eal_setup(argv0, &eo) != 0)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < NB_PORTS; i++) {
		port = test_port_up(names[i], "reset_period_ms=3,recovery_ms=1", &po);
		if (port < 0)
			return 1;
		ports[i] = (uint16_t)port;
	}
	__atomic_store_n(&mana_test_burst_hook, burst_hook, __ATOMIC_RELEASE);
	for (q = 0; q < NB_Q; q++)
		pthread_create(&t[q], NULL, poller, (void *)(uintptr_t)q);
	end = time(NULL) + max_secs;
	while (resets(RTE_ETH_EVENT_ERR_RECOVERING) < want_resets && time(NULL) < end)
		usleep(10000);
	__atomic_store_n(&quit, 1, __ATOMIC_RELEASE);
	for (q = 0; q < NB_Q; q++)
		pthread_join(t[q], NULL);
	n = resets(RTE_ETH_EVENT_ERR_RECOVERING);
	printf("%" PRIu64 " resets with bursts sleeping at their start\n", n);
	ret = n >= want_resets ? 0 : 1;
	if (ret != 0)
		fprintf(stderr, "FAIL: fewer than %" PRIu64 " resets in %u s\n", want_resets,
			max_secs);
	for (i = 0; i < NB_PORTS; i++)
		test_port_down(names[i], ports[i]);
	if (resets(RTE_ETH_EVENT_ERR_RECOVERING) != outcomes()) {
		fprintf(stderr, "FAIL: %" PRIu64 " resets, %" PRIu64 " outcomes\n",
			resets(RTE_ETH_EVENT_ERR_RECOVERING), outcomes());
		ret = 1;
	}
	return test_eal_finish() != 0 ? 1 : ret;
}

int
main(int argc, char **argv)
{
	bool must_fault = argc > 1 && strcmp(argv[1], "must_fault") == 0;
	int status;
	pid_t pid;

	if (argc < 2 || (!must_fault && strcmp(argv[1], "survives") != 0)) {
		fprintf(stderr, "usage: %s survives|must_fault\n", argv[0]);
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		_exit(scenario(argv[0], must_fault ? 100000 : 1000, must_fault ? 60 : 120));
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	if (must_fault) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == FAULTED) {
			printf("ok: the doorbell read before the gate check faulted, as it must\n");
			return 0;
		}
#if defined(__SANITIZE_THREAD__)
		/* ThreadSanitizer sees it first: the read races with the reset
		 * thread's teardown (its exit status, 66, after the report).
		 */
		if (WIFEXITED(status) && WEXITSTATUS(status) == 66) {
			printf("ok: the doorbell read before the gate check is a race ThreadSanitizer reports\n");
			return 0;
		}
#endif
		fprintf(stderr, "FAIL: the reviewed shape survived (status %#x): the test does not bite\n",
			status);
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok: no burst touched a stale doorbell page\n");
		return 0;
	}
	fprintf(stderr, "FAIL: the scenario ended with status %#x%s\n", status,
		WIFEXITED(status) && WEXITSTATUS(status) == FAULTED ? " (a fault in a burst)" : "");
	return 1;
}
