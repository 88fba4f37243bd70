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
 *   mp_poll_test RESETS [survives|must_crash|stopped|killed]
 *
 * survives: RESETS resets with the secondary polling (the default).
 * must_crash: the program is linked with the test build of the driver whose
 * secondary bursts skip the guard (tests/pmd/hooks/sec_unguarded): the
 * secondary must crash within the resets, and the test passes only if it
 * does (the check above can fail).
 * stopped: the secondary is SIGSTOPped between two bursts, for longer than
 * the bounds, while a reset runs: the reset succeeds in its bound, counts
 * the secondary deaf, and after SIGCONT it resynchronizes by itself and
 * forwards again. Then it is SIGSTOPped inside a burst (its queue's guard
 * sequence odd, seen from the primary): the reset ends RECOVERY_FAILED in
 * its bound, nothing freed, and after SIGCONT the secondary is refused
 * cleanly (no crash, no packet) until it exits.
 * killed: the secondary is SIGKILLed inside a burst (stopped there first):
 * the next resets do not wait for its burst; another is SIGKILLed in the
 * middle of a reset (the device down 300 ms): the reset succeeds, the
 * primary frees its slot; a new secondary started in the middle of the
 * next reset attaches, gets in step by itself and forwards.
 *
 * The primary starts the secondary itself (this program again, with
 * --secondary PREFIX), on the same hugepage-backed DPDK instance. They share
 * a memzone of counters. Prints the latency of the secondaries' parking
 * (the IPC round trip of each reset: xstat mp_last_park_ack_us), p50/p99.
 */
#include <errno.h>
#include <fcntl.h>
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
#if defined(__SANITIZE_ADDRESS__)
/* DPDK 22.11's vdev bus, in a secondary, allocates a device for each one
 * the primary has (vdev_scan) and never frees them at rte_eal_cleanup.
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:librte_bus_vdev.so\n";
}
#endif

/* Where the primary maps its memory, so that a secondary can map it at the
 * same address under a sanitizer too: application memory for both
 * AddressSanitizer (above its high shadow) and ThreadSanitizer (its range
 * for modules and mappings), below where mmap places libraries.
 */
#define MP_BASE_VA "0x7ea000000000"

#define NB_PORTS 2
#define NB_Q     2
#define STATUS_MZ "mp_poll_status"

/* Shared by the two processes (a memzone the primary reserves). */
struct mp_status {
	uint64_t ready;            /* the secondary polls */
	uint64_t stop;             /* the primary asks it to finish */
	uint64_t crashed;          /* its signal handler ran: the signal */
	uint64_t rx, tx, bursts;   /* the secondary's traffic */
	uint64_t ev[RTE_ETH_EVENT_MAX];   /* events its application saw */
	uint64_t ev_bad;           /* an outcome without ERR_RECOVERING before it */
	uint64_t stop_req;         /* SIGSTOP yourself: 1 between bursts, 2 inside one */
	uint64_t stop_port;        /* ... of this port (2) */
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
		__atomic_store_n(&st->crashed, (uint64_t)sig, __ATOMIC_RELEASE);
	n = snprintf(msg, sizeof(msg), "mp_poll_test secondary: signal %d (%s) at address %p\n",
		     sig, strsignal(sig), si->si_addr);
	if (n > 0 && write(2, msg, (size_t)n) < 0)
		n = 0;
	_exit(98);
}

/* In the test build of the driver with hooks (tests/pmd/hooks): called by
 * every rx burst right after its guard let it in. Absent otherwise.
 */
extern void (*mana_test_guarded_hook)(void) __attribute__((weak));

/* Stop this process where the primary asked (stop_req), once. */
static void
sec_stop_if(uint64_t where)
{
	uint64_t want = where;

	if (__atomic_load_n(&st->stop_req, __ATOMIC_RELAXED) == where &&
	    __atomic_compare_exchange_n(&st->stop_req, &want, 0, false, __ATOMIC_ACQ_REL,
					__ATOMIC_RELAXED))
		raise(SIGSTOP);
}

static uint16_t sec_cur_port;   /* the port the secondary's burst is on */

static void
sec_in_burst(void)
{
	if (sec_cur_port == __atomic_load_n(&st->stop_port, __ATOMIC_RELAXED))
		sec_stop_if(2);
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
	if (&mana_test_guarded_hook != NULL)
		__atomic_store_n(&mana_test_guarded_hook, sec_in_burst, __ATOMIC_RELEASE);
	__atomic_store_n(&st->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE)) {
		uint64_t got = 0;

		sec_stop_if(1);

		for (p = 0; p < NB_PORTS; p++)
			for (q = 0; q < NB_Q; q++) {
				uint16_t n, sent;

				sec_cur_port = p;
				n = rte_eth_rx_burst(p, q, pkts, RTE_DIM(pkts));

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

static char prefix[64];
static const char *self;
static bool must_crash_mode;
static int port[NB_PORTS];

/* Remove the hugepage files and runtime directory of instance prefix. */
static void
drop_instance(void)
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
wait_until(const uint64_t *v, uint64_t min, unsigned int ms)
{
	uint64_t end = test_now_ms() + ms;

	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) < min) {
		if (test_now_ms() > end)
			return false;
		usleep(1000);
	}
	return true;
}

/* Start a secondary; wait (if wait_traffic) until it forwards. */
static pid_t
spawn(bool wait_traffic)
{
	uint64_t rx0 = st->rx;
	pid_t child;

	__atomic_store_n(&st->ready, 0, __ATOMIC_RELEASE);
	child = fork();
	if (child == 0) {
		/* The must-crash build's secondary races by design (its bursts
		 * skip the guard): what it must do is crash, not report.
		 */
		if (must_crash_mode) {
			char opts[512];

			snprintf(opts, sizeof(opts), "%s report_bugs=0",
				 getenv("TSAN_OPTIONS") != NULL ? getenv("TSAN_OPTIONS") : "");
			setenv("TSAN_OPTIONS", opts, 1);
		}
		execl("/proc/self/exe", self, "--secondary", prefix, (char *)NULL);
		_exit(127);
	}
	CHECK(child > 0);
	if (!wait_traffic)
		return child;
	CHECK(wait_until(&st->ready, 1, 60000) ||
	      (fprintf(stderr, "the secondary did not start\n"), false));
	CHECK(wait_until(&st->rx, rx0 + 1000, 30000) ||
	      (fprintf(stderr, "no traffic through the secondary\n"), false));
	return child;
}

/* Ask the secondary to finish; its exit status (killed after 30 s). */
static int
finish(pid_t child)
{
	uint64_t end = test_now_ms() + 30000;
	int wst = 0;

	__atomic_store_n(&st->stop, 1, __ATOMIC_RELEASE);
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
	__atomic_store_n(&st->stop, 0, __ATOMIC_RELEASE);
	return wst;
}

/* A reset of port pt, and its outcome within ms: the event type seen. */
static enum rte_eth_event_type
reset_port(uint16_t pt, unsigned int ms)
{
	uint64_t ok = test_events(pt, RTE_ETH_EVENT_RECOVERY_SUCCESS);
	uint64_t bad = test_events(pt, RTE_ETH_EVENT_RECOVERY_FAILED);
	uint64_t end = test_now_ms() + ms;

	if (mana_sim_service_event(mana_proc_of(pt)->hwdev) != 0)
		return RTE_ETH_EVENT_MAX;
	while (test_now_ms() < end) {
		if (test_events(pt, RTE_ETH_EVENT_RECOVERY_SUCCESS) > ok)
			return RTE_ETH_EVENT_RECOVERY_SUCCESS;
		if (test_events(pt, RTE_ETH_EVENT_RECOVERY_FAILED) > bad)
			return RTE_ETH_EVENT_RECOVERY_FAILED;
		usleep(500);
	}
	return RTE_ETH_EVENT_MAX;
}

static int
run_resets(unsigned int resets, bool must_crash)
{
	uint64_t *ack_us = calloc(resets, sizeof(*ack_us)), rx_before;
	unsigned int i, done = 0;
	pid_t child = spawn(true);
	int wst = 0;

	CHECK(ack_us != NULL);
	for (i = 0; ack_us != NULL && i < resets; i++) {
		uint16_t pt = (uint16_t)port[i % NB_PORTS];

		if (waitpid(child, &wst, WNOHANG) == child) {
			child = -1;
			break;
		}
		if (reset_port(pt, 20000) != RTE_ETH_EVENT_RECOVERY_SUCCESS) {
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
		if (child > 0 && waitpid(child, &wst, WNOHANG) != child)
			wst = finish(child);
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
		drop_instance();
		if (test_failures != 0)
			fprintf(stderr, "%d check(s) failed\n", test_failures);
		_exit(test_failures != 0 ? 1 : 0);
	}
	CHECK(child > 0 || (fprintf(stderr, "the secondary died during the resets (status %#x, signal %" PRIu64 ")\n",
				    (unsigned int)wst, st->crashed), false));
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
	if (done > 0) {
		qsort(ack_us, done, sizeof(*ack_us), cmp_u64);
		printf("%u resets with a secondary polling: park acknowledged in p50 %" PRIu64 " us, p99 %" PRIu64 " us, max %" PRIu64 " us; secondary: %" PRIu64 " packets received, %" PRIu64 " bursts, %" PRIu64 " stale bursts, %" PRIu64 " resyncs\n",
		       done, ack_us[done / 2], ack_us[done * 99 / 100], ack_us[done - 1],
		       st->rx, st->bursts, test_xstat((uint16_t)port[0], "mp_stale_bursts"),
		       test_xstat((uint16_t)port[0], "mp_resyncs"));
	}
	free(ack_us);
	wst = finish(child);
	CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
	return 0;
}

/* Have the secondary stop itself (SIGSTOP) between two bursts, or inside
 * one (the test build's hook, right after the guard let an rx burst in):
 * true once it is stopped, and (inside) its queue's guard sequence says so.
 */
static bool
stop_at(pid_t child, uint16_t pt, bool inside)
{
	uint64_t end = test_now_ms() + 10000;
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;


	__atomic_store_n(&st->stop_port, pt, __ATOMIC_RELAXED);
	__atomic_store_n(&st->stop_req, inside ? 2 : 1, __ATOMIC_RELEASE);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)child);
	while (test_now_ms() < end) {
		fd = open(path, O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			p = strrchr(buf, ')');
			if (p != NULL && p[1] == ' ' && p[2] == 'T') {
				if (!inside)
					return true;
				/* Inside a burst of port pt: one of its
				 * queues' sequence is odd.
				 */
				for (uint16_t q = 0; q < NB_Q; q++) {
					const struct mana_rxq *rq =
						rte_eth_devices[pt].data->rx_queues[q];

					if (__atomic_load_n(&rq->guard.seq, __ATOMIC_ACQUIRE) & 1)
						return true;
				}
				fprintf(stderr, "stopped, but no queue is inside a burst\n");
				return false;
			}
		}
		usleep(1000);
	}
	fprintf(stderr, "the secondary did not stop itself\n");
	return false;
}

static int
run_stopped(void)
{
	uint16_t pt = (uint16_t)port[0];
	uint64_t deaf = test_xstat(pt, "mp_deaf_secondaries"), rx0, t0, ms;
	enum rte_eth_event_type out;
	pid_t child = spawn(true);
	int wst;

	/* Between bursts: the reset goes on without it. */
	CHECK(stop_at(child, pt, false));
	t0 = test_now_ms();
	out = reset_port(pt, 20000);
	ms = test_now_ms() - t0;
	printf("stopped between bursts: reset %s in %" PRIu64 " ms (mp_timeout_ms 100)\n",
	       out == RTE_ETH_EVENT_RECOVERY_SUCCESS ? "succeeded" : "did not succeed", ms);
	CHECK(out == RTE_ETH_EVENT_RECOVERY_SUCCESS);
	CHECK(ms < 2000);
	CHECK(test_xstat(pt, "mp_deaf_secondaries") == deaf + 1);
	rx0 = st->rx;
	kill(child, SIGCONT);
	CHECK(wait_until(&st->rx, rx0 + 1000, 20000) ||
	      (fprintf(stderr, "the resumed secondary does not forward again\n"), false));
	CHECK(wait_until(&st->ev[RTE_ETH_EVENT_RECOVERY_SUCCESS], 1, 10000));
	printf("after SIGCONT: forwarding again (%" PRIu64 " resyncs), its events: %" PRIu64 " ERR_RECOVERING, %" PRIu64 " RECOVERY_SUCCESS\n",
	       test_xstat(pt, "mp_resyncs"), st->ev[RTE_ETH_EVENT_ERR_RECOVERING],
	       st->ev[RTE_ETH_EVENT_RECOVERY_SUCCESS]);

	/* Inside a burst: nothing may be freed under it; the reset fails in
	 * its bound.
	 */
	CHECK(stop_at(child, pt, true));
	t0 = test_now_ms();
	out = reset_port(pt, 20000);
	ms = test_now_ms() - t0;
	printf("stopped inside a burst: reset %s in %" PRIu64 " ms (quiesce_timeout_ms 300)\n",
	       out == RTE_ETH_EVENT_RECOVERY_FAILED ? "failed" : "did not fail", ms);
	CHECK(out == RTE_ETH_EVENT_RECOVERY_FAILED);
	CHECK(ms < 3000);
	rx0 = st->rx;
	kill(child, SIGCONT);
	usleep(500000);
	CHECK(waitpid(child, &wst, WNOHANG) == 0);   /* alive: refused, not crashed */
	CHECK(st->crashed == 0);
	printf("after SIGCONT: %" PRIu64 " packets through the failed port in 500 ms\n",
	       st->rx - rx0);
	wst = finish(child);
	CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
	return 0;
}

/* Some rx queue of the secondary's is inside a burst now. */
static bool
any_inside(void)
{
	uint16_t p, q;

	for (p = 0; p < NB_PORTS; p++)
		for (q = 0; q < NB_Q; q++) {
			const struct mana_rxq *rq = rte_eth_devices[p].data->rx_queues[q];

			if (__atomic_load_n(&rq->guard.seq, __ATOMIC_ACQUIRE) & 1)
				return true;
		}
	return false;
}

static int
run_killed(void)
{
	uint16_t pt = (uint16_t)port[0];
	uint64_t gone = test_xstat(pt, "mp_secondaries_gone"), rx0, t0;
	pid_t child = spawn(true);
	int wst;

	/* Killed inside a burst: its burst never ends, and the next reset
	 * must not wait for it.
	 */
	CHECK(stop_at(child, pt, true));
	kill(child, SIGKILL);
	waitpid(child, &wst, 0);
	CHECK(any_inside());
	printf("killed %s a burst\n", any_inside() ? "inside" : "outside");
	t0 = test_now_ms();
	CHECK(reset_port(pt, 20000) == RTE_ETH_EVENT_RECOVERY_SUCCESS);
	CHECK(reset_port((uint16_t)port[1], 20000) == RTE_ETH_EVENT_RECOVERY_SUCCESS);
	printf("resets after it died: %" PRIu64 " ms for both ports\n", test_now_ms() - t0);
	CHECK(!any_inside());
	CHECK(test_xstat(pt, "mp_secondaries_gone") == gone + 1);
	gone++;

	/* Killed while the device is down (it parked already). */
	child = spawn(true);

	/* Killed while the device is down (it parked already). */
	CHECK(mana_sim_service_event(mana_proc_of(pt)->hwdev) == 0);
	usleep(20000);
	kill(child, SIGKILL);
	waitpid(child, &wst, 0);
	CHECK(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL);
	CHECK(test_wait_events(pt, RTE_ETH_EVENT_RECOVERY_SUCCESS, 2, 20000));
	/* The next device close notices it gone and frees its slot. */
	CHECK(reset_port(pt, 20000) == RTE_ETH_EVENT_RECOVERY_SUCCESS);
	printf("killed mid-reset: slots freed %" PRIu64 ", secondaries now %" PRIu64 "\n",
	       test_xstat(pt, "mp_secondaries_gone") - gone, test_xstat(pt, "mp_secondaries"));
	CHECK(test_xstat(pt, "mp_secondaries_gone") == gone + 1);
	CHECK(test_xstat(pt, "mp_secondaries") == 0);

	/* Started while the device is down: it attaches, then gets in step
	 * by itself.
	 */
	rx0 = st->rx;
	CHECK(mana_sim_service_event(mana_proc_of(pt)->hwdev) == 0);
	child = spawn(false);
	CHECK(test_wait_events(pt, RTE_ETH_EVENT_RECOVERY_SUCCESS, 4, 20000));
	CHECK(wait_until(&st->ready, 1, 60000));
	CHECK(wait_until(&st->rx, rx0 + 1000, 30000) ||
	      (fprintf(stderr, "the secondary started mid-reset does not forward\n"), false));
	printf("started mid-reset: forwarding (%" PRIu64 " resyncs)\n",
	       test_xstat(pt, "mp_resyncs"));
	CHECK(test_xstat(pt, "mp_secondaries") == 1);
	wst = finish(child);
	CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct test_eal_opts eo = {
		.name = "mppoll", .huge = true, .lcores = "0", .nb_mbufs = 8191, .cache = 64,
		.base_virtaddr = MP_BASE_VA,
	};
	const struct test_port_opts po = {
		.nb_rxq = NB_Q, .nb_txq = NB_Q, .rss = true, .promisc = true,
	};
	const char *mode = argc > 2 ? argv[2] : "survives";
	const char *args = "recovery_ms=0";
	const struct rte_memzone *mz;
	unsigned int resets, i;

	if (argc == 3 && strcmp(argv[1], "--secondary") == 0)
		return secondary(argv[0], argv[2]);
	self = argv[0];
	resets = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 1000;
	if (resets == 0 || (strcmp(mode, "survives") != 0 && strcmp(mode, "must_crash") != 0 &&
			    strcmp(mode, "stopped") != 0 && strcmp(mode, "killed") != 0)) {
		fprintf(stderr, "usage: %s RESETS [survives|must_crash|stopped|killed]\n", argv[0]);
		return 2;
	}
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
	/* A reset costs several times more under a sanitizer. */
	resets = (resets + 3) / 4;
	printf("sanitizer build: %u resets\n", resets);
#endif
	if (strcmp(mode, "stopped") == 0)
		args = "recovery_ms=0,quiesce_timeout_ms=300,mp_timeout_ms=100";
	else if (strcmp(mode, "killed") == 0)
		args = "recovery_ms=300";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	snprintf(prefix, sizeof(prefix), "mana_%s_%d", eo.name, (int)getpid());
	port[0] = test_port_up("net_mana_sim0", args, &po);
	port[1] = test_port_up("net_mana_sim1", args, &po);
	mz = rte_memzone_reserve(STATUS_MZ, sizeof(*st), SOCKET_ID_ANY, 0);
	if (port[0] < 0 || port[1] < 0 || mz == NULL) {
		fprintf(stderr, "primary: set-up failed\n");
		return 1;
	}
	st = mz->addr;
	memset(st, 0, sizeof(*st));
	if (strcmp(mode, "stopped") == 0)
		run_stopped();
	else if (strcmp(mode, "killed") == 0)
		run_killed();
	else
		run_resets(resets, must_crash_mode = strcmp(mode, "must_crash") == 0);
	/* The secondaries' exits stopped nothing of the ports, and freed
	 * their slots.
	 */
	for (i = 0; i < NB_PORTS; i++) {
		CHECK(test_xstat((uint16_t)port[i], "mp_secondaries") == 0);
		CHECK(test_xstat((uint16_t)port[i], "mp_secondaries_gone") <=
		      (strcmp(mode, "killed") == 0 ? 2u : 0u));
	}
	if (strcmp(mode, "stopped") != 0) {
		struct rte_eth_link link;

		for (i = 0; i < NB_PORTS; i++)
			CHECK(rte_eth_link_get_nowait((uint16_t)port[i], &link) == 0 &&
			      link.link_status == RTE_ETH_LINK_UP);
	}
	test_port_down("net_mana_sim0", (uint16_t)port[0]);
	test_port_down("net_mana_sim1", (uint16_t)port[1]);
	rte_memzone_free(mz);
	return test_eal_finish();
}
