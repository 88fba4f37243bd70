/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The readers' cursor (proto/README.md, section 13): a read-only mapping
 * follows both rings of every port without taking anything from the
 * consumers; events come in time order with their direction; a cursor
 * made with MBOX_CURSOR_OLDEST sees what the rings still hold; a reader
 * that falls behind gets a RESYNC saying how many it missed, a producer's
 * losses a RESYNC saying how many were lost; and against a writer in
 * another process posting at full speed, every event the reader gets is
 * whole and in order, and seen + missed adds up to what was posted.
 */
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "mbox_testlib.h"
#include "proto/mbox_priv.h"

static struct mbox_event
svc(unsigned int port, uint64_t detail)
{
	struct mbox_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = MBOX_EV_SVC_START;
	ev.port = (uint16_t)port;
	ev.u.svc.source = MBOX_SRC_RDMA_NL;
	ev.u.svc.reason = 1;
	ev.u.svc.detail = detail;
	return ev;
}

/* The next cursor record, or type NONE. */
static struct mbox_cursor_ev
next(struct mbox_cursor *cur)
{
	struct mbox_cursor_ev ce;

	if (mbox_cursor_next(cur, &ce) != 1) {
		memset(&ce, 0, sizeof(ce));
		ce.ev.type = MBOX_EV_NONE;
	}
	return ce;
}

static void
test_both_ways(void)
{
	struct mbox_ident id0 = test_ident(0, 1), id1 = test_ident(1, 1);
	struct mbox *ctrl, *pmd, *ro;
	struct mbox_cursor *cur, *old;
	struct mbox_cursor_ev ce;
	struct mbox_event ev;
	struct mbox_port pt;

	ctrl = test_ctrl(2, 8);
	CHECK(ctrl != NULL);
	if (ctrl == NULL)
		return;
	CHECK(mbox_port_add(ctrl, &id0) == 0 && mbox_port_add(ctrl, &id1) == 1);
	ev = svc(0, 100);
	CHECK(mbox_post(ctrl, &ev) == 0);	/* before the cursor: history */
	ro = mbox_open(SEG);
	CHECK(ro != NULL);
	if (ro == NULL)
		goto out_ctrl;
	cur = mbox_cursor_new(ro, 0);
	CHECK(cur != NULL);
	CHECK(mbox_cursor_new(ro, 0x8) == NULL && errno == EINVAL);
	CHECK(mbox_cursor_new(NULL, 0) == NULL && errno == EINVAL);
	CHECK(mbox_cursor_next(NULL, &ce) == -EINVAL);
	CHECK(mbox_cursor_next(cur, &ce) == 0);	/* from now: nothing yet */
	/* Port 1 first, then port 0: time order across rings. */
	ev = svc(1, 201);
	CHECK(mbox_post(ctrl, &ev) == 0 && ev.seq == 1);
	ev = svc(0, 101);
	CHECK(mbox_post(ctrl, &ev) == 0 && ev.seq == 2);
	ce = next(cur);
	CHECK(ce.ev.type == MBOX_EV_SVC_START && ce.ev.port == 1 && ce.ev.seq == 1);
	CHECK(ce.dir == MBOX_DIR_TO_PMD && ce.ev.u.svc.detail == 201 && ce.missed == 0);
	ce = next(cur);
	CHECK(ce.ev.type == MBOX_EV_SVC_START && ce.ev.port == 0 && ce.ev.seq == 2);
	CHECK(ce.ev.u.svc.detail == 101);
	CHECK(next(cur).ev.type == MBOX_EV_NONE);
	/* The history, from a cursor made with OLDEST. */
	old = mbox_cursor_new(ro, MBOX_CURSOR_OLDEST);
	CHECK(old != NULL);
	CHECK(next(old).ev.u.svc.detail == 100);
	CHECK(next(old).ev.u.svc.detail == 201);
	CHECK(next(old).ev.u.svc.detail == 101);
	CHECK(next(old).ev.type == MBOX_EV_NONE);
	mbox_cursor_free(old);

	/* The consumer still gets every event: the reader took nothing. */
	pmd = test_attach_pumped(ctrl, NULL);
	CHECK(pmd != NULL);
	if (pmd == NULL)
		goto out_cur;
	CHECK(mbox_port_claim(pmd, 0) == 0);
	CHECK(test_expect(pmd, MBOX_EV_SVC_START, &ev, 1000) && ev.seq == 1 &&
	      ev.u.svc.detail == 100);
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.seq == 2 && ev.u.svc.detail == 101);
	/* PMD -> ctrl, seen by the reader too, with its direction. */
	memset(&ev, 0, sizeof(ev));
	ev.type = MBOX_EV_RESET_ENTER;
	ev.port = 0;
	ev.u.phase.reset_seq = 7;
	ev.u.phase.state = MBOX_PMD_RESET_ENTER;
	CHECK(mbox_post(pmd, &ev) == 0);
	ce = next(cur);
	CHECK(ce.ev.type == MBOX_EV_RESET_ENTER && ce.dir == MBOX_DIR_TO_CTRL);
	CHECK(ce.ev.port == 0 && ce.ev.u.phase.reset_seq == 7 && ce.ev.seq == 1);
	CHECK(test_expect(ctrl, MBOX_EV_RESET_ENTER, &ev, 1000));
	CHECK(mbox_port_read(ro, 0, &pt) == 0 && pt.p2c_posted == 1);
	mbox_close(pmd);
out_cur:
	mbox_cursor_free(cur);
	mbox_close(ro);
out_ctrl:
	mbox_close(ctrl);
	unlink(SEG);
}

/*
 * A reader that looks too seldom: the consumer keeps taking, the producer
 * keeps overwriting, and the reader is told how many it missed. Then the
 * producer's own losses (no consumer, ring full).
 */
static void
test_behind_and_lost(void)
{
	struct mbox_ident id0 = test_ident(0, 1);
	struct mbox *ctrl, *pmd, *ro;
	struct mbox_cursor *cur, *late;
	struct mbox_cursor_ev ce;
	struct mbox_event ev;
	unsigned int i;

	ctrl = test_ctrl(1, 8);
	CHECK(ctrl != NULL);
	if (ctrl == NULL)
		return;
	CHECK(mbox_port_add(ctrl, &id0) == 0);
	pmd = test_attach_pumped(ctrl, NULL);
	ro = mbox_open(SEG);
	CHECK(pmd != NULL && ro != NULL);
	if (pmd == NULL || ro == NULL)
		goto out;
	CHECK(mbox_port_claim(pmd, 0) == 0);
	cur = mbox_cursor_new(ro, 0);
	CHECK(cur != NULL);
	/* 20 events, each taken by the PMD at once; the reader sleeps. */
	for (i = 1; i <= 20; i++) {
		ev = svc(0, i);
		CHECK(mbox_post(ctrl, &ev) == 0 && ev.seq == i);
		CHECK(test_expect(pmd, MBOX_EV_SVC_START, &ev, 1000) && ev.seq == i);
	}
	/* 8 slots, all taken: indices 0..12 (seq 1..13) may be rewritten (12 by
	 * the next post): 13 missed, seq 14..20 whole.
	 */
	ce = next(cur);
	CHECK(ce.ev.type == MBOX_EV_RESYNC && ce.ev.port == 0 && ce.dir == MBOX_DIR_TO_PMD);
	CHECK(ce.missed == 13 && ce.lost == 0);
	for (i = 14; i <= 20; i++) {
		ce = next(cur);
		CHECK(ce.ev.type == MBOX_EV_SVC_START && ce.ev.seq == i && ce.ev.u.svc.detail == i);
	}
	CHECK(next(cur).ev.type == MBOX_EV_NONE);

	/* Nobody consumes: 8 fit, 3 are lost by the producer. */
	CHECK(mbox_port_release(pmd, 0) == 0);
	late = mbox_cursor_new(ro, 0);
	for (i = 21; i <= 31; i++) {
		ev = svc(0, i);
		CHECK(mbox_post(ctrl, &ev) == (i <= 28 ? 0 : -ENOBUFS));
	}
	for (i = 21; i <= 28; i++) {
		ce = next(cur);
		CHECK(ce.ev.type == MBOX_EV_SVC_START && ce.ev.seq == i && ce.ev.u.svc.detail == i);
	}
	ce = next(cur);
	CHECK(ce.ev.type == MBOX_EV_RESYNC && ce.missed == 0 && ce.lost == 3);
	CHECK(next(cur).ev.type == MBOX_EV_NONE);
	/* The consumer drains; the next post (seq 32) is no new gap for cur. */
	CHECK(mbox_port_claim(pmd, 0) == 0);
	for (i = 21; i <= 28; i++)
		CHECK(test_expect(pmd, MBOX_EV_SVC_START, &ev, 1000) && ev.seq == i);
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.type == MBOX_EV_RESYNC);
	ev = svc(0, 32);
	CHECK(mbox_post(ctrl, &ev) == 0 && ev.seq == 32);
	ce = next(cur);
	CHECK(ce.ev.type == MBOX_EV_SVC_START && ce.ev.seq == 32);
	CHECK(next(cur).ev.type == MBOX_EV_NONE);
	/* A cursor that slept through both (made at index 20, head now 29, all
	 * taken): indices 20 and 21 (seq 21, 22) missed, 21 being the one index
	 * 29 would rewrite; then seq 23..28, the 3 lost, 32. While the ring was
	 * full nothing was missed: see cur above.
	 */
	ce = next(late);
	CHECK(ce.ev.type == MBOX_EV_RESYNC && ce.missed == 2 && ce.lost == 0);
	for (i = 23; i <= 28; i++)
		CHECK(next(late).ev.seq == i);
	ce = next(late);
	CHECK(ce.ev.type == MBOX_EV_RESYNC && ce.missed == 0 && ce.lost == 3);
	CHECK(next(late).ev.seq == 32);
	CHECK(next(late).ev.type == MBOX_EV_NONE);
	mbox_cursor_free(late);
	mbox_cursor_free(cur);
out:
	mbox_close(ro);
	mbox_close(pmd);
	mbox_close(ctrl);
	unlink(SEG);
}

/* A slot the reader cannot trust is skipped and counted as missed. */
static void
test_corrupt_slot(void)
{
	struct mbox_ident id0 = test_ident(0, 1);
	struct mbox *ctrl;
	struct mbox_cursor *cur;
	struct mbox_cursor_ev ce;
	struct mbox_event ev;
	struct mbox_ring *r;

	ctrl = test_ctrl(1, 8);
	CHECK(ctrl != NULL);
	if (ctrl == NULL)
		return;
	CHECK(mbox_port_add(ctrl, &id0) == 0);
	cur = mbox_cursor_new(ctrl, 0);	/* any role may hold one */
	for (unsigned int i = 1; i <= 3; i++) {
		ev = svc(0, i);
		CHECK(mbox_post(ctrl, &ev) == 0);
	}
	r = mbox_ring_c2p(ctrl, 0);
	r->slot[1].ev.u.svc.detail ^= 1;	/* crc now wrong */
	CHECK(next(cur).ev.seq == 1);
	ce = next(cur);
	CHECK(ce.ev.type == MBOX_EV_RESYNC && ce.missed == 1 && ce.lost == 0);
	CHECK(next(cur).ev.seq == 3);
	/* Indices that go back (a corrupted head): a RESYNC, then on from there. */
	r->head = 1;
	ce = next(cur);
	CHECK(ce.ev.type == MBOX_EV_RESYNC && ce.missed == 0 && ce.lost == 0);
	CHECK(next(cur).ev.type == MBOX_EV_NONE);
	mbox_cursor_free(cur);
	mbox_cursor_free(NULL);
	mbox_close(ctrl);
	unlink(SEG);
}

#define RACE_EVENTS 100000u

/* The writer: ctrl posting, a PMD of the same process taking each event. */
static int
race_writer(int ready_fd)
{
	struct mbox_ident id0 = test_ident(0, 1);
	struct mbox *ctrl, *pmd;
	struct mbox_event ev;
	char c = 'r';

	ctrl = test_ctrl(1, 64);
	if (ctrl == NULL || mbox_port_add(ctrl, &id0) != 0)
		return 1;
	pmd = test_attach_pumped(ctrl, NULL);
	if (pmd == NULL || mbox_port_claim(pmd, 0) != 0)
		return 1;
	while (mbox_next(pmd, &ev) == 1)
		;
	/* Ready; wait for the reader's cursor. */
	if (write(ready_fd, &c, 1) != 1 || read(ready_fd, &c, 1) != 1)
		return 1;
	for (uint64_t i = 1; i <= RACE_EVENTS; i++) {
		ev = svc(0, i);
		if (mbox_post(ctrl, &ev) != 0 || ev.seq != i)
			return 2;
		while (mbox_next(pmd, &ev) == 1)
			;
	}
	/* Stay until the reader is done (it closes the pipe). */
	if (read(ready_fd, &c, 1) < 0)
		return 3;
	mbox_close(pmd);
	mbox_close(ctrl);
	return 0;
}

static void
test_race(void)
{
	struct mbox_cursor_ev ce;
	struct mbox_cursor *cur;
	struct mbox_port pt;
	struct mbox *ro;
	uint64_t seen = 0, missed = 0, lost = 0, last = 0, resyncs = 0, end, pend_missed = 0;
	unsigned int bad = 0;
	int sv[2], status;
	bool slept = false;
	pid_t pid;
	char c;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(race_writer(sv[1]));
	}
	close(sv[1]);
	CHECK(read(sv[0], &c, 1) == 1);
	ro = mbox_open(SEG);
	CHECK(ro != NULL);
	if (ro == NULL)
		goto out;
	cur = mbox_cursor_new(ro, 0);
	CHECK(write(sv[0], "g", 1) == 1);
	end = test_now_ms() + 60000;
	while (last < RACE_EVENTS && test_now_ms() < end) {
		if (mbox_cursor_next(cur, &ce) != 1) {
			sched_yield();
			continue;
		}
		if (ce.ev.type == MBOX_EV_RESYNC) {
			resyncs++;
			missed += ce.missed;
			pend_missed += ce.missed + ce.lost;
			lost += ce.lost;
			continue;
		}
		/* Whole (detail written with the event) and in order. */
		CHECK(ce.ev.type == MBOX_EV_SVC_START && ce.ev.u.svc.detail == ce.ev.seq);
		if (ce.ev.seq != last + 1 + pend_missed && bad++ < 5)
			fprintf(stderr, "seq %" PRIu64 " after %" PRIu64 " with %" PRIu64
				" missed between\n", ce.ev.seq, last, pend_missed);
		pend_missed = 0;
		last = ce.ev.seq;
		seen++;
		if (!slept && last > 1000) {
			/* Fall behind on purpose: wait until the writer is 500 further. */
			uint64_t want = last + 500;

			slept = true;
			while (mbox_port_read(ro, 0, &pt) == 0 && pt.c2p_posted < want &&
			       test_now_ms() < end)
				usleep(100);
		}
	}
	printf("race: %" PRIu64 " events, %" PRIu64 " seen, %" PRIu64 " missed in %" PRIu64
	       " resyncs, %" PRIu64 " lost\n", (uint64_t)RACE_EVENTS, seen, missed, resyncs, lost);
	CHECK(last == RACE_EVENTS);
	CHECK(seen + missed == RACE_EVENTS && bad == 0);
	CHECK(lost == 0);
	CHECK(slept && resyncs >= 1 && missed >= 400);
	mbox_cursor_free(cur);
	mbox_close(ro);
out:
	close(sv[0]);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	unlink(SEG);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_enter_dir();
	test_both_ways();
	test_behind_and_lost();
	test_corrupt_slot();
	test_race();
	if (test_failures) {
		fprintf(stderr, "mbox_cursor_test: %d check(s) failed\n", test_failures);
		return 1;
	}
	printf("mbox_cursor_test: ok\n");
	return 0;
}
