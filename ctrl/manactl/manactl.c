/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * manactl: the operator CLI. `manactl [ -j ] [ -p ] OBJECT COMMAND ...`,
 * objects health, rdma, reset, status, monitor, sim. Exit 0, or 1 on an error
 * (an object may return an exit code of its own: sim). Output of `health show` and `health dump
 * show` / `diagnose` matches iproute2's `devlink` in text and JSON.
 */
#include <getopt.h>
#include <stdio.h>

#include "ctrl/manactl/manactl.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: manactl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"where  OBJECT := { health | rdma | reset | status | monitor | sim }\n"
		"       OPTIONS := { -j[son] | -p[retty] | -V[ersion] | -h[elp] }\n");
}

static int
cmd_help(struct manactl *m)
{
	(void)m;
	usage(stdout);
	return 0;
}

static const struct manactl_cmd objects[] = {
	{ "help", cmd_help },
	{ "health", manactl_health },
	{ "rdma", manactl_rdma },
	{ "reset", manactl_reset },
	{ "status", manactl_status },
	{ "monitor", manactl_monitor },
	{ "sim", manactl_sim },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct manactl m = { 0 };
	int opt;

	while ((opt = getopt_long(argc, argv, "+jpVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			m.json = true;
			break;
		case 'p':
			m.pretty = true;
			break;
		case 'V':
			printf("manactl (mana-reset) 0.1\n");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	m.argc = argc - optind;
	m.argv = argv + optind;
	if (manactl_no_arg(&m)) {
		usage(stderr);
		return 1;
	}
	for (const struct manactl_cmd *c = objects; c->name != NULL; c++) {
		if (manactl_match(&m, c->name)) {
			int ret;

			manactl_next(&m);
			ret = c->func(&m);
			return ret < 0 ? 1 : ret;
		}
	}
	fprintf(stderr, "Object \"%s\" is unknown, try \"manactl help\".\n", manactl_arg(&m));
	return 1;
}
