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
 * tracker, never a silent loss. Counted devlink reporters are also
 * accounted (struct detect_reporter): errors and recoveries whose
 * notifications were lost are taken from the reporter's own counts,
 * counted as missed and logged ("devlink health events missed").
 *
 * The kernel is reached through struct detect_backend (the real one wraps
 * netlink/; tests plug in fakes). Time comes from the now callback
 * (CLOCK_MONOTONIC ns). Thread context: the daemon's loop thread.
 */
#include <stdbool.h>
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
	uint64_t devlink_missed_errors;		/* learnt from the counts, not seen */
	uint64_t devlink_missed_recovers;
};

#define DETECT_REPORTERS_MAX 64

/*
 * One counted devlink reporter's accounting: every error and recovery the
 * kernel counted since the daemon first read the reporter is either seen
 * (its notification came) or missed (learnt from error_count /
 * recover_count: after an overrun, or when notifications were merged), so
 * seen + missed = the kernel's count - the count at first sight, summed
 * over the reporter's incarnations (a re-created reporter starts from 0).
 */
struct detect_reporter {
	char handle[2 * NL_DL_NAME_MAX + 2];	/* bus/dev */
	char name[NL_DL_NAME_MAX];
	uint64_t err, rec;			/* the kernel's counts, last read */
	uint64_t seen_err, seen_rec;
	uint64_t missed_err, missed_rec;
	bool error;				/* its state, last read: error */
};

struct detect {
	const struct config *conf;
	struct tracker *tr;
	struct detect_backend be;
	uint64_t (*now)(void);
	struct detect_stats st;
	char resync_source[16];
	struct detect_reporter rep[DETECT_REPORTERS_MAX];
	unsigned int nb_rep;
	bool rep_full_logged;			/* more reporters than rep[]: said once */
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
