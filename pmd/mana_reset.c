/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The reset engine (see mana_reset.h).
 *
 * One reset, on the reset thread:
 *
 * (ops->phase is told as each phase begins)
 *
 *   request -> [wait for control ops in flight] -> RECOVERING
 *     RESET_ENTER  quiesce (bounded) -> teardown
 *     WAIT_HW      hw_probe every hw_poll_ns, or at once on a hint (bounded;
 *                  mana_reset_wait.c, which also says what ended the wait)
 *     RESET_EXIT   reprobe -> restore
 *   -> SUCCESS, or FAILED (+ REMOVED)
 *
 * A request while a reset runs is merged into it; if the new device fails
 * during RESET_EXIT the reset goes round again, still under the one
 * RECOVERING, so every RECOVERING gets exactly one SUCCESS or FAILED.
 *
 * A bus removal (MANA_HWE_BUS_REMOVED) is judged under the lock, where the
 * control daemon's word (mana_reset_service) is kept: part of a service
 * event, final, or pending until rmv_deadline. While it is pending the
 * reset does not re-probe, even if the device says it is ready: a removal
 * that turns out final must never see its device re-probed (review finding
 * 10: the reviewed patch decided outside the lock, and a DEVICE_FATAL
 * handler turned a removal back into a reset).
 *
 * The lock is held for bookkeeping only; it is dropped around every op and
 * every event. Only the reset thread changes the state away from ACTIVE and
 * back, so the state it reads after reacquiring the lock is its own.
 */
#include "mana_clock.h"
#include "mana_reset_priv.h"

static void
reset_wait(struct mana_reset *r)
{
	reset_check(pthread_cond_wait(&r->cond, &r->lock), "cond wait");
}

static void
reset_notify(struct mana_reset *r, enum mana_reset_event ev)
{
	/* Closed from a callback of ours: the port is gone, tell no more. */
	if (r->self_closed)
		return;
	reset_unlock(r);
	r->ops->notify(r->ctx, ev);
	reset_lock(r);
}

/* End the current reset with its outcome. Lock held. A port closed from
 * one of our callbacks is CLOSED for good: its state is not rewritten.
 */
static void
reset_finish(struct mana_reset *r, enum mana_reset_state outcome, int error)
{
	if (!r->self_closed)
		r->state = outcome;
	r->cur.t_end = mana_now_ns();
	r->cur.outcome = outcome;
	r->cur.error = error;
	r->history[r->nb_history % MANA_RESET_HISTORY] = r->cur;
	r->nb_history++;
	/* The daemon's word was about this reset. A verdict still pending is
	 * final if the device was removed anyway (the daemon's "gone"), moot
	 * otherwise (the port closed, a burst stuck).
	 */
	if (r->rmv_deadline != 0 && outcome == MANA_RS_REMOVED)
		r->rmv_stats.final++;
	r->svc_known = false;
	r->rmv_deadline = 0;
	r->wake_pending = MANA_WAKE_NONE;
	if (outcome == MANA_RS_ACTIVE) {
		r->stats.succeeded++;
		/* The device this reset rebuilt on works: a removal that
		 * arrived meanwhile was of an earlier incarnation (a late
		 * "gone" from the control daemon). Later resets wait for the
		 * hardware again.
		 */
		r->hw_removed = false;
		reset_notify(r, MANA_REV_SUCCESS);
		return;
	}
	r->stats.failed++;
	if (outcome == MANA_RS_REMOVED)
		r->stats.removed++;
	reset_notify(r, MANA_REV_FAILED);
	if (outcome == MANA_RS_REMOVED)
		reset_notify(r, MANA_REV_REMOVED);
}

static void
reset_phase_done(struct mana_reset *r, enum mana_reset_phase ph)
{
	r->cur.t_phase_end[ph] = mana_now_ns();
}

/* Tell the port (ops->phase) that phase ph of reset seq begins. Lock held;
 * dropped around the call, as around every op.
 */
static void
reset_phase_begin(struct mana_reset *r, uint64_t seq, enum mana_reset_phase ph)
{
	if (r->ops->phase == NULL || r->self_closed)
		return;
	reset_unlock(r);
	r->ops->phase(r->ctx, seq, ph);
	reset_lock(r);
}

/* One reset, from request to outcome. Lock held on entry and exit. */
static void
reset_run(struct mana_reset *r)
{
	uint64_t hw_deadline = 0, seq;
	bool started;
	int ret;

	r->pending = false;
	r->stats.requested++;
	r->cur.seq = r->stats.requested;
	seq = r->cur.seq;
	r->state = MANA_RS_RESET_ENTER;
	/* Control operations that began before the request finish first;
	 * new ones see RESET_ENTER and get -EBUSY.
	 */
	while (r->ops_active > 0)
		reset_wait(r);
	/* Start and stop are refused until the reset ends, but for a stop
	 * while it waits for the hardware (taken into account below).
	 */
	started = r->want_started;
	reset_notify(r, MANA_REV_RECOVERING);
	/* The application may close the port from that callback (on this
	 * thread: the port's close then released everything itself), or
	 * from another thread meanwhile: touch nothing more.
	 */
	if (r->closing) {
		reset_finish(r, MANA_RS_FAILED, -ECANCELED);
		return;
	}

	for (;;) {
		r->state = MANA_RS_RESET_ENTER;
		r->again = false;
		if (!r->torn_down) {
			reset_phase_begin(r, seq, MANA_PH_QUIESCE);
			reset_unlock(r);
			ret = r->ops->quiesce(r->ctx, started, r->params.quiesce_timeout_ns);
			reset_lock(r);
			reset_phase_done(r, MANA_PH_QUIESCE);
			if (ret != 0) {
				/* A burst is still inside: free nothing. */
				reset_finish(r, MANA_RS_FAILED, ret);
				return;
			}
			reset_phase_begin(r, seq, MANA_PH_TEARDOWN);
			reset_unlock(r);
			r->ops->teardown(r->ctx, started);
			reset_lock(r);
			r->torn_down = true;
			reset_phase_done(r, MANA_PH_TEARDOWN);
		}

		r->state = MANA_RS_WAIT_HW;
		if (hw_deadline == 0)
			hw_deadline = mana_now_ns() + r->params.hw_timeout_ns;
		reset_phase_begin(r, seq, MANA_PH_WAIT_HW);
		ret = reset_wait_hw(r, hw_deadline);
		if (ret != 0) {
			reset_finish(r, ret == -ENODEV ? MANA_RS_REMOVED : MANA_RS_FAILED, ret);
			return;
		}
		reset_phase_done(r, MANA_PH_WAIT_HW);

		r->state = MANA_RS_RESET_EXIT;
		reset_phase_begin(r, seq, MANA_PH_REPROBE);
		/* A bus removal came meanwhile: judged before any re-probe. */
		if (r->hw_removed || r->rmv_deadline != 0)
			continue;
		/* The application may have stopped the port meanwhile. */
		started = started && r->want_started;
		reset_unlock(r);
		ret = r->ops->reprobe(r->ctx, started);
		reset_lock(r);
		if (ret == -EAGAIN) {
			/* It went down again before we got it: wait again. */
			r->stats.merged++;
			r->cur.merged++;
			continue;
		}
		if (ret != 0) {
			reset_finish(r, ret == -ENODEV ? MANA_RS_REMOVED : MANA_RS_FAILED, ret);
			return;
		}
		r->torn_down = false;
		reset_phase_done(r, MANA_PH_REPROBE);
		if (r->closing) {
			reset_finish(r, MANA_RS_FAILED, -ECANCELED);
			return;
		}

		reset_phase_begin(r, seq, MANA_PH_RESTORE);
		reset_unlock(r);
		ret = r->ops->restore(r->ctx, started);
		reset_lock(r);
		if (ret != 0)
			r->torn_down = true;
		if (ret == -EAGAIN) {
			r->stats.merged++;
			r->cur.merged++;
			continue;
		}
		if (ret != 0) {
			reset_finish(r, MANA_RS_FAILED, ret);
			return;
		}
		if (r->again)
			continue;      /* the new device failed meanwhile */
		reset_phase_done(r, MANA_PH_RESTORE);
		reset_finish(r, MANA_RS_ACTIVE, 0);
		return;
	}
}

static void *
reset_main(void *arg)
{
	struct mana_reset *r = arg;
	bool self_closed;

	reset_lock(r);
	for (;;) {
		while (!r->pending && !r->closing)
			reset_wait(r);
		if (r->closing)
			break;
		reset_run(r);
	}
	self_closed = r->self_closed;
	reset_unlock(r);
	if (self_closed) {
		/* Closed from our own callback: nobody joins us; we own r. */
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		if (r->ops->release != NULL)
			r->ops->release(r->ctx);
	}
	return NULL;
}

static int
reset_thread_default(pthread_t *t, const char *name, void *(*fn)(void *), void *arg)
{
	int rc = pthread_create(t, NULL, fn, arg);

	if (rc == 0)
		pthread_setname_np(*t, name);
	return -rc;
}

int
mana_reset_init(struct mana_reset *r, const struct mana_reset_ops *ops, void *ctx,
		const struct mana_reset_params *params)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	int ret;

	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->ctx = ctx;
	r->params = *params;
	if (r->params.thread_create == NULL)
		r->params.thread_create = reset_thread_default;
	if (r->params.thread_name[0] == '\0')
		snprintf(r->params.thread_name, sizeof(r->params.thread_name), "mana-reset");
	if (r->params.hw_poll_ns == 0)
		r->params.hw_poll_ns = 1000000;
	r->state = MANA_RS_ACTIVE;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	ret = -pthread_mutex_init(&r->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	if (ret != 0)
		return ret;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	ret = -pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (ret != 0)
		goto err_mutex;
	ret = r->params.thread_create(&r->thread, r->params.thread_name, reset_main, r);
	if (ret != 0)
		goto err_cond;
	r->thread_started = true;
	return 0;

err_cond:
	pthread_cond_destroy(&r->cond);
err_mutex:
	pthread_mutex_destroy(&r->lock);
	return ret;
}

int
mana_reset_fini(struct mana_reset *r, bool *device_up)
{
	if (r->thread_started && pthread_equal(pthread_self(), r->thread)) {
		/* An event callback closes the port: the reset is over (events
		 * are sent after its outcome), so finish the bookkeeping and
		 * let the thread end on its own.
		 */
		reset_lock(r);
		r->closing = true;
		r->self_closed = true;
		*device_up = !r->torn_down;
		r->state = MANA_RS_CLOSED;
		reset_unlock(r);
		reset_check(pthread_detach(r->thread), "detach");
		r->thread_started = false;
		return 1;
	}
	reset_lock(r);
	r->closing = true;
	reset_wake(r);
	reset_unlock(r);
	/* The one join of the reset thread; it ends any reset it runs within
	 * the bounds of the current step.
	 */
	if (r->thread_started) {
		reset_check(pthread_join(r->thread, NULL), "join");
		r->thread_started = false;
	}
	reset_lock(r);
	*device_up = !r->torn_down;
	r->state = MANA_RS_CLOSED;
	reset_unlock(r);
	return 0;
}

void
mana_reset_destroy(struct mana_reset *r)
{
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
}

/* A reset is wanted: start one, or merge into the one running (and go
 * round again if it is rebuilding). Lock held.
 */
static void
reset_request_locked(struct mana_reset *r)
{
	switch (r->state) {
	case MANA_RS_ACTIVE:
		if (r->pending) {
			r->stats.merged++;
			r->cur.merged++;
			break;
		}
		memset(&r->cur, 0, sizeof(r->cur));
		r->cur.t_request = mana_now_ns();
		r->wake_pending = MANA_WAKE_NONE;
		r->pending = true;
		reset_wake(r);
		break;
	case MANA_RS_RESET_EXIT:
		/* The new device may be failing already: go round again. */
		r->again = true;
		/* fall through */
	case MANA_RS_RESET_ENTER:
	case MANA_RS_WAIT_HW:
		r->stats.merged++;
		r->cur.merged++;
		break;
	case MANA_RS_FAILED:
	case MANA_RS_REMOVED:
	case MANA_RS_CLOSED:
		break;
	}
}

/* Removed while running: a reset starts (and ends as told). Lock held. */
static void
reset_removed_locked(struct mana_reset *r)
{
	if (r->state == MANA_RS_ACTIVE && !r->pending) {
		memset(&r->cur, 0, sizeof(r->cur));
		r->cur.t_request = mana_now_ns();
		r->wake_pending = MANA_WAKE_NONE;
		r->pending = true;
	}
}

static bool
reset_state_final(enum mana_reset_state s)
{
	return s == MANA_RS_FAILED || s == MANA_RS_REMOVED || s == MANA_RS_CLOSED;
}

void
mana_reset_request(struct mana_reset *r)
{
	reset_lock(r);
	reset_request_locked(r);
	reset_unlock(r);
}

void
mana_reset_service(struct mana_reset *r)
{
	reset_lock(r);
	if (!reset_state_final(r->state)) {
		r->svc_known = true;
		/* A removal waiting for this word is part of the service. */
		reset_rmv_decide(r, true);
		reset_request_locked(r);
		reset_wake(r);
	}
	reset_unlock(r);
}

/* The bus removed the device: the verdict of mana_reset.h. Lock held. */
static void
reset_bus_removed_locked(struct mana_reset *r)
{
	uint64_t now;

	if (reset_state_final(r->state))
		return;
	if (r->svc_known) {
		r->rmv_stats.service++;
	} else if (r->hw_removed || r->rmv_deadline != 0) {
		/* Decided already, or waiting for its verdict already. */
	} else if (r->params.rmv_wait_ns == 0) {
		r->rmv_stats.final++;
		r->hw_removed = true;
	} else {
		now = mana_now_ns();
		r->rmv_deadline = now + r->params.rmv_wait_ns;
	}
	reset_removed_locked(r);
	/* The device a reset is rebuilding on went away under it. */
	if (r->state == MANA_RS_RESET_EXIT)
		r->again = true;
}

void
mana_reset_hw_event(struct mana_reset *r, enum mana_hw_event ev)
{
	reset_lock(r);
	switch (ev) {
	case MANA_HWE_REMOVED:
		r->hw_removed = true;
		reset_removed_locked(r);
		break;
	case MANA_HWE_BUS_REMOVED:
		reset_bus_removed_locked(r);
		break;
	case MANA_HWE_CTRL_BACK:
		reset_hint_locked(r, MANA_WAKE_CTRL);
		break;
	default:
		reset_hint_locked(r, MANA_WAKE_DEVICE);
		break;
	}
	reset_wake(r);
	reset_unlock(r);
}

int
mana_reset_op_begin(struct mana_reset *r, bool readonly, bool *device_ok)
{
	int ret = 0;
	bool ok = false;

	reset_lock(r);
	switch (r->state) {
	case MANA_RS_ACTIVE:
		ok = true;
		r->ops_active++;
		break;
	case MANA_RS_RESET_ENTER:
	case MANA_RS_WAIT_HW:
	case MANA_RS_RESET_EXIT:
		if (readonly) {
			r->ops_active++;
		} else {
			r->stats.busy_ops++;
			ret = -EBUSY;
		}
		break;
	case MANA_RS_FAILED:
	case MANA_RS_REMOVED:
	case MANA_RS_CLOSED:
		if (readonly)
			r->ops_active++;
		else
			ret = -EIO;
		break;
	}
	reset_unlock(r);
	if (device_ok != NULL)
		*device_ok = ok;
	return ret;
}

void
mana_reset_op_end(struct mana_reset *r)
{
	reset_lock(r);
	if (--r->ops_active == 0)
		reset_wake(r);
	reset_unlock(r);
}

void
mana_reset_set_started(struct mana_reset *r, bool started)
{
	reset_lock(r);
	r->want_started = started;
	reset_unlock(r);
}

int
mana_reset_stop_waiting(struct mana_reset *r)
{
	int ret;

	reset_lock(r);
	switch (r->state) {
	case MANA_RS_WAIT_HW:
		r->want_started = false;
		ret = 0;
		break;
	case MANA_RS_RESET_ENTER:
	case MANA_RS_RESET_EXIT:
		r->stats.busy_ops++;
		ret = -EBUSY;
		break;
	case MANA_RS_ACTIVE:
		ret = -EAGAIN;
		break;
	default:
		ret = -EIO;
		break;
	}
	reset_unlock(r);
	return ret;
}

enum mana_reset_state
mana_reset_state(struct mana_reset *r)
{
	enum mana_reset_state s;

	reset_lock(r);
	s = r->state;
	reset_unlock(r);
	return s;
}

void
mana_reset_stats_get(struct mana_reset *r, struct mana_reset_stats *st)
{
	reset_lock(r);
	*st = r->stats;
	reset_unlock(r);
}

void
mana_reset_rmv_stats_get(struct mana_reset *r, struct mana_reset_rmv_stats *st)
{
	reset_lock(r);
	*st = r->rmv_stats;
	reset_unlock(r);
}

unsigned int
mana_reset_history(struct mana_reset *r, struct mana_reset_record *out, unsigned int n)
{
	unsigned int i = 0;

	reset_lock(r);
	while (i < n && i < r->nb_history && i < MANA_RESET_HISTORY) {
		out[i] = r->history[(r->nb_history - 1 - i) % MANA_RESET_HISTORY];
		i++;
	}
	reset_unlock(r);
	return i;
}
