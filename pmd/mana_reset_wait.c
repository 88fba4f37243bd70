/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The reset engine's wait for the hardware (WAIT_HW; mana_reset_priv.h):
 * hw_probe at once, then every hw_poll_ns or at once on a hint, bounded by
 * hw_timeout_ns; what ended the wait (enum mana_reset_wake), and the
 * verdict on a bus removal that awaits the control daemon's word.
 *
 * Whether a device that never went away is back (MANA_HW_SAME): yes, unless
 * the control daemon announced this reset as a service event and is still
 * attached. Then the device is about to go (on real MANA the kernel
 * unregisters the old RDMA device after its clients let go of it), and only
 * the daemon's "hardware back", its departure or the timeout make the
 * engine take it: a re-probe of the old incarnation would fail when it goes,
 * or worse, succeed just before.
 */
#include "mana_clock.h"
#include "mana_reset_priv.h"

/* Wait until woken or until deadline (CLOCK_MONOTONIC ns). Lock held. */
static void
reset_wait_until(struct mana_reset *r, uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / 1000000000ULL),
		.tv_nsec = (long)(deadline % 1000000000ULL),
	};
	int rc = pthread_cond_timedwait(&r->cond, &r->lock, &ts);

	if (rc != ETIMEDOUT)
		reset_check(rc, "cond timedwait");
}

void
reset_rmv_decide(struct mana_reset *r, bool service)
{
	if (r->rmv_deadline == 0)
		return;
	r->rmv_deadline = 0;
	if (service) {
		r->rmv_stats.service++;
	} else {
		r->rmv_stats.final++;
		r->hw_removed = true;
	}
}

/* Is a device that never went away (MANA_HW_SAME) back? Lock held. */
static bool
reset_same_is_back(const struct mana_reset *r)
{
	return !(r->svc_known && r->ctrl_up) || r->cur.t_hint != 0;
}

/* The wait ended with ret, woken by cause. Lock held. */
static int
reset_wait_end(struct mana_reset *r, int ret, enum mana_reset_wake cause)
{
	r->cur.wake = cause;
	r->cur.t_wait_end = mana_now_ns();
	r->wake_stats.n[cause]++;
	return ret;
}

int
reset_wait_hw(struct mana_reset *r, uint64_t deadline)
{
	enum mana_reset_wake cause;
	enum mana_hw_status st;
	uint64_t now, next;
	bool same;

	r->cur.t_wait_end = 0;
	for (;;) {
		if (r->closing)
			return reset_wait_end(r, -ECANCELED, MANA_WAKE_CLOSED);
		now = mana_now_ns();
		/* Nobody called the bus removal a service event in time. */
		if (r->rmv_deadline != 0 && now >= r->rmv_deadline)
			reset_rmv_decide(r, false);
		if (r->hw_removed)
			return reset_wait_end(r, -ENODEV, MANA_WAKE_REMOVED);
		/* What made us ask now (NONE: our own poll). */
		cause = r->wake_pending;
		r->wake_pending = MANA_WAKE_NONE;
		reset_unlock(r);
		st = r->ops->hw_probe(r->ctx);
		reset_lock(r);
		if (st == MANA_HW_GONE) {
			reset_rmv_decide(r, false);
			return reset_wait_end(r, -ENODEV, MANA_WAKE_REMOVED);
		}
		same = st == MANA_HW_SAME && !reset_same_is_back(r);
		/* Ready, but a removal awaits its verdict: not yet. */
		if ((st == MANA_HW_READY || (st == MANA_HW_SAME && !same)) &&
		    r->rmv_deadline == 0 && !r->hw_removed) {
			/* A hint that came while the device was asked. */
			if (cause == MANA_WAKE_NONE)
				cause = r->wake_pending;
			return reset_wait_end(r, 0, cause != MANA_WAKE_NONE ? cause :
					      MANA_WAKE_POLL);
		}
		now = mana_now_ns();
		if (now >= deadline) {
			/* The bus removed it and nobody said otherwise. */
			if (r->rmv_deadline != 0) {
				reset_rmv_decide(r, false);
				return reset_wait_end(r, -ENODEV, MANA_WAKE_REMOVED);
			}
			/* The device works; the daemon never said it was back
			 * (nor went away): take it rather than fail the port.
			 */
			return reset_wait_end(r, same && !r->hw_removed ? 0 : -ETIMEDOUT,
					      MANA_WAKE_TIMEOUT);
		}
		if (r->closing || r->hw_removed || r->wake_pending != MANA_WAKE_NONE)
			continue;
		next = now + r->params.hw_poll_ns;
		if (r->rmv_deadline != 0 && r->rmv_deadline < next)
			next = r->rmv_deadline;
		reset_wait_until(r, next < deadline ? next : deadline);
	}
}

void
reset_hint_locked(struct mana_reset *r, enum mana_reset_wake cause)
{
	if (r->state == MANA_RS_ACTIVE && !r->pending)
		return;       /* no reset: a late or stale word */
	if (r->state == MANA_RS_FAILED || r->state == MANA_RS_REMOVED ||
	    r->state == MANA_RS_CLOSED)
		return;
	/* The last one before the wait ended is the one that woke it. */
	if (cause == MANA_WAKE_CTRL && r->cur.t_wait_end == 0)
		r->cur.t_hint = mana_now_ns();
	if (r->wake_pending == MANA_WAKE_NONE)
		r->wake_pending = cause;
	reset_wake(r);
}

void
mana_reset_ctrl_attached(struct mana_reset *r, bool attached)
{
	reset_lock(r);
	if (r->ctrl_up != attached) {
		r->ctrl_up = attached;
		/* A device that never went away is back now: ask it. */
		reset_wake(r);
	}
	reset_unlock(r);
}

void
mana_reset_wake_stats_get(struct mana_reset *r, struct mana_reset_wake_stats *st)
{
	reset_lock(r);
	*st = r->wake_stats;
	reset_unlock(r);
}
