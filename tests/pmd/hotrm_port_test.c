/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Hot-remove versus service reset (issue 12, deliverable 4) on simulated
 * ports: a removal from the bus (RTE_DEV_EVENT_REMOVE, dispatched through
 * EAL on the interrupt thread, as EAL's uevent monitor does) and what the
 * control daemon says about it. One case per argument (tests/pmd/BUILD):
 *
 *   remove   without a control daemon: recovery=remove (the simulated
 *            bus reports the removal), and a removal of an idle port that
 *            never had a service event: ERR_RECOVERING, RECOVERY_FAILED,
 *            INTR_RMV, nothing re-probed, the port closable (also from its
 *            own INTR_RMV callback); time from the removal to INTR_RMV.
 *   service  with a control daemon (the test plays it on the mailbox) and
 *            recovery=rescan (PCI remove, then rescan): "service event"
 *            before the removal, and inside the verdict window after it:
 *            RECOVERY_SUCCESS; no word: REMOVED when rmv_wait_ms ends,
 *            before the device comes back. Hot-remove and service reset
 *            told apart by their events and xstats.
 *   unregister   review finding 6: a listener stopped from inside its own
 *            callback (on the interrupt thread, and on a thread of ours)
 *            does not wait there, is unregistered later from an EAL alarm
 *            and only then freed; a second dispatch runs nothing. Ports
 *            closed while another thread dispatches their device's events.
 *   monitor  review finding 7: the driver starts EAL's device event
 *            monitor itself with its first port (its uevent socket is
 *            open: counted in /proc), keeps it for the second, stops it
 *            with the last; a kernel-format uevent sent to that socket's
 *            group reaches the port, with no application call to
 *            rte_dev_event_monitor_start.
 *
 * How each was seen to fail on the flawed variants: see the functions.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include "pmd/mana.h"
#include "pmd/mana_devev.h"
#include "pmd/sim/mana_sim.h"
#include "proto/mbox.h"
#include "tests/lib/test_port.h"
#include "tests/lib/test_util.h"
#include "tests/lib/tsan_dpdk.h"
#include "tests/pmd/test_ctrl.h"

#if defined(__SANITIZE_THREAD__)
/* EAL's list of device event callbacks and its alarm list are under
 * rte_spinlocks (inline asm ThreadSanitizer does not see): an entry's
 * malloc / free against another thread's reads of it, all inside EAL (as
 * tests/lib/tsan.supp says for the alarms). Our own accesses are ordered
 * by the listener's lock and its release/acquire pair (pmd/mana_devev.c),
 * and the test's by bus_ev.ready.
 */
const char *__tsan_default_suppressions(void);
const char *
__tsan_default_suppressions(void)
{
	return TSAN_DPDK_SUPPRESSIONS
	       "race:rte_dev_event_callback_register\n"
	       "race:rte_dev_event_callback_unregister\n"
	       "race:rte_eal_alarm_set\n"
	       "race:rte_eal_alarm_cancel\n";
}
#endif

/* --- the application's side ------------------------------------------- */

/* When each port last got INTR_RMV (ns), and the one to close from it. */
static uint64_t t_rmv[RTE_MAX_ETHPORTS];
static int close_in_rmv = -1;
static int closed_in_rmv;
/* Port whose next ERR_RECOVERING takes its simulated hardware down. */
static int svc_in_callback = -1;

static void
on_event(uint16_t port, enum rte_eth_event_type type)
{
	if (type == RTE_ETH_EVENT_ERR_RECOVERING &&
	    __atomic_load_n(&svc_in_callback, __ATOMIC_ACQUIRE) == port) {
		__atomic_store_n(&svc_in_callback, -1, __ATOMIC_RELAXED);
		CHECK(mana_sim_service_event(mana_proc_of(port)->hwdev) == 0);
	}
	if (type != RTE_ETH_EVENT_INTR_RMV)
		return;
	__atomic_store_n(&t_rmv[port], test_now_ns(), __ATOMIC_RELEASE);
	/* On the reset thread: the port's close stops its listener there. */
	if (__atomic_load_n(&close_in_rmv, __ATOMIC_ACQUIRE) == port) {
		__atomic_store_n(&close_in_rmv, -1, __ATOMIC_RELAXED);
		CHECK(rte_eth_dev_stop(port) == 0);
		CHECK(rte_eth_dev_close(port) == 0);
		__atomic_store_n(&closed_in_rmv, 1, __ATOMIC_RELEASE);
	}
}

/* The application's own listener of a device's bus events: when the
 * removal was dispatched (registered before the port's, it runs first).
 */
static uint64_t t_bus_rm;
static unsigned int nb_bus_rm;

static void
app_dev_cb(const char *name, enum rte_dev_event_type type, void *arg)
{
	RTE_SET_USED(name);
	RTE_SET_USED(arg);
	if (type != RTE_DEV_EVENT_REMOVE)
		return;
	__atomic_store_n(&t_bus_rm, test_now_ns(), __ATOMIC_RELAXED);
	__atomic_fetch_add(&nb_bus_rm, 1, __ATOMIC_RELEASE);
}

/* Dispatch a bus event for a device from an EAL alarm: the interrupt
 * thread, where EAL's uevent monitor dispatches.
 */
struct bus_ev {
	char name[RTE_DEV_NAME_MAX_LEN];
	enum rte_dev_event_type type;
	uint32_t ready;     /* name and type written (EAL's alarm list hands
			     * e over under a lock ThreadSanitizer cannot see) */
	uint32_t done;
};

static void
bus_ev_alarm(void *arg)
{
	struct bus_ev *e = arg;

	/* Pairs with the release in bus_event. */
	if (!__atomic_load_n(&e->ready, __ATOMIC_ACQUIRE))
		return;
	rte_dev_event_callback_process(e->name, e->type);
	__atomic_store_n(&e->done, 1, __ATOMIC_RELEASE);
}

static bool
bus_event(const char *name, enum rte_dev_event_type type)
{
	struct bus_ev e = { .type = type };
	uint64_t end = test_now_ms() + 5000;

	snprintf(e.name, sizeof(e.name), "%s", name);
	__atomic_store_n(&e.ready, 1, __ATOMIC_RELEASE);
	if (rte_eal_alarm_set(1, bus_ev_alarm, &e) != 0)
		return false;
	while (!__atomic_load_n(&e.done, __ATOMIC_ACQUIRE) && test_now_ms() < end)
		usleep(200);
	/* e is on this stack: no alarm may run with it after we return. */
	rte_eal_alarm_cancel(bus_ev_alarm, &e);
	return __atomic_load_n(&e.done, __ATOMIC_ACQUIRE) != 0;
}

static uint64_t
devev_listeners(void)
{
	struct mana_devev_stats st;

	mana_devev_stats_get(&st);
	return st.listeners;
}

/* The listeners go back to n (a deferred release runs on an alarm). */
static bool
listeners_back_to(uint64_t n, unsigned int ms)
{
	uint64_t end = test_now_ms() + ms;

	while (devev_listeners() != n && test_now_ms() < end)
		usleep(500);
	return devev_listeners() == n;
}

/* --- remove ------------------------------------------------------------ */

/* The port ended removed and was never re-opened: one reset, its outcome
 * REMOVED, no re-probe phase, changes refused.
 */
static void
expect_removed(uint16_t port)
{
	CHECK(test_wait_events(port, RTE_ETH_EVENT_INTR_RMV, 1, 5000));
	usleep(20000);
	CHECK(test_events(port, RTE_ETH_EVENT_ERR_RECOVERING) == 1);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_FAILED) == 1);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	CHECK(test_events(port, RTE_ETH_EVENT_INTR_RMV) == 1);
	CHECK(test_xstat(port, "reset_removed") == 1);
	CHECK(test_xstat(port, "reset_bus_removals_final") == 1);
	CHECK(test_xstat(port, "reset_bus_removals_service") == 0);
	/* The new device was never opened. */
	CHECK(test_xstat(port, "reset_last_reprobe_us") == 0);
	CHECK(test_xstat(port, "reset_last_restore_us") == 0);
	CHECK(rte_eth_dev_set_mtu(port, 1400) == -EIO);
}

/*
 * recovery=remove: the simulated device is removed for good after its
 * service event; the simulated bus reports it. hw_poll_ms=60000: the
 * engine asks the device once when it starts waiting (down), so only the
 * removal event can end the wait in time (a probe would say GONE only at
 * the next poll, a minute later).
 */
static void
test_remove_after_service(void)
{
	const char *name = "net_mana_sim40";
	uint64_t t0, lat;
	uint16_t port;
	int p;

	/* Before the port's: ours runs first, when the removal comes. */
	__atomic_store_n(&nb_bus_rm, 0, __ATOMIC_RELAXED);
	CHECK(rte_dev_event_callback_register(name, app_dev_cb, NULL) == 0);
	p = test_port_up(name, "recovery=remove,recovery_ms=50,hw_poll_ms=60000", NULL);
	CHECK(p >= 0);
	if (p < 0)
		return;
	port = (uint16_t)p;
	t0 = test_now_ns();
	CHECK(mana_sim_service_event(mana_proc_of(port)->hwdev) == 0);
	expect_removed(port);
	CHECK(__atomic_load_n(&nb_bus_rm, __ATOMIC_ACQUIRE) == 1);
	lat = __atomic_load_n(&t_rmv[port], __ATOMIC_ACQUIRE) -
	      __atomic_load_n(&t_bus_rm, __ATOMIC_RELAXED);
	printf("remove: recovery=remove: INTR_RMV %.3f ms after the bus's removal (%.1f ms after the service event)\n",
	       lat / 1e6, (__atomic_load_n(&t_rmv[port], __ATOMIC_ACQUIRE) - t0) / 1e6);
	/* Well before the next poll: the removal ended it. */
	CHECK(lat < 1000000000ULL);
	CHECK(rte_dev_event_callback_unregister(name, app_dev_cb, NULL) == 1);
	test_port_down(name, port);
}

/*
 * A removal of a port that had no service event (a PCI function simply
 * pulled): no control daemon, so final at once. The device itself would
 * say it is fine: nothing asks it. Then the application closes the port
 * from its INTR_RMV callback (on the reset thread, which stops the port's
 * listener there).
 */
static void
test_remove_idle(void)
{
	const char *name = "net_mana_sim41";
	uint64_t base = devev_listeners(), end, lat;
	uint16_t port;
	int p;

	__atomic_store_n(&nb_bus_rm, 0, __ATOMIC_RELAXED);
	CHECK(rte_dev_event_callback_register(name, app_dev_cb, NULL) == 0);
	p = test_port_up(name, "hw_poll_ms=1", NULL);
	CHECK(p >= 0);
	if (p < 0)
		return;
	port = (uint16_t)p;
	CHECK(devev_listeners() == base + 1);
	__atomic_store_n(&close_in_rmv, port, __ATOMIC_RELEASE);
	CHECK(bus_event(name, RTE_DEV_EVENT_REMOVE));
	end = test_now_ms() + 5000;
	while (!__atomic_load_n(&closed_in_rmv, __ATOMIC_ACQUIRE) && test_now_ms() < end)
		usleep(500);
	CHECK(__atomic_load_n(&closed_in_rmv, __ATOMIC_ACQUIRE));
	__atomic_store_n(&closed_in_rmv, 0, __ATOMIC_RELAXED);
	CHECK(test_events(port, RTE_ETH_EVENT_ERR_RECOVERING) == 1);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_FAILED) == 1);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	CHECK(test_events(port, RTE_ETH_EVENT_INTR_RMV) == 1);
	lat = __atomic_load_n(&t_rmv[port], __ATOMIC_ACQUIRE) -
	      __atomic_load_n(&t_bus_rm, __ATOMIC_RELAXED);
	printf("remove: idle port: INTR_RMV %.3f ms after the bus's removal; closed from its INTR_RMV callback\n",
	       lat / 1e6);
	CHECK(rte_vdev_uninit(name) == 0);
	while (test_thread_count_named("mana-rst") != 0 && test_now_ms() < end)
		usleep(1000);
	CHECK(test_thread_count_named("mana-rst") == 0);
	CHECK(listeners_back_to(base, 2000));
	/* The port's listener is gone: a second removal reaches only ours. */
	CHECK(bus_event(name, RTE_DEV_EVENT_REMOVE));
	CHECK(__atomic_load_n(&nb_bus_rm, __ATOMIC_ACQUIRE) == 2);
	CHECK(rte_dev_event_callback_unregister(name, app_dev_cb, NULL) == 1);
}

static void
case_remove(void)
{
	test_remove_after_service();
	test_remove_idle();
}

/* --- service: the test as the control daemon --------------------------- */

static int
ctrl_add(struct mbox *mb, const char *ident)
{
	struct mbox_ident id;

	memset(&id, 0, sizeof(id));
	snprintf(id.pci, sizeof(id.pci), "%s", ident);
	snprintf(id.ibdev, sizeof(id.ibdev), "mana_0");
	id.gen = 1;
	return mbox_port_add(mb, &id);
}

/* Run the daemon's loop for ms (events from the port are dropped). */
static void
ctrl_pump(struct mbox *mb, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;
	struct pollfd pfd = { .fd = mbox_fd(mb), .events = POLLIN };
	struct mbox_event ev;

	do {
		while (mbox_next(mb, &ev) == 1)
			;
		poll(&pfd, 1, 5);
	} while (test_now_ms() < end);
}

static bool
ctrl_wait_owner(struct mbox *mb, int p, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;
	struct mbox_port pt;

	while (test_now_ms() < end) {
		ctrl_pump(mb, 10);
		if (mbox_port_read(mb, (unsigned int)p, &pt) == 0 && pt.owner != 0 &&
		    pt.owner_live)
			return true;
	}
	return false;
}

static int
ctrl_svc_start(struct mbox *mb, int p)
{
	struct mbox_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = MBOX_EV_SVC_START;
	ev.port = (uint16_t)p;
	ev.u.svc.source = MBOX_SRC_DEVLINK;
	ev.u.svc.reason = 1;
	return mbox_post(mb, &ev);
}

/* Wait for n events of type on port, running the daemon's loop. */
static bool
ctrl_wait_events(struct mbox *mb, uint16_t port, enum rte_eth_event_type type, uint64_t n,
		 int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;

	while (test_events(port, type) < n && test_now_ms() < end)
		ctrl_pump(mb, 2);
	return test_events(port, type) >= n;
}

/*
 * With the daemon: recovery=rescan removes the device from the bus 1 ms
 * after its service event and brings it back after recovery_ms.
 *   1. "service event" first (the daemon saw devlink's event): the removal
 *      that follows is part of it: RECOVERY_SUCCESS.
 *   2. The removal first, the word 100 ms later, inside rmv_wait_ms=2000:
 *      RECOVERY_SUCCESS; the device was back before the word (recovery_ms
 *      50) and was not re-opened until the word came.
 *   3. A port with rmv_wait_ms=150 and a silent daemon: the removal is
 *      final at 150 ms, before its device comes back (recovery_ms=600).
 * Seen failing (then reverted) with the verdict window ignored by the
 * engine (a READY device re-probed while the verdict was pending): case 2
 * recovered before the word came (a re-probe of a device nobody had yet
 * called in service), and its removal got no verdict.
 */
static void
case_service(void)
{
	const char *n1 = "net_mana_sim50", *n2 = "net_mana_sim52";
	uint64_t t_word, t_rm, t_ok;
	struct mbox *mb;
	uint16_t p1, p2;
	int m1, m2, r;

	mb = test_ctrl_open("hotrm.seg", "hotrm.sock");
	CHECK(mb != NULL);
	if (mb == NULL)
		return;
	m1 = ctrl_add(mb, "hotrm-1");
	m2 = ctrl_add(mb, "hotrm-2");
	CHECK(m1 >= 0 && m2 >= 0);
	r = test_port_up(n1, "recovery=rescan,recovery_ms=50,rmv_wait_ms=2000,mbox=hotrm.sock,mbox_port=hotrm-1",
			 NULL);
	CHECK(r >= 0);
	if (r < 0)
		goto out;
	p1 = (uint16_t)r;
	CHECK(ctrl_wait_owner(mb, m1, 3000));

	/* 1. The word first; the hardware goes down (and off the bus) when
	 * the reset begins.
	 */
	__atomic_store_n(&svc_in_callback, p1, __ATOMIC_RELEASE);
	CHECK(ctrl_svc_start(mb, m1) == 0);
	CHECK(ctrl_wait_events(mb, p1, RTE_ETH_EVENT_RECOVERY_SUCCESS, 1, 5000));
	CHECK(test_xstat(p1, "reset_bus_removals_service") == 1);
	CHECK(test_xstat(p1, "reset_bus_removals_final") == 0);
	CHECK(test_events(p1, RTE_ETH_EVENT_RECOVERY_FAILED) == 0);
	CHECK(test_events(p1, RTE_ETH_EVENT_INTR_RMV) == 0);
	printf("service: the word before the removal: recovered in %.1f ms\n",
	       test_xstat(p1, "reset_last_total_us") / 1e3);

	/* 2. The removal first (the DEVICE_FATAL too), the word 100 ms on. */
	__atomic_store_n(&nb_bus_rm, 0, __ATOMIC_RELAXED);
	CHECK(rte_dev_event_callback_register(n1, app_dev_cb, NULL) == 0);
	CHECK(mana_sim_service_event(mana_proc_of(p1)->hwdev) == 0);
	while (__atomic_load_n(&nb_bus_rm, __ATOMIC_ACQUIRE) == 0)
		ctrl_pump(mb, 1);
	t_rm = __atomic_load_n(&t_bus_rm, __ATOMIC_RELAXED);
	ctrl_pump(mb, 100);
	/* The device is back (50 ms), but the port waits for the verdict. */
	CHECK(test_events(p1, RTE_ETH_EVENT_ERR_RECOVERING) == 2);
	CHECK(test_events(p1, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 1);
	t_word = test_now_ns();
	CHECK(ctrl_svc_start(mb, m1) == 0);
	CHECK(ctrl_wait_events(mb, p1, RTE_ETH_EVENT_RECOVERY_SUCCESS, 2, 5000));
	t_ok = test_now_ns();
	CHECK(test_xstat(p1, "reset_bus_removals_service") == 2);
	CHECK(test_xstat(p1, "reset_bus_removals_final") == 0);
	CHECK(test_events(p1, RTE_ETH_EVENT_INTR_RMV) == 0);
	printf("service: the word %.1f ms after the removal (window 2000 ms): recovered %.1f ms after the word\n",
	       (t_word - t_rm) / 1e6, (t_ok - t_word) / 1e6);
	CHECK(rte_dev_event_callback_unregister(n1, app_dev_cb, NULL) == 1);
	test_port_down(n1, p1);

	/* 3. No word: final when the window ends. */
	__atomic_store_n(&nb_bus_rm, 0, __ATOMIC_RELAXED);
	CHECK(rte_dev_event_callback_register(n2, app_dev_cb, NULL) == 0);
	r = test_port_up(n2, "recovery=rescan,recovery_ms=600,rmv_wait_ms=150,mbox=hotrm.sock,mbox_port=hotrm-2",
			 NULL);
	CHECK(r >= 0);
	if (r < 0)
		goto out;
	p2 = (uint16_t)r;
	CHECK(ctrl_wait_owner(mb, m2, 3000));
	CHECK(mana_sim_service_event(mana_proc_of(p2)->hwdev) == 0);
	CHECK(ctrl_wait_events(mb, p2, RTE_ETH_EVENT_INTR_RMV, 1, 5000));
	t_rm = __atomic_load_n(&t_bus_rm, __ATOMIC_RELAXED);
	printf("service: no word: INTR_RMV %.1f ms after the removal (rmv_wait_ms 150, device back at 600)\n",
	       (__atomic_load_n(&t_rmv[p2], __ATOMIC_ACQUIRE) - t_rm) / 1e6);
	CHECK(__atomic_load_n(&t_rmv[p2], __ATOMIC_ACQUIRE) - t_rm >= 150000000ULL);
	CHECK(__atomic_load_n(&t_rmv[p2], __ATOMIC_ACQUIRE) - t_rm < 590000000ULL);
	expect_removed(p2);
	/* The word after the verdict changes nothing. */
	CHECK(ctrl_svc_start(mb, m2) == 0);
	ctrl_pump(mb, 700);
	CHECK(test_events(p2, RTE_ETH_EVENT_ERR_RECOVERING) == 1);
	CHECK(test_events(p2, RTE_ETH_EVENT_RECOVERY_SUCCESS) == 0);
	CHECK(rte_dev_event_callback_unregister(n2, app_dev_cb, NULL) == 1);
	test_port_down(n2, p2);
out:
	ctrl_pump(mb, 50);
	mbox_close(mb);
}

/* --- unregister (review finding 6) ------------------------------------- */

struct selfstop {
	struct mana_devev *t;
	unsigned int calls;       /* handler runs (atomic) */
	uint64_t stop_ns;         /* how long the stop inside took */
};

/* The listener's handler stops its own listener, as a port closed from
 * inside the dispatch would.
 */
static void
selfstop_handler(void *arg)
{
	struct selfstop *s = arg;
	uint64_t t0 = test_now_ns();

	__atomic_fetch_add(&s->calls, 1, __ATOMIC_RELAXED);
	mana_devev_stop(s->t);
	s->stop_ns = test_now_ns() - t0;
}

static void
dispatch_here(void *arg)
{
	rte_dev_event_callback_process(arg, RTE_DEV_EVENT_REMOVE);
}

/* A listener that stops itself from its callback, dispatched on the
 * interrupt thread (from_intr) or on this thread.
 */
static void
selfstop_once(bool from_intr)
{
	static const char name[] = "hotrm_selfstop_dev";
	struct mana_devev_stats st0, st1;
	struct selfstop s = { .t = NULL };
	uint64_t base = devev_listeners();

	mana_devev_stats_get(&st0);
	CHECK(mana_devev_start(name, selfstop_handler, &s, &s.t) == 0);
	if (from_intr)
		CHECK(bus_event(name, RTE_DEV_EVENT_REMOVE));
	else
		dispatch_here((void *)(uintptr_t)name);
	CHECK(__atomic_load_n(&s.calls, __ATOMIC_RELAXED) == 1);
	/* It did not wait for itself. */
	CHECK(s.stop_ns < 20000000ULL);
	mana_devev_stats_get(&st1);
	CHECK(st1.deferred == st0.deferred + 1);
	/* Freed by the alarm once its unregister succeeded. */
	CHECK(listeners_back_to(base, 2000));
	mana_devev_stats_get(&st1);
	CHECK(st1.released == st0.released + 1);
	/* Unregistered: a second removal runs nothing (ASan: nothing freed
	 * is touched).
	 */
	CHECK(bus_event(name, RTE_DEV_EVENT_REMOVE));
	dispatch_here((void *)(uintptr_t)name);
	CHECK(__atomic_load_n(&s.calls, __ATOMIC_RELAXED) == 1);
	printf("unregister: stopped from its own callback (%s): stop took %.3f ms, deferred to an alarm, freed after\n",
	       from_intr ? "interrupt thread" : "a thread of ours", s.stop_ns / 1e6);
}

struct dispatcher {
	char name[RTE_DEV_NAME_MAX_LEN];
	uint32_t stop;
	uint64_t n;
};

static void *
dispatcher_main(void *arg)
{
	struct dispatcher *d = arg;

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		rte_dev_event_callback_process(d->name, RTE_DEV_EVENT_ADD);
		d->n++;
	}
	return NULL;
}

/*
 * Review finding 6: the reviewed patch discarded the unregister's return
 * and freed what the callback uses, under it. Here a listener is stopped
 * from inside its own callback, which EAL refuses with -EAGAIN until the
 * dispatch returns: the stop must neither wait there (a hang: the callback
 * cannot return) nor free the token (the callback goes on using it, and it
 * stays registered for the next dispatch).
 *
 * Seen failing (then reverted) with mana_devev_stop discarding the return
 * (unregister, then free at once): under ASan a heap-use-after-free in
 * devev_cb right after the handler returned (the token's lock); in the
 * default build the second dispatch called the freed listener again.
 *
 * Then ports closed while a thread of ours dispatches their device's
 * events (ADD: the port's callback runs and ignores it): the close meets
 * -EAGAIN on a thread that is not the callback's and retries (bounded);
 * every listener is released, nothing hangs.
 */
static void
case_unregister(void)
{
	const char *name = "net_mana_sim60";
	struct mana_devev_stats st0, st1;
	struct dispatcher d;
	uint64_t base;
	unsigned int i;
	pthread_t t;
	int p;

	selfstop_once(true);
	selfstop_once(false);

	base = devev_listeners();
	mana_devev_stats_get(&st0);
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	for (i = 0; i < 30; i++) {
		p = test_port_up(name, "", NULL);
		CHECK(p >= 0);
		if (p < 0)
			break;
		__atomic_store_n(&d.stop, 0, __ATOMIC_RELAXED);
		CHECK(pthread_create(&t, NULL, dispatcher_main, &d) == 0);
		usleep(200);
		test_port_down(name, (uint16_t)p);
		__atomic_store_n(&d.stop, 1, __ATOMIC_RELEASE);
		pthread_join(t, NULL);
		CHECK(listeners_back_to(base, 2000));
		if (test_failures != 0)
			break;
	}
	mana_devev_stats_get(&st1);
	printf("unregister: 30 ports closed under %" PRIu64 " dispatches of their device's events: all listeners released (unregister busy %" PRIu64 " times, retried; %" PRIu64 " deferred to an alarm)\n",
	       d.n, st1.busy - st0.busy, st1.deferred - st0.deferred);
	CHECK(st1.released - st0.released == 30);
}

/* --- monitor (review finding 7) ---------------------------------------- */

/* Open NETLINK_KOBJECT_UEVENT sockets of this process: the monitor's. */
static int
uevent_sockets(void)
{
	unsigned long inodes[256], ino;
	unsigned int nb = 0, i;
	char path[300], link[64], line[512];
	struct dirent *e;
	int n = 0, eth;
	DIR *dir;
	FILE *f;

	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL && nb < RTE_DIM(inodes)) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) == 1)
			inodes[nb++] = ino;
	}
	closedir(dir);
	f = fopen("/proc/net/netlink", "r");
	if (f == NULL)
		return -1;
	/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%*s %d %*s %*s %*s %*s %*s %*s %*s %lu", &eth, &ino) != 2 ||
		    eth != NETLINK_KOBJECT_UEVENT)
			continue;
		for (i = 0; i < nb; i++)
			n += inodes[i] == ino;
	}
	fclose(f);
	return n;
}

static bool
monitor_stopped(unsigned int ms)
{
	uint64_t end = test_now_ms() + ms;
	struct mana_devev_stats st;

	do {
		mana_devev_stats_get(&st);
		if (!st.monitor_held)
			return true;
		usleep(500);
	} while (test_now_ms() < end);
	return false;
}

/* Send a kernel-format uevent (as the kernel multicasts one when a PCI
 * function goes away) naming the device: 0, or -errno (a sandbox may not
 * allow sending to the uevent group).
 */
static int
uevent_send_remove(const char *name)
{
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = 1 };
	struct sockaddr_nl src = { .nl_family = AF_NETLINK };
	char msg[512];
	int fd, len, ret = 0;

	len = snprintf(msg, sizeof(msg),
		       "remove@/devices/virtual/mana_hotrm/%s%cACTION=remove%cDEVPATH=/devices/virtual/mana_hotrm/%s%cSUBSYSTEM=pci%cPCI_SLOT_NAME=%s%cSEQNUM=1",
		       name, 0, 0, name, 0, 0, name, 0);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
	    sendto(fd, msg, (size_t)len + 1, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Review finding 7: the reviewed patch registered a device event callback
 * but nobody started EAL's monitor, so no uevent ever reached it. Here no
 * call of the application's starts it: the driver does with its first
 * port (one uevent socket open in this process), keeps it for the second,
 * and stops it with the last (no socket left). A kernel-format removal
 * uevent for the second port's device, sent to the uevent group, reaches
 * that port through the monitor: INTR_RMV. (That is the whole path of a
 * real PCI removal from the kernel's socket on; the kernel's side, a
 * function leaving the bus, cannot be had here.)
 *
 * Seen failing (then reverted) with the monitor start removed from
 * mana_devev: no uevent socket, and the uevent never reached the port.
 */
static void
case_monitor(void)
{
	char n1[32], n2[32];
	struct mana_devev_stats st0, st;
	uint16_t p1, p2;
	int r, socks0, ret;

	/* Names no other process's listener has (uevents reach them all). */
	snprintf(n1, sizeof(n1), "net_mana_sim%d", 70000 + (int)getpid() % 10000 * 2);
	snprintf(n2, sizeof(n2), "net_mana_sim%d", 70001 + (int)getpid() % 10000 * 2);
	CHECK(monitor_stopped(2000));
	mana_devev_stats_get(&st0);
	CHECK(st0.listeners == 0 && !st0.monitor_held);
	/* Counts relative to st0: other cases may have run before. */
	socks0 = uevent_sockets();
	CHECK(socks0 == 0);
	r = test_port_up(n1, "", NULL);
	CHECK(r >= 0);
	if (r < 0)
		return;
	p1 = (uint16_t)r;
	mana_devev_stats_get(&st);
	CHECK(st.monitor_starts - st0.monitor_starts +
	      st.monitor_start_errors - st0.monitor_start_errors == 1);
	if (st.monitor_start_errors != st0.monitor_start_errors) {
		printf("monitor: EAL's device event monitor cannot start here (no uevent socket): the driver tried once and logged it; nothing more to check\n");
		test_port_down(n1, p1);
		return;
	}
	CHECK(st.monitor_held && uevent_sockets() == 1);
	r = test_port_up(n2, "hw_poll_ms=1", NULL);
	CHECK(r >= 0);
	if (r < 0) {
		test_port_down(n1, p1);
		return;
	}
	p2 = (uint16_t)r;
	mana_devev_stats_get(&st);
	CHECK(st.monitor_starts - st0.monitor_starts == 1 && st.listeners == 2 &&
	      uevent_sockets() == 1);
	/* The first port goes: the monitor stays for the second. */
	test_port_down(n1, p1);
	mana_devev_stats_get(&st);
	CHECK(st.monitor_held && st.monitor_stops == st0.monitor_stops && uevent_sockets() == 1);
	/* A removal through the kernel's uevent socket. */
	ret = uevent_send_remove(n2);
	if (ret != 0) {
		printf("monitor: cannot send a uevent here (%s): the monitor's socket is open, which is as far as this test goes\n",
		       strerror(-ret));
	} else {
		CHECK(test_wait_events(p2, RTE_ETH_EVENT_INTR_RMV, 1, 5000));
		CHECK(test_xstat(p2, "reset_bus_removals_final") == 1);
		printf("monitor: a kernel-format removal uevent reached the port through the driver's monitor: INTR_RMV\n");
	}
	test_port_down(n2, p2);
	/* Stopped by an alarm right after the last listener went. */
	CHECK(monitor_stopped(2000));
	mana_devev_stats_get(&st);
	CHECK(st.listeners == 0 && !st.monitor_held && st.monitor_stops - st0.monitor_stops == 1);
	CHECK(uevent_sockets() == 0);
	/* Nobody listens any more: a uevent now is no one's. */
	if (ret == 0)
		CHECK(uevent_send_remove(n2) == 0);
	usleep(20000);
	printf("monitor: started once for two ports, stopped with the last (uevent sockets %d -> 1 -> 0)\n",
	       socks0);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} cases[] = {
		{ "remove", case_remove },
		{ "service", case_service },
		{ "unregister", case_unregister },
		{ "monitor", case_monitor },
	};
	const struct test_eal_opts eo = {
		.name = "hotrm", .nb_mbufs = 2047, .no_shconf = true,
		.log_levels = "pmd.net.mana.*:notice lib.eal:critical lib.ethdev:critical",
	};
	const char *only = argc > 1 ? argv[1] : NULL;
	const char *base = getenv("TEST_TMPDIR");
	char dir[4096];
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(cases); i++)
		if (only == NULL || strcmp(only, cases[i].name) == 0)
			break;
	if (i == RTE_DIM(cases)) {
		fprintf(stderr, "usage: %s [remove|service|unregister|monitor]\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/hotrmXXXXXX", base != NULL ? base : "/tmp");
	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		perror(dir);
		return 1;
	}
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	__atomic_store_n(&test_event_hook, on_event, __ATOMIC_RELEASE);
	for (i = 0; i < RTE_DIM(cases); i++)
		if (only == NULL || strcmp(only, cases[i].name) == 0)
			cases[i].fn();
	/* Every listener released (deferred ones by their alarm). */
	CHECK(listeners_back_to(0, 2000));
	CHECK(rte_mempool_in_use_count(test_pool) == 0);
	ret = test_eal_finish();
	if (ret == 0)
		printf("hot-remove tests passed\n");
	return ret;
}
