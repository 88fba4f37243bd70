/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The PMD resumes on the control daemon's "hardware back" (issue 14,
 * deliverable 2), on simulated ports in one EAL process that links the
 * driver; the test plays ctrl with the proto library's ctrl role, in this
 * process or (c) in a child process it kills:
 *
 *   a) ctrl: service event; the device really goes down (the application's
 *      ERR_RECOVERING callback fires the simulator's service event) for
 *      300 ms (x5 under tsan) and comes back as a new incarnation; ctrl says "hardware back" only then:
 *      the reset ends within a few ms of it, not at the driver's next poll
 *      (hw_poll_ms=5000), and the record says ctrl's word woke it (xstats,
 *      the PMD record in the segment, with the time from the word to the
 *      end of the wait).
 *   b) ctrl: service event, and the device never goes down (the same
 *      incarnation probes ready): the port waits for ctrl's word, not for
 *      its poll (hw_poll_ms=10), then ends at once on it.
 *   c) the same, and ctrl (a child) killed with SIGKILL during the wait:
 *      the reset completes alone, by the driver's poll, and the record says
 *      so.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "pmd/mana.h"
#include "pmd/sim/mana_sim.h"
#include "proto/mbox.h"
#include "tests/lib/test_port.h"
#include "tests/lib/test_util.h"
#include "tests/lib/tsan_dpdk.h"
#include "tests/pmd/test_ctrl.h"

#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_suppressions(void);
const char *
__tsan_default_suppressions(void)
{
	return TSAN_DPDK_SUPPRESSIONS;
}
#define SLOW 5      /* sanitizer runtimes slow the reset thread down */
#elif defined(__SANITIZE_ADDRESS__)
#define SLOW 2
#else
#define SLOW 1
#endif

/* Port whose next ERR_RECOVERING takes its simulated hardware down. */
static int svc_in_callback = -1;

static void
on_event(uint16_t port, enum rte_eth_event_type type)
{
	/* The kernel tells ctrl first (devlink), then the device fails. */
	if (type == RTE_ETH_EVENT_ERR_RECOVERING &&
	    __atomic_load_n(&svc_in_callback, __ATOMIC_ACQUIRE) == port) {
		__atomic_store_n(&svc_in_callback, -1, __ATOMIC_RELAXED);
		CHECK(mana_sim_service_event(mana_proc_of(port)->hwdev) == 0);
	}
}

static int
ctrl_add(struct mbox *mb, const char *pci)
{
	struct mbox_ident id;

	memset(&id, 0, sizeof(id));
	snprintf(id.pci, sizeof(id.pci), "%s", pci);
	snprintf(id.ibdev, sizeof(id.ibdev), "mana_%s", pci);
	id.gen = 1;
	return mbox_port_add(mb, &id);
}

static int
ctrl_post(struct mbox *mb, int p, uint16_t type, const char *pci)
{
	struct mbox_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.port = (uint16_t)p;
	if (type == MBOX_EV_SVC_START) {
		ev.u.svc.source = MBOX_SRC_DEVLINK;
		ev.u.svc.reason = 1;
	} else if (type == MBOX_EV_HW_BACK) {
		snprintf(ev.u.ident.pci, sizeof(ev.u.ident.pci), "%s", pci);
		snprintf(ev.u.ident.ibdev, sizeof(ev.u.ident.ibdev), "mana_new");
		ev.u.ident.gen = 2;
	}
	return mbox_post(mb, &ev);
}

/* Run ctrl's loop for at most ms, or until RECOVERED comes (until). */
static bool
ctrl_pump(struct mbox *mb, bool until_recovered, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;
	struct pollfd pfd = { .fd = mbox_fd(mb), .events = POLLIN };
	struct mbox_event ev;
	int rc;

	for (;;) {
		while ((rc = mbox_next(mb, &ev)) == 1)
			if (until_recovered && ev.type == MBOX_EV_RECOVERED)
				return true;
		CHECK(rc == 0);
		if (test_now_ms() >= end)
			return false;
		poll(&pfd, 1, 1);
	}
}

static bool
ctrl_wait_owner(struct mbox *mb, int p, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;
	struct mbox_port pt;

	while (test_now_ms() < end) {
		ctrl_pump(mb, false, 10);
		if (mbox_port_read(mb, (unsigned int)p, &pt) == 0 && pt.owner != 0 &&
		    pt.owner_live)
			return true;
	}
	return false;
}

static enum mana_hw_presence
probe(uint16_t port)
{
	struct mana_hw_dev *d = mana_proc_of(port)->hwdev;

	return d->ops->probe(d);
}

static void
port_down(const char *name, uint16_t port)
{
	CHECK(rte_eth_dev_stop(port) == 0);
	test_port_close(name, port);
}

/* a) and b): ctrl in this process. */
static void
test_ab(void)
{
	const char *na = "net_mana_sim50", *nb = "net_mana_sim51";
	uint64_t t_back, t_ok, t_svc;
	char args[128];
	struct mbox_port pt;
	int pa, pb, ret;
	uint16_t port;
	struct mbox *mb;

	mb = test_ctrl_open("ab.seg", "ab.sock");
	CHECK(mb != NULL);
	if (mb == NULL)
		return;
	pa = ctrl_add(mb, "wake-a");
	pb = ctrl_add(mb, "wake-b");
	CHECK(pa >= 0 && pb >= 0);

	/* a) the device really down, ctrl's word when it is back. */
	/* Down long enough that the reset waits for it, however slowly a
	 * sanitizer runtime on a loaded machine tears the port down.
	 */
	snprintf(args, sizeof(args), "recovery_ms=%u,hw_poll_ms=5000,mbox=ab.sock,mbox_port=wake-a",
		 300 * SLOW);
	ret = test_port_up(na, args, NULL);
	CHECK(ret >= 0);
	if (ret < 0)
		goto out;
	port = (uint16_t)ret;
	CHECK(ctrl_wait_owner(mb, pa, 3000));
	__atomic_store_n(&svc_in_callback, port, __ATOMIC_RELEASE);
	t_svc = test_now_ms();
	CHECK(ctrl_post(mb, pa, MBOX_EV_SVC_START, NULL) == 0);
	CHECK(test_wait_events(port, RTE_ETH_EVENT_ERR_RECOVERING, 1, 2000));
	/* ctrl sees the device register again (the simulated equivalent). */
	t_back = 0;
	while (test_now_ms() < t_svc + 3000 * SLOW) {
		ctrl_pump(mb, false, 1);
		if (probe(port) == MANA_HWP_READY) {
			t_back = test_now_ns();
			break;
		}
	}
	CHECK(t_back != 0);
	/* The driver waits for it (its poll comes in 5 s). */
	CHECK(mana_reset_state(&mana_proc_of(port)->reset) == MANA_RS_WAIT_HW);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	CHECK(ctrl_post(mb, pa, MBOX_EV_HW_BACK, "wake-a") == 0);
	CHECK(ctrl_pump(mb, true, 3000));
	CHECK(test_wait_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, 1, 1000));
	t_ok = test_now_ns();
	printf("a) device down %u ms; ctrl's HW_BACK -> recovered (seen by ctrl) in %.2f ms "
	       "(hint to end of wait_hw %" PRIu64 " us; driver's poll every 5000 ms)\n",
	       300 * SLOW, (t_ok - t_back) / 1e6, test_xstat(port, "reset_last_hint_us"));
	CHECK(t_ok - t_back < 100000000ull * SLOW);
	CHECK(test_xstat(port, "reset_last_wake") == MANA_WAKE_CTRL);
	CHECK(test_xstat(port, "reset_wake_ctrl") == 1);
	CHECK(test_xstat(port, "reset_wake_poll") == 0);
	CHECK(test_xstat(port, "reset_wake_timeout") == 0);
	CHECK(test_xstat(port, "reset_last_hint_us") < 50000ull * SLOW);
	CHECK(mbox_port_read(mb, (unsigned int)pa, &pt) == 0);
	CHECK(pt.pmd.nb_timeline == 1 && pt.pmd.wake[0].cause == MBOX_WAKE_CTRL);
	CHECK(pt.pmd.wake[0].hint_ns > 0 && pt.pmd.wake[0].hint_ns < 50000000ull * SLOW);
	port_down(na, port);

	/* b) the device never goes down: the same incarnation is not back
	 * until ctrl says so, however often the driver polls.
	 */
	ret = test_port_up(nb, "hw_poll_ms=10,mbox=ab.sock,mbox_port=wake-b", NULL);
	CHECK(ret >= 0);
	if (ret < 0)
		goto out;
	port = (uint16_t)ret;
	CHECK(ctrl_wait_owner(mb, pb, 3000));
	CHECK(ctrl_post(mb, pb, MBOX_EV_SVC_START, NULL) == 0);
	CHECK(test_wait_events(port, RTE_ETH_EVENT_ERR_RECOVERING, 1, 2000));
	ctrl_pump(mb, false, 300);
	CHECK(probe(port) == MANA_HWP_SAME);
	CHECK(mana_reset_state(&mana_proc_of(port)->reset) == MANA_RS_WAIT_HW);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	t_back = test_now_ns();
	CHECK(ctrl_post(mb, pb, MBOX_EV_HW_BACK, "wake-b") == 0);
	CHECK(ctrl_pump(mb, true, 3000));
	CHECK(test_wait_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, 1, 1000));
	t_ok = test_now_ns();
	printf("b) same incarnation: waited 300 ms for ctrl (poll 10 ms); HW_BACK -> recovered in %.2f ms\n",
	       (t_ok - t_back) / 1e6);
	CHECK(t_ok - t_back < 100000000ull * SLOW);
	CHECK(test_xstat(port, "reset_last_wake") == MANA_WAKE_CTRL);
	CHECK(test_xstat(port, "reset_wake_poll") == 0);
	CHECK(mbox_port_read(mb, (unsigned int)pb, &pt) == 0);
	CHECK(pt.pmd.nb_timeline == 1 && pt.pmd.wake[0].cause == MBOX_WAKE_CTRL);
	CHECK(pt.pmd.timeline[0].phase_ns[MANA_PH_WAIT_HW] >= 250000000ull);
	port_down(nb, port);
out:
	ctrl_pump(mb, false, 50);
	mbox_close(mb);
}

/* c) ctrl in a child, forked before EAL starts any thread: "g" makes the
 * segment and the port and reports 'R'; "s" posts SVC_START and reports
 * 'S'; it runs its loop until killed (or until the pipe closes).
 */
static int c_cmd = -1, c_report = -1;
static pid_t c_child = -1;

static void
c_child_main(int cmd, int report)
{
	struct pollfd pfd[2];
	struct mbox_event ev;
	struct mbox *mb = NULL;
	int p = -1;
	char c;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = mb != NULL ? mbox_fd(mb) : -1, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = cmd, .events = POLLIN };
		poll(pfd, 2, 100);
		if (pfd[1].revents != 0) {
			if (read(cmd, &c, 1) != 1)
				_exit(0);    /* the test ended (or died): so do we */
			if (c == 'g') {
				mb = test_ctrl_open("c.seg", "c.sock");
				p = mb != NULL ? ctrl_add(mb, "wake-c") : -1;
				if (p < 0)
					_exit(1);
			} else if (c == 's' && mb != NULL) {
				if (ctrl_post(mb, p, MBOX_EV_SVC_START, NULL) != 0)
					_exit(1);
			}
			if (write(report, c == 'g' ? "R" : "S", 1) != 1)
				_exit(1);
		}
		while (mb != NULL && mbox_next(mb, &ev) == 1)
			;
	}
}

static void
c_fork(void)
{
	c_child = test_ctrl_fork(c_child_main, &c_cmd, &c_report);
}

static bool
c_ask(char what, char expect)
{
	struct pollfd pfd = { .fd = c_report, .events = POLLIN };
	char c;

	if (write(c_cmd, &what, 1) != 1)
		return false;
	return poll(&pfd, 1, 5000) == 1 && read(c_report, &c, 1) == 1 && c == expect;
}

static void
test_c_ctrl_killed(void)
{
	const char *name = "net_mana_sim52";
	struct mana_mbox_status ms;
	struct mbox_port pt;
	struct mbox *ro;
	uint64_t t_kill, t_ok, end;
	uint16_t port;
	int ret, status;

	CHECK(c_ask('g', 'R'));
	ret = test_port_up(name, "hw_poll_ms=20,mbox=c.sock,mbox_port=wake-c", NULL);
	CHECK(ret >= 0);
	if (ret < 0)
		return;
	port = (uint16_t)ret;
	end = test_now_ms() + 3000;
	do {
		mana_mbox_status_get(__atomic_load_n(&mana_proc_of(port)->mbox, __ATOMIC_ACQUIRE),
				     &ms);
		usleep(1000);
	} while (!ms.attached && test_now_ms() < end);
	CHECK(ms.attached);
	CHECK(c_ask('s', 'S'));
	CHECK(test_wait_events(port, RTE_ETH_EVENT_ERR_RECOVERING, 1, 2000));
	usleep(300000);
	/* Waiting for ctrl's word, the device ready all along. */
	CHECK(probe(port) == MANA_HWP_SAME);
	CHECK(mana_reset_state(&mana_proc_of(port)->reset) == MANA_RS_WAIT_HW);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	kill(c_child, SIGKILL);
	t_kill = test_now_ns();
	CHECK(waitpid(c_child, &status, 0) == c_child && WIFSIGNALED(status));
	c_child = -1;
	CHECK(test_wait_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, 1, 3000 * SLOW));
	t_ok = test_now_ns();
	printf("c) ctrl killed in the wait: the reset completed alone %.2f ms later\n",
	       (t_ok - t_kill) / 1e6);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_FAILED) == 0);
	CHECK(test_xstat(port, "reset_last_wake") == MANA_WAKE_POLL);
	CHECK(test_xstat(port, "reset_wake_poll") == 1);
	CHECK(test_xstat(port, "reset_wake_ctrl") == 0);
	CHECK(test_xstat(port, "reset_last_hint_us") == 0);
	/* The record says so too, for a ctrl that comes back (read-only). */
	ro = mbox_open("c.seg");
	CHECK(ro != NULL);
	if (ro != NULL) {
		end = test_now_ms() + 2000;
		do {
			CHECK(mbox_port_read(ro, 0, &pt) == 0);
		} while (pt.pmd.state != MBOX_PMD_ACTIVE && test_now_ms() < end);
		CHECK(pt.pmd.state == MBOX_PMD_ACTIVE && pt.pmd.nb_timeline == 1);
		CHECK(pt.pmd.wake[0].cause == MBOX_WAKE_POLL && pt.pmd.wake[0].hint_ns == 0);
		mbox_close(ro);
	}
	port_down(name, port);
}

int
main(int argc, char **argv)
{
	const struct test_eal_opts eo = {
		.name = "wake", .nb_mbufs = 2047, .no_shconf = true,
		.log_levels = "pmd.net.mana.*:notice lib.eal:critical lib.ethdev:critical",
	};
	const char *base = getenv("TEST_TMPDIR");
	char dir[4096];
	int ret;

	(void)argc;
	snprintf(dir, sizeof(dir), "%s/wakeportXXXXXX", base != NULL ? base : "/tmp");
	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		perror(dir);
		return 1;
	}
	/* Before EAL starts threads. */
	c_fork();
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	__atomic_store_n(&test_event_hook, on_event, __ATOMIC_RELEASE);

	test_ab();
	test_c_ctrl_killed();

	if (c_child > 0) {
		kill(c_child, SIGKILL);
		waitpid(c_child, NULL, 0);
	}
	close(c_cmd);
	close(c_report);
	ret = test_eal_finish();
	if (ret == 0)
		printf("wake_port_test: ok\n");
	return ret;
}
