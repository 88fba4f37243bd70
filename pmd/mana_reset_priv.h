/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_RESET_PRIV_H
#define MANA_RESET_PRIV_H

/*
 * What the engine's two files share (not for the port): the lock helpers
 * and the wait for the hardware. mana_reset.c (the reset's phases, requests,
 * control operations) calls mana_reset_wait.c (WAIT_HW: the probes, the
 * hints, their wake causes, a bus removal's verdict), never the other way
 * round.
 *
 * Locking: r->lock (error-checking, process-local); every function named
 * *_locked or reset_* below is called with it held. Threads: as mana_reset.h
 * (the wait runs on the reset thread; the event functions on any thread).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mana_reset.h"

/* A failing lock call is a bug in the engine (the mutex is error-checking:
 * unlocking from a thread that does not hold it fails): stop at once.
 */
static inline void
reset_check(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "mana_reset: %s failed: %s\n", what, strerror(rc));
		abort();
	}
}

static inline void
reset_lock(struct mana_reset *r)
{
	reset_check(pthread_mutex_lock(&r->lock), "mutex lock");
}

static inline void
reset_unlock(struct mana_reset *r)
{
	reset_check(pthread_mutex_unlock(&r->lock), "mutex unlock");
}

static inline void
reset_wake(struct mana_reset *r)
{
	reset_check(pthread_cond_broadcast(&r->cond), "cond broadcast");
}

/* Decide the pending bus removal, if any: part of a service event, or
 * final (the reset ends REMOVED). Lock held.
 */
void reset_rmv_decide(struct mana_reset *r, bool service);

/* WAIT_HW, on the reset thread, lock held (dropped around hw_probe and
 * the sleeps). Records in r->cur how the wait ended (wake, t_wait_end,
 * t_hint) and counts it. Returns 0 when the hardware is back, -ENODEV when
 * it was removed, -ETIMEDOUT, or -ECANCELED when the port is closing.
 */
int reset_wait_hw(struct mana_reset *r, uint64_t deadline);

/* A hint that the device may be back (MANA_WAKE_CTRL or MANA_WAKE_DEVICE)
 * for the reset running or pending: noted, and the wait woken. Ignored
 * while no reset runs or waits to run. Lock held.
 */
void reset_hint_locked(struct mana_reset *r, enum mana_reset_wake cause);

#endif /* MANA_RESET_PRIV_H */
