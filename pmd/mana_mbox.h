/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_PMD_MBOX_H
#define MANA_PMD_MBOX_H

/*
 * A port's side of the ctrl <-> PMD mailbox (proto/mbox.h; the protocol and
 * the event mapping are in proto/README.md, sections 7 and 12).
 *
 * With the devarg mbox=<socket>, the port connects to the control daemon,
 * claims the mailbox port whose identity is mbox_port=<id> (default: the
 * device name), and from then on:
 *   - ctrl -> PMD events go to the reset engine: SVC_START ->
 *     mana_reset_service (a reset known to be a service event: a bus
 *     removal in it is part of it); HW_BACK (identity checked) ->
 *     mana_reset_hw_event (MANA_HWE_CTRL_BACK), a hint: the engine still
 *     asks the device (hw_probe), and takes a device that never went away
 *     (MANA_HW_SAME) as back only now; HOT_REMOVE (not final: a rescan may
 *     bring the device back) -> mana_reset_service; GONE ->
 *     mana_reset_hw_event(MANA_HWE_REMOVED); RESYNC -> the same, from the
 *     ctrl record's hw_state (SERVICE and REMOVED: mana_reset_service);
 *   - whether ctrl is there goes to the engine (mana_reset_ctrl_attached):
 *     true at each attach and PEER_UP, false at PEER_DOWN and each detach,
 *     so a reset ctrl announced completes on the device's word alone once
 *     ctrl is gone;
 *   - the engine's events and phases go to ctrl (RESET_ENTER, PHASE,
 *     RECOVERED / RECOVERY_FAILED with per-phase durations), and the port's
 *     PMD record (state, counters, timeline of the last resets) is rewritten
 *     at each of them, at each event from ctrl, and at attach. (A request
 *     merged from the device's own events shows at the next rewrite.)
 *     Each timeline entry says how its wait for the hardware ended and how
 *     long after ctrl's HW_BACK (the record's wake[], proto 1.1).
 * The mailbox is optional for the port: without a control daemon (none yet,
 * dead, restarting, a segment it cannot use) the port works and resets on
 * its own device events; the mailbox thread retries the attach with a
 * backoff (50 ms doubling to 5 s, or at once on the port's next reset event)
 * and logs each new reason once. Once attached, the library reconnects by
 * itself after a ctrl restart (PEER_DOWN / PEER_UP).
 *
 * Whom the port trusts: a ctrl running as root or as the process's euid,
 * and with mbox_ctrl_user=<user> a ctrl running as that user (e.g. mana-ctrld
 * under systemd's DynamicUser=). The user is looked up at each attach; a ctrl
 * that comes back under another uid (MBOX_EV_UNTRUSTED) makes the port
 * attach again, looking the user up anew. A ctrl of any other uid is refused
 * with a message naming its uid (an error, retried like every attach).
 *
 * Ownership: struct mana_mbox is process-local (malloc), owned by the port's
 * struct mana_proc: made by mana_mbox_start, freed by mana_mbox_stop, which
 * leaves no thread, fd or memory behind.
 *
 * Threads:
 *   - the port's mailbox thread ("mana-mbox-<port>", an EAL control thread):
 *     mbox_attach (which may wait up to MBOX_IO_TIMEOUT_MS for a ctrl that is
 *     alive but stuck, hence not the EAL interrupt thread, whose other
 *     callbacks and alarms must not wait behind it), mbox_next, the calls
 *     into the engine (service, hw_event, ctrl_attached: a few instructions
 *     under its lock);
 *   - mana_mbox_reset_event and mana_mbox_phase: the reset thread (the
 *     engine's notify and phase ops); they never block (one mbox_post, one
 *     record write);
 *   - mana_mbox_start / _stop: the thread probing / closing the port; stop
 *     after mana_reset_fini (the reset thread's last events still go out)
 *     and before mana_reset_destroy (the mailbox thread may still call the
 *     engine until stop returns).
 *
 * Locking: m->lock (process-local mutex) guards the attachment (mbox object,
 * mailbox port) and makes the port's posts and record writes single-writer,
 * as the library requires. Held only around calls that never block
 * (mbox_post, mbox_port_set_pmd, the engine's getters); never around
 * mbox_attach, mbox_next, mbox_close or a call that changes the engine.
 * Order: m->lock, then the engine lock; the engine holds its lock across no
 * op, so it never waits for m->lock while holding its own.
 */
#include <stdbool.h>
#include <stdint.h>

#include "mana_reset.h"

#define MANA_MBOX_PATH_LEN 108    /* sizeof(sockaddr_un.sun_path) */
#define MANA_MBOX_IDENT_LEN 16    /* sizeof(mbox_ident.pci) */
#define MANA_MBOX_USER_LEN 33     /* proto's MBOX_USER_MAX + 1 */

/* What the port's devargs asked for. sock_path "": no mailbox. */
struct mana_mbox_cfg {
	char sock_path[MANA_MBOX_PATH_LEN];
	char ident[MANA_MBOX_IDENT_LEN];   /* ctrl's name of the port (mbox_ident.pci) */
	/* mbox_ctrl_user: the user ctrl runs as, trusted besides root and
	 * ours (a name or a uid; "": none). Looked up at each attach: a
	 * DynamicUser= uid may change when ctrl restarts.
	 */
	char ctrl_user[MANA_MBOX_USER_LEN];
};

/* For logs and tests. */
struct mana_mbox_status {
	bool attached;        /* connected, segment mapped, port claimed */
	int mbox_port;        /* the port's index in the segment, -1 */
	int last_error;       /* negative errno of the last failed attach, 0 */
	uint64_t attaches;    /* successful attaches (re-attaches after STALE count) */
	uint64_t posted;      /* events posted to ctrl */
	uint64_t lost;        /* events ctrl will not get (ring full, not owner) */
	uint64_t received;    /* ctrl -> PMD events handed to the engine */
};

struct mana_mbox;

/* Start the mailbox of port port_id, whose engine is r: the mailbox thread
 * attaches in the background (probe does not wait for ctrl). Returns NULL
 * (logged) when cfg asks for no mailbox, or when even the thread cannot be
 * started: the port then runs without one. Thread: the probing thread.
 */
struct mana_mbox *mana_mbox_start(const struct mana_mbox_cfg *cfg, uint16_t port_id,
				  struct mana_reset *r);

/* Stop: join the mailbox thread, write the port's last record (state
 * CLOSED), release the claim, close every fd, free m. NULL: no-op. Waits at
 * most MBOX_IO_TIMEOUT_MS (an attach in progress to a stuck ctrl).
 * Thread: the closing thread, after mana_reset_fini (see above); may be the
 * reset thread itself (a port closed from its own event callback).
 */
void mana_mbox_stop(struct mana_mbox *m);

/* The engine told the application ev: post it to ctrl and rewrite the port
 * record. Thread: the reset thread (ops->notify), before the application's
 * callbacks run. NULL m: no-op.
 */
void mana_mbox_reset_event(struct mana_mbox *m, enum mana_reset_event ev);

/* Phase ph of reset seq begins (ops->phase). Thread: the reset thread. */
void mana_mbox_phase(struct mana_mbox *m, uint64_t seq, enum mana_reset_phase ph);

/* A snapshot of m's status. Thread: any. */
void mana_mbox_status_get(struct mana_mbox *m, struct mana_mbox_status *st);

#endif /* MANA_PMD_MBOX_H */
