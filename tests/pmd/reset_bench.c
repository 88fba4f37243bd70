/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * reset_bench: what the datapath guard and a device reset cost, on this
 * machine, in one run, each row beside a baseline measured in the same
 * process. Not a test: the numbers depend on the machine and its load (the
 * load average is printed with them). `bazel run -c opt //tests/pmd:reset_bench`.
 *
 * 1. guard: TSC cycles per empty burst, called through a function pointer
 *    as ethdev calls a driver. Every variant runs the same empty body (one
 *    completion-queue look-up that finds nothing) and loads the queue's gate
 *    pointer, magic and gate word; the baseline does only that. Rows: our
 *    guard (mana_guard_enter/exit) ASYM and FENCED; a CAS + fetch_and guard
 *    as DPDK 26.07's net/mana has it (per-queue burst_state: CAS 0 -> 1
 *    acquire to enter, fetch_and(~1) release to leave); rte_rcu_qsbr
 *    thread_online / gate check / thread_offline around the burst; a
 *    secondary process's burst (the queue's owner kept, the gate word
 *    compared with the one the process is in step with; the same code path
 *    in this process as in a secondary). The guards' costs over (a) are also
 *    given as the median of per-round differences (the rounds interleave the
 *    variants, A/B/A/B, so a mode flip of the machine weighs on both sides
 *    of each difference): target <= 0.5 cycles. Median of
 *    31 rounds of 4 M calls (round-robin over the variants): rounds short
 *    enough that on a shared machine most of them run without being
 *    preempted (rdtsc counts the time off CPU too). Optionally the driver's own rte_eth_rx_burst on an idle started
 *    sim port (it does more than the empty body: informative only).
 * 2. quiescence: two threads pinned one per CPU poll bursts through the
 *    guard; the writer (unpinned) closes the gate and waits for bursts in
 *    flight (mana_gate_close + mana_guard_wait_idle), reopening between,
 *    N times per mode, in blocks alternating the modes. Baselines: the same
 *    with no reader running, and one membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)
 *    alone with the readers busy; and the same with one of the two pollers
 *    a forked process (a busy secondary: the gate and its queue in shared
 *    memory, its own membarrier registration).
 *
 * Rows marked "(proposal)" measure a variant written here, not in pmd/: the
 * guard's exit without reloading seq, and a waiter that sleeps instead of
 * calling sched_yield.
 * 3. reset: a started sim port (2 rx + 2 tx queues) with service events
 *    every reset_period_ms and recovery_ms of hardware down time; after each
 *    RECOVERY_SUCCESS the driver's xstats reset_last_*_us give the phases
 *    (read in the event callback, on the reset thread, after the driver
 *    recorded the reset: the callback's own time is in no phase).
 *    Software overhead = total - wait_hw (time not spent waiting for the
 *    hardware); total - recovery_ms also counts how late the driver sees the
 *    hardware back (it polls every millisecond). Runs: idle (baseline); one
 *    thread busy-polling the port's queues on CPU 0 (EAL's lcore, -l 0); the
 *    same on CPU 1, where EAL runs its control threads and so the reset.
 *
 *   reset_bench [--smoke] [--guard-iters N] [--rounds N] [--quiesce N]
 *               [--resets N] [--recovery-ms MS] [--period-ms MS]
 *               [--timer-slack-ns NS]
 *
 * --period-ms: the sim's reset_period_ms (default 20), counted from each
 * reopen of the device: shorter than a loaded machine's restore phase, a
 * service event hits the port while it is rebuilt and the reset goes round
 * again (the driver logs "cannot start receive queue").
 *
 * --timer-slack-ns: the section 2 writer's timer slack (prctl), which rounds
 * up every sleep of a waiter (default 50 us).
 *
 * --smoke: tiny counts, for //tests/pmd:reset_bench_smoke_test. Exit status
 * 0 when every section produced its samples and its ports came down cleanly
 * (numbers are never judged).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/membarrier.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "pmd/mana_guard.h"
#include "tests/lib/test_port.h"
#include "tests/lib/tsan_dpdk.h"

#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_suppressions(void);
const char *
__tsan_default_suppressions(void)
{
	return TSAN_DPDK_SUPPRESSIONS;
}
#endif

struct bench_opts {
	uint64_t guard_iters;
	unsigned int rounds;
	unsigned int quiesce_n;
	unsigned int resets;
	unsigned int recovery_ms;
	unsigned int period_ms;
	long slack_ns;           /* the writer's timer slack in section 2; < 0: as is */
};

/* ---- the table ---------------------------------------------------------- */

#define MAX_ROWS 48

struct row {
	const char *section;
	char name[128];
	uint64_t n;
	double p50, p99, max;      /* p99 < 0: not applicable */
	const char *unit;
	int base;                  /* index of the baseline row, -1: none */
	double target;             /* target applies to ... */
	int target_on;             /* 0: none, 1: p50 - base p50, 2: p99 */
};

static struct row rows[MAX_ROWS];
static int nb_rows;

static int
row_add(const char *section, const char *name, uint64_t n, double p50, double p99, double max,
	const char *unit, int base)
{
	struct row *r;

	if (nb_rows == MAX_ROWS)
		return -1;
	r = &rows[nb_rows];
	memset(r, 0, sizeof(*r));
	r->section = section;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->n = n;
	r->p50 = p50;
	r->p99 = p99;
	r->max = max;
	r->unit = unit;
	r->base = base;
	return nb_rows++;
}

static void
row_target(int i, int on, double target)
{
	if (i < 0)
		return;
	rows[i].target_on = on;
	rows[i].target = target;
}

static void
fmt_num(char *buf, size_t len, double v)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else if (v < 100)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.0f", v);
}

static void
table_print(void)
{
	int i;

	printf("| section | row | n | p50 | p99 | max | unit | baseline row | p50 - baseline | "
	       "p50 / baseline | target |\n");
	printf("|---|---|---:|---:|---:|---:|---|---|---:|---:|---|\n");
	for (i = 0; i < nb_rows; i++) {
		const struct row *r = &rows[i];
		char p50[32], p99[32], max[32], d[32] = "", ratio[32] = "", tgt[64] = "";

		if (r->target_on == 3) {
			/* differences: signed, every one a value */
			snprintf(p50, sizeof(p50), "%+.2f", r->p50);
			snprintf(p99, sizeof(p99), "%+.2f", r->p99);
			snprintf(max, sizeof(max), "%+.2f", r->max);
		} else {
			fmt_num(p50, sizeof(p50), r->p50);
			fmt_num(p99, sizeof(p99), r->p99);
			fmt_num(max, sizeof(max), r->max);
		}
		if (r->base >= 0) {
			double b = rows[r->base].p50;

			snprintf(d, sizeof(d), "%+.2f", r->p50 - b);
			if (b > 0)
				snprintf(ratio, sizeof(ratio), "%.2fx", r->p50 / b);
		}
		if (r->target_on == 1 && r->base >= 0)
			snprintf(tgt, sizeof(tgt), "p50 - baseline <= %.1f: %s", r->target,
				 r->p50 - rows[r->base].p50 <= r->target ? "met" : "MISSED");
		else if (r->target_on == 3)
			snprintf(tgt, sizeof(tgt), "p50 <= %.1f: %s", r->target,
				 r->p50 <= r->target ? "met" : "MISSED");
		else if (r->target_on == 2)
			snprintf(tgt, sizeof(tgt), "p99 <= %.0f: %s", r->target,
				 r->p99 <= r->target ? "met" : "MISSED");
		printf("| %s | %s | %" PRIu64 " | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		       r->section, r->name, r->n, p50, p99, max, r->unit,
		       r->base >= 0 ? rows[r->base].name : "", d, ratio, tgt);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of v[0..n) (sorted in place). */
static double
pct(double *v, size_t n, double q)
{
	size_t k;

	if (n == 0)
		return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	k = (size_t)ceil(q * (double)n);
	return v[k == 0 ? 0 : k - 1];
}

static int
row_add_samples(const char *section, const char *name, double *v, size_t n, const char *unit,
		int base)
{
	double p50 = pct(v, n, 0.5), p99 = pct(v, n, 0.99);

	return row_add(section, name, n, p50, p99, n ? v[n - 1] : -1, unit, base);
}

static void
loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) != NULL)
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void
pin_self(int cpu)
{
	cpu_set_t set;
	long i, ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	for (i = 0; i < ncpu; i++)
		if (cpu < 0 || i == cpu % ncpu)
			CPU_SET(i, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* ---- 1. guard cost ------------------------------------------------------ */

/* A queue as the bursts see it: our guard first (its own cache line), the
 * 26.07-style state word on its own line, then an empty completion queue.
 */
struct bench_cqe {
	uint32_t owner_seq;
	uint32_t len;
};

struct bench_q {
	struct mana_guard_q guard;
	uint32_t burst_state __attribute__((aligned(64)));   /* bit0 in burst, bit1 blocked */
	const struct mana_gate *gate __attribute__((aligned(64)));
	struct bench_cqe *cqe;
	uint32_t cq_head;
	uint32_t mask;
	struct rte_rcu_qsbr *rcu;
};

typedef uint16_t (*burst_fn)(void *q, struct rte_mbuf **pkts, uint16_t n);

/* The empty burst's work: one completion looked up, none found. */
static inline uint16_t
bench_body(struct bench_q *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct bench_cqe *c = &q->cqe[q->cq_head & q->mask];

	if (__atomic_load_n(&c->owner_seq, __ATOMIC_ACQUIRE) != q->cq_head + 1)
		return 0;
	pkts[0] = NULL;
	return n;
}

/* (a) Baseline: the loads our guarded burst does, without its stores. */
static __attribute__((noipa)) uint16_t
burst_none(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct bench_q *q = arg;
	const struct mana_gate *g = __atomic_load_n(&q->gate, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&q->guard.magic, __ATOMIC_RELAXED) != MANA_GUARD_MAGIC)
		return 0;
	(void)__atomic_load_n(&q->guard.seq, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&g->word, __ATOMIC_ACQUIRE) & MANA_GATE_CLOSED)
		return 0;
	return bench_body(q, pkts, n);
}

/* (b) Ours, as mana_rxtx.c uses it. */
static inline __attribute__((always_inline)) uint16_t
burst_ours(struct bench_q *q, struct rte_mbuf **pkts, uint16_t n, enum mana_guard_mode mode)
{
	uint16_t got;

	if (!mana_guard_enter(&q->guard, __atomic_load_n(&q->gate, __ATOMIC_ACQUIRE), mode))
		return 0;
	got = bench_body(q, pkts, n);
	mana_guard_exit(&q->guard);
	return got;
}

static __attribute__((noipa)) uint16_t
burst_asym(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	return burst_ours(arg, pkts, n, MANA_GUARD_ASYM);
}

static __attribute__((noipa)) uint16_t
burst_fenced(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	return burst_ours(arg, pkts, n, MANA_GUARD_FENCED);
}

/* (b'') A proposal, not in pmd/: mana_guard_enter handing its seq to the
 * exit, which then stores seq + 2 without loading seq again (one store-to-
 * load forwarding less on the burst's dependency chain). Same orders.
 */
static __attribute__((noipa)) uint16_t
burst_asym_noreload(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct bench_q *q = arg;
	const struct mana_gate *g = __atomic_load_n(&q->gate, __ATOMIC_ACQUIRE);
	uint32_t s;
	uint16_t got;

	if (__atomic_load_n(&q->guard.magic, __ATOMIC_RELAXED) != MANA_GUARD_MAGIC)
		return 0;
	s = __atomic_load_n(&q->guard.seq, __ATOMIC_ACQUIRE);
	__atomic_store_n(&q->guard.seq, s + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&g->word, __ATOMIC_ACQUIRE) & MANA_GATE_CLOSED) {
		__atomic_store_n(&q->guard.seq, s + 2, __ATOMIC_RELEASE);
		return 0;
	}
	got = bench_body(q, pkts, n);
	__atomic_store_n(&q->guard.seq, s + 2, __ATOMIC_RELEASE);
	return got;
}

/* (c) DPDK 26.07 net/mana style: CAS 0 -> 1 (fails when blocked, bit 1, is
 * set by the reset), fetch_and to leave (keeps a blocked bit set meanwhile).
 */
static __attribute__((noipa)) uint16_t
burst_cas(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct bench_q *q = arg;
	uint32_t expect = 0;
	uint16_t got;

	if (!__atomic_compare_exchange_n(&q->burst_state, &expect, 1, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return 0;
	got = bench_body(q, pkts, n);
	__atomic_fetch_and(&q->burst_state, ~1u, __ATOMIC_RELEASE);
	return got;
}

/* (d) rte_rcu_qsbr: online, check the gate (a stopped port must still say
 * so), burst, offline.
 */
static __attribute__((noipa)) uint16_t
burst_rcu(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct bench_q *q = arg;
	uint16_t got = 0;

	rte_rcu_qsbr_thread_online(q->rcu, 0);
	if (!(__atomic_load_n(&q->gate->word, __ATOMIC_ACQUIRE) & MANA_GATE_CLOSED))
		got = bench_body(q, pkts, n);
	rte_rcu_qsbr_thread_offline(q->rcu, 0);
	return got;
}

/* (b3) A secondary's, as mana_rxtx.c's secondary bursts use it: this
 * process's state found through a pointer (rte_eth_devices' process_private
 * there), the queue's owner kept (a load, a store only when it changes
 * hands), the gate word compared with the one the process is in step with.
 */
struct bench_proc {
	int32_t pid;
	uint64_t seen_word;
};
static struct bench_proc *volatile bench_proc;

/* (a3) Its baseline: (a)'s loads and this process's state, which every
 * burst loads anyway (for its doorbell and handle).
 */
static __attribute__((noipa)) uint16_t
burst_none_sec(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct bench_q *q = arg;
	struct bench_proc *proc = bench_proc;
	const struct mana_gate *g = __atomic_load_n(&q->gate, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&q->guard.magic, __ATOMIC_RELAXED) != MANA_GUARD_MAGIC)
		return 0;
	(void)__atomic_load_n(&q->guard.seq, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&g->word, __ATOMIC_ACQUIRE) & MANA_GATE_CLOSED)
		return 0;
	if (__atomic_load_n(&proc->pid, __ATOMIC_RELAXED) == 0)
		return 0;
	return bench_body(q, pkts, n);
}

static __attribute__((noipa)) uint16_t
burst_sec(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct bench_q *q = arg;
	struct bench_proc *proc = bench_proc;
	uint64_t seen;
	uint16_t got;

	mana_guard_owner(&q->guard, proc->pid);
	if (!mana_guard_enter_word(&q->guard, __atomic_load_n(&q->gate, __ATOMIC_ACQUIRE),
				   MANA_GUARD_ASYM, &proc->seen_word, &seen))
		return 0;
	got = bench_body(q, pkts, n);
	mana_guard_exit(&q->guard);
	return got;
}

/* The burst function, read on every call as ethdev reads rte_eth_fp_ops. */
static burst_fn volatile bench_fp;
static void *volatile bench_qp;
static volatile uint64_t bench_sink;

static __attribute__((noinline)) double
guard_loop(burst_fn fn, void *q, uint64_t iters)
{
	struct rte_mbuf *pkts[32];
	uint64_t i, acc = 0, t0, t1;

	bench_fp = fn;
	bench_qp = q;
	t0 = rte_rdtsc_precise();
	for (i = 0; i < iters; i++) {
		acc += bench_fp(bench_qp, pkts, 32);
		rte_compiler_barrier();
	}
	t1 = rte_rdtsc_precise();
	bench_sink = acc;
	return (double)(t1 - t0) / (double)iters;
}

/* rte_eth_rx_burst on an idle started port (optional row). */
static uint16_t bench_port;

static __attribute__((noipa)) uint16_t
burst_ethdev(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	(void)arg;
	return rte_eth_rx_burst(bench_port, 0, pkts, n);
}

static int port_open(const char *name, const char *args, uint16_t nbq, uint16_t *port);

enum { GV_NONE, GV_ASYM, GV_FENCED, GV_NONE_SEC, GV_SEC, GV_ASYM_NORELOAD, GV_CAS, GV_RCU,
	GV_ETHDEV, GV_NUM };

static int
bench_guard(const struct bench_opts *o)
{
	static const char *const names[GV_NUM] = {
		[GV_NONE] = "(a) no guard: same queue/gate loads",
		[GV_ASYM] = "(b) ours, ASYM (membarrier writer)",
		[GV_FENCED] = "(b') ours, FENCED (fallback)",
		[GV_NONE_SEC] = "(a3) no guard, this process's state loaded (as a burst does)",
		[GV_SEC] = "(b3) ours in a secondary process (owner + word check), ASYM",
		[GV_ASYM_NORELOAD] = "(b'') ASYM, exit without reloading seq (proposal)",
		[GV_CAS] = "(c) CAS + fetch_and (26.07 style)",
		[GV_RCU] = "(d) rte_rcu_qsbr online/offline",
		[GV_ETHDEV] = "(e) rte_eth_rx_burst, idle sim port",
	};
	static const burst_fn fns[GV_NUM] = {
		burst_none, burst_asym, burst_fenced, burst_none_sec, burst_sec, burst_asym_noreload,
		burst_cas, burst_rcu, burst_ethdev,
	};
	static const char *const diff_names[GV_NUM] = {
		[GV_ASYM] = "(b) - (a), per round (A/B interleaved)",
		[GV_FENCED] = "(b') - (a), per round (A/B interleaved)",
		[GV_SEC] = "(b3) - (a3), per round (A/B interleaved)",
	};
	static struct bench_proc sec_proc;
	double *samples[GV_NUM], *diffs[GV_NUM];
	struct mana_gate gate = { 0 };
	struct bench_q *q;
	struct bench_cqe *cqe;
	size_t rcu_sz = rte_rcu_qsbr_get_memsize(1);
	unsigned int r, v, nv = GV_NUM;
	int base, base_sec = -1, i, ret = 0;

	q = rte_zmalloc("bench_q", sizeof(*q), 64);
	cqe = rte_zmalloc("bench_cqe", 256 * sizeof(*cqe), 64);
	if (q == NULL || cqe == NULL)
		return -ENOMEM;
	mana_guard_init(&q->guard);
	sec_proc.pid = getpid();
	sec_proc.seen_word = 0;    /* the open gate's word below */
	bench_proc = &sec_proc;
	q->gate = &gate;
	q->cqe = cqe;
	q->mask = 255;
	q->rcu = rte_zmalloc("bench_rcu", rcu_sz, RTE_CACHE_LINE_SIZE);
	if (q->rcu == NULL || rte_rcu_qsbr_init(q->rcu, 1) != 0 ||
	    rte_rcu_qsbr_thread_register(q->rcu, 0) != 0) {
		fprintf(stderr, "rte_rcu_qsbr setup failed\n");
		return -EINVAL;
	}
	if (port_open("net_mana_sim0", "", 1, &bench_port) != 0) {
		fprintf(stderr, "no sim port: the rte_eth_rx_burst row is left out\n");
		nv = GV_ETHDEV;
	}
	for (v = 0; v < nv; v++) {
		samples[v] = calloc(o->rounds, sizeof(double));
		if (samples[v] == NULL)
			return -ENOMEM;
		guard_loop(fns[v], q, o->guard_iters / 10 + 1);   /* warm up */
	}
	/* Round-robin, so that a noisy moment hits every variant alike. */
	for (r = 0; r < o->rounds; r++)
		for (v = 0; v < nv; v++)
			samples[v][r] = guard_loop(fns[v], q, o->guard_iters);
	if (nv == GV_NUM)
		test_port_down("net_mana_sim0", bench_port);

	/* A/B per round: each variant's round minus the baseline's round
	 * just before it (the rounds interleave the variants), the median of
	 * those differences: the machine's mode flips weigh on both sides.
	 * (Before the rows below: pct() sorts the samples.)
	 */
	for (v = GV_ASYM; v <= GV_SEC; v++) {
		if (diff_names[v] == NULL)
			continue;
		diffs[v] = calloc(o->rounds, sizeof(double));
		if (diffs[v] == NULL)
			return -ENOMEM;
		for (r = 0; r < o->rounds; r++)
			diffs[v][r] = samples[v][r] -
				      samples[v == GV_SEC ? GV_NONE_SEC : GV_NONE][r];
	}
	base = -1;
	for (v = 0; v < nv; v++) {
		double med = pct(samples[v], o->rounds, 0.5);

		i = row_add("1 guard", names[v], (uint64_t)o->rounds * o->guard_iters, med, -1,
			    samples[v][o->rounds - 1], "TSC cycles/burst",
			    v == GV_NONE ? -1 : v == GV_SEC ? base_sec : base);
		if (v == GV_NONE)
			base = i;
		if (v == GV_NONE_SEC)
			base_sec = i;
		if (v == GV_ASYM || v == GV_SEC)
			row_target(i, 1, 0.5);
		if (i < 0)
			ret = -ENOSPC;
	}
	for (v = GV_ASYM; v <= GV_SEC; v++) {
		if (diff_names[v] == NULL)
			continue;
		i = row_add_samples("1 guard", diff_names[v], diffs[v], o->rounds,
				    "TSC cycles/burst", -1);
		row_target(i, 3, 0.5);
		free(diffs[v]);
	}
	for (v = 0; v < nv; v++)
		free(samples[v]);
	rte_free(q->rcu);
	rte_free(cqe);
	rte_free(q);
	return ret;
}

/* ---- 2. quiescence latency ---------------------------------------------- */

#define NB_READERS 2

struct reader {
	struct mana_guard_q guard;
	uint64_t lines[8][8] __attribute__((aligned(64)));   /* "queue memory" */
	pthread_t thread;
	int cpu;
	enum mana_guard_mode mode;
	uint64_t bursts;
} __attribute__((aligned(64)));

/* The gate and the readers in memory shared with a forked reader process
 * (MAP_SHARED | MAP_ANONYMOUS), as a secondary's queues are.
 */
struct qshared {
	struct mana_gate gate __attribute__((aligned(64)));
	struct reader rd[NB_READERS];
	int stop __attribute__((aligned(64)));
};
static struct qshared *qsh;
static pid_t reader_child;    /* reader 1 as a process, or 0 */

static inline __attribute__((always_inline)) void
reader_loop(struct reader *rd, enum mana_guard_mode mode)
{
	uint64_t bursts = 0;

	while (!__atomic_load_n(&qsh->stop, __ATOMIC_RELAXED)) {
		if (mana_guard_enter(&rd->guard, &qsh->gate, mode)) {
			unsigned int l;

			/* A short burst: touch the queue's memory. */
			for (l = 0; l < 8; l++)
				rd->lines[l][0]++;
			mana_guard_exit(&rd->guard);
		}
		bursts++;
	}
	rd->bursts = bursts;
}

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;

	pin_self(rd->cpu);
	if (rd->mode == MANA_GUARD_ASYM)
		reader_loop(rd, MANA_GUARD_ASYM);
	else
		reader_loop(rd, MANA_GUARD_FENCED);
	return NULL;
}

/* Start the readers, one per CPU; with sec, reader 1 is a forked process
 * (a secondary's poller: it registers for the membarrier itself).
 */
static int
readers_start(enum mana_guard_mode mode, bool sec)
{
	unsigned int i;

	__atomic_store_n(&qsh->stop, 0, __ATOMIC_RELAXED);
	reader_child = 0;
	for (i = 0; i < NB_READERS; i++) {
		mana_guard_init(&qsh->rd[i].guard);
		qsh->rd[i].cpu = (int)i;
		qsh->rd[i].mode = mode;
		if (sec && i == 1) {
			reader_child = fork();
			if (reader_child == 0) {
				mana_guard_register(mode == MANA_GUARD_ASYM);
				reader_main(&qsh->rd[i]);
				_exit(0);
			}
			if (reader_child < 0)
				return -1;
			continue;
		}
		if (pthread_create(&qsh->rd[i].thread, NULL, reader_main, &qsh->rd[i]) != 0)
			return -1;
	}
	usleep(20000);   /* let them spin up */
	return 0;
}

static void
readers_join(void)
{
	unsigned int i;

	__atomic_store_n(&qsh->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NB_READERS; i++)
		if (!(i == 1 && reader_child > 0))
			pthread_join(qsh->rd[i].thread, NULL);
	if (reader_child > 0)
		waitpid(reader_child, NULL, 0);
	reader_child = 0;
}

/* A proposal, not in pmd/: mana_guard_wait_idle without sched_yield. Spin
 * briefly (a burst on another CPU ends within nanoseconds), then sleep: a
 * reader preempted on the writer's own CPU runs while the writer sleeps, and
 * the writer's wakeup brings it back; sched_yield instead leaves the writer
 * runnable, so it may get its CPU back only when the reader's slice ends.
 */
#define PROP_SPIN_NS   2000
#define PROP_SLEEP_NS  10000L

static int
wait_idle_sleep(struct mana_guard_q *const *qs, unsigned int n, uint64_t timeout_ns)
{
	uint64_t start = mana_now_ns(), deadline = start + timeout_ns;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t s = __atomic_load_n(&qs[i]->seq, __ATOMIC_SEQ_CST);

		if (!(s & 1))
			continue;
		while (__atomic_load_n(&qs[i]->seq, __ATOMIC_ACQUIRE) == s) {
			uint64_t now = mana_now_ns();

			if (now >= deadline)
				return -ETIMEDOUT;
			if (now - start < PROP_SPIN_NS) {
				rte_pause();
			} else {
				struct timespec ts = { 0, PROP_SLEEP_NS };

				nanosleep(&ts, NULL);
			}
		}
	}
	return 0;
}

/* n gate close + wait idle + reopen cycles; latencies in us. proposal: wait
 * with wait_idle_sleep instead of mana_guard_wait_idle.
 */
static unsigned int
quiesce_series(enum mana_guard_mode mode, bool proposal, unsigned int n, double *lat_us,
	       unsigned int *timeouts)
{
	struct mana_guard_q *qs[NB_READERS];
	unsigned int i, got = 0;

	for (i = 0; i < NB_READERS; i++)
		qs[i] = &qsh->rd[i].guard;
	*timeouts = 0;
	for (i = 0; i < n; i++) {
		uint64_t t0 = mana_now_ns(), t1;
		unsigned int stuck;

		mana_gate_close(&qsh->gate, mode);
		if (proposal ? wait_idle_sleep(qs, NB_READERS, 1000000000ULL) != 0 :
		    mana_guard_wait_idle(qs, NB_READERS, 1000000000ULL, &stuck, NULL) != 0)
			(*timeouts)++;
		t1 = mana_now_ns();
		mana_gate_open(&qsh->gate);
		lat_us[got++] = (double)(t1 - t0) / 1000.0;
		usleep(200);
	}
	return got;
}

/* The series of section 2, per mode. */
enum { QS_IDLE, QS_MEMBARRIER, QS_BUSY, QS_PROPOSAL, QS_SEC, QS_NUM };

#define QS_BLOCKS 4

static int
bench_quiesce(const struct bench_opts *o)
{
	static const enum mana_guard_mode modes[] = { MANA_GUARD_ASYM, MANA_GUARD_FENCED };
	static const char *const mode_names[] = { "ASYM", "FENCED" };
	static const char *const series_names[QS_NUM] = {
		[QS_IDLE] = "close+wait, no poller",
		[QS_MEMBARRIER] = "membarrier(GLOBAL_EXPEDITED) alone, 2 busy pollers",
		[QS_BUSY] = "close+wait, 2 busy pollers",
		[QS_PROPOSAL] = "close+wait, 2 busy pollers, waiter spins 2 us then sleeps "
				"(proposal)",
		[QS_SEC] = "close+wait, 1 busy poller + 1 busy secondary process",
	};
	double *lat[RTE_DIM(modes)][QS_NUM];
	unsigned int got[RTE_DIM(modes)][QS_NUM] = { { 0 } };
	unsigned int tmo[RTE_DIM(modes)][QS_NUM] = { { 0 } };
	unsigned int m, k, b, i, chunk, t;
	char name[120];
	int base, row, ret = 0;

	for (m = 0; m < RTE_DIM(modes); m++)
		for (k = 0; k < QS_NUM; k++)
			if ((lat[m][k] = calloc(o->quiesce_n, sizeof(double))) == NULL)
				return -ENOMEM;
	qsh = mmap(NULL, sizeof(*qsh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (qsh == MAP_FAILED)
		return -ENOMEM;
	/* The writer may run on either CPU, as the reset thread does. */
	pin_self(-1);
	if (o->slack_ns >= 0)
		prctl(PR_SET_TIMERSLACK, (unsigned long)(o->slack_ns > 0 ? o->slack_ns : 1), 0, 0,
		      0);
	/* Blocks alternate the modes, so that the machine's load, which
	 * drifts on a shared machine, weighs on every row alike.
	 */
	for (b = 0; b < QS_BLOCKS && ret == 0; b++) {
		chunk = o->quiesce_n / QS_BLOCKS + (b < o->quiesce_n % QS_BLOCKS);
		for (m = 0; m < RTE_DIM(modes) && ret == 0; m++) {
			/* Baseline: nobody polls. */
			got[m][QS_IDLE] += quiesce_series(modes[m], false, chunk,
							  lat[m][QS_IDLE] + got[m][QS_IDLE], &t);
			tmo[m][QS_IDLE] += t;
			if (readers_start(modes[m], false) != 0) {
				ret = -EAGAIN;
				break;
			}
			if (modes[m] == MANA_GUARD_ASYM) {
				/* One membarrier alone, readers busy. */
				for (i = 0; i < chunk; i++) {
					uint64_t t0 = mana_now_ns();

					syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED,
						0, 0);
					lat[m][QS_MEMBARRIER][got[m][QS_MEMBARRIER]++] =
						(double)(mana_now_ns() - t0) / 1000.0;
					usleep(200);
				}
			}
			got[m][QS_BUSY] += quiesce_series(modes[m], false, chunk,
							  lat[m][QS_BUSY] + got[m][QS_BUSY], &t);
			tmo[m][QS_BUSY] += t;
			got[m][QS_PROPOSAL] += quiesce_series(modes[m], true, chunk,
							      lat[m][QS_PROPOSAL] +
							      got[m][QS_PROPOSAL], &t);
			tmo[m][QS_PROPOSAL] += t;
			readers_join();
			/* One of the two pollers in another process. */
			if (readers_start(modes[m], true) != 0) {
				ret = -EAGAIN;
				break;
			}
			got[m][QS_SEC] += quiesce_series(modes[m], false, chunk,
							 lat[m][QS_SEC] + got[m][QS_SEC], &t);
			tmo[m][QS_SEC] += t;
			readers_join();
		}
	}
	if (o->slack_ns >= 0)
		prctl(PR_SET_TIMERSLACK, 0UL, 0, 0, 0);   /* back to the default */
	for (m = 0; m < RTE_DIM(modes); m++) {
		base = -1;
		for (k = 0; k < QS_NUM; k++) {
			if (got[m][k] == 0)
				continue;
			snprintf(name, sizeof(name), "%s: %s%s", mode_names[m], series_names[k],
				 tmo[m][k] ? " (SOME WAITS TIMED OUT)" : "");
			row = row_add_samples("2 quiescence", name, lat[m][k], got[m][k], "us",
					      base);
			if (k == QS_IDLE)
				base = row;
			if (k == QS_BUSY || k == QS_PROPOSAL || k == QS_SEC)
				row_target(row, 2, 500);
		}
		for (k = 0; k < QS_NUM; k++)
			free(lat[m][k]);
	}
	munmap(qsh, sizeof(*qsh));
	qsh = NULL;
	return ret;
}

/* ---- 3. reset software overhead ----------------------------------------- */

enum { XS_TOTAL, XS_QUIESCE, XS_TEARDOWN, XS_WAIT_HW, XS_REPROBE, XS_RESTORE, XS_NUM };

static const char *const xs_names[XS_NUM] = {
	"reset_last_total_us", "reset_last_quiesce_us", "reset_last_teardown_us",
	"reset_last_wait_hw_us", "reset_last_reprobe_us", "reset_last_restore_us",
};

struct reset_run {
	uint16_t port;
	uint64_t ids[XS_NUM];
	unsigned int cap;
	unsigned int n;           /* successes recorded (written by the reset thread) */
	unsigned int failed;
	int closing;              /* closing aborts a reset: FAILED by design */
	double *v[XS_NUM];
};

static struct reset_run *cur_run;
static char reset_thread_cpus[64];   /* written once, by the first callback */
static int reset_thread_cpus_set;

/* On the port's reset thread, after the history has the reset. */
static void
on_recovery(uint16_t port, enum rte_eth_event_type type)
{
	struct reset_run *run = __atomic_load_n(&cur_run, __ATOMIC_ACQUIRE);
	uint64_t val[XS_NUM];
	unsigned int k, n;

	if (type != RTE_ETH_EVENT_RECOVERY_SUCCESS && type != RTE_ETH_EVENT_RECOVERY_FAILED)
		return;
	if (run == NULL || port != run->port || __atomic_load_n(&run->closing, __ATOMIC_ACQUIRE))
		return;
	if (__atomic_load_n(&reset_thread_cpus_set, __ATOMIC_ACQUIRE) == 0) {
		cpu_set_t set;
		size_t len = 0;
		int c;

		if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) == 0)
			for (c = 0; c < CPU_SETSIZE && len + 8 < sizeof(reset_thread_cpus); c++)
				if (CPU_ISSET(c, &set))
					len += (size_t)snprintf(reset_thread_cpus + len,
								sizeof(reset_thread_cpus) - len,
								"%s%d", len ? "," : "", c);
		__atomic_store_n(&reset_thread_cpus_set, 1, __ATOMIC_RELEASE);
	}
	if (type == RTE_ETH_EVENT_RECOVERY_FAILED) {
		__atomic_fetch_add(&run->failed, 1, __ATOMIC_RELEASE);
		return;
	}
	n = __atomic_load_n(&run->n, __ATOMIC_RELAXED);
	if (n >= run->cap)
		return;
	/* Ids depend on the port's queues (ethdev's own xstats come first). */
	for (k = 0; k < XS_NUM; k++)
		if (rte_eth_xstats_get_id_by_name(port, xs_names[k], &run->ids[k]) != 0)
			return;
	if (rte_eth_xstats_get_by_id(port, run->ids, val, XS_NUM) != XS_NUM)
		return;
	for (k = 0; k < XS_NUM; k++)
		run->v[k][n] = (double)val[k];
	__atomic_store_n(&run->n, n + 1, __ATOMIC_RELEASE);
}

/* A started port with nbq queue pairs; on failure nothing is left of it.
 * *port is set before the start (the event callback reads it once resets
 * can happen).
 */
static int
port_open(const char *name, const char *args, uint16_t nbq, uint16_t *port)
{
	const struct test_port_opts po = { .nb_rxq = nbq, .nb_txq = nbq };
	int ret = test_port_probe(name, args);

	if (ret < 0)
		return -1;
	*port = (uint16_t)ret;
	if (test_port_setup(name, *port, &po) != 0) {
		rte_vdev_uninit(name);
		return -1;
	}
	return 0;
}

static int poller_stop;
static int poller_cpu;

static void *
poller_main(void *arg)
{
	struct reset_run *run = arg;
	struct rte_mbuf *m[32];

	pin_self(poller_cpu);
	while (!__atomic_load_n(&poller_stop, __ATOMIC_ACQUIRE)) {
		uint16_t q, n;

		for (q = 0; q < 2; q++) {
			n = rte_eth_rx_burst(run->port, q, m, 32);
			if (n != 0)
				rte_pktmbuf_free_bulk(m, n);
			rte_eth_tx_burst(run->port, q, m, 0);
		}
	}
	return NULL;
}

static int
reset_series(const struct bench_opts *o, int busy_cpu, struct reset_run *run)
{
	char args[160];
	pthread_t poller;
	uint64_t deadline;
	unsigned int k;
	bool busy = busy_cpu >= 0;

	memset(run, 0, sizeof(*run));
	run->cap = o->resets;
	for (k = 0; k < XS_NUM; k++)
		if ((run->v[k] = calloc(o->resets, sizeof(double))) == NULL)
			return -ENOMEM;
	snprintf(args, sizeof(args), "reset_period_ms=%u,recovery_ms=%u,reset_timeout_ms=10000",
		 o->period_ms, o->recovery_ms);
	/* Events start with the port's first start: publish the run first. */
	run->port = RTE_MAX_ETHPORTS;
	__atomic_store_n(&cur_run, run, __ATOMIC_RELEASE);
	if (port_open("net_mana_sim1", args, 2, &run->port) != 0) {
		__atomic_store_n(&cur_run, NULL, __ATOMIC_RELEASE);
		return -ENODEV;
	}
	if (busy) {
		poller_cpu = busy_cpu;
		__atomic_store_n(&poller_stop, 0, __ATOMIC_RELAXED);
		if (pthread_create(&poller, NULL, poller_main, run) != 0)
			busy = false;
	}
	deadline = mana_now_ns() +
		   (uint64_t)o->resets * (o->period_ms + o->recovery_ms + 50) * 1000000ULL +
		   10000000000ULL;
	while (__atomic_load_n(&run->n, __ATOMIC_ACQUIRE) < o->resets &&
	       __atomic_load_n(&run->failed, __ATOMIC_ACQUIRE) == 0 &&
	       mana_now_ns() < deadline)
		usleep(2000);
	if (busy) {
		__atomic_store_n(&poller_stop, 1, __ATOMIC_RELEASE);
		pthread_join(poller, NULL);
	}
	/* Closing the port during a reset aborts it with RECOVERY_FAILED. */
	__atomic_store_n(&run->closing, 1, __ATOMIC_RELEASE);
	test_port_down("net_mana_sim1", run->port);
	__atomic_store_n(&cur_run, NULL, __ATOMIC_RELEASE);
	if (run->failed)
		fprintf(stderr, "%u resets failed\n", run->failed);
	return run->n == o->resets && run->failed == 0 ? 0 : -ETIMEDOUT;
}

static void
reset_rows(const struct bench_opts *o, struct reset_run *run, const char *tag, int *bases)
{
	static const char *const phase_row[XS_NUM] = {
		"total", "phase quiesce", "phase teardown", "phase wait_hw", "phase reprobe",
		"phase restore",
	};
	double *sw = calloc(run->n + 1, sizeof(double));
	double *late = calloc(run->n + 1, sizeof(double));
	char name[80];
	unsigned int i, k;
	int r;

	if (sw == NULL || late == NULL)
		goto out;
	for (i = 0; i < run->n; i++) {
		sw[i] = run->v[XS_TOTAL][i] - run->v[XS_WAIT_HW][i];
		late[i] = run->v[XS_TOTAL][i] - o->recovery_ms * 1000.0;
	}
	snprintf(name, sizeof(name), "%s: software overhead = total - wait_hw", tag);
	r = row_add_samples("3 reset", name, sw, run->n, "us", bases[0]);
	row_target(r, 2, 5000);
	if (bases[0] < 0)
		bases[0] = r;
	snprintf(name, sizeof(name), "%s: total - recovery_ms", tag);
	r = row_add_samples("3 reset", name, late, run->n, "us", bases[1]);
	if (bases[1] < 0)
		bases[1] = r;
	for (k = 0; k < XS_NUM; k++) {
		snprintf(name, sizeof(name), "%s: %s", tag, phase_row[k]);
		r = row_add_samples("3 reset", name, run->v[k], run->n, "us", bases[2 + k]);
		if (bases[2 + k] < 0)
			bases[2 + k] = r;
	}
out:
	free(sw);
	free(late);
	for (k = 0; k < XS_NUM; k++)
		free(run->v[k]);
}

static int
bench_reset(const struct bench_opts *o)
{
	struct reset_run run;
	int bases[2 + XS_NUM], ret, k;
	char name[80];

	for (k = 0; k < 2 + XS_NUM; k++)
		bases[k] = -1;
	snprintf(name, sizeof(name), "simulated hardware down time (recovery_ms), for scale");
	row_add("3 reset", name, 1, o->recovery_ms * 1000.0, -1, -1, "us", -1);
	__atomic_store_n(&test_event_hook, on_recovery, __ATOMIC_RELEASE);
	ret = reset_series(o, -1, &run);
	reset_rows(o, &run, "idle port", bases);
	if (ret == 0) {
		ret = reset_series(o, 0, &run);
		reset_rows(o, &run, "poller on CPU 0", bases);
	}
	if (ret == 0) {
		ret = reset_series(o, 1, &run);
		reset_rows(o, &run, "poller on CPU 1", bases);
	}
	__atomic_store_n(&test_event_hook, NULL, __ATOMIC_RELEASE);
	return ret;
}

/* ---- main ---------------------------------------------------------------- */

static int
parse_opts(int argc, char **argv, struct bench_opts *o)
{
	static const struct option lopts[] = {
		{ "smoke", no_argument, NULL, 's' },
		{ "guard-iters", required_argument, NULL, 'g' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "quiesce", required_argument, NULL, 'q' },
		{ "resets", required_argument, NULL, 'n' },
		{ "recovery-ms", required_argument, NULL, 'R' },
		{ "period-ms", required_argument, NULL, 'p' },
		{ "timer-slack-ns", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct bench_opts){
		.guard_iters = 4000000, .rounds = 31, .quiesce_n = 2000, .resets = 200,
		.recovery_ms = 10, .period_ms = 20, .slack_ns = -1,
	};
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->guard_iters = 100000;
			o->rounds = 3;
			o->quiesce_n = 20;
			o->resets = 5;
			break;
		case 'g':
			o->guard_iters = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			o->rounds = (unsigned int)atoi(optarg);
			break;
		case 'q':
			o->quiesce_n = (unsigned int)atoi(optarg);
			break;
		case 'n':
			o->resets = (unsigned int)atoi(optarg);
			break;
		case 'R':
			o->recovery_ms = (unsigned int)atoi(optarg);
			break;
		case 'p':
			o->period_ms = (unsigned int)atoi(optarg);
			break;
		case 't':
			o->slack_ns = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: reset_bench [--smoke] [--guard-iters N] "
				"[--rounds N] [--quiesce N] [--resets N] [--recovery-ms MS] "
				"[--period-ms MS] [--timer-slack-ns NS]\n");
			return -1;
		}
	}
	if (o->guard_iters == 0 || o->rounds == 0 || o->quiesce_n == 0 || o->resets == 0) {
		fprintf(stderr, "counts must be positive\n");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const struct test_eal_opts eo = {
		.name = "bench", .mem_mb = 512, .no_shconf = true,
		.log_levels = "lib.eal:critical lib.ethdev:critical",
	};
	char load0[128], load1[128];
	struct bench_opts o;
	int fails = 0;

	if (parse_opts(argc, argv, &o) != 0)
		return 2;
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	if (mana_guard_register(true) != MANA_GUARD_ASYM)
		fprintf(stderr, "membarrier unavailable: ASYM rows measure an unsafe writer\n");
	loadavg(load0, sizeof(load0));

	if (bench_guard(&o) != 0) {
		fprintf(stderr, "guard section failed\n");
		fails++;
	}
	if (bench_quiesce(&o) != 0) {
		fprintf(stderr, "quiescence section failed\n");
		fails++;
	}
	if (bench_reset(&o) != 0) {
		fprintf(stderr, "reset section failed\n");
		fails++;
	}
	loadavg(load1, sizeof(load1));

	printf("reset_bench: %ld CPUs, TSC %.3f GHz, load average (1 5 15 min, runnable/total, "
	       "last pid) at start %s, at end %s\n",
	       sysconf(_SC_NPROCESSORS_ONLN), (double)rte_get_tsc_hz() / 1e9, load0, load1);
	printf("guard: %" PRIu64 " calls x %u rounds per row; quiescence: %u per row; "
	       "reset: %u per run, reset_period_ms=%u recovery_ms=%u\n\n",
	       o.guard_iters, o.rounds, o.quiesce_n, o.resets, o.period_ms, o.recovery_ms);
	if (o.slack_ns >= 0)
		printf("section 2 writer: timer slack %ld ns (--timer-slack-ns)\n", o.slack_ns);
	else
		printf("section 2 writer: default timer slack (50 us unless inherited)\n");
	printf("EAL: -l 0 (main thread on CPU 0); the port's reset thread ran on CPU(s) %s\n\n",
	       __atomic_load_n(&reset_thread_cpus_set, __ATOMIC_ACQUIRE) ? reset_thread_cpus : "?");
	table_print();
	if (test_eal_finish() != 0)
		fails++;
	return fails != 0;
}
