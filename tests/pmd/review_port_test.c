/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Regression tests of review findings 1 to 4 (../shared/reference/
 * mana-reset-patch-review.txt), on real ports of the simulated device in one
 * EAL process that links the driver:
 *
 *   review_port_test review_01   close frees everything probe allocated
 *   review_port_test review_02   every driver thread joined or detached once
 *   review_port_test review_03   no operation waits for the hardware
 *   review_port_test review_04   no private pthread object in shared memory
 *
 * The test binary is linked with --wrap for pthread_mutex_init,
 * pthread_cond_init, rte_ctrl_thread_create, pthread_join and
 * pthread_detach: the driver's calls (it is linked in statically) come here
 * first and are recorded.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include "pmd/mana_devev.h"
#include "pmd/sim/mana_sim.h"
#include "tests/lib/test_port.h"
#include "tests/lib/test_util.h"
#include "tests/lib/tsan_dpdk.h"
#include "tests/pmd/test_devev.h"

#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_suppressions(void);
const char *
__tsan_default_suppressions(void)
{
	return TSAN_DPDK_SUPPRESSIONS;
}
#endif

/* ---- what the driver does with threads and pthread objects ------------- */

#define MAX_THREADS 256

struct thread_rec {
	pthread_t t;
	char name[32];
	unsigned int joins;
	unsigned int detaches;
};

/* Statically initialized: the wrappers below never call pthread_*_init. */
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct thread_rec threads[MAX_THREADS];
static unsigned int nb_threads;
static unsigned int nb_sync_inits;        /* mutexes and conds initialized */
static unsigned int nb_shared_private;    /* ... in DPDK memory, not pshared */

int __real_rte_ctrl_thread_create(pthread_t *t, const char *name, const pthread_attr_t *attr,
				  void *(*fn)(void *), void *arg);
int __wrap_rte_ctrl_thread_create(pthread_t *t, const char *name, const pthread_attr_t *attr,
				  void *(*fn)(void *), void *arg);
int __real_pthread_join(pthread_t t, void **ret);
int __wrap_pthread_join(pthread_t t, void **ret);
int __real_pthread_detach(pthread_t t);
int __wrap_pthread_detach(pthread_t t);
int __real_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a);
int __wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a);
int __real_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a);
int __wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a);

int
__wrap_rte_ctrl_thread_create(pthread_t *t, const char *name, const pthread_attr_t *attr,
			      void *(*fn)(void *), void *arg)
{
	int ret = __real_rte_ctrl_thread_create(t, name, attr, fn, arg);

	if (ret == 0) {
		pthread_mutex_lock(&rec_lock);
		if (nb_threads < MAX_THREADS) {
			threads[nb_threads].t = *t;
			snprintf(threads[nb_threads].name, sizeof(threads[0].name), "%s", name);
			nb_threads++;
		}
		pthread_mutex_unlock(&rec_lock);
	}
	return ret;
}

static void
thread_mark(pthread_t t, bool join)
{
	unsigned int i;

	pthread_mutex_lock(&rec_lock);
	/* The newest record: a thread id may be reused after a join. */
	for (i = nb_threads; i-- > 0;)
		if (pthread_equal(threads[i].t, t)) {
			if (join)
				threads[i].joins++;
			else
				threads[i].detaches++;
			break;
		}
	pthread_mutex_unlock(&rec_lock);
}

int
__wrap_pthread_join(pthread_t t, void **ret)
{
	thread_mark(t, true);
	return __real_pthread_join(t, ret);
}

int
__wrap_pthread_detach(pthread_t t)
{
	thread_mark(t, false);
	return __real_pthread_detach(t);
}

/* In memory every process of the DPDK application maps (a secondary maps
 * the same hugepage segments at the same addresses)?
 */
static bool
in_dpdk_memory(const void *p)
{
	return rte_mem_virt2memseg_list(p) != NULL;
}

static void
sync_init_check(const void *obj, bool pshared, const char *what)
{
	pthread_mutex_lock(&rec_lock);
	nb_sync_inits++;
	if (in_dpdk_memory(obj) && !pshared) {
		nb_shared_private++;
		fprintf(stderr, "a process-private %s at %p lives in DPDK shared memory\n", what,
			obj);
	}
	pthread_mutex_unlock(&rec_lock);
}

int
__wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	int ps = PTHREAD_PROCESS_PRIVATE;

	if (a != NULL)
		pthread_mutexattr_getpshared(a, &ps);
	sync_init_check(m, ps == PTHREAD_PROCESS_SHARED, "mutex");
	return __real_pthread_mutex_init(m, a);
}

int
__wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	int ps = PTHREAD_PROCESS_PRIVATE;

	if (a != NULL)
		pthread_condattr_getpshared(a, &ps);
	sync_init_check(c, ps == PTHREAD_PROCESS_SHARED, "condition variable");
	return __real_pthread_cond_init(c, a);
}

/* Every driver thread created so far was joined or detached exactly once. */
static unsigned int
threads_unreaped(void)
{
	unsigned int i, bad = 0;

	pthread_mutex_lock(&rec_lock);
	for (i = 0; i < nb_threads; i++)
		if (threads[i].joins + threads[i].detaches != 1) {
			fprintf(stderr, "thread %s: joined %u times, detached %u times\n",
				threads[i].name, threads[i].joins, threads[i].detaches);
			bad++;
		}
	pthread_mutex_unlock(&rec_lock);
	return bad;
}

/* ---- ports and events --------------------------------------------------- */

#define NB_Q 2

static const struct test_port_opts review_port = {
	.nb_rxq = NB_Q, .nb_txq = NB_Q, .rss = true, .promisc = true,
};
static int close_on_failure = -1;   /* port closed from its RECOVERY_FAILED */
static int closed_in_callback;

/* The test's event hook, after the recorder counted the event. */
static void
close_on_failure_hook(uint16_t port, enum rte_eth_event_type type)
{
	if (type == RTE_ETH_EVENT_RECOVERY_FAILED &&
	    __atomic_load_n(&close_on_failure, __ATOMIC_ACQUIRE) == port) {
		/* On the driver's reset thread. ethdev closes stopped ports
		 * only; a failed port stops at once.
		 */
		CHECK(rte_eth_dev_stop(port) == 0);
		CHECK(rte_eth_dev_close(port) == 0);
		__atomic_store_n(&closed_in_callback, 1, __ATOMIC_RELEASE);
	}
}

struct heap_use {
	uint64_t bytes;
	uint64_t allocs;
	unsigned int memzones;
};

static void
count_memzone(const struct rte_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned int *)arg)++;
}

static struct heap_use
heap_use(void)
{
	struct heap_use u = { 0, 0, 0 };
	struct rte_malloc_socket_stats st;
	int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0) {
			u.bytes += st.heap_allocsz_bytes;
			u.allocs += st.alloc_count;
		}
	rte_memzone_walk(count_memzone, &u.memzones);
	return u;
}

/*
 * One life of a port: probe, start, two service events it recovers from,
 * stop, close, remove. The simulator counts each period from the device's
 * last open (the start, then each reset's reprobe): 50 ms leaves each reset
 * time to end before the next event even under ThreadSanitizer on a loaded
 * machine, so every life has two full resets. (At 5 ms the second event
 * could hit the port while the first reset still restored it: the two
 * merged into one reset with one RECOVERY_SUCCESS.)
 */
static void
port_life(void)
{
	int port = test_port_up("net_mana_sim0",
				"reset_period_ms=50,reset_count=2,recovery_ms=1,peer=net_mana_sim9",
				&review_port);

	CHECK(port >= 0);
	if (port < 0)
		return;
	if (!test_wait_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, 2, 5000)) {
		fprintf(stderr, "%" PRIu64 " recoveries of 2; resets requested %" PRIu64 ", merged %" PRIu64 ", failed %" PRIu64 "\n",
			test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS),
			test_xstat(port, "reset_requested"), test_xstat(port, "reset_merged"),
			test_xstat(port, "reset_failed"));
		CHECK(!"two resets recovered");
	}
	test_port_down("net_mana_sim0", port);
}

/*
 * Review finding 1: the reviewed patch leaked an allocation of probe at
 * every close. Here a port lives and dies 20 times (each with two resets):
 * after the first life (which creates the simulator's shared hub), DPDK's
 * heap (bytes and allocations), its memzones, the process's fds and threads
 * are the same after every close.
 */
static void
test_review_01_close_frees(void)
{
	struct mana_sim_mr_stats mr;
	struct heap_use base, u;
	unsigned int fds, thr, i;

	port_life();
	/* The first life's reset thread may still be ending. */
	for (i = 0; i < 500 && test_thread_count_named("mana-rst") > 0; i++)
		usleep(10000);
	CHECK(test_devev_settled());
	base = heap_use();
	fds = test_fd_count();
	thr = test_thread_count_named("mana-rst");
	CHECK(thr == 0);
	for (i = 0; i < 20; i++) {
		unsigned int settle;

		port_life();
		CHECK(test_devev_settled());
		u = heap_use();
		/* A joined thread may still show in /proc for a moment (for
		 * longer on a loaded machine: up to 5 s here, only a bound).
		 */
		for (settle = 0; settle < 500 &&
		     (test_fd_count() != fds || test_thread_count_named("mana-rst") != thr);
		     settle++)
			usleep(10000);
		if (u.bytes != base.bytes || u.allocs != base.allocs ||
		    u.memzones != base.memzones || test_fd_count() != fds ||
		    test_thread_count_named("mana-rst") != thr) {
			fprintf(stderr, "life %u: heap %" PRIu64 " B in %" PRIu64 " allocations (was %" PRIu64 " in %" PRIu64 "), %u memzones (was %u), %u fds (was %u), %u reset threads (was %u)\n",
				i, u.bytes, u.allocs, base.bytes, base.allocs, u.memzones,
				base.memzones, test_fd_count(), fds, test_thread_count_named("mana-rst"),
				thr);
			CHECK(!"close released everything");
			return;
		}
	}
	/* Memory registrations: made at every start (and again after every
	 * reset), all released before their handle closed.
	 */
	CHECK(mana_sim_mr_stats_get(&mr) == 0);
	CHECK(mr.registered >= 21 * 3);
	CHECK(mr.active == 0 && mr.leaked == 0 && mr.bad_lkey == 0);
	printf("review 01: 20 port lives, heap %" PRIu64 " B in %" PRIu64 " allocations before and after; %" PRIu64 " memory registrations, %" PRIu64 " left, %" PRIu64 " leaked\n",
	       base.bytes, base.allocs, mr.registered, mr.active, mr.leaked);
}

/*
 * Review finding 2: the reviewed reset thread ended on its own and was never
 * joined when the reset completed before close. Here: a reset that ends on
 * its own, then close; close during a reset; close from the application's
 * RECOVERY_FAILED callback (on the reset thread itself). Every thread the
 * driver created is joined or detached exactly once, and none is left.
 */
static void
test_review_02_threads_reaped(void)
{
	unsigned int created;
	uint64_t end;
	int port;

	/* The reset ends on its own; close later. */
	port = test_port_up("net_mana_sim0", "reset_period_ms=5,reset_count=1,recovery_ms=1",
			    &review_port);
	CHECK(port >= 0 && test_wait_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, 1, 5000));
	usleep(20000);
	if (port >= 0)
		test_port_down("net_mana_sim0", port);
	/* Close while the reset waits for the hardware. */
	port = test_port_up("net_mana_sim0", "reset_period_ms=5,reset_count=1,recovery_ms=5000",
			    &review_port);
	CHECK(port >= 0 && test_wait_events(port, RTE_ETH_EVENT_ERR_RECOVERING, 1, 5000));
	if (port >= 0) {
		usleep(10000);
		CHECK(rte_eth_dev_stop(port) == 0);
		CHECK(rte_eth_dev_close(port) == 0);
		CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_FAILED) == 1);
		CHECK(rte_vdev_uninit("net_mana_sim0") == 0);
	}
	/* The application closes the port from its RECOVERY_FAILED callback. */
	port = test_port_up("net_mana_sim0",
			    "reset_period_ms=5,reset_count=1,recovery=fail,reset_timeout_ms=50",
			    &review_port);
	CHECK(port >= 0);
	if (port >= 0) {
		__atomic_store_n(&close_on_failure, port, __ATOMIC_RELEASE);
		CHECK(test_wait_events(port, RTE_ETH_EVENT_RECOVERY_FAILED, 1, 5000));
		end = test_now_ms() + 2000;
		while (!__atomic_load_n(&closed_in_callback, __ATOMIC_ACQUIRE) && test_now_ms() < end)
			usleep(1000);
		/* The detached reset thread ends by itself. */
		while (test_thread_count_named("mana-rst") > 0 && test_now_ms() < end)
			usleep(1000);
		CHECK(rte_eth_dev_is_valid_port(port) == 0);   /* closed, released */
		__atomic_store_n(&close_on_failure, -1, __ATOMIC_RELEASE);
		CHECK(rte_vdev_uninit("net_mana_sim0") == 0);
	}
	created = nb_threads;
	CHECK(created >= 3);
	CHECK(threads_unreaped() == 0);
	CHECK(test_thread_count_named("mana-rst") == 0);
	printf("review 02: %u driver threads, each joined or detached once\n", created);
}

/* Time fn in microseconds. */
#define TIMED(us, expr) __extension__ ({ \
	uint64_t t0_ = test_now_us(); \
	int r_ = (expr); \
	(us) = test_now_us() - t0_; \
	r_; })

/*
 * Review finding 3: the reviewed patch held a spinlock across probes, IPC
 * with a 5 s timeout and device start, and stop/close joined a reset thread
 * that waited for the hardware. Here the hardware stays down for 5 s; while
 * the reset waits for it, every operation is answered at once (changes with
 * -EBUSY, reads with 0), stop succeeds (the queues are down already), and
 * close ends the reset (RECOVERY_FAILED), all in far less than the
 * hardware's down time.
 */
static void
test_review_03_no_wait_for_hardware(void)
{
	struct rte_ether_addr mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x33 } };
	struct rte_eth_dev_info info;
	struct rte_eth_stats st;
	struct rte_eth_xstat xs[64];
	struct rte_eth_link link;
	uint64_t us, worst = 0;
	int port;

	port = test_port_up("net_mana_sim0", "reset_period_ms=5,reset_count=1,recovery_ms=5000",
			    &review_port);
	CHECK(port >= 0);
	if (port < 0)
		return;
	CHECK(test_wait_events(port, RTE_ETH_EVENT_ERR_RECOVERING, 1, 5000));
	usleep(20000);     /* into the wait for the hardware */
#define ANSWERED(expr, want) do { \
	CHECK(TIMED(us, (expr)) == (want)); \
	if (us > worst) \
		worst = us; \
	CHECK(us < 50000); \
} while (0)
	ANSWERED(rte_eth_dev_set_mtu(port, 1400), -EBUSY);
	ANSWERED(rte_eth_promiscuous_disable(port), -EBUSY);
	ANSWERED(rte_eth_allmulticast_enable(port), -EBUSY);
	ANSWERED(rte_eth_dev_default_mac_addr_set(port, &mac), -EBUSY);
	ANSWERED(rte_eth_dev_info_get(port, &info), 0);
	ANSWERED(rte_eth_stats_get(port, &st), 0);
	ANSWERED(rte_eth_xstats_get(port, xs, RTE_DIM(xs)) > 0, 1);
	ANSWERED(rte_eth_link_get_nowait(port, &link), 0);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	/* Stop and close now: well before the hardware is back. */
	ANSWERED(rte_eth_dev_stop(port), 0);
	ANSWERED(rte_eth_dev_close(port), 0);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_FAILED) == 1);
	CHECK(rte_vdev_uninit("net_mana_sim0") == 0);
	printf("review 03: every operation during the 5 s hardware wait answered within %" PRIu64 " us\n",
	       worst);
}

/*
 * Review finding 4: the reviewed patch put process-private pthread mutexes
 * and condition variables in hugepage memory every secondary maps. Here
 * every mutex and condition variable the driver initializes through a port's
 * life (probe, start, resets, stop, close) is checked where it is created:
 * one in DPDK memory must be PTHREAD_PROCESS_SHARED (ours: none is there).
 */
static void
test_review_04_no_private_sync_in_shared_memory(void)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		port_life();
	CHECK(nb_sync_inits >= 3);     /* the check saw the driver's objects */
	CHECK(nb_shared_private == 0);
	printf("review 04: %u mutexes and condition variables, %u process-private ones in shared memory\n",
	       nb_sync_inits, nb_shared_private);
}

int
main(int argc, char **argv)
{
	const struct test_eal_opts eo = {
		.name = "review", .no_shconf = true, .log_levels = "lib.ethdev:critical",
	};
	const char *which = argc > 1 ? argv[1] : "";

	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	__atomic_store_n(&test_event_hook, close_on_failure_hook, __ATOMIC_RELEASE);
	if (strcmp(which, "review_01") == 0)
		test_review_01_close_frees();
	else if (strcmp(which, "review_02") == 0)
		test_review_02_threads_reaped();
	else if (strcmp(which, "review_03") == 0)
		test_review_03_no_wait_for_hardware();
	else if (strcmp(which, "review_04") == 0)
		test_review_04_no_private_sync_in_shared_memory();
	else {
		fprintf(stderr, "usage: %s review_01|review_02|review_03|review_04\n", argv[0]);
		return 2;
	}
	return test_eal_finish();
}
