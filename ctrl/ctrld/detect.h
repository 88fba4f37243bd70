/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_DETECT_H
#define MANA_CTRL_DETECT_H

/*
 * Service-event detection: turns RDMA monitor notifications, uevents and
 * devlink events into tracker input, for the devices the configuration
 * selects (driver, PCI allowlist, reporters). Every loss of events (ENOBUFS
 * on a libmnl socket, -NLE_NOMEM on the libnl event socket) and every
 * ambiguous notification leads to a resync: a full dump diffed against the
 * tracker, never a silent loss.
 *
 * The kernel is reached through struct detect_backend (the real one wraps
 * netlink/; tests plug in fakes). Time comes from the now callback
 * (CLOCK_MONOTONIC ns). Thread context: the daemon's loop thread.
 */
#include <stdint.h>

#include "ctrl/ctrld/config.h"
#include "ctrl/ctrld/tracker.h"
#include "netlink/nl_dlmsg.h"
#include "netlink/nl_nldev.h"
#include "netlink/nl_rdma.h"
#include "netlink/nl_uevent.h"

struct detect_backend {
	/* NULL when the source is off. Return 0 or a negative errno. */
	int (*rdma_dump)(void *ctx, nl_rdma_dev_cb cb, void *arg);
	int (*rdma_dev_get)(void *ctx, uint32_t index, struct nl_rdma_dev *dev);
	int (*devlink_dump)(void *ctx, void (*cb)(void *arg, const struct nl_dl_msg *m),
			    void *arg);
	void *ctx;
};

struct detect_stats {
	uint64_t rdma_events;
	uint64_t uevents;
	uint64_t devlink_events;
	uint64_t rdma_resyncs;
	uint64_t devlink_resyncs;
	uint64_t overruns;
	uint64_t errors;
};

struct detect {
	const struct config *conf;
	struct tracker *tr;
	struct detect_backend be;
	uint64_t (*now)(void);
	struct detect_stats st;
	char resync_source[16];
};

void detect_init(struct detect *d, const struct config *conf, struct tracker *tr,
		 const struct detect_backend *be, uint64_t (*now)(void));

/* Full RDMA dump diffed into the tracker; source names the trigger. */
int detect_resync_rdma(struct detect *d, const char *source);
/* Re-read every devlink reporter. */
int detect_resync_devlink(struct detect *d, const char *source);

/* Event inputs (callbacks of the netlink readers). */
void detect_rdma_event(void *d, const struct nl_nldev_msg *ev);
void detect_uevent(struct detect *d, const struct nl_uevent *ev);
void detect_devlink_event(void *d, const struct nl_dl_msg *m);

/*
 * A reader returned err: -ENOBUFS means events were lost -> resync that
 * source now. Other errors are counted and logged.
 */
void detect_read_error(struct detect *d, const char *what, int err);

/* Does the configuration select this RDMA device / devlink handle? */
int detect_rdma_selected(const struct detect *d, const char *ibdev, const char *netdev);
int detect_devlink_selected(const struct detect *d, const char *bus, const char *dev);

#endif /* MANA_CTRL_DETECT_H */
