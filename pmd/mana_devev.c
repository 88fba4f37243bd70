/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The bus's device events for a port (mana_devev.h): EAL's device event
 * monitor, counted across listeners, and each listener's token, which
 * outlives its port until its unregister succeeded. Calls only EAL.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_alarm.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_interrupts.h>

#include "mana_devev.h"
#include "mana_log.h"

/* A stop on a control thread retries a busy unregister this often, this
 * many times (the callback only hands an event to the engine), then hands
 * it to an alarm.
 */
#define DEVEV_RETRY_NS    100000L
#define DEVEV_RETRIES     2000u
/* The alarm's period while the unregister (or the monitor's stop) stays
 * busy; it gives up on the monitor after this many tries (logged).
 */
#define DEVEV_ALARM_US    1000u
#define DEVEV_MONITOR_TRIES 1000u

struct mana_devev {
	/* Recursive: mana_devev_stop may run inside on_remove, which the
	 * callback calls with it held.
	 */
	pthread_mutex_t lock;
	/* Under lock. */
	bool stopped;
	bool in_cb;                  /* the callback is inside on_remove ... */
	pthread_t cb_thread;         /* ... on this thread */
	mana_devev_fn on_remove;
	void *arg;
	/* Atomic: callback runs, each ended with a release (its last access). */
	uint32_t runs;
	char name[];                 /* the device name registered */
};

/* The process's monitor and listeners. */
static pthread_mutex_t devev_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mana_devev_stats devev_st;     /* under devev_mu */
static bool devev_start_logged;              /* under devev_mu */
static unsigned int devev_monitor_tries;     /* under devev_mu */
static bool devev_stop_pending;              /* under devev_mu: the alarm is set */

static bool
devev_on_intr_thread(void)
{
	return rte_thread_is_intr() != 0;
}

/* A listener comes: the first one starts the monitor. */
static void
devev_monitor_get(void)
{
	int ret;

	pthread_mutex_lock(&devev_mu);
	devev_st.listeners++;
	if (!devev_st.monitor_held) {
		ret = rte_dev_event_monitor_start();
		if (ret == 0) {
			devev_st.monitor_held = true;
			devev_st.monitor_starts++;
		} else {
			devev_st.monitor_start_errors++;
			/* EAL says why on its own lines; this says what it means. */
			if (!devev_start_logged)
				MANA_DRV_LOG(WARNING, "the device event monitor cannot start (kernel uevent socket); PCI removals reach ports only through the control daemon");
			devev_start_logged = true;
		}
	}
	pthread_mutex_unlock(&devev_mu);
}

static void devev_monitor_alarm(void *arg);

/* Stop the monitor if no listener is left: on the interrupt thread, from
 * an alarm (devev_monitor_put). devev_mu held. A stop EAL refuses (its
 * uevent handler runs right now) is retried from another alarm.
 */
static void
devev_monitor_stop_locked(void)
{
	int ret;

	if (devev_st.listeners != 0 || !devev_st.monitor_held)
		return;
	ret = rte_dev_event_monitor_stop();
	if (ret == 0) {
		devev_st.monitor_held = false;
		devev_st.monitor_stops++;
		devev_monitor_tries = 0;
		return;
	}
	if (++devev_monitor_tries > DEVEV_MONITOR_TRIES) {
		MANA_DRV_LOG(ERR, "cannot stop the device event monitor: %s; leaving it running",
			     rte_strerror(-ret));
		devev_st.monitor_held = false;
		return;
	}
	if (rte_eal_alarm_set(DEVEV_ALARM_US, devev_monitor_alarm, NULL) == 0)
		devev_stop_pending = true;
	else
		MANA_DRV_LOG(ERR, "cannot schedule the device event monitor's stop; leaving it running");
}

static void
devev_monitor_alarm(void *arg)
{
	RTE_SET_USED(arg);
	pthread_mutex_lock(&devev_mu);
	devev_stop_pending = false;
	devev_monitor_stop_locked();
	pthread_mutex_unlock(&devev_mu);
}

/* A listener is gone; with the last, the monitor stops: from an alarm, so
 * that no close waits for EAL's teardown of it (its interrupt source; and
 * a first ThreadSanitizer report there, suppressed, cost a close 150 to
 * 900 ms of symbolization), and no dispatch on the interrupt thread is
 * running when it does. A port probed meanwhile keeps it. devev_mu held.
 */
static void
devev_monitor_put_locked(void)
{
	devev_st.listeners--;
	if (devev_st.listeners != 0 || !devev_st.monitor_held || devev_stop_pending)
		return;
	if (rte_eal_alarm_set(DEVEV_ALARM_US, devev_monitor_alarm, NULL) == 0)
		devev_stop_pending = true;
	else
		devev_monitor_stop_locked();
}

static void
devev_cb(const char *name, enum rte_dev_event_type type, void *arg)
{
	struct mana_devev *t = arg;

	RTE_SET_USED(name);
	if (type == RTE_DEV_EVENT_REMOVE) {
		pthread_mutex_lock(&t->lock);
		if (!t->stopped) {
			t->in_cb = true;
			t->cb_thread = pthread_self();
			t->on_remove(t->arg);
			t->in_cb = false;
			pthread_mutex_lock(&devev_mu);
			devev_st.removals++;
			pthread_mutex_unlock(&devev_mu);
		}
		pthread_mutex_unlock(&t->lock);
	}
	/* Our last access to t. Pairs with the acquire in devev_release: EAL
	 * orders it before a successful unregister with a lock of its own,
	 * which ThreadSanitizer does not see.
	 */
	__atomic_fetch_add(&t->runs, 1, __ATOMIC_RELEASE);
}

/* The unregister succeeded (ret >= 0, or -ENOENT: never registered): no
 * callback runs or will run with t. Free it, release the monitor.
 */
static void
devev_release(struct mana_devev *t, int ret)
{
	if (ret < 0 && ret != -ENOENT)
		MANA_DRV_LOG(ERR, "%s: device events: unregister: %s", t->name,
			     rte_strerror(-ret));
	(void)__atomic_load_n(&t->runs, __ATOMIC_ACQUIRE);
	/* Orders the stopping thread's last accesses before the free. */
	pthread_mutex_lock(&t->lock);
	pthread_mutex_unlock(&t->lock);
	pthread_mutex_destroy(&t->lock);
	free(t);
	pthread_mutex_lock(&devev_mu);
	devev_st.released++;
	devev_monitor_put_locked();
	pthread_mutex_unlock(&devev_mu);
}

/* On the interrupt thread, after the dispatch that refused the unregister
 * returned; again while another thread dispatches to t.
 */
static void
devev_unregister_alarm(void *arg)
{
	struct mana_devev *t = arg;
	int ret = rte_dev_event_callback_unregister(t->name, devev_cb, t);

	if (ret == -EAGAIN) {
		if (rte_eal_alarm_set(DEVEV_ALARM_US, devev_unregister_alarm, t) != 0)
			MANA_DRV_LOG(ERR, "%s: cannot schedule the device events' unregister: leaking its listener rather than freeing it under its callback",
				     t->name);
		return;
	}
	devev_release(t, ret);
}

int
mana_devev_start(const char *dev_name, mana_devev_fn on_remove, void *arg,
		 struct mana_devev **out)
{
	pthread_mutexattr_t ma;
	struct mana_devev *t;
	size_t len;
	int ret;

	if (dev_name == NULL || dev_name[0] == '\0' || on_remove == NULL || out == NULL) {
		MANA_DRV_LOG(ERR, "device events: no device name or handler");
		return -EINVAL;
	}
	len = strlen(dev_name) + 1;
	t = calloc(1, sizeof(*t) + len);
	if (t == NULL) {
		MANA_DRV_LOG(ERR, "%s: device events: no memory", dev_name);
		return -ENOMEM;
	}
	memcpy(t->name, dev_name, len);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	ret = -pthread_mutex_init(&t->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	if (ret != 0) {
		MANA_DRV_LOG(ERR, "%s: device events: mutex: %s", dev_name, rte_strerror(-ret));
		free(t);
		return ret;
	}
	/* Under the lock, so the callback's lock orders these before it. */
	pthread_mutex_lock(&t->lock);
	t->on_remove = on_remove;
	t->arg = arg;
	pthread_mutex_unlock(&t->lock);
	devev_monitor_get();
	ret = rte_dev_event_callback_register(dev_name, devev_cb, t);
	if (ret != 0) {
		MANA_DRV_LOG(ERR, "%s: cannot listen to the bus's device events: %s", dev_name,
			     rte_strerror(-ret));
		/* Not registered: nothing can be running with it. */
		devev_release(t, -ENOENT);
		return ret;
	}
	*out = t;
	return 0;
}

void
mana_devev_stop(struct mana_devev *t)
{
	struct timespec ts = { 0, DEVEV_RETRY_NS };
	unsigned int i;
	bool inside;
	int ret;

	if (t == NULL)
		return;
	/* Waits for a callback inside on_remove on another thread (short);
	 * from inside on_remove itself, the lock is ours already.
	 */
	pthread_mutex_lock(&t->lock);
	t->stopped = true;
	inside = t->in_cb && pthread_equal(t->cb_thread, pthread_self());
	pthread_mutex_unlock(&t->lock);

	/* Inside our own callback EAL says -EAGAIN (and must: t is in use
	 * down the stack): go straight to the alarm.
	 */
	ret = inside ? -EAGAIN : rte_dev_event_callback_unregister(t->name, devev_cb, t);
	if (ret == -EAGAIN) {
		pthread_mutex_lock(&devev_mu);
		devev_st.busy++;
		pthread_mutex_unlock(&devev_mu);
	}
	/* -EAGAIN: the callback runs right now on another thread. Never wait
	 * for it on the interrupt thread (nor, above, on its own).
	 */
	for (i = 0; ret == -EAGAIN && !inside && !devev_on_intr_thread() && i < DEVEV_RETRIES;
	     i++) {
		nanosleep(&ts, NULL);
		ret = rte_dev_event_callback_unregister(t->name, devev_cb, t);
	}
	if (ret != -EAGAIN) {
		devev_release(t, ret);
		return;
	}
	pthread_mutex_lock(&devev_mu);
	devev_st.deferred++;
	pthread_mutex_unlock(&devev_mu);
	if (rte_eal_alarm_set(DEVEV_ALARM_US, devev_unregister_alarm, t) != 0)
		MANA_DRV_LOG(ERR, "%s: cannot schedule the device events' unregister: leaking its listener rather than freeing it under its callback",
			     t->name);
}

void
mana_devev_stats_get(struct mana_devev_stats *st)
{
	pthread_mutex_lock(&devev_mu);
	*st = devev_st;
	pthread_mutex_unlock(&devev_mu);
}
