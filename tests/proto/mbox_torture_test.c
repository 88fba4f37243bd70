/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * kill -9 torture. A ctrl process and a PMD process run flat out: events
 * both ways, each side rewriting its record of port 0 with fields that must
 * agree with each other. The test kills one of them at a random moment,
 * ITER times (argv[1]), and after each kill checks:
 *   - the survivor is not hung: its loop keeps turning (within 2 s);
 *   - a third process (this one, read-only) reads both records whole:
 *     never torn, never a checksum error;
 *   - the victim, restarted, re-adopts (ctrl: same key, next generation) or
 *     re-attaches (PMD) and events flow both ways again (within 3 s);
 *   - each side saw every event once and in order, unless the library told
 *     it that some were lost (MBOX_EV_RESYNC), and every payload is whole.
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "tests/proto/mbox_testlib.h"

#define SLOTS 16

struct shared {
	uint64_t progress[2];   /* loop turns, per role */
	uint64_t rx[2];         /* events received */
	uint32_t connected;     /* PMD: ctrl is up */
	uint32_t errors;
	char msg[256];
};

enum { CTRL, PMD };

static struct shared *sh;

#define FAIL(...) do { \
	snprintf(sh->msg, sizeof(sh->msg), __VA_ARGS__); \
	__atomic_fetch_add(&sh->errors, 1, __ATOMIC_RELAXED); \
	fprintf(stderr, "%s\n", sh->msg); \
} while (0)

static void
bump(uint64_t *p)
{
	__atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
}

/* The invariants of the records: every field derives from one counter. */
static void
ctrl_rec_fill(struct mbox_ctrl_rec *r, uint64_t k)
{
	memset(r, 0, sizeof(*r));
	r->ident = test_ident(0, (uint32_t)k);
	r->hw_state = MBOX_HW_UP + (uint32_t)(k % 3);
	r->svc_reason = (uint16_t)k;
	r->t_changed = k * 3;
	r->nb_service = r->nb_hw_back = r->nb_removed = k;
}

static bool
ctrl_rec_ok(const struct mbox_ctrl_rec *r)
{
	struct mbox_ctrl_rec want;

	if (r->hw_state == MBOX_HW_NONE)
		return true;  /* not written yet */
	ctrl_rec_fill(&want, r->nb_service);
	return memcmp(&want, r, sizeof(want)) == 0;
}

static void
pmd_rec_fill(struct mbox_pmd_rec *r, uint64_t k)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->state = MBOX_PMD_ACTIVE + (uint32_t)(k % 4);
	r->phase = (uint32_t)(k % MBOX_PHASES);
	r->nb_reset = r->nb_success = r->nb_merged = k;
	r->nb_timeline = k < MBOX_TIMELINE ? (uint32_t)k : MBOX_TIMELINE;
	for (i = 0; i < r->nb_timeline; i++) {
		r->timeline[i].seq = k - i;
		r->timeline[i].total_ns = (k - i) * 10;
		r->timeline[i].phase_ns[i % MBOX_PHASES] = k - i;
	}
}

static bool
pmd_rec_ok(const struct mbox_pmd_rec *r)
{
	struct mbox_pmd_rec want;

	if (r->state == MBOX_PMD_NONE)
		return true;
	pmd_rec_fill(&want, r->nb_reset);
	return memcmp(&want, r, sizeof(want)) == 0;
}

/* In-order check: seq must follow unless a RESYNC came since. */
struct order {
	uint64_t last;
	bool resync;
};

static void
order_check(struct order *o, const struct mbox_event *ev, const char *who)
{
	if (o->last != 0 && !o->resync && ev->seq != o->last + 1)
		FAIL("%s: event seq %llu after %llu without a resync", who,
		     (unsigned long long)ev->seq, (unsigned long long)o->last);
	o->last = ev->seq;
	o->resync = false;
}

static void
ctrl_main(void)
{
	struct mbox_ident id = test_ident(0, 1);
	struct mbox_ctrl_rec rec;
	struct order o = { 0 };
	struct mbox_event ev;
	struct mbox_port pt;
	struct mbox *ctrl;
	uint64_t k;
	int port, rc;

	ctrl = test_ctrl(1, SLOTS);
	if (ctrl == NULL) {
		FAIL("ctrl: cannot re-adopt: %s", mbox_errmsg());
		_exit(1);
	}
	port = mbox_port_add(ctrl, &id);
	if (port != 0 || mbox_port_read(ctrl, 0, &pt) < 0) {
		FAIL("ctrl: port %d: %s", port, mbox_errmsg());
		_exit(1);
	}
	k = pt.ctrl.nb_service;   /* carry on from the record we re-adopted */
	for (;;) {
		while ((rc = mbox_next(ctrl, &ev)) == 1) {
			if (ev.type == MBOX_EV_RESYNC) {
				o.resync = true;
				if (mbox_port_read(ctrl, 0, &pt) < 0 || !pmd_rec_ok(&pt.pmd))
					FAIL("ctrl: resync read: %s", mbox_errmsg());
			} else if (ev.type == MBOX_EV_PHASE) {
				order_check(&o, &ev, "ctrl");
				if (ev.u.phase.phase != ev.u.phase.reset_seq % MBOX_PHASES)
					FAIL("ctrl: torn phase event");
				bump(&sh->rx[CTRL]);
			}
		}
		if (rc < 0)
			FAIL("ctrl: mbox_next: %d %s", rc, mbox_errmsg());
		k++;
		ctrl_rec_fill(&rec, k);
		if (mbox_port_set_ctrl(ctrl, 0, &rec) < 0)
			FAIL("ctrl: set_ctrl: %s", mbox_errmsg());
		memset(&ev, 0, sizeof(ev));
		ev.type = MBOX_EV_SVC_START;
		ev.u.svc.detail = k;
		ev.u.svc.reason = (uint16_t)k;
		rc = mbox_post(ctrl, &ev);
		if (rc < 0 && rc != -ENOBUFS)
			FAIL("ctrl: post: %s", mbox_errmsg());
		bump(&sh->progress[CTRL]);
		test_wait_fd(ctrl, 1);
	}
}

static void
pmd_main(void)
{
	struct mbox_pmd_rec rec;
	struct order o = { 0 };
	struct mbox_event ev;
	struct mbox_port pt;
	struct mbox *pmd = NULL;
	uint64_t k, end = test_now_ms() + 5000;
	int port = -1, rc;

	/* ctrl may be down or restarting: retry for a while. */
	while (test_now_ms() < end) {
		pmd = mbox_attach(SOCK, 0);
		if (pmd != NULL) {
			port = mbox_port_find(pmd, test_ident(0, 1).pci);
			if (port == 0 && mbox_port_claim(pmd, 0) == 0)
				break;
			mbox_close(pmd);
			pmd = NULL;
		}
		usleep(1000);
	}
	if (pmd == NULL) {
		FAIL("pmd: cannot attach: %s", mbox_errmsg());
		_exit(1);
	}
	if (mbox_port_read(pmd, 0, &pt) < 0 || !pmd_rec_ok(&pt.pmd)) {
		FAIL("pmd: own record: %s", mbox_errmsg());
		_exit(1);
	}
	k = pt.pmd.nb_reset;
	for (;;) {
		while ((rc = mbox_next(pmd, &ev)) == 1) {
			switch (ev.type) {
			case MBOX_EV_PEER_UP:
				__atomic_store_n(&sh->connected, 1, __ATOMIC_RELAXED);
				break;
			case MBOX_EV_PEER_DOWN:
				__atomic_store_n(&sh->connected, 0, __ATOMIC_RELAXED);
				if (ev.port != MBOX_PORT_ANY)
					FAIL("pmd: lost port %u", ev.port);
				break;
			case MBOX_EV_STALE:
				FAIL("pmd: ctrl replaced the segment instead of re-adopting it");
				break;
			case MBOX_EV_RESYNC:
				o.resync = true;
				if (mbox_port_read(pmd, 0, &pt) < 0 || !ctrl_rec_ok(&pt.ctrl))
					FAIL("pmd: resync read: %s", mbox_errmsg());
				break;
			case MBOX_EV_SVC_START:
				order_check(&o, &ev, "pmd");
				if (ev.u.svc.reason != (uint16_t)ev.u.svc.detail)
					FAIL("pmd: torn service event");
				bump(&sh->rx[PMD]);
				break;
			default:
				FAIL("pmd: unexpected %s", mbox_ev_name(ev.type));
			}
		}
		if (rc < 0)
			FAIL("pmd: mbox_next: %d %s", rc, mbox_errmsg());
		k++;
		pmd_rec_fill(&rec, k);
		if (mbox_port_set_pmd(pmd, 0, &rec) < 0)
			FAIL("pmd: set_pmd: %s", mbox_errmsg());
		memset(&ev, 0, sizeof(ev));
		ev.type = MBOX_EV_PHASE;
		ev.u.phase.reset_seq = k;
		ev.u.phase.phase = (uint32_t)(k % MBOX_PHASES);
		rc = mbox_post(pmd, &ev);
		if (rc < 0 && rc != -ENOBUFS)
			FAIL("pmd: post: %s", mbox_errmsg());
		bump(&sh->progress[PMD]);
		test_wait_fd(pmd, 1);
	}
}

static pid_t
start(int role)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (role == CTRL)
			ctrl_main();
		else
			pmd_main();
		_exit(0);
	}
	return pid;
}

static uint64_t
load(uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Wait until *p moved past base (by more than 2), at most ms. */
static bool
moves(uint64_t *p, uint64_t base, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;

	while (test_now_ms() < end) {
		if (load(p) > base + 2)
			return true;
		usleep(500);
	}
	return false;
}

/* Read both records as a third process: whole, consistent, or retried. */
static void
reader_check(void)
{
	struct mbox_port pt;
	struct mbox *ro = mbox_open(SEG);
	int i, rc = -EAGAIN;

	if (ro == NULL) {
		FAIL("reader: %s", mbox_errmsg());
		return;
	}
	for (i = 0; i < 20 && rc == -EAGAIN; i++)
		rc = mbox_port_read(ro, 0, &pt);
	if (rc < 0)
		FAIL("reader: %s", mbox_errmsg());
	else if (!ctrl_rec_ok(&pt.ctrl) || !pmd_rec_ok(&pt.pmd))
		FAIL("reader: torn record (ctrl k %llu, pmd k %llu)",
		     (unsigned long long)pt.ctrl.nb_service, (unsigned long long)pt.pmd.nb_reset);
	mbox_close(ro);
}

int
main(int argc, char **argv)
{
	unsigned int iters = argc > 1 ? (unsigned int)atoi(argv[1]) : 300, i, kills[2] = { 0 };
	uint64_t t0 = test_now_ms(), base, key = 0;
	struct mbox_info info;
	struct mbox *ro;
	pid_t pid[2];
	int st, victim, survivor;

	signal(SIGPIPE, SIG_IGN);
	srand(1234);
	test_enter_dir();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid[CTRL] = start(CTRL);
	while (access(SOCK, F_OK) < 0)
		usleep(500);
	pid[PMD] = start(PMD);
	CHECK(moves(&sh->rx[CTRL], 0, 3000) && moves(&sh->rx[PMD], 0, 3000));
	ro = mbox_open(SEG);
	CHECK(ro != NULL && mbox_info(ro, &info) == 0);
	key = info.key;
	mbox_close(ro);

	for (i = 0; i < iters && !sh->errors && !test_failures; i++) {
		victim = rand() % 2;
		survivor = !victim;
		usleep((useconds_t)(rand() % 8000));
		kill(pid[victim], SIGKILL);
		waitpid(pid[victim], &st, 0);
		kills[victim]++;
		if (!WIFSIGNALED(st)) {
			FAIL("iteration %u: the %s exited by itself", i,
			     victim == CTRL ? "ctrl" : "pmd");
			break;
		}
		/* The survivor keeps turning. */
		if (!moves(&sh->progress[survivor], load(&sh->progress[survivor]), 2000))
			FAIL("iteration %u: the %s hung after its peer was killed", i,
			     survivor == CTRL ? "ctrl" : "pmd");
		CHECK(waitpid(pid[survivor], &st, WNOHANG) == 0);
		reader_check();
		/* The victim comes back and events flow both ways again. */
		pid[victim] = start(victim);
		base = load(&sh->rx[CTRL]);
		if (!moves(&sh->rx[CTRL], base, 3000))
			FAIL("iteration %u: no PMD -> ctrl events after restarting the %s", i,
			     victim == CTRL ? "ctrl" : "pmd");
		base = load(&sh->rx[PMD]);
		if (!moves(&sh->rx[PMD], base, 3000))
			FAIL("iteration %u: no ctrl -> PMD events after restarting the %s", i,
			     victim == CTRL ? "ctrl" : "pmd");
		reader_check();
	}
	kill(pid[CTRL], SIGKILL);
	kill(pid[PMD], SIGKILL);
	waitpid(pid[CTRL], &st, 0);
	waitpid(pid[PMD], &st, 0);
	ro = mbox_open(SEG);
	CHECK(ro != NULL && mbox_info(ro, &info) == 0);
	CHECK(info.key == key);                          /* always re-adopted */
	CHECK(info.ctrl_gen == (uint64_t)kills[CTRL] + 1);
	mbox_close(ro);
	CHECK(sh->errors == 0);
	printf("mbox_torture_test: %u iterations (%u ctrl kills, %u PMD kills), %llu + %llu events "
	       "received, %u errors, %llu ms: %s\n",
	       i, kills[CTRL], kills[PMD], (unsigned long long)sh->rx[CTRL],
	       (unsigned long long)sh->rx[PMD], sh->errors,
	       (unsigned long long)(test_now_ms() - t0),
	       sh->errors || test_failures ? "FAILED" : "ok");
	if (sh->errors)
		printf("last error: %s\n", sh->msg);
	return sh->errors || test_failures || i < iters ? 1 : 0;
}
