/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* The writer side of the datapath guard (see mana_guard.h). */
#include <errno.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mana_guard.h"

/* Spins before the waiter starts sleeping between checks. */
#define GUARD_SPIN_NS    2000      /* pause this long before sleeping */
#define GUARD_SLEEP_NS   10000L    /* then sleep this long ... */
#define GUARD_BACKOFF_NS 1000000   /* ... for this long, then back off */
#define GUARD_SLEEP_MAX_NS 1000000L

static int guard_registered;   /* this process; written once at probe */

/*
 * The process polling q, in a burst (seq s) that does not end, died: no
 * thread of it will touch anything again. Its burst counts as ended (seq
 * even again, for whoever polls the queue next). Only a secondary's bursts
 * record their process (owner); a queue the primary polls has none, and
 * the primary is this process.
 */
static bool
guard_owner_dead(struct mana_guard_q *q, uint32_t s)
{
	int32_t pid = __atomic_load_n(&q->owner, __ATOMIC_RELAXED);

	if (pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH)
		return false;
	__atomic_compare_exchange_n(&q->seq, &s, s + 1, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_RELAXED);
	return true;
}

static int
guard_membarrier(int cmd)
{
	return (int)syscall(__NR_membarrier, cmd, 0, 0);
}

enum mana_guard_mode
mana_guard_register(bool use_membarrier)
{
	int cmds;

	if (__atomic_load_n(&guard_registered, __ATOMIC_ACQUIRE))
		return MANA_GUARD_ASYM;
	if (!use_membarrier)
		return MANA_GUARD_FENCED;
	cmds = guard_membarrier(MEMBARRIER_CMD_QUERY);
	if (cmds < 0 || !(cmds & MEMBARRIER_CMD_GLOBAL_EXPEDITED) ||
	    guard_membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) != 0)
		return MANA_GUARD_FENCED;
	__atomic_store_n(&guard_registered, 1, __ATOMIC_RELEASE);
	return MANA_GUARD_ASYM;
}

bool
mana_guard_writer_can_membarrier(void)
{
	return __atomic_load_n(&guard_registered, __ATOMIC_ACQUIRE) != 0;
}

void
mana_gate_close(struct mana_gate *g, enum mana_guard_mode mode)
{
	uint64_t w = __atomic_load_n(&g->word, __ATOMIC_RELAXED);

	__atomic_store_n(&g->word, w | MANA_GATE_CLOSED, __ATOMIC_SEQ_CST);
	/* ASYM readers have no fence between their seq store and gate load:
	 * give every one of them a full barrier now, so that each either sees
	 * the gate closed or has its odd seq visible to our loads below. If
	 * the barrier fails we must not trust ASYM readers: this cannot happen
	 * once registration succeeded (the kernel does not unregister).
	 */
	if (mode == MANA_GUARD_ASYM)
		guard_membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED);
}

void
mana_gate_open(struct mana_gate *g)
{
	uint64_t w = __atomic_load_n(&g->word, __ATOMIC_RELAXED);

	/* Release pairs with the reader's load-acquire in mana_guard_enter:
	 * everything rebuilt before this is visible to bursts that see the
	 * gate open.
	 */
	__atomic_store_n(&g->word, ((w >> 1) + 1) << 1, __ATOMIC_RELEASE);
}

static inline void
guard_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

int
mana_guard_wait_idle(struct mana_guard_q *const *qs, unsigned int n, uint64_t timeout_ns,
		     unsigned int *stuck, uint64_t *waited_ns)
{
	uint64_t start = mana_now_ns(), deadline = start + timeout_ns;
	long sleep_ns = GUARD_SLEEP_NS;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		uint32_t s;

		if (qs[i] == NULL)
			continue;
		/* Seq_cst: the other half of the FENCED readers' pattern; it
		 * also acquires, pairing with the reader's release in exit.
		 */
		s = __atomic_load_n(&qs[i]->seq, __ATOMIC_SEQ_CST);
		if (!(s & 1))
			continue;
		while (__atomic_load_n(&qs[i]->seq, __ATOMIC_ACQUIRE) == s) {
			uint64_t now = mana_now_ns();

			if (now >= deadline) {
				if (stuck != NULL)
					*stuck = i;
				ret = -ETIMEDOUT;
				break;
			}
			/* Spin briefly (the burst usually ends within
			 * nanoseconds), then sleep, never yield: the burst we
			 * wait for may need this very CPU (ctrl threads share
			 * cores with pollers). sched_yield would hand the CPU to
			 * that poller for the rest of its time slice, ms, and
			 * under EEVDF a yield loop also pushes the whole task
			 * group (the application's session) back on this CPU;
			 * a short sleep lets the burst finish and wakes us with
			 * the scheduler's wake-up preemption, tens of us.
			 */
			if (now - start < GUARD_SPIN_NS) {
				guard_pause();
			} else if (guard_owner_dead(qs[i], s)) {
				break;   /* it will never leave: it is gone */
			} else {
				struct timespec ts = { 0, sleep_ns };

				nanosleep(&ts, NULL);
				/* A burst still inside after a millisecond
				 * waits for its thread to get a CPU back:
				 * poll less often (up to every 1 ms) rather
				 * than wake 100000 times a second.
				 */
				if (now - start >= GUARD_BACKOFF_NS && sleep_ns < GUARD_SLEEP_MAX_NS)
					sleep_ns *= 2;
			}
		}
	}
	if (waited_ns != NULL)
		*waited_ns = mana_now_ns() - start;
	return ret;
}
