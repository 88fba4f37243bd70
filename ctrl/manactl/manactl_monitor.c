/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * manactl monitor [ all | rdma | health ] [ mbox PATH ], monitor mbox [ PATH ]: kernel
 * events as they come and the mailbox's events (manactl_monitor_mbox.c),
 * one line each; with -j one valid JSON object per line, flushed per event
 * (unlike `devlink -j monitor` and `rdma -j monitor`). Every line carries
 * the device. Lost events (socket overrun) print an "overrun" record, a
 * mailbox reader that fell behind a "missed" one. RDMA uses the monitor
 * group where the kernel has it (6.12+), else uevents. "all" includes the
 * mailbox when its segment exists.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrl/manactl/manactl.h"
#include "ctrl/print/print.h"
#include "netlink/nl_devlink.h"
#include "netlink/nl_loop.h"
#include "netlink/nl_rdma.h"
#include "netlink/nl_uapi.h"
#include "netlink/nl_uevent.h"

struct mon {
	struct manactl *m;
	struct nl_rdma *rdma;
	struct nl_devlink *dl;
	struct nl_uevent_sock *uev;
	struct manactl_mon_mbox *mbox;
	int stop;
};

static void
rec_begin(struct mon *mo, const char *src, const char *event)
{
	manactl_rec_begin(mo->m->json, src, event);
}

static void
rec_end(void)
{
	manactl_rec_end();
}

static void
on_rdma_event(void *arg, const struct nl_nldev_msg *ev)
{
	struct mon *mo = arg;

	rec_begin(mo, "rdma", nl_nldev_event_name(ev->event));
	print_uint(PRINT_ANY, "index", " dev %u", ev->dev_index);
	print_string(PRINT_ANY, "dev", " %s", ev->dev_name);
	if (ev->present & NL_NLDEV_HAS_PORT)
		print_uint(PRINT_ANY, "port", " port %u", ev->port);
	if (ev->present & NL_NLDEV_HAS_NDEV_INDEX)
		print_uint(PRINT_ANY, "netdev_index", " netdev %u", ev->ndev_index);
	if (ev->present & NL_NLDEV_HAS_NDEV_NAME)
		print_string(PRINT_ANY, "netdev", " %s", ev->ndev_name);
	rec_end();
}

static void
on_dl_event(void *arg, const struct nl_dl_msg *m)
{
	struct mon *mo = arg;
	char handle[2 * NL_DL_NAME_MAX + 16];
	const char *ev;

	switch (m->cmd) {
	case NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER:
		ev = "status";
		break;
	case NLU_DEVLINK_CMD_NEW:
		ev = "dev_new";
		break;
	case NLU_DEVLINK_CMD_DEL:
		ev = "dev_del";
		break;
	case NLU_DEVLINK_CMD_PORT_NEW:
		ev = "port_new";
		break;
	case NLU_DEVLINK_CMD_PORT_DEL:
		ev = "port_del";
		break;
	default:
		return;
	}
	if (m->present & NL_DL_HAS_PORT)
		snprintf(handle, sizeof(handle), "%s/%s/%u", m->bus, m->dev, m->port);
	else
		snprintf(handle, sizeof(handle), "%s/%s", m->bus, m->dev);
	rec_begin(mo, "health", ev);
	print_string(PRINT_ANY, "dev", " %s", handle);
	if (m->present & NL_DL_HAS_NAME) {
		print_string(PRINT_ANY, "reporter", " reporter %s", m->reporter);
		if (m->present & NL_DL_HAS_STATE)
			print_string(PRINT_ANY, "state", " state %s", nl_dl_state_name(m->state));
		if (m->present & NL_DL_HAS_ERR)
			print_u64(PRINT_ANY, "error", " error %" PRIu64, m->err_count);
		if (m->present & NL_DL_HAS_RECOVER)
			print_u64(PRINT_ANY, "recover", " recover %" PRIu64, m->recover_count);
		if (m->present & NL_DL_HAS_GRACE)
			print_u64(PRINT_ANY, "grace_period", " grace_period %" PRIu64,
				  m->grace_period);
		if (m->present & NL_DL_HAS_AUTO_RECOVER)
			print_bool(PRINT_ANY, "auto_recover", " auto_recover %s", m->auto_recover);
		if (m->present & NL_DL_HAS_AUTO_DUMP)
			print_bool(PRINT_ANY, "auto_dump", " auto_dump %s", m->auto_dump);
	}
	rec_end();
}

static void
overrun(struct mon *mo, const char *src)
{
	rec_begin(mo, src, "overrun");
	print_string(PRINT_ANY, "note", " %s", "events lost: state may have changed unseen");
	rec_end();
}

static void
fd_rdma(void *arg, int fd, uint32_t events)
{
	struct mon *mo = arg;
	int ret;

	(void)fd;
	(void)events;
	ret = nl_rdma_monitor_read(mo->rdma, on_rdma_event, mo);
	if (ret == -ENOBUFS)
		overrun(mo, "rdma");
}

static void
fd_dl(void *arg, int fd, uint32_t events)
{
	struct mon *mo = arg;

	(void)fd;
	(void)events;
	if (nl_devlink_events_read(mo->dl) == -ENOBUFS)
		overrun(mo, "health");
}

static void
fd_uevent(void *arg, int fd, uint32_t events)
{
	struct mon *mo = arg;
	struct nl_uevent ev;
	int ret;

	(void)fd;
	(void)events;
	while ((ret = nl_uevent_read(mo->uev, &ev)) > 0) {
		if (strcmp(ev.subsystem, "infiniband") != 0)
			continue;
		rec_begin(mo, "uevent", ev.action);
		print_string(PRINT_ANY, "dev", " %s", ev.name);
		print_string(PRINT_ANY, "devpath", " %s", ev.devpath);
		rec_end();
	}
	if (ret == -ENOBUFS)
		overrun(mo, "uevent");
}

static void
fd_signal(void *arg, int fd, uint32_t events)
{
	struct mon *mo = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si))
		mo->stop = 1;
}

static int
open_rdma(struct mon *mo, struct nl_loop *l)
{
	int err = 0, monitor = 0;

	mo->rdma = nl_rdma_open(&err);
	if (mo->rdma == NULL) {
		fprintf(stderr, "manactl: %s\n", nl_rdma_strerror(err));
		return err;
	}
	if (nl_rdma_sys_get(mo->rdma, &monitor) == 0 && monitor &&
	    nl_rdma_monitor_open(mo->rdma) == 0)
		return nl_loop_add(l, nl_rdma_monitor_fd(mo->rdma), fd_rdma, mo);
	/* Before 6.12: kobject uevents of the infiniband class. */
	mo->uev = nl_uevent_open();
	if (mo->uev == NULL) {
		fprintf(stderr, "manactl: cannot listen to uevents: %s\n", strerror(errno));
		return -errno;
	}
	return nl_loop_add(l, nl_uevent_fd(mo->uev), fd_uevent, mo);
}

static int
open_health(struct mon *mo, struct nl_loop *l)
{
	int err = 0;

	mo->dl = nl_devlink_open(&err);
	if (mo->dl == NULL) {
		fprintf(stderr, "manactl: %s\n", nl_devlink_strerror(err));
		return err;
	}
	err = nl_devlink_events_open(mo->dl, on_dl_event, mo);
	if (err < 0) {
		fprintf(stderr, "manactl: %s\n", nl_devlink_strerror(err));
		return err;
	}
	return nl_loop_add(l, nl_devlink_events_fd(mo->dl), fd_dl, mo);
}

static void
fd_mbox(void *arg, int fd, uint32_t events)
{
	struct mon *mo = arg;

	(void)fd;
	(void)events;
	manactl_mon_mbox_tick(mo->mbox);
}

/*
 * The mailbox source. must: the mailbox was asked for by name or path, so
 * any failure is an error; else (all, default path) a missing segment
 * means "no mailbox here" and other failures only a note.
 */
static int
open_mbox(struct mon *mo, struct nl_loop *l, const char *path, bool must)
{
	struct stat st;
	int err = 0;

	if (!must && stat(path, &st) < 0 && errno == ENOENT)
		return 0;
	mo->mbox = manactl_mon_mbox_open(path, mo->m->json, &err);
	if (mo->mbox == NULL) {
		if (must)
			return err;
		fprintf(stderr, "manactl: kernel events only\n");
		return 0;
	}
	return nl_loop_add(l, manactl_mon_mbox_fd(mo->mbox), fd_mbox, mo);
}

static int
monitor_help(void)
{
	printf("Usage: manactl [ -j ] monitor [ all | rdma | health ] [ mbox PATH ]\n"
	       "       manactl [ -j ] monitor mbox [ PATH ]\n"
	       "all (default): rdma, health and the mailbox when its segment exists\n"
	       "PATH: the mailbox segment (default $MANA_MBOX, else " MANACTL_MBOX_DEFAULT ")\n");
	return 0;
}

int
manactl_monitor(struct manactl *m)
{
	struct mon mo = { .m = m };
	bool rdma = true, health = true, mbox = true, mbox_must = false;
	const char *path = manactl_mbox_default_path();
	struct nl_loop *l;
	sigset_t set;
	int sfd = -1, ret = 0;

	if (manactl_match(m, "help"))
		return monitor_help();
	if (!manactl_no_arg(m) && strcmp(manactl_arg(m), "mbox") != 0) {
		if (manactl_match(m, "rdma")) {
			health = false;
			mbox = false;
		} else if (manactl_match(m, "health")) {
			rdma = false;
			mbox = false;
		} else if (!manactl_match(m, "all")) {
			fprintf(stderr, "Unknown object \"%s\", try \"manactl monitor help\".\n",
				manactl_arg(m));
			return -EINVAL;
		}
		manactl_next(m);
	} else if (!manactl_no_arg(m)) {
		/* "monitor mbox [ PATH | mbox PATH ]": the mailbox only. */
		rdma = false;
		health = false;
		mbox_must = true;
		manactl_next(m);
		if (!manactl_no_arg(m) && strcmp(manactl_arg(m), "mbox") != 0) {
			path = manactl_arg(m);
			manactl_next(m);
		}
	}
	while (!manactl_no_arg(m)) {
		if (strcmp(manactl_arg(m), "mbox") != 0) {
			fprintf(stderr, "Unknown option \"%s\", try \"manactl monitor help\".\n",
				manactl_arg(m));
			return -EINVAL;
		}
		if (manactl_mbox_arg(m, &path) < 0)
			return -EINVAL;
		manactl_next(m);
		if (!mbox) {
			fprintf(stderr, "A mailbox path with a kernel-only monitor: use \"all\" or "
				"\"mbox\".\n");
			return -EINVAL;
		}
		mbox_must = true;
	}
	l = nl_loop_new();
	if (l == NULL)
		return -ENOMEM;
	if (rdma)
		ret = open_rdma(&mo, l);
	if (ret == 0 && health)
		ret = open_health(&mo, l);
	if (ret == 0 && mbox)
		ret = open_mbox(&mo, l, path, mbox_must);
	if (ret < 0)
		goto out;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || nl_loop_add(l, sfd, fd_signal, &mo) < 0) {
		ret = -errno;
		goto out;
	}
	while (!mo.stop) {
		ret = nl_loop_run_once(l, -1);
		if (ret < 0)
			break;
		ret = 0;
	}
out:
	if (sfd >= 0)
		close(sfd);
	manactl_mon_mbox_close(mo.mbox);
	nl_uevent_close(mo.uev);
	nl_devlink_close(mo.dl);
	nl_rdma_close(mo.rdma);
	nl_loop_free(l);
	return ret;
}
