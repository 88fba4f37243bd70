/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Two real processes exchange events: ctrl posts N service events, the PMD
 * answers each with a phase event. Both sides check that every event comes
 * once, in order, with its payload; nothing is lost (the rings' lost
 * counters stay 0). Producers that find the ring full wait on their fd (the
 * peer's answers wake them) with a 1 ms bound. argv[1]: N (1000000).
 */
#include <signal.h>
#include <sys/wait.h>

#include "tests/proto/mbox_testlib.h"

#define SLOTS 1024
#define DEADLINE_MS 120000

static unsigned long n_events = 1000000;

static int
ctrl_main(int ready_fd)
{
	struct mbox_ident id = test_ident(0, 1);
	unsigned long sent = 0, got = 0;
	struct mbox_event ev;
	struct mbox_port pt;
	struct mbox *ctrl;
	uint64_t end = test_now_ms() + DEADLINE_MS;
	int rc, up = 0;

	ctrl = test_ctrl(1, SLOTS);
	if (ctrl == NULL || mbox_port_add(ctrl, &id) != 0)
		return 1;
	(void)!write(ready_fd, "r", 1);
	while ((sent < n_events || got < n_events) && test_now_ms() < end) {
		while ((rc = mbox_next(ctrl, &ev)) == 1) {
			switch (ev.type) {
			case MBOX_EV_PEER_UP:
				up = 1;
				break;
			case MBOX_EV_PHASE:
				got++;
				CHECK(ev.seq == got && ev.u.phase.reset_seq == got &&
				      ev.u.phase.phase == got % MBOX_PHASES);
				break;
			default:
				fprintf(stderr, "ctrl: unexpected %s event\n", mbox_ev_name(ev.type));
				CHECK(0);
				return 1;
			}
		}
		CHECK(rc == 0);
		while (up && sent < n_events && mbox_post_space(ctrl, 0) > 0) {
			memset(&ev, 0, sizeof(ev));
			ev.type = MBOX_EV_SVC_START;
			ev.u.svc.source = MBOX_SRC_RDMA_NL;
			ev.u.svc.detail = sent + 1;
			CHECK(mbox_post(ctrl, &ev) == 0 && ev.seq == sent + 1);
			sent++;
		}
		test_wait_fd(ctrl, 1);
	}
	CHECK(mbox_port_read(ctrl, 0, &pt) == 0);
	CHECK(pt.c2p_posted == n_events && pt.c2p_lost == 0);
	CHECK(pt.p2c_posted == n_events && pt.p2c_lost == 0);
	fprintf(stderr, "ctrl: sent %lu, received %lu\n", sent, got);
	CHECK(sent == n_events && got == n_events);
	mbox_close(ctrl);
	return test_failures ? 1 : 0;
}

static int
pmd_main(void)
{
	unsigned long got = 0, echoed = 0;
	struct mbox_event ev;
	struct mbox *pmd;
	uint64_t end = test_now_ms() + DEADLINE_MS;
	int rc;

	pmd = mbox_attach(SOCK, 0);
	if (pmd == NULL) {
		fprintf(stderr, "attach: %s\n", mbox_errmsg());
		return 1;
	}
	CHECK(mbox_port_claim(pmd, mbox_port_find(pmd, test_ident(0, 1).pci)) == 0);
	while (echoed < n_events && test_now_ms() < end) {
		while ((rc = mbox_next(pmd, &ev)) == 1) {
			if (ev.type == MBOX_EV_PEER_UP)
				continue;
			if (ev.type != MBOX_EV_SVC_START) {
				fprintf(stderr, "pmd: unexpected %s event\n", mbox_ev_name(ev.type));
				CHECK(0);
				return 1;
			}
			got++;
			CHECK(ev.seq == got && ev.u.svc.detail == got && ev.port == 0);
		}
		CHECK(rc == 0);
		while (echoed < got && mbox_post_space(pmd, 0) > 0) {
			memset(&ev, 0, sizeof(ev));
			ev.type = MBOX_EV_PHASE;
			echoed++;
			ev.u.phase.reset_seq = echoed;
			ev.u.phase.phase = (uint32_t)(echoed % MBOX_PHASES);
			ev.u.phase.state = MBOX_PMD_RESET_EXIT;
			CHECK(mbox_post(pmd, &ev) == 0);
		}
		test_wait_fd(pmd, echoed < got ? 1 : 50);
	}
	fprintf(stderr, "pmd: received %lu, answered %lu\n", got, echoed);
	CHECK(got == n_events && echoed == n_events);
	/* Stay until ctrl has read everything (it closes first). */
	test_next(pmd, &ev, 5000);
	mbox_close(pmd);
	return test_failures ? 1 : 0;
}

int
main(int argc, char **argv)
{
	uint64_t t0 = test_now_ms();
	int pfd[2], st, rc;
	pid_t pid;
	char c;

	if (argc > 1)
		n_events = strtoul(argv[1], NULL, 0);
	signal(SIGPIPE, SIG_IGN);
	test_enter_dir();
	if (pipe(pfd) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		_exit(ctrl_main(pfd[1]));
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1) {
		fprintf(stderr, "ctrl did not start\n");
		return 1;
	}
	rc = pmd_main();
	waitpid(pid, &st, 0);
	CHECK(rc == 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("mbox_pingpong_test: %lu events each way in %llu ms: %s\n", n_events,
	       (unsigned long long)(test_now_ms() - t0), test_failures ? "FAILED" : "ok");
	return test_failures ? 1 : 0;
}
