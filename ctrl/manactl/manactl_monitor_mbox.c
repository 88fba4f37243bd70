/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The mailbox as a source of `manactl monitor`, and the monitor's record
 * helpers (one line per event; with -j one JSON object per line, flushed).
 * The segment is mapped read-only and followed with a proto/ readers'
 * cursor (proto/README.md, section 13): no doorbell wakes a reader, so a
 * timerfd polls it every MANACTL_MBOX_POLL_MS; a reader that fell behind
 * prints a "missed" record with the counts. If the file at PATH is
 * replaced (a new segment), the new one is followed from its newest event.
 * Below manactl_monitor.c: calls only manactl_mbox.c, ctrl/print, proto/.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "ctrl/common/mbox_names.h"
#include "ctrl/manactl/manactl.h"
#include "ctrl/print/print.h"

struct manactl_mon_mbox {
	char *path;
	bool json;
	struct mbox *mb;
	struct mbox_cursor *cur;
	dev_t dev;		/* the file followed, to notice a replacement */
	ino_t ino;
	int tfd;
};

void
manactl_rec_begin(bool json, const char *src, const char *event)
{
	print_begin(stdout, json, false);
	open_json_object(NULL);
	print_string(PRINT_JSON, "source", NULL, src);
	print_string(PRINT_JSON, "event", NULL, event);
	if (!print_is_json())
		printf("[%s,%s]", src, event);
}

void
manactl_rec_end(void)
{
	close_json_object();
	if (!print_is_json())
		putchar('\n');
	print_end();
	fflush(stdout);
}

/* Map PATH and make a cursor at its newest event. 0 or -errno (message printed). */
static int
follow(struct manactl_mon_mbox *mm)
{
	struct stat st;
	int ret;

	mm->mb = mbox_open(mm->path);
	if (mm->mb == NULL) {
		ret = -errno;
		fprintf(stderr, "manactl: mailbox %s: %s\n", mm->path, mbox_errmsg());
		return ret;
	}
	mm->cur = mbox_cursor_new(mm->mb, 0);
	if (mm->cur == NULL) {
		ret = -errno;
		fprintf(stderr, "manactl: mailbox %s: %s\n", mm->path, mbox_errmsg());
		goto err_close_mb;
	}
	if (stat(mm->path, &st) == 0) {
		mm->dev = st.st_dev;
		mm->ino = st.st_ino;
	}
	return 0;

err_close_mb:
	mbox_close(mm->mb);
	mm->mb = NULL;
	return ret;
}

static void
unfollow(struct manactl_mon_mbox *mm)
{
	mbox_cursor_free(mm->cur);
	mm->cur = NULL;
	mbox_close(mm->mb);
	mm->mb = NULL;
}

struct manactl_mon_mbox *
manactl_mon_mbox_open(const char *path, bool json, int *err)
{
	const struct itimerspec its = {
		.it_interval = { 0, MANACTL_MBOX_POLL_MS * 1000000L },
		.it_value = { 0, MANACTL_MBOX_POLL_MS * 1000000L },
	};
	struct manactl_mon_mbox *mm = calloc(1, sizeof(*mm));

	*err = -ENOMEM;
	if (mm == NULL)
		goto err_say_oom;
	mm->tfd = -1;
	mm->json = json;
	mm->path = strdup(path);
	if (mm->path == NULL)
		goto err_free;
	*err = follow(mm);
	if (*err < 0)
		goto err_free;
	mm->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (mm->tfd < 0 || timerfd_settime(mm->tfd, 0, &its, NULL) < 0) {
		*err = -errno;
		fprintf(stderr, "manactl: timerfd: %s\n", strerror(errno));
		goto err_unfollow;
	}
	return mm;

err_unfollow:
	if (mm->tfd >= 0)
		close(mm->tfd);
	unfollow(mm);
err_free:
	if (mm != NULL)
		free(mm->path);
	free(mm);
err_say_oom:
	if (*err == -ENOMEM)
		fprintf(stderr, "manactl: out of memory\n");
	return NULL;
}

void
manactl_mon_mbox_close(struct manactl_mon_mbox *mm)
{
	if (mm == NULL)
		return;
	unfollow(mm);
	close(mm->tfd);
	free(mm->path);
	free(mm);
}

int
manactl_mon_mbox_fd(const struct manactl_mon_mbox *mm)
{
	return mm->tfd;
}

static void
print_result(const struct mbox_reset_rec *r)
{
	char key[24], fmt[32];

	print_u64(PRINT_ANY, "reset", " reset %" PRIu64, r->seq);
	print_string(PRINT_ANY, "outcome", " outcome %s", mbox_pmd_state_name(r->outcome));
	print_int(PRINT_ANY, "error", " error %d", r->error);
	print_u64(PRINT_ANY, "total_us", " total %" PRIu64 "us", r->total_ns / 1000);
	for (unsigned int i = 0; i < MBOX_PHASES; i++) {
		snprintf(key, sizeof(key), "%s_us", mbox_phase_label(i));
		snprintf(fmt, sizeof(fmt), " %s %%" PRIu64 "us", mbox_phase_label(i));
		print_u64(PRINT_ANY, key, fmt, r->phase_ns[i] / 1000);
	}
}

static void
print_payload(const struct mbox_event *ev)
{
	char guid[24];

	switch (ev->type) {
	case MBOX_EV_SVC_START:
		print_string(PRINT_ANY, "svc_source", " svc_source %s",
			     mbox_svc_source_name(ev->u.svc.source));
		print_string(PRINT_ANY, "svc_reason", " svc_reason %s",
			     svc_reason_name(ev->u.svc.reason));
		print_u64(PRINT_ANY, "detail", " detail %" PRIu64, ev->u.svc.detail);
		break;
	case MBOX_EV_HW_BACK:
		manactl_guid_str(ev->u.ident.node_guid, guid, sizeof(guid));
		print_string(PRINT_ANY, "ibdev", " ibdev %s", ev->u.ident.ibdev);
		print_string(PRINT_ANY, "netdev", " netdev %s", ev->u.ident.netdev);
		print_string(PRINT_ANY, "node_guid", " node_guid %s", guid);
		print_uint(PRINT_ANY, "gen", " gen %u", ev->u.ident.gen);
		print_uint(PRINT_ANY, "ifindex", " ifindex %u", ev->u.ident.ifindex);
		break;
	case MBOX_EV_HOT_REMOVE:
		/* 1.1: what ctrl made of the removal (unsaid from a 1.0 ctrl). */
		print_string(PRINT_ANY, "cause", " cause %s", mbox_rm_cause_name(ev->u.rm.cause));
		print_string(PRINT_ANY, "svc_source", " svc_source %s",
			     mbox_svc_source_name(ev->u.rm.source));
		print_string(PRINT_ANY, "svc_reason", " svc_reason %s",
			     svc_reason_name(ev->u.rm.reason));
		break;
	case MBOX_EV_RESET_ENTER:
	case MBOX_EV_PHASE:
		print_u64(PRINT_ANY, "reset", " reset %" PRIu64, ev->u.phase.reset_seq);
		if (ev->type == MBOX_EV_PHASE)
			print_string(PRINT_ANY, "phase", " phase %s",
				     mbox_phase_label(ev->u.phase.phase));
		print_string(PRINT_ANY, "state", " state %s",
			     mbox_pmd_state_name(ev->u.phase.state));
		break;
	case MBOX_EV_RECOVERED:
	case MBOX_EV_RECOVERY_FAILED:
		print_result(&ev->u.result);
		break;
	default:
		break;	/* GONE: no payload */
	}
}

static void
print_cursor_ev(struct manactl_mon_mbox *mm, const struct mbox_cursor_ev *ce)
{
	const struct mbox_event *ev = &ce->ev;
	bool gap = ev->type == MBOX_EV_RESYNC;
	struct mbox_port pt = { 0 };
	const char *pci = "";

	if (manactl_mbox_port_read(mm->mb, ev->port, &pt) == 0)
		pci = pt.ctrl.ident.pci;
	manactl_rec_begin(mm->json, "mbox", gap ? "missed" : mbox_ev_name(ev->type));
	print_string(PRINT_ANY, "dev", " %s", pt.ctrl.ident.ibdev[0] != '\0' && pci[0] != '\0' ?
		     pt.ctrl.ident.ibdev : pci);
	print_uint(PRINT_ANY, "port", " port %u", ev->port);
	print_string(PRINT_ANY, "pci", " pci %s", pci);
	print_string(PRINT_ANY, "dir", " %s", ce->dir == MBOX_DIR_TO_PMD ? "to_pmd" : "to_ctrl");
	if (gap) {
		print_u64(PRINT_ANY, "missed", " missed %" PRIu64, ce->missed);
		print_u64(PRINT_ANY, "lost", " lost %" PRIu64, ce->lost);
	} else {
		print_u64(PRINT_ANY, "seq", " seq %" PRIu64, ev->seq);
		print_u64(PRINT_JSON, "time_ns", NULL, ev->time_ns);
		print_payload(ev);
	}
	manactl_rec_end();
}

/* A new file at PATH (ctrl replaced the segment): follow that one. */
static void
check_replaced(struct manactl_mon_mbox *mm)
{
	struct stat st;

	if (stat(mm->path, &st) < 0 || (st.st_dev == mm->dev && st.st_ino == mm->ino))
		return;
	unfollow(mm);
	manactl_rec_begin(mm->json, "mbox", "replaced");
	print_string(PRINT_ANY, "path", " %s", mm->path);
	manactl_rec_end();
	if (follow(mm) < 0) {
		/* Keep polling: the next tick tries again (dev/ino unchanged). */
		mm->dev = 0;
		mm->ino = 0;
	}
}

void
manactl_mon_mbox_tick(struct manactl_mon_mbox *mm)
{
	struct mbox_cursor_ev ce;
	uint64_t expirations;

	if (read(mm->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return;
	check_replaced(mm);
	if (mm->cur == NULL) {
		if (follow(mm) < 0)
			return;
	}
	while (mbox_cursor_next(mm->cur, &ce) == 1)
		print_cursor_ev(mm, &ce);
}
