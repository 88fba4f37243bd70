/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_TRACKER_H
#define MANA_CTRL_TRACKER_H

/*
 * The per-device service-event tracker: a plain state machine fed with what
 * the kernel said (device seen, device lost, reporter error / healthy, a dump
 * snapshot) and the monotonic time, emitting through a ctrl_sink:
 *
 *   PRESENT --lost / reporter error--> IN_SERVICE --seen / healthy--> PRESENT
 *                                          |  (emit HW_BACK, new identity)
 *                                          +--timeout--> GONE (GONE_FOR_GOOD)
 *   GONE --seen / healthy--> PRESENT (HW_BACK, late)
 *
 * A device that comes back is matched by name, else by node GUID, else by
 * netdev name (the index always changes). Time is passed in by the caller,
 * so tests drive it with a fake clock. No I/O, no threads; one thread per
 * tracker. The tracker owns its entries; keys are copied.
 */
#include <stdbool.h>
#include <stdint.h>

#include "ctrl/ctrld/sink.h"

enum tracker_state {
	TRACKER_PRESENT,
	TRACKER_IN_SERVICE,
	TRACKER_GONE,
};

struct tracker;

/* gone_timeout_ns: IN_SERVICE for longer than this -> GONE_FOR_GOOD. */
struct tracker *tracker_new(uint64_t gone_timeout_ns, const struct ctrl_sink *sink);
void tracker_free(struct tracker *tr);
void tracker_set_timeout(struct tracker *tr, uint64_t gone_timeout_ns);

/*
 * Optional: cb is called when a present device is first seen or its identity
 * grows (a GUID or netdev learnt), which is no event for a sink but is what
 * the mailbox's port records need. Called from the tracker's thread.
 */
typedef void (*tracker_present_cb)(void *ctx, const char *key, const struct ctrl_ident *id,
				   uint64_t now);
void tracker_set_present_cb(struct tracker *tr, tracker_present_cb cb, void *ctx);

/* A device is there (REGISTER, NETDEV_ATTACH, uevent add, dump, devlink dev new). */
void tracker_seen(struct tracker *tr, const struct ctrl_ident *id, const char *source,
		  uint64_t now);
/* A device went away (UNREGISTER, uevent remove, absent from a dump, dev del). */
void tracker_lost(struct tracker *tr, const char *name, const char *source, const char *reason,
		  uint64_t now);
/* A device was renamed (uevent move, RENAME event): the entry follows it. */
void tracker_renamed(struct tracker *tr, const char *old_name, const char *new_name);
/*
 * A devlink health reporter of device handle changed state. Only reporters
 * the configuration counts as service events should be passed here.
 */
void tracker_health(struct tracker *tr, const char *handle, const char *reporter, bool error,
		    uint64_t err_count, uint64_t recover_count, uint64_t now);

/*
 * A full snapshot (dump diff): sync_begin, tracker_seen for each device of
 * the dump, sync_end: devices of kind "rdma" not seen are lost ("dump").
 * Devlink handles (names with a '/') are not part of RDMA snapshots.
 */
void tracker_sync_begin(struct tracker *tr);
void tracker_sync_end(struct tracker *tr, const char *source, uint64_t now);
/*
 * The same for a devlink reporter dump (tracker_health for each reporter):
 * devlink handles with no reporter in the dump are lost.
 */
void tracker_sync_end_devlink(struct tracker *tr, const char *source, uint64_t now);

/* Fire timeouts due at now. */
void tracker_tick(struct tracker *tr, uint64_t now);
/* Nanoseconds until the next timeout, or -1 if none is pending. */
int64_t tracker_next_deadline(const struct tracker *tr, uint64_t now);

/*
 * The key of the present device with this RDMA index, or NULL: 6.12 sends no
 * event on a rename, so an UNREGISTER may carry a name we never saw.
 */
const char *tracker_name_by_index(const struct tracker *tr, uint32_t index);

/* Introspection (tests, logs): state of the device called name, -1 if unknown. */
int tracker_state(const struct tracker *tr, const char *name);
unsigned int tracker_count(const struct tracker *tr);

#endif /* MANA_CTRL_TRACKER_H */
