/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * manactl reset show [ PORT ] / reset history [ PORT ]: what the proto/
 * mailbox says of each port: identity and hardware state (mana-ctrld's
 * record), reset state, counters and the timeline of the last resets (the
 * PMD's record; with how each reset's wait for the hardware ended: "wake"
 * ctrl, poll, device, timeout, and "hint" the time from mana-ctrld's
 * HW_BACK to its end). The segment is mapped read-only (mbox_open): no effect on
 * mana-ctrld or the PMDs. PORT: a port number, PCI address or IB device.
 * The segment: "mbox PATH", else $MANA_MBOX, else /run/mana/mbox.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/manactl/manactl.h"
#include "ctrl/print/print.h"
#include "proto/mbox.h"

struct reset_args {
	const char *port;	/* NULL: all */
	const char *path;
};

static int
parse_args(struct manactl *m, struct reset_args *a)
{
	a->port = NULL;
	a->path = manactl_mbox_default_path();
	while (!manactl_no_arg(m)) {
		if (strcmp(manactl_arg(m), "mbox") == 0) {
			if (manactl_mbox_arg(m, &a->path) < 0)
				return -EINVAL;
		} else if (a->port == NULL) {
			a->port = manactl_arg(m);
		} else {
			fprintf(stderr, "Unknown option \"%s\"\n", manactl_arg(m));
			return -EINVAL;
		}
		manactl_next(m);
	}
	return 0;
}

static bool
port_matches(const char *want, unsigned int p, const struct mbox_port *pt)
{
	char num[12];

	if (want == NULL)
		return true;
	snprintf(num, sizeof(num), "%u", p);
	return strcmp(want, num) == 0 || strcmp(want, pt->ctrl.ident.pci) == 0 ||
	       strcmp(want, pt->ctrl.ident.ibdev) == 0;
}

static int
reset_walk(struct manactl *m, bool history)
{
	struct reset_args a;
	struct mbox_info info;
	struct mbox_port pt;
	struct mbox *mb;
	unsigned int shown = 0;
	int ret;

	ret = parse_args(m, &a);
	if (ret < 0)
		return ret;
	mb = mbox_open(a.path);
	if (mb == NULL) {
		ret = -errno;
		fprintf(stderr, "manactl: mailbox %s: %s\n", a.path, mbox_errmsg());
		return ret;
	}
	mbox_info(mb, &info);
	if (print_begin(stdout, m->json, m->pretty) < 0) {
		mbox_close(mb);
		return -ENOMEM;
	}
	open_json_array(PRINT_JSON, NULL);
	for (unsigned int p = 0; p < info.nb_ports; p++) {
		if (manactl_mbox_port_read(mb, p, &pt) < 0)
			continue;
		if (pt.ctrl.hw_state == MBOX_HW_NONE || !port_matches(a.port, p, &pt))
			continue;
		shown++;
		if (!history) {
			manactl_print_port(p, &pt);
			continue;
		}
		for (unsigned int i = 0; i < pt.pmd.nb_timeline && i < MBOX_TIMELINE; i++)
			manactl_print_reset(p, &pt, i, true);
	}
	close_json_array(PRINT_JSON, NULL);
	print_end();
	mbox_close(mb);
	if (a.port != NULL && shown == 0) {
		fprintf(stderr, "Wrong port \"%s\": no port, PCI address or IB device of that "
			"name in %s\n", a.port, a.path);
		return -ENODEV;
	}
	return 0;
}

static int
reset_show(struct manactl *m)
{
	return reset_walk(m, false);
}

static int
reset_history(struct manactl *m)
{
	return reset_walk(m, true);
}

static int
reset_help(struct manactl *m)
{
	(void)m;
	printf("Usage: manactl reset show [ PORT ] [ mbox PATH ]\n"
	       "       manactl reset history [ PORT ] [ mbox PATH ]\n"
	       "PORT := { port number | PCI address | IB device }\n"
	       "PATH: the mailbox segment (default $MANA_MBOX, else " MANACTL_MBOX_DEFAULT ")\n");
	return 0;
}

int
manactl_reset(struct manactl *m)
{
	static const struct manactl_cmd cmds[] = {
		{ "show", reset_show },
		{ "list", reset_show },
		{ "history", reset_history },
		{ "help", reset_help },
		{ NULL, NULL },
	};

	return manactl_dispatch(m, cmds, "reset");
}
