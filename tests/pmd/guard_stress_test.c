/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Stress test of the datapath guard: two reader threads run "bursts" that
 * touch "device memory" as fast as they can, while a writer resets it over and
 * over: close the gate, wait for bursts in flight, poison the memory (the
 * teardown), publish new memory, reopen. A burst that sees poisoned memory is
 * a violation: the guard let a burst use memory after teardown began.
 *
 * Phases: the membarrier (ASYM) guard and the FENCED fallback must show zero
 * violations; a BROKEN writer that skips the wait for bursts in flight must
 * show some, which proves this test can see what it looks for.
 *
 *   guard_stress_test [SECONDS_PER_PHASE]   (default 2)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmd/mana_guard.h"

#define READERS 2
#define TOUCHES 8

struct devmem {
	uint64_t alive;
	uint64_t ring[TOUCHES];
} __attribute__((aligned(64)));

struct phase {
	const char *name;
	enum mana_guard_mode mode;
	bool wait_in_flight;
	/* results */
	uint64_t resets, violations, refused, bursts, stuck, max_wait_ns;
};

static struct mana_gate gate;
static struct mana_guard_q queues[READERS];
static struct devmem mem[2];
static struct devmem *cur;
static int stop;
static int reader_mode;     /* enum mana_guard_mode of the readers */
static uint64_t r_violations[READERS], r_refused[READERS], r_bursts[READERS];

static void *
reader_main(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	struct mana_guard_q *q = &queues[id];
	uint64_t v = 0, refused = 0, bursts = 0;
	enum mana_guard_mode mode = (enum mana_guard_mode)reader_mode;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		bool in = mode == MANA_GUARD_FENCED ? mana_guard_enter(q, &gate, MANA_GUARD_FENCED) :
			  mana_guard_enter(q, &gate, MANA_GUARD_ASYM);
		struct devmem *m;
		unsigned int k;

		if (!in) {
			refused++;
			continue;
		}
		/* Device pointers are read after the guard, never before. */
		m = __atomic_load_n(&cur, __ATOMIC_ACQUIRE);
		for (k = 0; k < TOUCHES; k++) {
			if (__atomic_load_n(&m->alive, __ATOMIC_RELAXED) != 1)
				v++;
			__atomic_store_n(&m->ring[k], bursts, __ATOMIC_RELAXED);
		}
		mana_guard_exit(q);
		bursts++;
	}
	r_violations[id] = v;
	r_refused[id] = refused;
	r_bursts[id] = bursts;
	return NULL;
}

static void
open_until(struct mana_guard_q *const *qs)
{
	uint64_t deadline = mana_now_ns() + 50000;
	uint32_t before[READERS];
	unsigned int i;

	for (i = 0; i < READERS; i++)
		before[i] = __atomic_load_n(&qs[i]->seq, __ATOMIC_RELAXED);
	while (mana_now_ns() < deadline)
		for (i = 0; i < READERS; i++)
			if (__atomic_load_n(&qs[i]->seq, __ATOMIC_RELAXED) - before[i] >= 4)
				return;
}

static int
run_phase(struct phase *ph, unsigned int seconds)
{
	struct mana_guard_q *qs[READERS];
	pthread_t t[READERS];
	uint64_t end, which = 0;
	unsigned int i;

	memset(&gate, 0, sizeof(gate));
	for (i = 0; i < READERS; i++)
		mana_guard_init(&queues[i]);
	mem[0].alive = 1;
	mem[1].alive = 0;
	cur = &mem[0];
	stop = 0;
	reader_mode = ph->mode;
	for (i = 0; i < READERS; i++) {
		qs[i] = &queues[i];
		if (pthread_create(&t[i], NULL, reader_main, (void *)(uintptr_t)i) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return -1;
		}
	}
	end = mana_now_ns() + (uint64_t)seconds * 1000000000ULL;
	while (mana_now_ns() < end) {
		struct devmem *old = &mem[which], *next = &mem[which ^ 1];
		unsigned int stuck;
		uint64_t waited = 0;

		mana_gate_close(&gate, ph->mode);
		if (ph->wait_in_flight) {
			if (mana_guard_wait_idle(qs, READERS, 2000000000ULL, &stuck, &waited) != 0) {
				/* Never free under a running burst. */
				ph->stuck++;
				mana_gate_open(&gate);
				continue;
			}
			if (waited > ph->max_wait_ns)
				ph->max_wait_ns = waited;
		}
		/* Teardown: the old memory is gone. */
		__atomic_store_n(&old->alive, 0, __ATOMIC_RELAXED);
		/* Rebuild, publish, reopen. */
		__atomic_store_n(&next->alive, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&cur, next, __ATOMIC_RELEASE);
		mana_gate_open(&gate);
		which ^= 1;
		ph->resets++;
		/* Leave the gate open until a burst got through (or 50 us),
		 * so that resets land on running bursts, not on idle queues.
		 */
		open_until(qs);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < READERS; i++) {
		pthread_join(t[i], NULL);
		ph->violations += r_violations[i];
		ph->refused += r_refused[i];
		ph->bursts += r_bursts[i];
	}
	printf("%-7s resets %8llu  bursts %11llu  refused %9llu  violations %6llu  stuck %llu  max wait %6.1f us\n",
	       ph->name, (unsigned long long)ph->resets, (unsigned long long)ph->bursts,
	       (unsigned long long)ph->refused, (unsigned long long)ph->violations,
	       (unsigned long long)ph->stuck, (double)ph->max_wait_ns / 1000.0);
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int secs = argc > 1 ? (unsigned int)atoi(argv[1]) : 2;
	enum mana_guard_mode asym = mana_guard_register(true);
	struct phase asym_ph = { "asym", MANA_GUARD_ASYM, true, 0, 0, 0, 0, 0, 0 };
	struct phase fenced_ph = { "fenced", MANA_GUARD_FENCED, true, 0, 0, 0, 0, 0, 0 };
	struct phase broken_ph = { "broken", MANA_GUARD_FENCED, false, 0, 0, 0, 0, 0, 0 };
	int fails = 0;

	if (secs == 0 || secs > 600) {
		fprintf(stderr, "usage: %s [SECONDS_PER_PHASE 1..600]\n", argv[0]);
		return 2;
	}
	if (asym != MANA_GUARD_ASYM) {
		fprintf(stderr, "membarrier(GLOBAL_EXPEDITED) is not available here: "
			"the asym phase cannot run\n");
		return 1;
	}
	if (run_phase(&asym_ph, secs) || run_phase(&fenced_ph, secs) ||
	    run_phase(&broken_ph, secs))
		return 1;
	if (asym_ph.violations != 0 || fenced_ph.violations != 0) {
		fprintf(stderr, "FAIL: the guard let a burst touch torn-down memory\n");
		fails++;
	}
	if (asym_ph.resets < 1000 || fenced_ph.resets < 1000) {
		fprintf(stderr, "FAIL: too few resets for a meaningful run\n");
		fails++;
	}
	if (asym_ph.stuck != 0 || fenced_ph.stuck != 0) {
		fprintf(stderr, "FAIL: a burst stayed inside for 2 s\n");
		fails++;
	}
	if (broken_ph.violations == 0) {
		fprintf(stderr, "FAIL: the broken writer was not caught: this test cannot see violations\n");
		fails++;
	}
	return fails != 0;
}
