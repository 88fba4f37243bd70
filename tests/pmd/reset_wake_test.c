/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The reset engine's wait for the hardware (pmd/mana_reset_wait.c) on fake
 * effects: what ended each wait (enum mana_reset_wake) and when the device
 * that never went away (MANA_HW_SAME) counts as back. Plain C, no EAL.
 *
 *   device   the device's own event (MANA_HWE_BACK) wakes a long poll
 *   ctrl     the control daemon's word (MANA_HWE_CTRL_BACK) wakes it; the
 *            time from the word to the end of the wait is recorded
 *   same     a reset the daemon announced, daemon attached: the same
 *            incarnation waits for the daemon's word, not for the poll
 *   peer     ... or for the daemon's departure (then the poll ends it)
 *   nodaemon without the daemon's word (no service event, or no daemon
 *            attached) the same incarnation is back at the first probe
 *   timeout  the bound: the same incarnation is taken (TIMEOUT, success);
 *            a device still down fails the reset (TIMEOUT, FAILED)
 *   stale    a word outside any reset is forgotten
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pmd/mana_reset.h"
#include "tests/lib/test_util.h"

#define MS 1000000ull

struct fake {
	struct mana_reset r;
	enum mana_hw_status hw;         /* what hw_probe says (atomic) */
	unsigned int probes;            /* atomic */
	unsigned int outcomes;          /* SUCCESS or FAILED told (atomic) */
	enum mana_reset_event last;
};

static void
fake_notify(void *ctx, enum mana_reset_event ev)
{
	struct fake *f = ctx;

	if (ev == MANA_REV_SUCCESS || ev == MANA_REV_FAILED) {
		__atomic_store_n(&f->last, ev, __ATOMIC_RELAXED);
		__atomic_fetch_add(&f->outcomes, 1, __ATOMIC_RELEASE);
	}
}

static int
fake_quiesce(void *ctx, bool started, uint64_t timeout_ns)
{
	(void)ctx;
	(void)started;
	(void)timeout_ns;
	return 0;
}

static void
fake_teardown(void *ctx, bool started)
{
	(void)ctx;
	(void)started;
}

static enum mana_hw_status
fake_probe(void *ctx)
{
	struct fake *f = ctx;

	__atomic_fetch_add(&f->probes, 1, __ATOMIC_RELAXED);
	return __atomic_load_n(&f->hw, __ATOMIC_ACQUIRE);
}

static int
fake_ok(void *ctx, bool started)
{
	(void)ctx;
	(void)started;
	return 0;
}

static const struct mana_reset_ops ops = {
	.notify = fake_notify,
	.quiesce = fake_quiesce,
	.teardown = fake_teardown,
	.hw_probe = fake_probe,
	.reprobe = fake_ok,
	.restore = fake_ok,
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
fake_start(struct fake *f, enum mana_hw_status hw, uint64_t poll_ms, uint64_t timeout_ms)
{
	const struct mana_reset_params p = {
		.quiesce_timeout_ns = 100 * MS,
		.hw_timeout_ns = timeout_ms * MS,
		.hw_poll_ns = poll_ms * MS,
	};

	memset(f, 0, sizeof(*f));
	f->hw = hw;
	CHECK(mana_reset_init(&f->r, &ops, f, &p) == 0);
	mana_reset_set_started(&f->r, true);
}

static void
fake_stop(struct fake *f)
{
	bool up;

	CHECK(mana_reset_fini(&f->r, &up) == 0);
	mana_reset_destroy(&f->r);
}

/* Wait (at most ms) for the reset's outcome, then its record. */
static bool
fake_outcome(struct fake *f, unsigned int n, uint64_t ms, struct mana_reset_record *rec)
{
	uint64_t end = now_ns() + ms * MS;

	while (__atomic_load_n(&f->outcomes, __ATOMIC_ACQUIRE) < n && now_ns() < end)
		usleep(200);
	if (__atomic_load_n(&f->outcomes, __ATOMIC_ACQUIRE) < n)
		return false;
	return mana_reset_history(&f->r, rec, 1) == 1;
}

/* Wait until the engine sits in WAIT_HW and has probed at least once. */
static void
fake_in_wait(struct fake *f)
{
	uint64_t end = now_ns() + 2000 * MS;

	while ((mana_reset_state(&f->r) != MANA_RS_WAIT_HW ||
		__atomic_load_n(&f->probes, __ATOMIC_RELAXED) == 0) && now_ns() < end)
		usleep(200);
	CHECK(mana_reset_state(&f->r) == MANA_RS_WAIT_HW);
}

static void
set_hw(struct fake *f, enum mana_hw_status hw)
{
	__atomic_store_n(&f->hw, hw, __ATOMIC_RELEASE);
}

static void
test_device(void)
{
	struct mana_reset_record rec;
	struct mana_reset_wake_stats ws;
	struct fake f;
	uint64_t t;

	fake_start(&f, MANA_HW_DOWN, 10000, 30000);
	mana_reset_request(&f.r);
	fake_in_wait(&f);
	set_hw(&f, MANA_HW_READY);
	t = now_ns();
	mana_reset_hw_event(&f.r, MANA_HWE_BACK);
	CHECK(fake_outcome(&f, 1, 2000, &rec));
	CHECK(now_ns() - t < 1000 * MS);
	CHECK(rec.wake == MANA_WAKE_DEVICE && rec.outcome == MANA_RS_ACTIVE);
	CHECK(mana_reset_hint_ns(&rec) == 0);
	mana_reset_wake_stats_get(&f.r, &ws);
	CHECK(ws.n[MANA_WAKE_DEVICE] == 1 && ws.n[MANA_WAKE_POLL] == 0);
	fake_stop(&f);
}

static void
test_ctrl(void)
{
	struct mana_reset_record rec;
	struct fake f;

	fake_start(&f, MANA_HW_DOWN, 10000, 30000);
	mana_reset_ctrl_attached(&f.r, true);
	mana_reset_service(&f.r);
	fake_in_wait(&f);
	/* A premature word: the device is still down, the wait goes on. */
	mana_reset_hw_event(&f.r, MANA_HWE_CTRL_BACK);
	usleep(50000);
	CHECK(mana_reset_state(&f.r) == MANA_RS_WAIT_HW);
	CHECK(__atomic_load_n(&f.probes, __ATOMIC_RELAXED) >= 2);
	usleep(20000);
	set_hw(&f, MANA_HW_READY);
	mana_reset_hw_event(&f.r, MANA_HWE_CTRL_BACK);
	CHECK(fake_outcome(&f, 1, 2000, &rec));
	CHECK(rec.wake == MANA_WAKE_CTRL && rec.outcome == MANA_RS_ACTIVE);
	/* From the last word, not the premature one 70 ms before. */
	CHECK(rec.t_hint != 0 && mana_reset_hint_ns(&rec) < 50 * MS);
	CHECK(strcmp(mana_reset_wake_name(rec.wake), "ctrl") == 0);
	fake_stop(&f);
}

static void
test_same(bool peer_down)
{
	struct mana_reset_record rec;
	struct fake f;
	uint64_t t;

	fake_start(&f, MANA_HW_SAME, 5, 30000);
	mana_reset_ctrl_attached(&f.r, true);
	mana_reset_service(&f.r);
	fake_in_wait(&f);
	usleep(100000);
	/* Polled 20 times, and still waiting for the daemon. */
	CHECK(mana_reset_state(&f.r) == MANA_RS_WAIT_HW);
	CHECK(__atomic_load_n(&f.probes, __ATOMIC_RELAXED) >= 5);
	CHECK(__atomic_load_n(&f.outcomes, __ATOMIC_ACQUIRE) == 0);
	t = now_ns();
	if (peer_down)
		mana_reset_ctrl_attached(&f.r, false);
	else
		mana_reset_hw_event(&f.r, MANA_HWE_CTRL_BACK);
	CHECK(fake_outcome(&f, 1, 2000, &rec));
	CHECK(now_ns() - t < 1000 * MS);
	CHECK(rec.outcome == MANA_RS_ACTIVE);
	CHECK(rec.wake == (peer_down ? MANA_WAKE_POLL : MANA_WAKE_CTRL));
	fake_stop(&f);
}

static void
test_no_daemon_word(void)
{
	struct mana_reset_record rec;
	struct fake f;

	/* A daemon attached, but the reset is the device's own. */
	fake_start(&f, MANA_HW_SAME, 10000, 30000);
	mana_reset_ctrl_attached(&f.r, true);
	mana_reset_request(&f.r);
	CHECK(fake_outcome(&f, 1, 2000, &rec));
	CHECK(rec.wake == MANA_WAKE_POLL && rec.outcome == MANA_RS_ACTIVE);
	/* A service event, but no daemon attached (a resync's word, say). */
	mana_reset_ctrl_attached(&f.r, false);
	mana_reset_service(&f.r);
	CHECK(fake_outcome(&f, 2, 2000, &rec));
	CHECK(rec.wake == MANA_WAKE_POLL && rec.outcome == MANA_RS_ACTIVE);
	fake_stop(&f);
}

static void
test_timeout(void)
{
	struct mana_reset_record rec;
	struct mana_reset_wake_stats ws;
	struct fake f;

	/* The daemon never says back: the device works, so it is taken. */
	fake_start(&f, MANA_HW_SAME, 5, 150);
	mana_reset_ctrl_attached(&f.r, true);
	mana_reset_service(&f.r);
	CHECK(fake_outcome(&f, 1, 3000, &rec));
	CHECK(rec.wake == MANA_WAKE_TIMEOUT && rec.outcome == MANA_RS_ACTIVE);
	CHECK(mana_reset_phase_ns(&rec, MANA_PH_WAIT_HW) >= 150 * MS);
	/* A device still down at the bound: the reset fails. */
	set_hw(&f, MANA_HW_DOWN);
	mana_reset_request(&f.r);
	CHECK(fake_outcome(&f, 2, 3000, &rec));
	CHECK(rec.wake == MANA_WAKE_TIMEOUT && rec.outcome == MANA_RS_FAILED &&
	      rec.error == -ETIMEDOUT);
	CHECK(__atomic_load_n(&f.last, __ATOMIC_RELAXED) == MANA_REV_FAILED);
	mana_reset_wake_stats_get(&f.r, &ws);
	CHECK(ws.n[MANA_WAKE_TIMEOUT] == 2);
	fake_stop(&f);
}

static void
test_stale(void)
{
	struct mana_reset_record rec;
	struct fake f;
	bool up;

	/* A word while no reset runs: forgotten. The next reset of a device
	 * that never went away waits for a word of its own.
	 */
	fake_start(&f, MANA_HW_SAME, 5, 30000);
	mana_reset_ctrl_attached(&f.r, true);
	mana_reset_hw_event(&f.r, MANA_HWE_CTRL_BACK);
	mana_reset_service(&f.r);
	fake_in_wait(&f);
	usleep(50000);
	CHECK(mana_reset_state(&f.r) == MANA_RS_WAIT_HW);
	/* A close ends the wait: CLOSED. */
	CHECK(mana_reset_fini(&f.r, &up) == 0);
	CHECK(mana_reset_history(&f.r, &rec, 1) == 1);
	CHECK(rec.wake == MANA_WAKE_CLOSED && rec.outcome == MANA_RS_FAILED);
	mana_reset_destroy(&f.r);
	CHECK(strcmp(mana_reset_wake_name(MANA_WAKE_NUM), "unknown") == 0);
}

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_device();
	test_ctrl();
	test_same(false);
	test_same(true);
	test_no_daemon_word();
	test_timeout();
	test_stale();
	if (test_failures != 0) {
		fprintf(stderr, "reset_wake_test: %d check(s) failed\n", test_failures);
		return 1;
	}
	printf("reset_wake_test: ok\n");
	return 0;
}
