/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_SINK_H
#define MANA_CTRL_SINK_H

/*
 * Where mana-ctrld's detections go. The tracker emits three kinds of event
 * per device; a sink publishes them. Today: the log sink (sink_log.c, JSON
 * lines); the proto/ mailbox plugs in as another struct ctrl_sink.
 * Thread context: the daemon's event loop thread; publish must not block.
 */
#include <stdint.h>

#define CTRL_NAME_MAX 160

enum ctrl_event_kind {
	CTRL_EV_SERVICE_STARTED,	/* the device went away / reported an error */
	CTRL_EV_HW_BACK,		/* it came back, possibly with a new identity */
	CTRL_EV_GONE_FOR_GOOD,		/* not back within the configured timeout */
};

/* What identifies a device at one moment; indexes change on re-registration. */
struct ctrl_ident {
	char name[CTRL_NAME_MAX];	/* RDMA device (mana_0) or devlink handle */
	uint32_t index;			/* RDMA device index (valid if has_index) */
	uint8_t has_index;
	uint64_t node_guid;		/* 0 if unknown */
	char netdev[16];		/* "" if unknown */
	uint32_t ifindex;		/* 0 if unknown */
};

struct ctrl_event {
	enum ctrl_event_kind kind;
	const char *key;		/* the tracker's stable key for the device */
	const struct ctrl_ident *ident;	/* started/gone: last known; back: the new one */
	const char *source;		/* rdma-monitor, uevent, dump, devlink */
	const char *reason;		/* UNREGISTER, remove, "reporter fw error", ... */
	uint64_t t_ns;			/* CLOCK_MONOTONIC of the detection */
	uint64_t started_ns;		/* back/gone: when the service event started */
};

struct ctrl_sink {
	/* Returns 0 or a negative errno (logged by the caller, never fatal). */
	int (*publish)(void *ctx, const struct ctrl_event *ev);
	void *ctx;
};

const char *ctrl_event_kind_name(enum ctrl_event_kind kind);

#endif /* MANA_CTRL_SINK_H */
