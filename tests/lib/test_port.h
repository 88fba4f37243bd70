/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TEST_PORT_H
#define MANA_TEST_PORT_H

/*
 * The EAL and port set-up every C test of the driver shares: one EAL per
 * test binary (--no-pci, its own --file-prefix, lcore 0, no hugepages unless
 * asked), one mbuf pool, an event recorder for the reset events (with a hook
 * for the test's own reaction), and ports of the simulated device brought up
 * (probe, then set up and start: apart for a test that records the port id
 * in between) and down the same way. Header-only.
 *
 * Threads: test_eal_setup on the main thread before anything else; the
 * recorder's counters are written on whatever thread ethdev raises the
 * event on (the driver's reset thread) and read with acquire loads from any
 * thread; the port helpers on one control thread at a time (ethdev's
 * control path is not thread-safe).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "tests/lib/test_util.h"

static inline uint64_t
test_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline uint64_t
test_now_us(void)
{
	return test_now_ns() / 1000;
}

static inline uint64_t
test_now_ms(void)
{
	return test_now_ns() / 1000000;
}

/* ---- the EAL ------------------------------------------------------------- */

struct test_eal_opts {
	const char *name;       /* the --file-prefix stem, and the pool's name */
	bool huge;              /* real hugepages (multi-process); else --no-huge */
	unsigned int mem_mb;    /* -m with --no-huge; 0: 256 */
	bool no_shconf;         /* --no-shconf: no shared config file */
	const char *lcores;     /* -l; NULL: "0" */
	unsigned int nb_mbufs;  /* the pool's size; 0: 4095 */
	unsigned int cache;     /* the pool's per-lcore cache */
	/* Extra "--log-level" values, comma-free, space-separated; after
	 * lib.eal:error and pmd.net.mana.*:error, so they override them.
	 */
	const char *log_levels;
	bool telemetry;         /* keep the telemetry socket */
	/* --base-virtaddr, or NULL. A primary whose secondaries run under
	 * AddressSanitizer needs its memory where their shadow is not.
	 */
	const char *base_virtaddr;
};

/* The test's pool, from test_eal_setup. */
static struct rte_mempool *test_pool __attribute__((unused));

/* Events per port and type, from the recorder test_eal_setup registers for
 * ERR_RECOVERING, RECOVERY_SUCCESS, RECOVERY_FAILED and INTR_RMV.
 */
static uint64_t test_nb_ev[RTE_MAX_ETHPORTS][RTE_ETH_EVENT_MAX] __attribute__((unused));

/* The test's own reaction to an event, after it was counted (on the
 * thread that raised it); NULL for none.
 */
static void (*test_event_hook)(uint16_t port, enum rte_eth_event_type type)
	__attribute__((unused));

static inline int
test_event_record(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	void (*hook)(uint16_t, enum rte_eth_event_type);

	(void)arg;
	(void)ret;
	if (port < RTE_MAX_ETHPORTS)
		__atomic_fetch_add(&test_nb_ev[port][type], 1, __ATOMIC_RELEASE);
	hook = __atomic_load_n(&test_event_hook, __ATOMIC_ACQUIRE);
	if (hook != NULL)
		hook(port, type);
	return 0;
}

static inline uint64_t
test_events(uint16_t port, enum rte_eth_event_type type)
{
	return __atomic_load_n(&test_nb_ev[port][type], __ATOMIC_ACQUIRE);
}

static inline void
test_events_clear(uint16_t port)
{
	unsigned int t;

	for (t = 0; t < RTE_ETH_EVENT_MAX; t++)
		__atomic_store_n(&test_nb_ev[port][t], 0, __ATOMIC_RELEASE);
}

/* Wait until port has seen n events of a type (at most ms). */
static inline bool
test_wait_events(uint16_t port, enum rte_eth_event_type type, uint64_t n, unsigned int ms)
{
	uint64_t end = test_now_ms() + ms;

	while (test_events(port, type) < n) {
		if (test_now_ms() > end)
			return false;
		usleep(500);
	}
	return true;
}

/*
 * EAL's log stream (a stdio stream over its console writer) gets its buffer
 * from libc at its first message. When the first two messages come from two
 * driver threads at once (two ports' reset threads), ThreadSanitizer sees
 * libc's malloc of that buffer in one and the console writer's fwrite of it
 * in the other, ordered only by the stream's lock inside uninstrumented libc:
 * a report about libc, not about us (issue 10, defect 8). Giving the stream
 * its buffer here, before any thread of the driver exists, leaves nothing
 * for libc to allocate later. Once, on the main thread, after rte_eal_init.
 */
static inline void
test_log_stream_ready(void)
{
	static char buf[BUFSIZ];

	setvbuf(rte_log_get_stream(), buf, _IOLBF, sizeof(buf));
}

/* Initialize the EAL, make the pool and register the recorder: 0, or -1
 * after a message on stderr. argv0 is the program's name.
 */
static inline int
test_eal_setup(const char *argv0, const struct test_eal_opts *o)
{
	static const enum rte_eth_event_type recorded[] = {
		RTE_ETH_EVENT_ERR_RECOVERING, RTE_ETH_EVENT_RECOVERY_SUCCESS,
		RTE_ETH_EVENT_RECOVERY_FAILED, RTE_ETH_EVENT_INTR_RMV,
	};
	static char prefix[64], mem[16], levels[512];
	char *args[48];
	char *save = NULL, *tok;
	unsigned int i;
	int n = 0;

	snprintf(prefix, sizeof(prefix), "mana_%s_%d", o->name, (int)getpid());
	args[n++] = (char *)(uintptr_t)argv0;
	args[n++] = "-l";
	args[n++] = (char *)(uintptr_t)(o->lcores != NULL ? o->lcores : "0");
	args[n++] = "--no-pci";
	args[n++] = "--file-prefix";
	args[n++] = prefix;
	if (!o->huge) {
		snprintf(mem, sizeof(mem), "%u", o->mem_mb != 0 ? o->mem_mb : 256);
		args[n++] = "--no-huge";
		args[n++] = "-m";
		args[n++] = mem;
	}
	if (o->no_shconf)
		args[n++] = "--no-shconf";
	if (!o->telemetry)
		args[n++] = "--no-telemetry";
	if (o->base_virtaddr != NULL) {
		args[n++] = "--base-virtaddr";
		args[n++] = (char *)(uintptr_t)o->base_virtaddr;
	}
	args[n++] = "--log-level";
	args[n++] = "lib.eal:error";
	args[n++] = "--log-level";
	args[n++] = "pmd.net.mana.*:error";
	snprintf(levels, sizeof(levels), "%s", o->log_levels != NULL ? o->log_levels : "");
	for (tok = strtok_r(levels, " ", &save); tok != NULL && n < 46;
	     tok = strtok_r(NULL, " ", &save)) {
		args[n++] = "--log-level";
		args[n++] = tok;
	}
	if (rte_eal_init(n, args) < 0) {
		fprintf(stderr, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	test_log_stream_ready();
	test_pool = rte_pktmbuf_pool_create(o->name, o->nb_mbufs != 0 ? o->nb_mbufs : 4095,
					    o->cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (test_pool == NULL) {
		fprintf(stderr, "cannot create the mbuf pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	for (i = 0; i < RTE_DIM(recorded); i++)
		if (rte_eth_dev_callback_register(RTE_ETH_ALL, recorded[i], test_event_record,
						  NULL) != 0) {
			fprintf(stderr, "cannot register the event recorder\n");
			return -1;
		}
	return 0;
}

/* The end of main: free the pool, clean up the EAL, the verdict. */
static inline int
test_eal_finish(void)
{
	rte_mempool_free(test_pool);
	rte_eal_cleanup();
	if (test_failures != 0) {
		fprintf(stderr, "%d check(s) failed\n", test_failures);
		return 1;
	}
	return 0;
}

/* ---- ports ---------------------------------------------------------------- */

/* The value of port's xstat name, or UINT64_MAX when there is none. */
static inline uint64_t
test_xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

struct test_port_opts {
	uint16_t nb_rxq, nb_txq;      /* 0: 1 each */
	uint16_t nb_desc;             /* 0: 256 */
	bool rss;                     /* RSS over rss_hf */
	uint64_t rss_hf;              /* 0: IPv4 */
	bool promisc;
	bool no_start;                /* configured and set up, not started */
};

/* Probe vdev name with args: the port id, or -1 after a message on stderr.
 * Its event counts start at 0.
 */
static inline int
test_port_probe(const char *name, const char *args)
{
	uint16_t port;
	int ret = rte_vdev_init(name, args);

	if (ret != 0 || rte_eth_dev_get_port_by_name(name, &port) != 0) {
		fprintf(stderr, "cannot probe %s,%s: %d\n", name, args, ret);
		return -1;
	}
	test_events_clear(port);
	return port;
}

/* Configure probed port name, set up every queue, start: 0, or -1 after a
 * message on stderr naming the step and its error.
 */
static inline int
test_port_setup(const char *name, uint16_t port, const struct test_port_opts *o)
{
	static const struct test_port_opts none;
	uint16_t q, nb_rxq, nb_txq, nb_desc;
	struct rte_eth_conf conf;
	int ret;

	if (o == NULL)
		o = &none;
	nb_rxq = o->nb_rxq != 0 ? o->nb_rxq : 1;
	nb_txq = o->nb_txq != 0 ? o->nb_txq : 1;
	nb_desc = o->nb_desc != 0 ? o->nb_desc : 256;
	memset(&conf, 0, sizeof(conf));
	if (o->rss) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = o->rss_hf != 0 ? o->rss_hf : RTE_ETH_RSS_IPV4;
	}
	ret = rte_eth_dev_configure(port, nb_rxq, nb_txq, &conf);
	if (ret != 0) {
		fprintf(stderr, "%s: cannot configure %u/%u queues: %s\n", name, nb_rxq, nb_txq,
			rte_strerror(-ret));
		return -1;
	}
	for (q = 0; q < nb_rxq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, nb_desc, SOCKET_ID_ANY, NULL, test_pool);
		if (ret != 0) {
			fprintf(stderr, "%s: cannot set up rx queue %u: %s\n", name, q,
				rte_strerror(-ret));
			return -1;
		}
	}
	for (q = 0; q < nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(port, q, nb_desc, SOCKET_ID_ANY, NULL);
		if (ret != 0) {
			fprintf(stderr, "%s: cannot set up tx queue %u: %s\n", name, q,
				rte_strerror(-ret));
			return -1;
		}
	}
	if (o->promisc && (ret = rte_eth_promiscuous_enable(port)) != 0) {
		fprintf(stderr, "%s: cannot enable promiscuous mode: %s\n", name,
			rte_strerror(-ret));
		return -1;
	}
	if (!o->no_start && (ret = rte_eth_dev_start(port)) != 0) {
		fprintf(stderr, "%s: cannot start: %s\n", name, rte_strerror(-ret));
		return -1;
	}
	return 0;
}

/* Probe (test_port_probe) and set up (test_port_setup): the port id, or -1
 * after a message on stderr.
 */
static inline int
test_port_up(const char *name, const char *args, const struct test_port_opts *o)
{
	int port = test_port_probe(name, args);

	if (port < 0 || test_port_setup(name, (uint16_t)port, o) != 0)
		return -1;
	return port;
}

/* Close and remove a stopped port; failures are checks. */
static inline void
test_port_close(const char *name, uint16_t port)
{
	CHECK(rte_eth_dev_close(port) == 0);
	CHECK(rte_vdev_uninit(name) == 0);
}

/* Stop (retrying while a reset runs, bounded generously for sanitizers and a
 * loaded machine), close and remove the port; failures are checks.
 */
static inline void
test_port_down(const char *name, uint16_t port)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < 60000 && (ret = rte_eth_dev_stop(port)) == -EBUSY; i++)
		usleep(1000);
	CHECK(ret == 0);
	test_port_close(name, port);
}

#endif /* MANA_TEST_PORT_H */
