/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * manactl health: show, dump show, dump clear, diagnose, recover (devlink
 * health over netlink/nl_devlink.h), printed like iproute2's devlink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/print/health_print.h"
#include "ctrl/manactl/manactl.h"
#include "ctrl/print/print.h"
#include "netlink/nl_devlink.h"
#include "netlink/nl_uapi.h"

struct health_args {
	char handle[160];
	struct nl_dl_target t;
};

static void
health_help(FILE *f)
{
	fprintf(f,
		"Usage: manactl health show [ { DEV | DEV/PORT_INDEX } [ reporter REPORTER_NAME ] ]\n"
		"       manactl health recover { DEV | DEV/PORT_INDEX } reporter REPORTER_NAME\n"
		"       manactl health diagnose { DEV | DEV/PORT_INDEX } reporter REPORTER_NAME\n"
		"       manactl health dump show { DEV | DEV/PORT_INDEX } reporter REPORTER_NAME\n"
		"       manactl health dump clear { DEV | DEV/PORT_INDEX } reporter REPORTER_NAME\n"
		"DEV is BUS/NAME, e.g. pci/0000:03:00.0 or netdevsim/netdevsim1\n");
}

/* DEV[/PORT] [reporter NAME]; need_reporter for the per-reporter commands. */
static int
parse_target(struct manactl *m, struct health_args *a, bool need_reporter)
{
	char *s1, *s2, *end;

	memset(a, 0, sizeof(*a));
	a->t.port = -1;
	if (manactl_no_arg(m)) {
		if (need_reporter) {
			fprintf(stderr, "Devlink identification (\"bus_name/dev_name\") expected\n");
			return -EINVAL;
		}
		return 0;
	}
	snprintf(a->handle, sizeof(a->handle), "%s", manactl_arg(m));
	s1 = strchr(a->handle, '/');
	if (s1 == NULL || s1 == a->handle || s1[1] == '\0') {
		fprintf(stderr, "Wrong devlink identification string format.\n"
				"Devlink identification (\"bus_name/dev_name\") expected\n");
		return -EINVAL;
	}
	*s1 = '\0';
	s2 = strchr(s1 + 1, '/');
	if (s2 != NULL) {
		*s2 = '\0';
		errno = 0;
		a->t.port = strtol(s2 + 1, &end, 10);
		if (errno != 0 || *end != '\0' || a->t.port < 0 || a->t.port > UINT32_MAX) {
			fprintf(stderr, "Port index \"%s\" is not a number.\n", s2 + 1);
			return -EINVAL;
		}
	}
	a->t.bus = a->handle;
	a->t.dev = s1 + 1;
	manactl_next(m);
	if (manactl_match(m, "reporter")) {
		manactl_next(m);
		if (manactl_no_arg(m)) {
			fprintf(stderr, "Reporter name expected.\n");
			return -EINVAL;
		}
		a->t.reporter = manactl_arg(m);
		manactl_next(m);
	}
	if (!manactl_no_arg(m)) {
		fprintf(stderr, "Unknown option \"%s\"\n", manactl_arg(m));
		return -EINVAL;
	}
	if (need_reporter && a->t.reporter == NULL) {
		fprintf(stderr, "Reporter name expected.\n");
		return -EINVAL;
	}
	return 0;
}

static struct nl_devlink *
open_devlink(void)
{
	struct nl_devlink *d;
	int err = 0;

	d = nl_devlink_open(&err);
	if (d == NULL)
		fprintf(stderr, "manactl: %s\n", nl_devlink_strerror(err));
	return d;
}

static int
kernel_error(int ret)
{
	fprintf(stderr, "kernel answers: %s\n", strerror(-ret));
	return ret;
}

struct show_ctx {
	struct health_print hp;
	const struct nl_dl_target *filter;	/* DEV without a reporter: a filtered dump */
};

static void
show_cb(void *arg, const struct nl_dl_msg *m)
{
	struct show_ctx *c = arg;
	const struct nl_dl_target *t = c->filter;

	if (t != NULL && (strcmp(m->bus, t->bus) != 0 || strcmp(m->dev, t->dev) != 0 ||
			  (t->port >= 0 && (!(m->present & NL_DL_HAS_PORT) ||
					    m->port != (uint32_t)t->port))))
		return;
	health_print_reporter(&c->hp, m);
}

static int
health_show(struct manactl *m)
{
	struct health_args a;
	struct show_ctx c = { 0 };
	struct nl_devlink *d;
	int ret;

	ret = parse_target(m, &a, false);
	if (ret < 0)
		return ret;
	d = open_devlink();
	if (d == NULL)
		return -ENOENT;
	if (print_begin(stdout, m->json, m->pretty) < 0) {
		nl_devlink_close(d);
		return -ENOMEM;
	}
	health_print_begin(&c.hp);
	/* One reporter: a GET; a device or everything: a dump, filtered here. */
	if (a.t.bus != NULL && a.t.reporter == NULL)
		c.filter = &a.t;
	ret = nl_devlink_health_get(d, a.t.reporter != NULL ? &a.t : NULL, show_cb, &c);
	health_print_end(&c.hp);
	print_end();
	nl_devlink_close(d);
	return ret < 0 ? kernel_error(ret) : 0;
}

static int
health_fmsg(struct manactl *m, uint8_t cmd)
{
	struct health_args a;
	struct nl_devlink *d;
	struct nl_fmsg f;
	int ret;

	ret = parse_target(m, &a, true);
	if (ret < 0)
		return ret;
	d = open_devlink();
	if (d == NULL)
		return -ENOENT;
	if (print_begin(stdout, m->json, m->pretty) < 0) {
		nl_devlink_close(d);
		return -ENOMEM;
	}
	fmsg_print_begin();
	nl_fmsg_init(&f, fmsg_print_item, NULL);
	ret = nl_devlink_fmsg(d, cmd, &a.t, &f);
	nl_fmsg_finish(&f);
	fmsg_print_end();
	print_end();
	nl_devlink_close(d);
	if (nl_fmsg_anomalies(&f))
		fprintf(stderr,
			"manactl: the kernel's fmsg stream was damaged (unbalanced %u, early close %u, "
			"unknown %u, malformed %u, truncated %u, unclosed %u); printed all of it\n",
			f.st.unbalanced, f.st.early_root_close, f.st.unknown, f.st.malformed,
			f.st.truncated, f.st.unclosed);
	return ret < 0 ? kernel_error(ret) : 0;
}

static int
health_do(struct manactl *m, uint8_t cmd)
{
	struct health_args a;
	struct nl_devlink *d;
	int ret;

	ret = parse_target(m, &a, true);
	if (ret < 0)
		return ret;
	d = open_devlink();
	if (d == NULL)
		return -ENOENT;
	ret = nl_devlink_do(d, cmd, &a.t);
	nl_devlink_close(d);
	return ret < 0 ? kernel_error(ret) : 0;
}

static int
cmd_dump_show(struct manactl *m)
{
	return health_fmsg(m, NLU_DEVLINK_CMD_HEALTH_REPORTER_DUMP_GET);
}

static int
cmd_dump_clear(struct manactl *m)
{
	return health_do(m, NLU_DEVLINK_CMD_HEALTH_REPORTER_DUMP_CLEAR);
}

static int
cmd_diagnose(struct manactl *m)
{
	return health_fmsg(m, NLU_DEVLINK_CMD_HEALTH_REPORTER_DIAGNOSE);
}

static int
cmd_recover(struct manactl *m)
{
	return health_do(m, NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER);
}

static int
cmd_help(struct manactl *m)
{
	(void)m;
	health_help(stdout);
	return 0;
}

static int
cmd_dump_help(struct manactl *m)
{
	(void)m;
	health_help(stderr);
	return -EINVAL;
}

static int
cmd_dump(struct manactl *m)
{
	static const struct manactl_cmd cmds[] = {
		{ "help", cmd_dump_help },
		{ "show", cmd_dump_show },
		{ "clear", cmd_dump_clear },
		{ NULL, NULL },
	};

	return manactl_dispatch(m, cmds, "health dump");
}

int
manactl_health(struct manactl *m)
{
	static const struct manactl_cmd cmds[] = {
		{ "show", health_show },
		{ "list", health_show },
		{ "help", cmd_help },
		{ "dump", cmd_dump },
		{ "diagnose", cmd_diagnose },
		{ "recover", cmd_recover },
		{ NULL, NULL },
	};

	return manactl_dispatch(m, cmds, "health");
}
