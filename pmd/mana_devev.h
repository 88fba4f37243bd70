/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_DEVEV_H
#define MANA_DEVEV_H

/*
 * The bus's device events for a port: EAL's device event monitor (the
 * kernel's uevents; RTE_DEV_EVENT_REMOVE when a PCI function goes away),
 * which the driver starts itself, and one listener per port.
 *
 * The monitor: rte_dev_event_monitor_start with the first listener,
 * rte_dev_event_monitor_stop after the last one's release, from an EAL
 * alarm (no close waits for EAL's teardown; a port probed meanwhile keeps
 * it) (a count under a process-local mutex; EAL counts its own users too,
 * so an application that starts the monitor as well keeps it). No application has to start it
 * (review finding 7: a listener nobody's monitor feeds). Where the monitor
 * cannot start (no NETLINK_KOBJECT_UEVENT socket: a sandbox), one line says
 * so and listeners still get the events dispatched to them
 * (rte_dev_event_callback_process: the simulator's removals).
 *
 * A listener: rte_dev_event_callback_register(device name, cb, token),
 * where the token is a small heap object of its own, not the port's. The
 * callback runs on the thread that dispatches (the EAL interrupt thread:
 * the monitor's uevent handler, EAL alarms); it calls on_remove for
 * RTE_DEV_EVENT_REMOVE under the token's lock, unless the listener was
 * stopped, and returns; on_remove must not block.
 *
 * mana_devev_stop marks the token stopped under its lock (a callback inside
 * on_remove finishes first: after stop returns, on_remove is never called
 * again, and the caller may free what arg points to), then unregisters.
 * rte_dev_event_callback_unregister says -EAGAIN while the callback runs;
 * stop never discards that (review finding 6: the token would be freed
 * under a running callback, and stay registered): inside the callback
 * itself, or on the interrupt thread, it never waits there but hands the
 * unregister to an EAL alarm (which runs on the interrupt thread after the
 * dispatch returned), retrying until it succeeds; on another thread it
 * retries with short sleeps (bounded, then the alarm). The token is freed,
 * and the monitor released, only after the unregister succeeded.
 *
 * Ownership: the caller owns the listener until mana_devev_stop, which
 * takes it (freed now or later). Threads: start and stop from control
 * threads, the reset thread, or from inside on_remove itself; stats from
 * any thread. Locking: the token's lock (recursive: stop may run inside
 * on_remove), then the engine's (on_remove's own); the monitor's count
 * under its own mutex, taken with no token lock held.
 */
#include <stdbool.h>
#include <stdint.h>

struct mana_devev;

/* Called for each removal of the device; must not block. */
typedef void (*mana_devev_fn)(void *arg);

/* Listen to dev_name's bus events: on_remove(arg) on each removal. 0 and
 * *out, or a negative errno after one log line (-EINVAL: no name or
 * function; -ENOMEM; the register's error). The monitor not starting is
 * not an error (logged once).
 */
int mana_devev_start(const char *dev_name, mana_devev_fn on_remove, void *arg,
		     struct mana_devev **out);

/* Stop listening (NULL: no-op): on_remove is not called after this
 * returns; the token goes when its unregister succeeded (now, or from an
 * EAL alarm). Never waits for the interrupt thread on the interrupt thread.
 */
void mana_devev_stop(struct mana_devev *t);

/* The process's listeners and monitor, for logs and tests. */
struct mana_devev_stats {
	unsigned int listeners;       /* tokens not yet released */
	bool monitor_held;            /* the driver holds a monitor reference
				       * (until the alarm after the last
				       * listener stopped it) */
	uint64_t monitor_starts;      /* rte_dev_event_monitor_start that worked */
	uint64_t monitor_start_errors;
	uint64_t monitor_stops;       /* rte_dev_event_monitor_stop that worked */
	uint64_t removals;            /* RTE_DEV_EVENT_REMOVE handed to on_remove */
	uint64_t busy;                /* unregisters EAL refused (-EAGAIN) */
	uint64_t deferred;            /* unregisters handed to an EAL alarm */
	uint64_t released;            /* tokens unregistered and freed */
};

void mana_devev_stats_get(struct mana_devev_stats *st);

#endif /* MANA_DEVEV_H */
