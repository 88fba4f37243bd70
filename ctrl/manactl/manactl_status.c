/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * manactl status [ mbox PATH ]: the whole picture for a fleet agent: the
 * daemon's own state (its status file, PATH.status: sources in use, kernel
 * features seen, uptime, detection counters; ctrl/ctrld/README.md), the
 * mailbox (version, generation, peers) and every port as `reset show`
 * prints it (identity, states, owner, counters, the last resets with
 * per-phase durations). Read-only: the segment is mapped with mbox_open
 * and the status file read; nothing is changed.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctrl/manactl/manactl.h"
#include "ctrl/print/print.h"
#include "proto/mbox.h"

/* What the daemon's status file says (format 1; unknown keys are skipped). */
struct daemon_status {
	char state[16];
	uint64_t pid;
	uint64_t started_mono_ns;
	uint64_t started_unix;
	uint64_t updated_mono_ns;
	char rdma[16];
	int64_t rdma_monitor_mode;
	char devlink[8];
	char uevent[8];
	uint64_t reloads;
	uint64_t rdma_events, uevents, devlink_events;
	uint64_t rdma_resyncs, devlink_resyncs, overruns, errors;
	uint64_t devlink_missed_errors, devlink_missed_recovers;
};

enum sf_type { SF_STR, SF_U64, SF_I64 };

static const struct sf_key {
	const char *name;
	enum sf_type type;
	size_t off, size;
} sf_keys[] = {
#define SF(n, t) { #n, t, offsetof(struct daemon_status, n), \
	sizeof(((struct daemon_status *)NULL)->n) }
	SF(state, SF_STR), SF(pid, SF_U64), SF(started_mono_ns, SF_U64),
	SF(started_unix, SF_U64), SF(updated_mono_ns, SF_U64), SF(rdma, SF_STR),
	SF(rdma_monitor_mode, SF_I64), SF(devlink, SF_STR), SF(uevent, SF_STR),
	SF(reloads, SF_U64), SF(rdma_events, SF_U64), SF(uevents, SF_U64),
	SF(devlink_events, SF_U64), SF(rdma_resyncs, SF_U64), SF(devlink_resyncs, SF_U64),
	SF(overruns, SF_U64), SF(errors, SF_U64), SF(devlink_missed_errors, SF_U64),
	SF(devlink_missed_recovers, SF_U64),
#undef SF
};

static int
sf_value(const struct sf_key *k, struct daemon_status *s, const char *v)
{
	char *field = (char *)s + k->off, *end;

	errno = 0;
	switch (k->type) {
	case SF_STR:
		if (strlen(v) >= k->size)
			return -1;
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case SF_U64: {
		unsigned long long u;

		if (v[0] < '0' || v[0] > '9')
			return -1;
		u = strtoull(v, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
		*(uint64_t *)(void *)field = u;
		return 0;
	}
	case SF_I64: {
		long long i = strtoll(v, &end, 10);

		if (errno != 0 || end == v || *end != '\0')
			return -1;
		*(int64_t *)(void *)field = i;
		return 0;
	}
	}
	return -1;
}

/* 0 read, -ENOENT no file (nothing printed), other -errno with a message. */
static int
status_file_read(const char *path, struct daemon_status *s)
{
	char line[512];
	unsigned int lineno = 0;
	bool format = false;
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->rdma_monitor_mode = -1;
	f = fopen(path, "re");
	if (f == NULL) {
		int ret = -errno;

		if (ret != -ENOENT)
			fprintf(stderr, "manactl: status file %s: %s\n", path, strerror(errno));
		return ret;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq, *nl = strchr(line, '\n');
		size_t i;

		lineno++;
		if (nl == NULL && !feof(f))
			goto bad;
		if (nl != NULL)
			*nl = '\0';
		eq = strchr(line, '=');
		if (eq == NULL)
			goto bad;
		*eq = '\0';
		if (strcmp(line, "format") == 0) {
			if (strcmp(eq + 1, "1") != 0) {
				fprintf(stderr, "manactl: status file %s: format %s, this manactl "
					"reads format 1: upgrade manactl\n", path, eq + 1);
				fclose(f);
				return -EPROTONOSUPPORT;
			}
			format = true;
			continue;
		}
		for (i = 0; i < sizeof(sf_keys) / sizeof(sf_keys[0]); i++)
			if (strcmp(line, sf_keys[i].name) == 0)
				break;
		if (i == sizeof(sf_keys) / sizeof(sf_keys[0]))
			continue;	/* a newer daemon's key */
		if (sf_value(&sf_keys[i], s, eq + 1) < 0)
			goto bad;
	}
	fclose(f);
	if (!format || s->state[0] == '\0') {
		fprintf(stderr, "manactl: status file %s: no format or state line: not a "
			"mana-ctrld status file\n", path);
		return -EBADMSG;
	}
	return 0;
bad:
	fprintf(stderr, "manactl: status file %s:%u: malformed line (expected key=value)\n",
		path, lineno);
	fclose(f);
	return -EBADMSG;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Running: says so, its process exists, and it is the mailbox's ctrl. */
static bool
daemon_running(const struct daemon_status *s, const struct mbox_info *info)
{
	if (strcmp(s->state, "running") != 0 || s->pid == 0 || s->pid > INT32_MAX ||
	    s->pid != info->ctrl_pid)
		return false;
	return kill((pid_t)s->pid, 0) == 0 || errno == EPERM;
}

static void
print_daemon(const char *path, int found, const struct daemon_status *s,
	     const struct mbox_info *info)
{
	bool running = found == 0 && daemon_running(s, info);
	uint64_t now = mono_ns();

	open_json_object("daemon");
	print_string(PRINT_JSON, "status_file", NULL, path);
	if (found != 0) {
		print_string(PRINT_ANY, "state", "daemon %s", "unknown");
		print_string(PRINT_FP, NULL, " (no status file %s)\n", path);
		close_json_object();
		return;
	}
	print_u64(PRINT_ANY, "pid", "daemon pid %" PRIu64, s->pid);
	print_string(PRINT_ANY, "state", " state %s", s->state);
	print_bool(PRINT_ANY, "running", " running %s", running);
	if (running && now >= s->started_mono_ns)
		print_u64(PRINT_ANY, "uptime_s", " uptime %" PRIu64 "s",
			  (now - s->started_mono_ns) / 1000000000ull);
	else
		print_null(PRINT_ANY, "uptime_s", " uptime %s", "-");
	print_u64(PRINT_ANY, "started_unix", " started_unix %" PRIu64, s->started_unix);
	print_u64(PRINT_ANY, "reloads", " reloads %" PRIu64, s->reloads);
	print_string(PRINT_FP, NULL, "%s", "\n");

	open_json_object("sources");
	print_string(PRINT_ANY, "rdma", "  sources rdma %s", s->rdma);
	print_bool(PRINT_ANY, "devlink", " devlink %s", strcmp(s->devlink, "on") == 0);
	print_bool(PRINT_ANY, "uevent", " uevent %s", strcmp(s->uevent, "on") == 0);
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();

	open_json_object("kernel");
	if (s->rdma_monitor_mode >= 0)
		print_bool(PRINT_ANY, "rdma_monitor", "  kernel rdma_monitor %s",
			   s->rdma_monitor_mode > 0);
	else
		print_null(PRINT_ANY, "rdma_monitor", "  kernel rdma_monitor %s", "unknown");
	if (strcmp(s->devlink, "on") == 0)
		print_bool(PRINT_ANY, "devlink", " devlink %s", true);
	else
		print_null(PRINT_ANY, "devlink", " devlink %s", "unknown");
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();

	open_json_object("detection");
	print_u64(PRINT_ANY, "rdma_events", "  detection rdma_events %" PRIu64, s->rdma_events);
	print_u64(PRINT_ANY, "uevents", " uevents %" PRIu64, s->uevents);
	print_u64(PRINT_ANY, "devlink_events", " devlink_events %" PRIu64, s->devlink_events);
	print_u64(PRINT_ANY, "rdma_resyncs", " rdma_resyncs %" PRIu64, s->rdma_resyncs);
	print_u64(PRINT_ANY, "devlink_resyncs", " devlink_resyncs %" PRIu64, s->devlink_resyncs);
	print_u64(PRINT_ANY, "overruns", " overruns %" PRIu64, s->overruns);
	print_u64(PRINT_ANY, "errors", " errors %" PRIu64, s->errors);
	print_u64(PRINT_ANY, "devlink_missed_errors", " devlink_missed_errors %" PRIu64,
		  s->devlink_missed_errors);
	print_u64(PRINT_ANY, "devlink_missed_recovers", " devlink_missed_recovers %" PRIu64,
		  s->devlink_missed_recovers);
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();
	close_json_object();
}

static void
print_mailbox(const char *path, const struct mbox_info *info)
{
	char ver[16];

	snprintf(ver, sizeof(ver), "%u.%u", info->major, info->minor);
	open_json_object("mailbox");
	print_string(PRINT_ANY, "path", "mailbox %s", path);
	print_string(PRINT_ANY, "version", " version %s", ver);
	print_u64(PRINT_ANY, "ctrl_gen", " ctrl_gen %" PRIu64, info->ctrl_gen);
	print_uint(PRINT_ANY, "ctrl_pid", " ctrl_pid %u", info->ctrl_pid);
	print_uint(PRINT_ANY, "peers", " peers %u", info->nb_conns);
	print_uint(PRINT_ANY, "nb_ports", " ports %u", info->nb_ports);
	print_uint(PRINT_ANY, "ring_slots", " ring_slots %u", info->ring_slots);
	print_u64(PRINT_ANY, "size", " size %" PRIu64, info->size);
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();
}

static int
status_show(struct manactl *m)
{
	const char *path = manactl_mbox_default_path();
	char sf_path[4096 + 8];
	struct daemon_status ds;
	struct mbox_info info;
	struct mbox_port pt;
	struct mbox *mb;
	int found;

	while (!manactl_no_arg(m)) {
		if (strcmp(manactl_arg(m), "mbox") != 0) {
			fprintf(stderr, "Unknown option \"%s\", try \"manactl status help\".\n",
				manactl_arg(m));
			return -EINVAL;
		}
		if (manactl_mbox_arg(m, &path) < 0)
			return -EINVAL;
		manactl_next(m);
	}
	if ((size_t)snprintf(sf_path, sizeof(sf_path), "%s.status", path) >= sizeof(sf_path)) {
		fprintf(stderr, "manactl: mailbox path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	mb = mbox_open(path);
	if (mb == NULL) {
		int ret = -errno;

		fprintf(stderr, "manactl: mailbox %s: %s\n", path, mbox_errmsg());
		return ret;
	}
	found = status_file_read(sf_path, &ds);
	if (found < 0 && found != -ENOENT) {
		mbox_close(mb);
		return found;
	}
	mbox_info(mb, &info);
	if (print_begin(stdout, m->json, m->pretty) < 0) {
		mbox_close(mb);
		return -ENOMEM;
	}
	open_json_object(NULL);
	print_daemon(sf_path, found, &ds, &info);
	print_mailbox(path, &info);
	open_json_array(PRINT_JSON, "ports");
	for (unsigned int p = 0; p < info.nb_ports; p++) {
		if (manactl_mbox_port_read(mb, p, &pt) < 0 || pt.ctrl.hw_state == MBOX_HW_NONE)
			continue;
		manactl_print_port(p, &pt);
	}
	close_json_array(PRINT_JSON, NULL);
	close_json_object();
	print_end();
	mbox_close(mb);
	return 0;
}

static int
status_help(struct manactl *m)
{
	(void)m;
	printf("Usage: manactl [ -j ] [ -p ] status [ show ] [ mbox PATH ]\n"
	       "PATH: the mailbox segment (default $MANA_MBOX, else " MANACTL_MBOX_DEFAULT
	       "); the daemon's status file is PATH.status\n");
	return 0;
}

int
manactl_status(struct manactl *m)
{
	static const struct manactl_cmd cmds[] = {
		{ "show", status_show },
		{ "help", status_help },
		{ NULL, NULL },
	};

	/* "status" alone, or "status mbox PATH": show. */
	if (manactl_no_arg(m) || strcmp(manactl_arg(m), "mbox") == 0)
		return status_show(m);
	return manactl_dispatch(m, cmds, "status");
}
