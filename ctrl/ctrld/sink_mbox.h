/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_SINK_MBOX_H
#define MANA_CTRL_SINK_MBOX_H

/*
 * The mailbox sink: mana-ctrld's detections published through the proto/
 * mailbox (ctrl creates the segment, or re-adopts the one a previous ctrl
 * left), and the PMDs' events consumed from it.
 *
 * Ports are keyed by PCI address (proto/README.md, 1 and 4): the PCI
 * address of an RDMA device comes from sysfs (class/infiniband/DEV/device,
 * else class/net/NETDEV/device), of a devlink handle from the handle
 * ("pci/BDF"); a device no longer in sysfs (unregistered) is found by its
 * record's IB device name, node GUID or netdev. A device without a PCI
 * address (rxe, netdevsim) is not published.
 *
 *   present (first seen, identity learnt)  -> port added / identity updated;
 *                                             a port not UP (ctrl restarted
 *                                             meanwhile) gets HW_BACK
 *   service event started                  -> hw_state SERVICE, SVC_START;
 *                                             the PCI function gone from
 *                                             sysfs: hw_state REMOVED,
 *                                             HOT_REMOVE with its cause:
 *                                             service (the record was
 *                                             SERVICE, or a reporter's
 *                                             error: SVC_START first) or
 *                                             surprise (nothing before it:
 *                                             no SVC_START); once per
 *                                             removal
 *   hardware back                          -> new identity, gen + 1, UP, HW_BACK
 *   gone for good                          -> hw_state GONE, GONE
 *
 * The record is written before the event is posted, so a PMD woken by the
 * event reads the new state. PMD -> ctrl events and the library's own
 * (PEER_UP / PEER_DOWN / RESYNC) are logged as structured records; the
 * latest per port is kept.
 *
 * Thread context: the daemon's loop thread, for every call.
 */
#include <stdint.h>

#include "ctrl/ctrld/config.h"
#include "ctrl/ctrld/sink.h"
#include "ctrl/ctrld/tracker.h"
#include "proto/mbox.h"

struct sink_mbox;

/*
 * Create or re-adopt the segment of conf->mbox (conf->sysfs for PCI
 * lookups). Published events also go to next (may be NULL). NULL on failure,
 * with a sentence in err (the path and what to do).
 */
struct sink_mbox *sink_mbox_open(const struct config *conf, const struct ctrl_sink *next,
				 char *err, size_t n);
/* Unmap; the segment file stays for the next ctrl. NULL is a no-op. */
void sink_mbox_close(struct sink_mbox *s);

/* The sink to give the tracker (valid until close). */
const struct ctrl_sink *sink_mbox_sink(struct sink_mbox *s);

/* A tracker_present_cb (ctx = s). */
void sink_mbox_present(void *ctx, const char *key, const struct ctrl_ident *id, uint64_t now);

/*
 * The PCI function bdf went away (a simulated kernel's "pci remove"; real
 * kernels' removals are seen at the RDMA / devlink event, sysfs saying the
 * function is gone): a port UP or in SERVICE gets REMOVED and HOT_REMOVE
 * as above (surprise, or service when its record says SERVICE); others
 * nothing. source: the detection's ("uevent").
 */
void sink_mbox_pci_removed(void *ctx, const char *bdf, const char *source, uint64_t now);

/*
 * After the first dump of a re-adopted segment: the devices its records name
 * that the tracker did not see are lost (tracker_lost, source "mailbox").
 * A record still UP gets SERVICE + SVC_START; one already in service is only
 * handed to the tracker (its gone timeout restarts now; no event again).
 */
void sink_mbox_adopt(struct sink_mbox *s, struct tracker *tr, uint64_t now);

/* The fd for the daemon's loop, and its callback (an nl_loop_cb, arg = s). */
int sink_mbox_fd(const struct sink_mbox *s);
void sink_mbox_on_fd(void *arg, int fd, uint32_t events);

/* The mailbox, for readers (mbox_port_read, mbox_info); valid until close. */
const struct mbox *sink_mbox_mbox(const struct sink_mbox *s);

/* The latest PMD -> ctrl event of port (type NONE if none). 0 or -EINVAL. */
int sink_mbox_last(const struct sink_mbox *s, unsigned int port, struct mbox_event *ev);

#endif /* MANA_CTRL_SINK_MBOX_H */
