/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_MBOX_NAMES_H
#define MANA_CTRL_MBOX_NAMES_H

/*
 * Names ctrl gives the mailbox's codes, shared by the mailbox sink and
 * manactl: the reason codes mana-ctrld puts in a service event
 * (struct mbox_svc.reason, mbox_ctrl_rec.svc_reason; proto/ leaves them to
 * the source) and the reset phases (as enum mana_reset_phase).
 * Header only; any thread.
 */
#include <string.h>

enum svc_reason {
	SVC_REASON_UNKNOWN = 0,
	SVC_REASON_UNREGISTER = 1,	/* RDMA monitor UNREGISTER */
	SVC_REASON_UEVENT_REMOVE = 2,	/* infiniband uevent "remove" */
	SVC_REASON_DUMP_ABSENT = 3,	/* absent from an RDMA dump */
	SVC_REASON_REREGISTERED = 4,	/* seen in a dump under a new index */
	SVC_REASON_DEVLINK_DEL = 5,	/* devlink "dev del" */
	SVC_REASON_DEVLINK_ABSENT = 6,	/* absent from a devlink reporter dump */
	SVC_REASON_REPORTER_ERROR = 7,	/* a counted devlink reporter in error (detail: count) */
	SVC_REASON_ABSENT_AT_RESTART = 8, /* in the re-adopted segment, not in the first dump */
	SVC_REASON_PCI_REMOVE = 9,	/* the PCI function removed (simulated kernel: "pci remove") */
	SVC_REASON_NUM,
};

static inline const char *
svc_reason_name(unsigned int r)
{
	static const char *const names[SVC_REASON_NUM] = {
		"unknown", "unregister", "uevent-remove", "absent-from-dump",
		"re-registered", "devlink-dev-del", "absent-from-devlink-dump",
		"reporter-error", "absent-at-restart", "pci-remove",
	};

	return r < SVC_REASON_NUM ? names[r] : "?";
}

/* The code of one of the tracker's reason strings. */
static inline unsigned int
svc_reason_code(const char *reason)
{
	if (reason == NULL)
		return SVC_REASON_UNKNOWN;
	if (strcmp(reason, "UNREGISTER") == 0)
		return SVC_REASON_UNREGISTER;
	if (strcmp(reason, "remove") == 0)
		return SVC_REASON_UEVENT_REMOVE;
	if (strcmp(reason, "absent from dump") == 0)
		return SVC_REASON_DUMP_ABSENT;
	if (strncmp(reason, "re-registered", 13) == 0)
		return SVC_REASON_REREGISTERED;
	if (strcmp(reason, "dev del") == 0)
		return SVC_REASON_DEVLINK_DEL;
	if (strcmp(reason, "absent from devlink dump") == 0)
		return SVC_REASON_DEVLINK_ABSENT;
	if (strncmp(reason, "reporter ", 9) == 0)
		return SVC_REASON_REPORTER_ERROR;
	if (strcmp(reason, "absent at restart") == 0)
		return SVC_REASON_ABSENT_AT_RESTART;
	if (strcmp(reason, "pci remove") == 0)
		return SVC_REASON_PCI_REMOVE;
	return SVC_REASON_UNKNOWN;
}

/* Reset phases, as MBOX_PHASES / enum mana_reset_phase. */
static inline const char *
mbox_phase_label(unsigned int p)
{
	static const char *const names[] = {
		"quiesce", "teardown", "wait_hw", "reprobe", "restore",
	};

	return p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}

#endif /* MANA_CTRL_MBOX_NAMES_H */
