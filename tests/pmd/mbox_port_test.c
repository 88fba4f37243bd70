/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * A port's side of the ctrl <-> PMD mailbox (pmd/mana_mbox.h), on simulated
 * ports in one EAL process that links the driver. The test plays the control
 * daemon with the proto library's ctrl API, in this process or (d) in a
 * child process it kills:
 *
 *   a) ctrl: service event -> the port emits ERR_RECOVERING; ctrl: hardware
 *      back as soon as the (simulated) hardware is -> the reset ends then,
 *      not at the engine's next poll (hw_poll_ms=3000), and a premature
 *      "hardware back" does not end it early (the engine still asks the
 *      device); ctrl gets RESET_ENTER, each phase, RECOVERED with per-phase
 *      durations, in order; the PMD record has the reset in its timeline.
 *   b) ctrl: service event and hot-remove -> the port waits for the
 *      device (a rescan may bring it back); ctrl: gone for good ->
 *      RECOVERY_FAILED + INTR_RMV; ctrl gets RECOVERY_FAILED with outcome
 *      "removed"; the record says removed.
 *   c) no ctrl (no socket): the port works and resets on its own device
 *      events; a ctrl started later gets the port, and its history.
 *   d) ctrl (a child) killed with SIGKILL during a reset: the reset ends,
 *      traffic flows, nothing hangs; a restarted ctrl re-adopts the segment,
 *      gets the port back with the events posted meanwhile, and drives a
 *      new reset.
 *   e) bad devargs fail the probe with a message naming the devarg; a
 *      corrupted segment does not: the port runs without the mailbox, one
 *      error is logged however often the attach is retried, and the port
 *      attaches once the segment is sound again.
 *   f) ctrl: gone for good, and the application closes the port from its
 *      INTR_RMV callback (on the reset thread, which then stops the mailbox).
 *   g) ctrl: hot-removed with nothing before it (HOT_REMOVE cause surprise,
 *      mailbox 1.1, issue 14) -> the port is removed at once: RECOVERY_FAILED
 *      + INTR_RMV without GONE and long before the device could come back;
 *      with cause service after a service event the port waits, as in b).
 * After each case the port is closed: no mailbox thread and no fd is left
 * (and, under ASan, no memory).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "pmd/mana.h"
#include "pmd/mana_devev.h"
#include "pmd/sim/mana_sim.h"
#include "proto/mbox.h"
#include "tests/lib/test_port.h"
#include "tests/lib/test_util.h"
#include "tests/lib/tsan_dpdk.h"
#include "tests/pmd/test_ctrl.h"
#include "tests/pmd/test_devev.h"

#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_suppressions(void);
const char *
__tsan_default_suppressions(void)
{
	return TSAN_DPDK_SUPPRESSIONS;
}
#endif

#define MAX_EV 64

/* What the application was told, per port. */
static pthread_mutex_t app_mu = PTHREAD_MUTEX_INITIALIZER;
static enum rte_eth_event_type app_ev[RTE_MAX_ETHPORTS][MAX_EV];
static unsigned int app_nb[RTE_MAX_ETHPORTS];
/* Port whose next ERR_RECOVERING takes its simulated hardware down. */
static int svc_in_callback = -1;
/* Port the application closes from its INTR_RMV callback. */
static int close_in_rmv = -1;
static int closed_in_rmv;

/* The test's event hook, after the recorder counted the event. */
static void
on_event(uint16_t port, enum rte_eth_event_type type)
{
	/* The kernel tells ctrl first (devlink), then the device fails: take
	 * the hardware down before the engine first asks it (this runs on
	 * the reset thread, before the quiesce).
	 */
	if (type == RTE_ETH_EVENT_ERR_RECOVERING &&
	    __atomic_load_n(&svc_in_callback, __ATOMIC_ACQUIRE) == port) {
		__atomic_store_n(&svc_in_callback, -1, __ATOMIC_RELAXED);
		CHECK(mana_sim_service_event(mana_proc_of(port)->hwdev) == 0);
	}
	pthread_mutex_lock(&app_mu);
	if (app_nb[port] < MAX_EV)
		app_ev[port][app_nb[port]++] = type;
	pthread_mutex_unlock(&app_mu);
	/* On the reset thread: the mailbox stops from there. */
	if (type == RTE_ETH_EVENT_INTR_RMV &&
	    __atomic_load_n(&close_in_rmv, __ATOMIC_ACQUIRE) == port) {
		__atomic_store_n(&close_in_rmv, -1, __ATOMIC_RELAXED);
		CHECK(rte_eth_dev_stop(port) == 0);
		CHECK(rte_eth_dev_close(port) == 0);
		__atomic_store_n(&closed_in_rmv, 1, __ATOMIC_RELEASE);
	}
}

static unsigned int
app_count(uint16_t port, enum rte_eth_event_type type)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&app_mu);
	for (i = 0; i < app_nb[port]; i++)
		n += app_ev[port][i] == type;
	pthread_mutex_unlock(&app_mu);
	return n;
}

static bool
app_wait(uint16_t port, enum rte_eth_event_type type, unsigned int n, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;

	while (app_count(port, type) < n) {
		if (test_now_ms() > end)
			return false;
		usleep(1000);
	}
	return true;
}

static void
app_reset(uint16_t port)
{
	pthread_mutex_lock(&app_mu);
	app_nb[port] = 0;
	pthread_mutex_unlock(&app_mu);
}

/* Probe name with args, configure one queue pair, start. */
static int
port_up(const char *name, const char *args, uint16_t *port)
{
	int ret = test_port_probe(name, args);

	if (ret < 0)
		return -1;
	*port = (uint16_t)ret;
	app_reset(*port);
	return test_port_setup(name, *port, NULL);
}

static void
port_down(const char *name, uint16_t port)
{
	CHECK(rte_eth_dev_stop(port) == 0);
	test_port_close(name, port);
	CHECK(test_thread_count_named("mana-mbox") == 0);
	CHECK(test_devev_settled() || !"the device event monitor stopped after the last port");
}

/* Broadcast frames go round the simulated wire (no peer: loopback). */
static bool
traffic_flows(uint16_t port)
{
	struct rte_mbuf *m[8];
	uint64_t end = test_now_ms() + 2000;
	unsigned int i, got = 0;
	uint16_t n, sent;

	if (rte_pktmbuf_alloc_bulk(test_pool, m, 8) != 0)
		return false;
	for (i = 0; i < 8; i++) {
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m[i], 64);

		memset(eh, 0, 64);
		memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	}
	sent = rte_eth_tx_burst(port, 0, m, 8);
	if (sent < 8)
		rte_pktmbuf_free_bulk(m + sent, 8 - sent);
	while (got < sent && test_now_ms() < end) {
		n = rte_eth_rx_burst(port, 0, m, 8);
		rte_pktmbuf_free_bulk(m, n);
		got += n;
		if (n == 0)
			usleep(500);
	}
	return sent > 0 && got == sent;
}

static struct mana_mbox_status
pmd_status(uint16_t port)
{
	struct mana_mbox_status st;

	mana_mbox_status_get(__atomic_load_n(&mana_proc_of(port)->mbox, __ATOMIC_ACQUIRE), &st);
	return st;
}

/* --- the test as the control daemon ------------------------------------ */

static int
ctrl_add(struct mbox *mb, const char *pci, uint32_t gen)
{
	struct mbox_ident id;

	memset(&id, 0, sizeof(id));
	snprintf(id.pci, sizeof(id.pci), "%s", pci);
	snprintf(id.ibdev, sizeof(id.ibdev), "mana_%u", gen);
	id.node_guid = 0x1122334455660000ull + gen;
	id.gen = gen;
	return mbox_port_add(mb, &id);
}

/* PMD -> ctrl events ctrl received, in order. */
struct ctrl_log {
	struct mbox_event ev[MAX_EV];
	unsigned int n;
	unsigned int peer_up, peer_down;
};

/* Run ctrl's loop for at most ms, or until an event of type until comes
 * (0: none). Returns true if it came.
 */
static bool
ctrl_pump(struct mbox *mb, struct ctrl_log *log, unsigned int until, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;
	struct pollfd pfd = { .fd = mbox_fd(mb), .events = POLLIN };
	struct mbox_event ev;
	int rc;

	for (;;) {
		while ((rc = mbox_next(mb, &ev)) == 1) {
			if (ev.type == MBOX_EV_PEER_UP)
				log->peer_up++;
			else if (ev.type == MBOX_EV_PEER_DOWN)
				log->peer_down++;
			else if (log->n < MAX_EV)
				log->ev[log->n++] = ev;
			if (until != 0 && ev.type == until)
				return true;
		}
		CHECK(rc == 0);
		if (test_now_ms() >= end)
			return false;
		poll(&pfd, 1, (int)RTE_MIN(end - test_now_ms() + 1, (uint64_t)20));
	}
}

/* Pump until a live PMD owns port p. */
static bool
ctrl_wait_owner(struct mbox *mb, struct ctrl_log *log, int p, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;
	struct mbox_port pt;

	while (test_now_ms() < end) {
		ctrl_pump(mb, log, 0, 10);
		if (mbox_port_read(mb, (unsigned int)p, &pt) == 0 && pt.owner != 0 &&
		    pt.owner_live)
			return true;
	}
	return false;
}

static int
ctrl_post(struct mbox *mb, int p, uint16_t type, uint32_t gen, const char *pci)
{
	struct mbox_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.port = (uint16_t)p;
	if (type == MBOX_EV_SVC_START) {
		ev.u.svc.source = MBOX_SRC_DEVLINK;
		ev.u.svc.reason = 7;
	} else if (type == MBOX_EV_HW_BACK) {
		snprintf(ev.u.ident.pci, sizeof(ev.u.ident.pci), "%s", pci);
		snprintf(ev.u.ident.ibdev, sizeof(ev.u.ident.ibdev), "mana_%u", gen);
		ev.u.ident.gen = gen;
		ev.u.ident.node_guid = 0x1122334455660000ull + gen;
	}
	return mbox_post(mb, &ev);
}

/* The events of one reset, as ctrl must see them: RESET_ENTER, then the
 * phases (phases[0..nb)), then last. Returns the index of last, or -1.
 */
static int
check_reset_events(const struct ctrl_log *log, unsigned int from, uint64_t seq,
		   const unsigned int *phases, unsigned int nb, unsigned int last)
{
	unsigned int i = from, k;

	while (i < log->n && !(log->ev[i].type == MBOX_EV_RESET_ENTER &&
			       log->ev[i].u.phase.reset_seq == seq))
		i++;
	CHECK(i < log->n);
	if (i >= log->n)
		return -1;
	for (k = 0; k < nb; k++) {
		CHECK(i + 1 + k < log->n);
		if (i + 1 + k >= log->n)
			return -1;
		CHECK(log->ev[i + 1 + k].type == MBOX_EV_PHASE);
		CHECK(log->ev[i + 1 + k].u.phase.phase == phases[k]);
		CHECK(log->ev[i + 1 + k].u.phase.reset_seq == seq);
		/* Consecutive sequence numbers: nothing lost in between. */
		CHECK(log->ev[i + 1 + k].seq == log->ev[i + k].seq + 1);
	}
	i += 1 + nb;
	CHECK(i < log->n && log->ev[i].type == last && log->ev[i].u.result.seq == seq);
	if (i >= log->n)
		return -1;
	CHECK(log->ev[i].seq == log->ev[i - 1].seq + 1);
	return (int)i;
}

static const unsigned int all_phases[] = { 0, 1, 2, 3, 4 };

/* a) service event and hardware back from ctrl. */
static void
test_a_svc_and_hw_back(void)
{
	const char *name = "net_mana_sim10", *pci = "7870:00:00.0";
	struct ctrl_log log = { .n = 0 };
	struct mana_mbox_status ms;
	struct mbox_port pt;
	struct mana_hw_dev *hwdev;
	const struct mbox_reset_rec *res;
	uint64_t t_svc, t_ready = 0, sum = 0;
	unsigned int fds, ph;
	struct mbox *mb;
	uint16_t port;
	int p, i;

	mb = test_ctrl_open("a.seg", "a.sock");
	CHECK(mb != NULL);
	if (mb == NULL)
		return;
	p = ctrl_add(mb, pci, 1);
	CHECK(p >= 0);
	fds = test_fd_count();
	if (port_up(name, "recovery_ms=600,hw_poll_ms=3000,mbox=a.sock,mbox_port=7870:00:00.0",
		    &port) != 0) {
		CHECK(0);
		mbox_close(mb);
		return;
	}
	hwdev = mana_proc_of(port)->hwdev;
	CHECK(ctrl_wait_owner(mb, &log, p, 3000));
	ms = pmd_status(port);
	CHECK(ms.attached && ms.mbox_port == p && ms.attaches == 1);

	__atomic_store_n(&svc_in_callback, port, __ATOMIC_RELEASE);
	t_svc = test_now_ms();
	CHECK(ctrl_post(mb, p, MBOX_EV_SVC_START, 0, NULL) == 0);
	CHECK(app_wait(port, RTE_ETH_EVENT_ERR_RECOVERING, 1, 2000));
	/* A premature "hardware back": the engine asks the device, which is
	 * still down, and keeps waiting.
	 */
	CHECK(ctrl_post(mb, p, MBOX_EV_HW_BACK, 2, pci) == 0);
	t_ready = test_now_ms() + 400;
	while (pmd_status(port).received < 2 && test_now_ms() < t_ready)
		ctrl_pump(mb, &log, 0, 1);
	t_ready = 0;
	CHECK(pmd_status(port).received == 2);
	/* ctrl learns that the hardware is back (as RDMA netlink would tell
	 * it) and says so at once.
	 */
	while (test_now_ms() < t_svc + 2500) {
		ctrl_pump(mb, &log, 0, 1);
		if (hwdev->ops->probe(hwdev) == MANA_HWP_READY) {
			t_ready = test_now_ms();
			break;
		}
	}
	CHECK(t_ready != 0);
	CHECK(app_count(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	CHECK(ctrl_post(mb, p, MBOX_EV_HW_BACK, 3, pci) == 0);
	CHECK(ctrl_pump(mb, &log, MBOX_EV_RECOVERED, 2500));
	CHECK(app_wait(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, 1, 1000));
	CHECK(app_count(port, RTE_ETH_EVENT_ERR_RECOVERING) == 1);
	CHECK(app_count(port, RTE_ETH_EVENT_RECOVERY_FAILED) == 0);

	i = check_reset_events(&log, 0, 1, all_phases, 5, MBOX_EV_RECOVERED);
	if (i >= 0) {
		res = &log.ev[i].u.result;
		CHECK(res->outcome == MBOX_PMD_ACTIVE && res->error == 0);
		for (ph = 0; ph < MBOX_PHASES; ph++)
			sum += res->phase_ns[ph];
		CHECK(sum <= res->total_ns);
		/* The hardware was down ~600 ms from the request: the engine
		 * waited for it, premature hint or not (the re-probe began
		 * after ctrl saw the hardware back) ...
		 */
		CHECK(res->total_ns >= 550000000ull && res->phase_ns[2] > 0);
		CHECK(log.ev[i - 2].u.phase.phase == MANA_PH_REPROBE &&
		      log.ev[i - 2].time_ns + 5000000ull >= t_ready * 1000000ull);
		/* ... and not for its own next poll, 3 s after the first. */
		CHECK(res->total_ns < 2500000000ull);
		printf("a) reset via ctrl: total %.1f ms (wait_hw %.1f ms, hardware down %" PRIu64 " ms, engine poll 3000 ms)\n",
		       res->total_ns / 1e6, res->phase_ns[2] / 1e6, t_ready - t_svc);
		CHECK(mbox_port_read(mb, (unsigned int)p, &pt) == 0);
		CHECK(pt.pmd.state == MBOX_PMD_ACTIVE && pt.pmd.nb_reset == 1 &&
		      pt.pmd.nb_success == 1 && pt.pmd.nb_timeline == 1);
		CHECK(pt.pmd.timeline[0].seq == 1 &&
		      pt.pmd.timeline[0].total_ns == res->total_ns);
		CHECK(pt.pmd.pid == (uint32_t)getpid());
	}
	ms = pmd_status(port);
	CHECK(ms.received == 3 && ms.lost == 0 && ms.posted == 7);
	CHECK(traffic_flows(port));

	port_down(name, port);
	/* ctrl sees the PMD go, and its last record. */
	ctrl_pump(mb, &log, 0, 200);
	CHECK(log.peer_down >= 1);
	CHECK(mbox_port_read(mb, (unsigned int)p, &pt) == 0);
	CHECK(pt.pmd.state == MBOX_PMD_CLOSED && pt.owner == 0);
	CHECK(test_fd_count() == fds);
	mbox_close(mb);
}

/* b) hot-remove, then gone for good, from ctrl. */
static void
test_b_hot_remove(void)
{
	static const unsigned int phases[] = { 0, 1, 2 };
	const char *name = "net_mana_sim20";
	struct ctrl_log log = { .n = 0 };
	struct mbox_port pt;
	unsigned int fds;
	struct mbox *mb;
	uint64_t end;
	uint16_t port;
	int p, i;

	mb = test_ctrl_open("b.seg", "b.sock");
	CHECK(mb != NULL);
	if (mb == NULL)
		return;
	p = ctrl_add(mb, name, 1);   /* the default identity: the device name */
	fds = test_fd_count();
	if (port_up(name, "recovery_ms=5000,mbox=b.sock", &port) != 0) {
		CHECK(0);
		mbox_close(mb);
		return;
	}
	CHECK(ctrl_wait_owner(mb, &log, p, 3000));
	/* The PCI function goes away: ctrl says "service event", then
	 * "hot-removed" (not final: a rescan may bring it back); the device
	 * is down from the start of the reset.
	 */
	__atomic_store_n(&svc_in_callback, port, __ATOMIC_RELEASE);
	CHECK(ctrl_post(mb, p, MBOX_EV_SVC_START, 0, NULL) == 0);
	CHECK(ctrl_post(mb, p, MBOX_EV_HOT_REMOVE, 0, NULL) == 0);
	CHECK(app_wait(port, RTE_ETH_EVENT_ERR_RECOVERING, 1, 2000));
	/* The port waits for the device; the record says so. */
	end = test_now_ms() + 2000;
	do {
		ctrl_pump(mb, &log, 0, 10);
		CHECK(mbox_port_read(mb, (unsigned int)p, &pt) == 0);
	} while (!(pt.pmd.state == MBOX_PMD_WAIT_HW && pt.pmd.nb_merged >= 1) && test_now_ms() < end);
	CHECK(pt.pmd.state == MBOX_PMD_WAIT_HW && pt.pmd.nb_merged >= 1);
	ctrl_pump(mb, &log, 0, 200);
	CHECK(app_count(port, RTE_ETH_EVENT_RECOVERY_FAILED) == 0);
	CHECK(app_count(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	/* ctrl: gone for good. */
	CHECK(ctrl_post(mb, p, MBOX_EV_GONE, 0, NULL) == 0);
	CHECK(ctrl_pump(mb, &log, MBOX_EV_RECOVERY_FAILED, 3000));
	CHECK(app_wait(port, RTE_ETH_EVENT_INTR_RMV, 1, 2000));
	CHECK(app_count(port, RTE_ETH_EVENT_ERR_RECOVERING) == 1);
	CHECK(app_count(port, RTE_ETH_EVENT_RECOVERY_FAILED) == 1);
	CHECK(app_count(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	i = check_reset_events(&log, 0, 1, phases, 3, MBOX_EV_RECOVERY_FAILED);
	if (i >= 0) {
		CHECK(log.ev[i].u.result.outcome == MBOX_PMD_REMOVED);
		CHECK(log.ev[i].u.result.error == -ENODEV);
		/* Ended by ctrl, long before the hardware's 5 s. */
		CHECK(log.ev[i].u.result.total_ns < 3000000000ull);
	}
	CHECK(mbox_port_read(mb, (unsigned int)p, &pt) == 0);
	CHECK(pt.pmd.state == MBOX_PMD_REMOVED && pt.pmd.nb_removed == 1 &&
	      pt.pmd.nb_failed == 1);
	CHECK(pmd_status(port).received == 3);
	CHECK(rte_eth_dev_set_mtu(port, 1400) == -EIO);
	port_down(name, port);
	ctrl_pump(mb, &log, 0, 200);
	CHECK(test_fd_count() == fds);
	mbox_close(mb);
}

/* g) a hot-remove (cause surprise), then a removal in a service event
 * (cause service): only the first is final.
 */
static void
test_g_surprise_remove(void)
{
	static const unsigned int phases[] = { 0, 1, 2 };
	const char *name = "net_mana_sim70";
	struct mbox_event rm = { .type = MBOX_EV_HOT_REMOVE };
	struct ctrl_log log = { .n = 0 };
	struct mbox_port pt;
	unsigned int fds;
	struct mbox *mb;
	uint16_t port;
	int p, i;

	mb = test_ctrl_open("g.seg", "g.sock");
	CHECK(mb != NULL);
	if (mb == NULL)
		return;
	p = ctrl_add(mb, name, 1);
	fds = test_fd_count();
	if (port_up(name, "recovery_ms=5000,mbox=g.sock", &port) != 0) {
		CHECK(0);
		mbox_close(mb);
		return;
	}
	CHECK(ctrl_wait_owner(mb, &log, p, 3000));
	/* No SVC_START: the PCI function went with nothing before it. */
	__atomic_store_n(&svc_in_callback, port, __ATOMIC_RELEASE);
	rm.port = (uint16_t)p;
	rm.u.rm.cause = MBOX_RM_SURPRISE;
	rm.u.rm.source = MBOX_SRC_RDMA_NL;
	rm.u.rm.reason = 1;
	CHECK(mbox_post(mb, &rm) == 0);
	CHECK(ctrl_pump(mb, &log, MBOX_EV_RECOVERY_FAILED, 3000));
	CHECK(app_wait(port, RTE_ETH_EVENT_INTR_RMV, 1, 2000));
	CHECK(app_count(port, RTE_ETH_EVENT_ERR_RECOVERING) == 1);
	CHECK(app_count(port, RTE_ETH_EVENT_RECOVERY_FAILED) == 1);
	CHECK(app_count(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	i = check_reset_events(&log, 0, 1, phases, 3, MBOX_EV_RECOVERY_FAILED);
	if (i >= 0) {
		CHECK(log.ev[i].u.result.outcome == MBOX_PMD_REMOVED);
		CHECK(log.ev[i].u.result.error == -ENODEV);
		/* Final at once: not the device's 5 s, no GONE needed. */
		CHECK(log.ev[i].u.result.total_ns < 3000000000ull);
	}
	CHECK(mbox_port_read(mb, (unsigned int)p, &pt) == 0);
	CHECK(pt.pmd.state == MBOX_PMD_REMOVED && pt.pmd.nb_removed == 1);
	CHECK(pmd_status(port).received == 1);
	CHECK(rte_eth_dev_set_mtu(port, 1400) == -EIO);
	port_down(name, port);
	ctrl_pump(mb, &log, 0, 200);
	CHECK(test_fd_count() == fds);

	/* A removal in a service event (cause service): the port waits. */
	log.n = 0;
	if (port_up(name, "recovery_ms=5000,mbox=g.sock", &port) != 0) {
		CHECK(0);
		mbox_close(mb);
		return;
	}
	CHECK(ctrl_wait_owner(mb, &log, p, 3000));
	__atomic_store_n(&svc_in_callback, port, __ATOMIC_RELEASE);
	CHECK(ctrl_post(mb, p, MBOX_EV_SVC_START, 0, NULL) == 0);
	rm.u.rm.cause = MBOX_RM_SERVICE;
	CHECK(mbox_post(mb, &rm) == 0);
	CHECK(app_wait(port, RTE_ETH_EVENT_ERR_RECOVERING, 1, 2000));
	ctrl_pump(mb, &log, 0, 500);
	CHECK(mbox_port_read(mb, (unsigned int)p, &pt) == 0);
	CHECK(pt.pmd.state == MBOX_PMD_WAIT_HW);
	CHECK(app_count(port, RTE_ETH_EVENT_RECOVERY_FAILED) == 0);
	CHECK(app_count(port, RTE_ETH_EVENT_INTR_RMV) == 0);
	/* ctrl: gone for good ends it. */
	CHECK(ctrl_post(mb, p, MBOX_EV_GONE, 0, NULL) == 0);
	CHECK(ctrl_pump(mb, &log, MBOX_EV_RECOVERY_FAILED, 3000));
	CHECK(app_wait(port, RTE_ETH_EVENT_INTR_RMV, 1, 2000));
	port_down(name, port);
	ctrl_pump(mb, &log, 0, 200);
	CHECK(test_fd_count() == fds);
	mbox_close(mb);
}

/* f) the port closed from its own INTR_RMV callback, on the reset
 * thread, which then stops the mailbox.
 */
static void
test_f_close_from_callback(void)
{
	const char *name = "net_mana_sim60";
	struct ctrl_log log = { .n = 0 };
	struct mbox_port pt;
	unsigned int fds;
	uint64_t end;
	struct mbox *mb;
	uint16_t port;
	int p;

	mb = test_ctrl_open("f.seg", "f.sock");
	CHECK(mb != NULL);
	if (mb == NULL)
		return;
	p = ctrl_add(mb, name, 1);
	fds = test_fd_count();
	if (port_up(name, "mbox=f.sock", &port) != 0) {
		CHECK(0);
		mbox_close(mb);
		return;
	}
	CHECK(ctrl_wait_owner(mb, &log, p, 3000));
	__atomic_store_n(&close_in_rmv, port, __ATOMIC_RELEASE);
	CHECK(ctrl_post(mb, p, MBOX_EV_GONE, 0, NULL) == 0);
	CHECK(ctrl_pump(mb, &log, MBOX_EV_RECOVERY_FAILED, 3000));
	end = test_now_ms() + 3000;
	while (!__atomic_load_n(&closed_in_rmv, __ATOMIC_ACQUIRE) && test_now_ms() < end)
		ctrl_pump(mb, &log, 0, 5);
	CHECK(__atomic_load_n(&closed_in_rmv, __ATOMIC_ACQUIRE));
	CHECK(rte_vdev_uninit(name) == 0);
	/* The reset thread ends by itself (detached). */
	while ((test_thread_count_named("mana-rst") != 0 ||
		test_thread_count_named("mana-mbox") != 0) && test_now_ms() < end)
		usleep(1000);
	CHECK(test_thread_count_named("mana-rst") == 0);
	CHECK(test_thread_count_named("mana-mbox") == 0);
	CHECK(test_devev_settled() || !"the device event monitor stopped after the last port");
	ctrl_pump(mb, &log, 0, 200);
	CHECK(log.peer_down >= 1);
	CHECK(mbox_port_read(mb, (unsigned int)p, &pt) == 0);
	CHECK(pt.pmd.state == MBOX_PMD_CLOSED && pt.owner == 0 && pt.pmd.nb_removed == 1);
	CHECK(test_fd_count() == fds);
	mbox_close(mb);
}

/* c) no ctrl at all, then one. */
static void
test_c_no_ctrl(void)
{
	const char *name = "net_mana_sim30";
	struct ctrl_log log = { .n = 0 };
	struct mana_mbox_status ms;
	struct mbox_port pt;
	unsigned int fds = test_fd_count();
	uint64_t t0;
	struct mbox *mb;
	uint16_t port;
	int p;

	if (port_up(name, "reset_period_ms=50,reset_count=2,recovery_ms=20,mbox=c.sock",
		    &port) != 0) {
		CHECK(0);
		return;
	}
	CHECK(app_wait(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, 2, 5000));
	CHECK(app_count(port, RTE_ETH_EVENT_ERR_RECOVERING) == 2);
	CHECK(traffic_flows(port));
	ms = pmd_status(port);
	CHECK(!ms.attached && ms.last_error == -ENOENT && ms.posted == 0);

	/* The daemon starts later: the port attaches by itself (backoff). */
	mb = test_ctrl_open("c.seg", "c.sock");
	CHECK(mb != NULL);
	if (mb != NULL) {
		p = ctrl_add(mb, name, 1);
		t0 = test_now_ms();
		CHECK(ctrl_wait_owner(mb, &log, p, 8000));
		printf("c) ctrl started late: port attached after %" PRIu64 " ms\n",
		       test_now_ms() - t0);
		/* The record carries what happened before. */
		CHECK(mbox_port_read(mb, (unsigned int)p, &pt) == 0);
		CHECK(pt.pmd.state == MBOX_PMD_ACTIVE && pt.pmd.nb_success == 2 &&
		      pt.pmd.nb_timeline == 2);
	}
	port_down(name, port);
	if (mb != NULL) {
		ctrl_pump(mb, &log, 0, 200);
		mbox_close(mb);
	}
	CHECK(test_fd_count() == fds);
}

/* d) ctrl killed during a reset, then restarted. The child is forked
 * before EAL starts any thread; it waits for "g", then plays ctrl and
 * reports each event type it gets as one byte.
 */
static int d_cmd = -1, d_report = -1;
static pid_t d_child = -1;

static void
d_child_main(int cmd, int report)
{
	struct pollfd pfd[2];
	struct mbox_event ev;
	struct mbox *mb;
	char c;

	if (read(cmd, &c, 1) != 1)
		_exit(0);
	mb = test_ctrl_open("d.seg", "d.sock");
	if (mb == NULL || ctrl_add(mb, "net_mana_sim40", 1) < 0)
		_exit(1);
	c = 'R';
	if (write(report, &c, 1) != 1)
		_exit(1);
	for (;;) {
		pfd[0] = (struct pollfd){ .fd = mbox_fd(mb), .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = cmd, .events = POLLIN };
		poll(pfd, 2, 100);
		if (pfd[1].revents != 0)
			_exit(0);    /* the test ended (or died): so do we */
		while (mbox_next(mb, &ev) == 1) {
			c = (char)ev.type;
			if (write(report, &c, 1) != 1)
				_exit(1);
		}
	}
}

static void
d_fork(void)
{
	d_child = test_ctrl_fork(d_child_main, &d_cmd, &d_report);
}

/* Wait for the child to report type (a byte) within ms. */
static bool
d_expect(char type, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;
	struct pollfd pfd = { .fd = d_report, .events = POLLIN };
	char c;

	while (test_now_ms() < end) {
		if (poll(&pfd, 1, 50) == 1) {
			if (read(d_report, &c, 1) != 1)
				return false;
			if (c == type)
				return true;
		}
	}
	return false;
}

static void
test_d_ctrl_killed(void)
{
	const char *name = "net_mana_sim40";
	struct ctrl_log log = { .n = 0 };
	struct mana_mbox_status ms;
	struct mbox_info info;
	struct mbox_port pt;
	uint64_t t_kill;
	unsigned int i, fds;
	struct mbox *mb;
	uint16_t port;
	bool got = false;
	int status;

	CHECK(write(d_cmd, "g", 1) == 1);
	CHECK(d_expect('R', 5000));
	fds = test_fd_count();
	if (port_up(name, "recovery_ms=300,mbox=d.sock", &port) != 0) {
		CHECK(0);
		return;
	}
	CHECK(d_expect(MBOX_EV_PEER_UP, 3000));
	t_kill = test_now_ms() + 3000;
	while (!pmd_status(port).attached && test_now_ms() < t_kill)
		usleep(1000);
	CHECK(pmd_status(port).attached);
	/* A service event of the device itself; ctrl dies during the reset. */
	CHECK(mana_sim_service_event(mana_proc_of(port)->hwdev) == 0);
	CHECK(d_expect(MBOX_EV_RESET_ENTER, 3000));
	kill(d_child, SIGKILL);
	t_kill = test_now_ms();
	CHECK(waitpid(d_child, &status, 0) == d_child && WIFSIGNALED(status));
	d_child = -1;
	CHECK(app_wait(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, 1, 3000));
	printf("d) ctrl killed during the reset: it ended %" PRIu64 " ms later\n",
	       test_now_ms() - t_kill);
	CHECK(traffic_flows(port));
	ms = pmd_status(port);
	CHECK(ms.attached);    /* the library reconnects by itself */

	/* ctrl restarts: it re-adopts the segment, and the port comes back. */
	mb = test_ctrl_open("d.seg", "d.sock");
	CHECK(mb != NULL);
	if (mb != NULL) {
		CHECK(mbox_info(mb, &info) == 0 && info.ctrl_gen == 2);
		CHECK(ctrl_wait_owner(mb, &log, 0, 3000));
		/* What the PMD posted while ctrl was dead waited in the ring. */
		ctrl_pump(mb, &log, MBOX_EV_RECOVERED, 1000);
		for (i = 0; i < log.n; i++)
			got |= log.ev[i].type == MBOX_EV_RECOVERED &&
			       log.ev[i].u.result.seq == 1;
		CHECK(got);
		CHECK(mbox_port_read(mb, 0, &pt) == 0);
		CHECK(pt.pmd.state == MBOX_PMD_ACTIVE && pt.pmd.nb_success == 1);
		/* And drives a reset again: the device never goes down, so
		 * the port waits for ctrl's word that it is back.
		 */
		log.n = 0;
		CHECK(ctrl_post(mb, 0, MBOX_EV_SVC_START, 0, NULL) == 0);
		CHECK(ctrl_post(mb, 0, MBOX_EV_HW_BACK, 2, name) == 0);
		CHECK(ctrl_pump(mb, &log, MBOX_EV_RECOVERED, 3000));
		check_reset_events(&log, 0, 2, all_phases, 5, MBOX_EV_RECOVERED);
		CHECK(app_wait(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, 2, 2000));
	}
	port_down(name, port);
	if (mb != NULL) {
		ctrl_pump(mb, &log, 0, 200);
		mbox_close(mb);
	}
	CHECK(test_fd_count() == fds);
}

/* e) bad devargs, and a corrupted segment. */
static unsigned int
log_count(FILE *f, const char *needle)
{
	char line[1024];
	unsigned int n = 0;

	fflush(f);
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fseek(f, 0, SEEK_END);
	return n;
}

static void
test_e_bad_devargs(void)
{
	const char *name = "net_mana_sim50";
	struct ctrl_log log = { .n = 0 };
	struct mana_mbox_status ms;
	unsigned int fds;
	FILE *lf = tmpfile();
	struct mbox *mb;
	uint16_t port;
	int p, fd;

	CHECK(lf != NULL);
	if (lf == NULL)
		return;
	rte_openlog_stream(lf);
	/* Syntax: the probe fails, and says which devarg is wrong. */
	CHECK(rte_vdev_init(name, "mbox=") != 0);
	CHECK(rte_vdev_init(name, "mbox_port=7870:00:00.0") != 0);
	CHECK(log_count(lf, "mbox_port=<id> needs mbox=") == 1);
	CHECK(rte_vdev_init(name, "mbox=e.sock,mbox_port=0123456789abcdefg") != 0);
	CHECK(log_count(lf, "mbox_port=<port identity> needs 1 to 15 characters") == 1);
	CHECK(rte_vdev_init("net_mana_sim_long51", "mbox=e.sock") != 0);
	CHECK(log_count(lf, "give mbox_port=<id>") == 1);
	CHECK(rte_vdev_init(name, "hw_poll_ms=0") != 0);

	/* A corrupted segment: the port runs without the mailbox. */
	mb = test_ctrl_open("e.seg", "e.sock");
	CHECK(mb != NULL);
	if (mb == NULL) {
		rte_openlog_stream(NULL);
		fclose(lf);
		return;
	}
	p = ctrl_add(mb, name, 1);
	fd = open("e.seg", O_RDWR);
	CHECK(fd >= 0 && pwrite(fd, "XXXXXXXX", 8, 0) == 8);
	fds = test_fd_count();
	if (port_up(name, "mbox=e.sock", &port) != 0) {
		CHECK(0);
	} else {
		/* ctrl answers each attach; each is refused. */
		ctrl_pump(mb, &log, 0, 1000);
		ms = pmd_status(port);
		CHECK(!ms.attached && ms.last_error == -EBADMSG);
		CHECK(log_count(lf, "cannot use the mailbox at e.sock") == 1);
		CHECK(traffic_flows(port));
		/* Sound again (ctrl replaced it, say): the port attaches. */
		CHECK(pwrite(fd, "MANAMBOX", 8, 0) == 8);
		CHECK(ctrl_wait_owner(mb, &log, p, 8000));
		CHECK(log_count(lf, "cannot use the mailbox at e.sock") == 1);
		port_down(name, port);
		ctrl_pump(mb, &log, 0, 200);
	}
	CHECK(test_fd_count() == fds);
	close(fd);
	mbox_close(mb);
	rte_openlog_stream(NULL);
	fclose(lf);
}

int
main(int argc, char **argv)
{
	const struct test_eal_opts eo = {
		.name = "mbox", .nb_mbufs = 2047, .no_shconf = true,
		.log_levels = "pmd.net.mana.*:notice lib.eal:critical lib.ethdev:critical",
	};
	const char *base = getenv("TEST_TMPDIR");
	char dir[4096];
	int ret;

	(void)argc;
	snprintf(dir, sizeof(dir), "%s/mboxportXXXXXX", base != NULL ? base : "/tmp");
	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		perror(dir);
		return 1;
	}
	/* Before EAL starts threads. */
	d_fork();
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	__atomic_store_n(&test_event_hook, on_event, __ATOMIC_RELEASE);

	test_a_svc_and_hw_back();
	test_b_hot_remove();
	test_c_no_ctrl();
	test_d_ctrl_killed();
	test_e_bad_devargs();
	test_f_close_from_callback();
	test_g_surprise_remove();

	if (d_child > 0) {
		kill(d_child, SIGKILL);
		waitpid(d_child, NULL, 0);
	}
	close(d_cmd);
	close(d_report);
	CHECK(rte_mempool_in_use_count(test_pool) == 0);
	ret = test_eal_finish();
	if (ret == 0)
		printf("mailbox port tests passed\n");
	return ret;
}
