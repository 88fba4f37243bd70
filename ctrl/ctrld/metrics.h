/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_METRICS_H
#define MANA_CTRL_METRICS_H

/*
 * mana-ctrld's Prometheus metrics: what the daemon counts itself (service
 * events and hardware-back latency per device, from the tracker's events;
 * reset phase durations per port, from the PMD records' timelines; HTTP
 * requests by status) and, at each render, what it reads: the mailbox's
 * records, devlink health of every devlink device, the detection counters.
 * The families and their labels are in ctrl/ctrld/README.md ("Metrics").
 * Rendered in the text exposition format 0.0.4, for the HTTP endpoint
 * (metrics_http.h) and the node_exporter textfile.
 *
 * Thread context: the daemon's loop thread, every call; no lock.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrl/ctrld/detect.h"
#include "ctrl/ctrld/sink.h"
#include "netlink/nl_dlmsg.h"
#include "proto/mbox.h"

struct metrics;

/*
 * New counters. Events published to metrics_sink() are counted, then passed
 * on to next (may be NULL). NULL: out of memory.
 */
struct metrics *metrics_new(const struct ctrl_sink *next);
void metrics_free(struct metrics *m);	/* NULL: no-op */

/* The sink to give the tracker (counts, then forwards). Valid until free. */
const struct ctrl_sink *metrics_sink(struct metrics *m);

/*
 * Take the resets the PMD records of mb show that were not counted yet
 * into the phase histograms (a port's first look only notes where its
 * timeline stands: resets from before this daemon are not counted).
 * Called after every mailbox wakeup and before each render.
 */
void metrics_mbox_poll(struct metrics *m, const struct mbox *mb);

/* One HTTP answer of the endpoint, by status code. */
void metrics_http_count(struct metrics *m, int status);

/* What the daemon lends to a render. */
struct metrics_daemon {
	int64_t started_unix;		/* CLOCK_REALTIME s at start */
	const char *rdma;		/* monitor, dump-diff, fake, off */
	bool devlink;
	bool uevent;
	uint64_t reloads;
	const struct detect_stats *det;
	const struct mbox *mb;		/* NULL: no mailbox */
	/* Every devlink health reporter (NULL: devlink off); 0 or -errno. */
	int (*devlink_dump)(void *ctx, void (*cb)(void *arg, const struct nl_dl_msg *msg),
			    void *arg);
	void *devlink_ctx;
	/* The counted reporters' accounting (detect.h): seen and missed. */
	const struct detect_reporter *reporters;
	unsigned int nb_reporters;
};

/*
 * The whole exposition into *out (malloc'd, the caller frees; *len bytes,
 * NUL-terminated). 0 or -ENOMEM. A failed devlink dump leaves its families
 * out and sets mana_ctrld_devlink_dump_ok to 0.
 */
int metrics_render(struct metrics *m, const struct metrics_daemon *d, char **out, size_t *len);

#endif /* MANA_CTRL_METRICS_H */
