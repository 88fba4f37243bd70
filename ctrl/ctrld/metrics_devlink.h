/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_METRICS_DEVLINK_H
#define MANA_CTRL_METRICS_DEVLINK_H

/*
 * The devlink health metric families (ctrl/ctrld/README.md, "Metrics"):
 * every reporter of every devlink device, as one HEALTH_REPORTER_GET dump
 * collects them, and the counted reporters' accounting (detect.h). Called
 * by metrics.c only: the daemon's loop thread, as metrics.h.
 */
#include <stdbool.h>
#include <stdio.h>

#include "ctrl/ctrld/detect.h"
#include "netlink/nl_dlmsg.h"

/* The reporters of one dump (the caller frees r; oom: some were left out). */
struct metrics_dl_list {
	struct nl_dl_msg *r;
	unsigned int n, cap;
	bool oom;
};

/* A devlink dump callback (arg: a struct metrics_dl_list): keeps each reporter. */
void metrics_devlink_collect(void *arg, const struct nl_dl_msg *msg);

/* State, error and recover counts, last dump time, auto-recover, auto-dump, grace period. */
void metrics_devlink_render(FILE *f, const struct metrics_dl_list *l);

/* Seen and missed errors and recoveries of the counted reporters reps[0, nb). */
void metrics_devlink_render_accounting(FILE *f, const struct detect_reporter *reps,
				       unsigned int nb);

#endif /* MANA_CTRL_METRICS_DEVLINK_H */
