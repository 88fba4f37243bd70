/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* Contract tests of the datapath guard (pmd/mana_guard.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/lib/test_util.h"
#include "pmd/mana_guard.h"


static void
test_enter_exit_parity(void)
{
	struct mana_gate g = { 0 };
	struct mana_guard_q q;

	mana_guard_init(&q);
	CHECK(mana_guard_enter(&q, &g, MANA_GUARD_ASYM));
	CHECK(q.seq == 1);
	mana_guard_exit(&q);
	CHECK(q.seq == 2);
	CHECK(mana_guard_enter(&q, &g, MANA_GUARD_FENCED));
	mana_guard_exit(&q);
	CHECK(q.seq == 4);
}

static void
test_closed_gate_refuses(void)
{
	struct mana_gate g = { 0 };
	struct mana_guard_q q;

	mana_guard_init(&q);
	mana_gate_close(&g, MANA_GUARD_FENCED);
	CHECK(mana_gate_is_closed(&g));
	CHECK(!mana_guard_enter(&q, &g, MANA_GUARD_ASYM));
	CHECK(q.seq == 2);   /* left idle */
	mana_gate_open(&g);
	CHECK(!mana_gate_is_closed(&g));
	CHECK(g.word >> 1 == 1);   /* a new generation */
	mana_gate_close(&g, MANA_GUARD_FENCED);
	mana_gate_open(&g);
	CHECK(g.word >> 1 == 2);
	CHECK(mana_guard_enter(&q, &g, MANA_GUARD_ASYM));
	mana_guard_exit(&q);
}

/* Something that is not a queue of ours (ethdev's dummy queue, handed to a
 * driver's burst while rte_eth_dev_stop rewrites the fast-path table) is
 * refused and left untouched.
 */
static void
test_foreign_object_refused(void)
{
	struct mana_gate g = { 0 };
	union {
		struct mana_guard_q q;
		uint8_t bytes[sizeof(struct mana_guard_q)];
	} foreign;
	unsigned int i;
	bool untouched = true;

	memset(&foreign, 0x01, sizeof(foreign));
	CHECK(!mana_guard_enter(&foreign.q, &g, MANA_GUARD_ASYM));
	CHECK(!mana_guard_enter(&foreign.q, &g, MANA_GUARD_FENCED));
	for (i = 0; i < sizeof(foreign.bytes); i++)
		untouched &= foreign.bytes[i] == 0x01;
	CHECK(untouched);
}

static void
test_wait_idle_immediate(void)
{
	struct mana_guard_q a, b;
	struct mana_guard_q *qs[3] = { &a, NULL, &b };
	unsigned int stuck = 99;
	uint64_t waited = 0;

	mana_guard_init(&a);
	mana_guard_init(&b);
	CHECK(mana_guard_wait_idle(qs, 3, 1000000, &stuck, &waited) == 0);
	CHECK(stuck == 99);
	CHECK(waited < 1000000);
}

struct stuck_reader {
	struct mana_guard_q q;
	struct mana_gate *g;
	unsigned int hold_ms;
	int entered;
};

static void *
stuck_reader_main(void *arg)
{
	struct stuck_reader *r = arg;
	struct timespec ts = { 0, (long)r->hold_ms * 1000000L };

	if (mana_guard_enter(&r->q, r->g, MANA_GUARD_FENCED)) {
		__atomic_store_n(&r->entered, 1, __ATOMIC_RELEASE);
		nanosleep(&ts, NULL);
		mana_guard_exit(&r->q);
	}
	return NULL;
}

static void
test_wait_idle_timeout_then_progress(void)
{
	struct mana_gate g = { 0 };
	struct stuck_reader r = { .g = &g, .hold_ms = 300 };
	struct mana_guard_q idle;
	struct mana_guard_q *qs[2] = { &idle, &r.q };
	unsigned int stuck = 99;
	uint64_t waited = 0;
	pthread_t t;

	mana_guard_init(&idle);
	mana_guard_init(&r.q);
	CHECK(pthread_create(&t, NULL, stuck_reader_main, &r) == 0);
	while (!__atomic_load_n(&r.entered, __ATOMIC_ACQUIRE))
		sched_yield();
	mana_gate_close(&g, MANA_GUARD_FENCED);
	/* The reader holds its burst for 300 ms: a 50 ms bound must expire
	 * and name it, and must not have waited much past the bound.
	 */
	CHECK(mana_guard_wait_idle(qs, 2, 50000000, &stuck, &waited) == -ETIMEDOUT);
	CHECK(stuck == 1);
	CHECK(waited >= 50000000 && waited < 250000000);
	/* Given time, it leaves, and the wait succeeds. */
	CHECK(mana_guard_wait_idle(qs, 2, 5000000000ULL, &stuck, &waited) == 0);
	pthread_join(t, NULL);
	CHECK(r.q.seq == 2);
}

int
main(void)
{
	test_enter_exit_parity();
	test_closed_gate_refuses();
	test_foreign_object_refused();
	test_wait_idle_immediate();
	test_wait_idle_timeout_then_progress();
	printf("membarrier available to this process: %s\n",
	       mana_guard_register(true) == MANA_GUARD_ASYM ? "yes" : "no (fenced fallback)");
	if (test_failures != 0) {
		fprintf(stderr, "%d check(s) failed\n", test_failures);
		return 1;
	}
	printf("guard contract tests passed\n");
	return 0;
}
