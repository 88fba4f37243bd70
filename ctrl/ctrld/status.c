/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The daemon's status file (status.h): key=value lines, written under a
 * temporary name and renamed into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctrl/ctrld/status.h"

int
status_write(const char *path, const struct ctrld_status *s, char *err, size_t n)
{
	const struct detect_stats *d = &s->det;
	char tmp[4096 + 8];
	FILE *f;
	int fd, ret;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, n, "status file %s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, n, "status file %s: %s", tmp, strerror(errno));
		return ret;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		ret = -errno;
		snprintf(err, n, "status file %s: %s", tmp, strerror(errno));
		goto err_close_fd;
	}
	fprintf(f, "format=%d\n", STATUS_FORMAT);
	fprintf(f, "state=%s\n", s->state);
	fprintf(f, "pid=%" PRIu32 "\n", s->pid);
	fprintf(f, "started_mono_ns=%" PRIu64 "\n", s->started_mono_ns);
	fprintf(f, "started_unix=%" PRId64 "\n", s->started_unix);
	fprintf(f, "updated_mono_ns=%" PRIu64 "\n", s->updated_mono_ns);
	fprintf(f, "rdma=%s\n", s->rdma);
	fprintf(f, "rdma_monitor_mode=%d\n", s->rdma_monitor_mode);
	fprintf(f, "devlink=%s\n", s->devlink ? "on" : "off");
	fprintf(f, "uevent=%s\n", s->uevent ? "on" : "off");
	fprintf(f, "reloads=%" PRIu64 "\n", s->reloads);
	fprintf(f, "rdma_events=%" PRIu64 "\n", d->rdma_events);
	fprintf(f, "uevents=%" PRIu64 "\n", d->uevents);
	fprintf(f, "devlink_events=%" PRIu64 "\n", d->devlink_events);
	fprintf(f, "rdma_resyncs=%" PRIu64 "\n", d->rdma_resyncs);
	fprintf(f, "devlink_resyncs=%" PRIu64 "\n", d->devlink_resyncs);
	fprintf(f, "overruns=%" PRIu64 "\n", d->overruns);
	fprintf(f, "errors=%" PRIu64 "\n", d->errors);
	if (fflush(f) != 0 || ferror(f)) {
		ret = -EIO;
		snprintf(err, n, "status file %s: write failed: %s", tmp, strerror(errno));
		fclose(f);
		goto err_unlink_tmp;
	}
	if (fclose(f) != 0) {
		ret = -errno;
		snprintf(err, n, "status file %s: %s", tmp, strerror(errno));
		goto err_unlink_tmp;
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		snprintf(err, n, "status file %s: rename: %s", path, strerror(errno));
		goto err_unlink_tmp;
	}
	return 0;

err_close_fd:
	close(fd);
err_unlink_tmp:
	unlink(tmp);
	return ret;
}
