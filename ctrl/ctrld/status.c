/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The daemon's status file (status.h): key=value lines, written whole by
 * atomic_file_write.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "ctrl/ctrld/atomic_file.h"
#include "ctrl/ctrld/status.h"

int
status_write(const char *path, const struct ctrld_status *s, char *err, size_t n)
{
	const struct detect_stats *d = &s->det;
	char buf[1024];
	int len;

	len = snprintf(buf, sizeof(buf),
		       "format=%d\nstate=%s\npid=%" PRIu32 "\nstarted_mono_ns=%" PRIu64 "\n"
		       "started_unix=%" PRId64 "\nupdated_mono_ns=%" PRIu64 "\nrdma=%s\n"
		       "rdma_monitor_mode=%d\ndevlink=%s\nuevent=%s\nreloads=%" PRIu64 "\n"
		       "rdma_events=%" PRIu64 "\nuevents=%" PRIu64 "\ndevlink_events=%" PRIu64 "\n"
		       "rdma_resyncs=%" PRIu64 "\ndevlink_resyncs=%" PRIu64 "\n"
		       "overruns=%" PRIu64 "\nerrors=%" PRIu64 "\ndevlink_missed_errors=%" PRIu64 "\n"
		       "devlink_missed_recovers=%" PRIu64 "\nmetrics_listen=%s\n",
		       STATUS_FORMAT, s->state, s->pid, s->started_mono_ns, s->started_unix,
		       s->updated_mono_ns, s->rdma, s->rdma_monitor_mode,
		       s->devlink ? "on" : "off", s->uevent ? "on" : "off", s->reloads,
		       d->rdma_events, d->uevents, d->devlink_events, d->rdma_resyncs,
		       d->devlink_resyncs, d->overruns, d->errors, d->devlink_missed_errors,
		       d->devlink_missed_recovers,
		       s->metrics_listen != NULL ? s->metrics_listen : "");
	if (len < 0 || (size_t)len >= sizeof(buf)) {
		snprintf(err, n, "status file %s: too long", path);
		return -EOVERFLOW;
	}
	return atomic_file_write(path, buf, (size_t)len, 0644, err, n);
}
