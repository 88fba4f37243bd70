/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_STATUS_H
#define MANA_CTRL_STATUS_H

/*
 * mana-ctrld's status file: what the daemon knows about itself and that a
 * read-only tool cannot see in the mailbox segment (sources in use, kernel
 * features seen, start time, detection counters). `manactl status` reads it.
 * With the mailbox on it is mbox_path + ".status"; the format (key=value
 * lines, "format=1" first, unknown keys to be ignored by readers) is in
 * ctrl/ctrld/README.md, "The status file".
 *
 * Written whole by atomic_file_write (path + ".tmp", renamed over the
 * file), so a reader sees the old or the new file, never a mix. Mode 0644:
 * it holds no secret (pids, counters, source names).
 *
 * Thread context: the daemon's loop thread; nothing here locks or keeps
 * state.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrl/ctrld/detect.h"

#define STATUS_FORMAT 1

struct ctrld_status {
	const char *state;		/* "running" or "stopped" */
	uint32_t pid;
	uint64_t started_mono_ns;	/* CLOCK_MONOTONIC at start */
	int64_t started_unix;		/* CLOCK_REALTIME s at start */
	uint64_t updated_mono_ns;	/* CLOCK_MONOTONIC of this write */
	const char *rdma;		/* "monitor", "dump-diff", "fake" or "off" */
	int rdma_monitor_mode;		/* the kernel's MONITOR_MODE: 1, 0; -1 not asked */
	bool devlink;			/* devlink family found and its events joined */
	bool uevent;			/* kobject uevents in use */
	uint64_t reloads;		/* SIGHUPs that changed the configuration */
	struct detect_stats det;	/* detection counters */
	const char *metrics_listen;	/* the metrics endpoint's bound address; NULL: off */
};

/*
 * Write s to path atomically (atomic_file.h). 0, or a negative
 * errno with a sentence naming the path in err (size n).
 */
int status_write(const char *path, const struct ctrld_status *s, char *err, size_t n);

#endif /* MANA_CTRL_STATUS_H */
