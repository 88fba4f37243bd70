/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_GUARD_H
#define MANA_GUARD_H

/*
 * The datapath guard: how the reset engine learns that no burst is touching
 * device memory, at (almost) no cost to the bursts. Plain C11 + Linux, no EAL.
 *
 * Readers are rx/tx bursts. Each queue has a sequence counter written only by
 * the lcore polling it: odd while a burst is inside the device's memory. Each
 * port has one gate word (bit 0: closed; the rest: a generation number), in
 * memory shared by every process that polls the port.
 *
 *   burst:  seq++ (odd); load gate; if closed { seq++; return 0; }
 *           ... read queue and doorbell pointers, touch device memory ...
 *           seq++ (even, store-release)
 *
 *   writer: gate = closed; full barrier on every reader (membarrier);
 *           for each queue: if seq is odd, wait until it changes (bounded).
 *
 * On x86 a reader's seq store can pass its later gate load (store buffering);
 * instead of a fence in every burst, the writer forces one on all readers at
 * once with membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED), which reaches every
 * thread of every process that registered with mana_guard_register(). Then
 * either the reader sees the gate closed, or the writer sees its seq odd.
 * Where membarrier is unavailable the readers fence themselves
 * (MANA_GUARD_FENCED: a seq_cst exchange), about 10 cycles a burst.
 *
 * A queue's guard is set up with mana_guard_init before the queue is
 * published; mana_guard_enter refuses anything that does not carry its magic.
 *
 * Threads: mana_guard_enter/exit on the lcore owning the queue only.
 * mana_gate_* and mana_guard_wait_idle on the one thread that owns the port's
 * reset (the reset engine); mana_guard_register once per process, any thread.
 */
#include <stdbool.h>
#include <stdint.h>

#include "mana_clock.h"

#define MANA_GATE_CLOSED 1ULL

/* Per port, in memory shared by all processes. */
struct mana_gate {
	uint64_t word;                  /* generation << 1 | closed */
};

#define MANA_GUARD_MAGIC 0x6d616e61u   /* "mana" */

/* Per queue, on its own cache line, written only by the polling thread
 * (magic: by mana_guard_init, before the queue is published).
 */
struct mana_guard_q {
	uint32_t seq;
	uint32_t magic;
	/* The process whose thread polls the queue when it is not the
	 * writer's (a secondary: mana_guard_owner), 0 otherwise: a burst
	 * that never ends because that process died is not waited for.
	 */
	int32_t owner;
} __attribute__((aligned(64)));

static inline void
mana_guard_init(struct mana_guard_q *q)
{
	q->seq = 0;
	q->owner = 0;
	q->magic = MANA_GUARD_MAGIC;
}

/* A burst of a process other than the writer's: record it as the queue's
 * poller (stores only when the queue changes hands). A queue's polling
 * changes hands only between bursts (two processes polling one queue at
 * once is the application's bug), so an odd seq found then is a burst the
 * last poller never ended: it died inside. Make it even, or this poller's
 * bursts would read as idle and its idle time as a burst. The polling
 * thread, before mana_guard_enter.
 */
static inline void
mana_guard_owner(struct mana_guard_q *q, int32_t pid)
{
	if (__builtin_expect(__atomic_load_n(&q->owner, __ATOMIC_RELAXED) != pid, 0)) {
		uint32_t s = __atomic_load_n(&q->seq, __ATOMIC_ACQUIRE);

		__atomic_store_n(&q->owner, pid, __ATOMIC_RELAXED);
		if (s & 1)
			__atomic_compare_exchange_n(&q->seq, &s, s + 1, false,
						    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	}
}

enum mana_guard_mode {
	MANA_GUARD_ASYM = 0,   /* readers: compiler barrier; writer: membarrier */
	MANA_GUARD_FENCED = 1, /* readers: full fence; writer: nothing more */
};

/*
 * Enter a burst. Returns false (and leaves the queue idle) when the gate is
 * closed: the caller returns 0 at once without reading any device pointer.
 * Pass a compile-time constant mode so the branch folds away.
 */
static inline bool
mana_guard_enter_(struct mana_guard_q *q, const struct mana_gate *g, enum mana_guard_mode mode,
		  const uint64_t *want, uint64_t *seen)
{
	/* Not one of ours: ethdev can pair a driver's burst function with its
	 * own dummy queue while rte_eth_dev_stop rewrites the fast-path table
	 * under a thread that still polls. Touch nothing, write nothing.
	 */
	if (__builtin_expect(__atomic_load_n(&q->magic, __ATOMIC_RELAXED) != MANA_GUARD_MAGIC, 0))
		return false;
	/* Only the polling thread writes seq, but which thread polls a queue
	 * may change (an application hands queues between lcores). Acquire
	 * pairs with the previous burst's release in mana_guard_exit, so this
	 * burst sees that one's queue state whoever ran it (a plain load on x86).
	 */
	uint32_t s = __atomic_load_n(&q->seq, __ATOMIC_ACQUIRE);
	uint64_t gate;

	if (mode == MANA_GUARD_FENCED) {
		/* Store-buffering pattern, all seq_cst: with the writer's
		 * seq_cst gate store and seq load, one of us sees the other.
		 * (xchg on x86: a full barrier, like a fence.)
		 */
		__atomic_exchange_n(&q->seq, s + 1, __ATOMIC_SEQ_CST);
		gate = __atomic_load_n(&g->word, __ATOMIC_SEQ_CST);
	} else {
		__atomic_store_n(&q->seq, s + 1, __ATOMIC_RELAXED);
		/* Compiler barrier only: the writer's membarrier does the rest. */
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		/* Acquire pairs with mana_gate_open's release: what the writer
		 * rebuilt before reopening is visible here (a plain load on x86).
		 */
		gate = __atomic_load_n(&g->word, __ATOMIC_ACQUIRE);
	}
	/* With want: the gate must be open with exactly that word, loaded
	 * after the gate (acquire): whoever stored it did so before the gate
	 * opened with it, with what it set up for this process.
	 */
	if (__builtin_expect(want != NULL ? gate != __atomic_load_n(want, __ATOMIC_ACQUIRE) :
			     (gate & MANA_GATE_CLOSED) != 0, 0)) {
		/* Pairs with the writer's load-acquire in mana_guard_wait_idle. */
		__atomic_store_n(&q->seq, s + 2, __ATOMIC_RELEASE);
		if (seen != NULL)
			*seen = gate;
		return false;
	}
	return true;
}

static inline bool
mana_guard_enter(struct mana_guard_q *q, const struct mana_gate *g, enum mana_guard_mode mode)
{
	return mana_guard_enter_(q, g, mode, NULL, NULL);
}

/*
 * Enter a burst in a process that follows the gate's generations (a
 * secondary: mana_mp.h): refused unless the gate is open with exactly the
 * word *want, which that process stores (store-release) once it is in step
 * with the generation. On refusal *seen gets the gate word found; the burst
 * costs what mana_guard_enter's does (one compare of the same word).
 */
static inline bool
mana_guard_enter_word(struct mana_guard_q *q, const struct mana_gate *g,
		      enum mana_guard_mode mode, const uint64_t *want, uint64_t *seen)
{
	return mana_guard_enter_(q, g, mode, want, seen);
}

/* The word the gate opens with next (mana_gate_open): a process in step
 * with it may store it as its want before the gate opens.
 */
static inline uint64_t
mana_gate_next_word(const struct mana_gate *g)
{
	return ((__atomic_load_n(&g->word, __ATOMIC_ACQUIRE) >> 1) + 1) << 1;
}

/* Leave a burst: every access to device memory happens before this. */
static inline void
mana_guard_exit(struct mana_guard_q *q)
{
	/* Pairs with the writer's load-acquire in mana_guard_wait_idle and
	 * with the next burst's load-acquire in mana_guard_enter.
	 */
	__atomic_store_n(&q->seq, __atomic_load_n(&q->seq, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
}

/* Register this process for the writer's membarrier (unless use_membarrier
 * is false, which forces the fallback). Returns the mode this process's
 * readers must use: ASYM when registered, FENCED otherwise.
 */
enum mana_guard_mode mana_guard_register(bool use_membarrier);

/* Whether a writer in this process can use membarrier (call after
 * mana_guard_register). When false, every reader must be FENCED.
 */
bool mana_guard_writer_can_membarrier(void);

/* Writer: close the gate and make the closing visible to every reader that
 * enters from now on (issues the membarrier in ASYM mode).
 */
void mana_gate_close(struct mana_gate *g, enum mana_guard_mode mode);

/* Writer: open the gate with a new generation. */
void mana_gate_open(struct mana_gate *g);

static inline bool
mana_gate_is_closed(const struct mana_gate *g)
{
	return __atomic_load_n(&g->word, __ATOMIC_ACQUIRE) & MANA_GATE_CLOSED;
}

/*
 * Writer, gate closed: wait until none of the n queues is inside a burst,
 * spinning 2 us, then sleeping (10 us, backing off to 1 ms after the first
 * millisecond), for at most timeout_ns (CLOCK_MONOTONIC).
 * Returns 0, or -ETIMEDOUT with *stuck set to the index of a queue still
 * inside a burst (whose memory must then not be freed). NULL entries are
 * skipped; so is a queue whose owner process died inside its burst (its
 * seq made even again). *waited_ns, if not NULL, gets the time spent.
 */
int mana_guard_wait_idle(struct mana_guard_q *const *qs, unsigned int n, uint64_t timeout_ns,
			 unsigned int *stuck, uint64_t *waited_ns);

#endif /* MANA_GUARD_H */
