/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* manactl rdma show [DEV]: RDMA devices with node GUID and netdev (nldev dumps). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctrl/manactl/manactl.h"
#include "ctrl/print/print.h"
#include "netlink/nl_rdma.h"

struct rdma_show {
	const char *only;
	int shown;
};

static void
guid_str(uint64_t g, char *buf, size_t n)
{
	snprintf(buf, n, "%04" PRIx64 ":%04" PRIx64 ":%04" PRIx64 ":%04" PRIx64,
		 (g >> 48) & 0xffff, (g >> 32) & 0xffff, (g >> 16) & 0xffff, g & 0xffff);
}

static void
show_dev(void *arg, const struct nl_rdma_dev *d)
{
	struct rdma_show *s = arg;
	char guid[24];

	if (s->only != NULL && strcmp(s->only, d->name) != 0)
		return;
	s->shown++;
	guid_str(d->node_guid, guid, sizeof(guid));
	open_json_object(NULL);
	print_uint(PRINT_ANY, "ifindex", "%u: ", d->index);
	print_string(PRINT_ANY, "ifname", "%s: ", d->name);
	print_string(PRINT_ANY, "node_guid", "node_guid %s", guid);
	print_uint(PRINT_ANY, "ports", " ports %u", d->ports);
	if (d->ndev_name[0] != '\0') {
		print_uint(PRINT_ANY, "netdev_index", " netdev_index %u", d->ndev_index);
		print_string(PRINT_ANY, "netdev", " netdev %s", d->ndev_name);
	}
	if (d->fw[0] != '\0')
		print_string(PRINT_ANY, "fw", " fw %s", d->fw);
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();
}

static int
rdma_show(struct manactl *m)
{
	struct rdma_show s = { 0 };
	struct nl_rdma *r;
	int err = 0, ret;

	if (!manactl_no_arg(m)) {
		s.only = manactl_arg(m);
		manactl_next(m);
	}
	if (!manactl_no_arg(m)) {
		fprintf(stderr, "Unknown option \"%s\"\n", manactl_arg(m));
		return -EINVAL;
	}
	r = nl_rdma_open(&err);
	if (r == NULL) {
		fprintf(stderr, "manactl: %s\n", nl_rdma_strerror(err));
		return err;
	}
	if (print_begin(stdout, m->json, m->pretty) < 0) {
		nl_rdma_close(r);
		return -ENOMEM;
	}
	open_json_array(PRINT_JSON, NULL);
	ret = nl_rdma_dump(r, show_dev, &s);
	close_json_array(PRINT_JSON, NULL);
	print_end();
	nl_rdma_close(r);
	if (ret < 0) {
		fprintf(stderr, "kernel answers: %s\n", nl_rdma_strerror(ret));
		return ret;
	}
	if (s.only != NULL && s.shown == 0) {
		fprintf(stderr, "Wrong device name \"%s\"\n", s.only);
		return -ENODEV;
	}
	return 0;
}

static int
rdma_help(struct manactl *m)
{
	(void)m;
	printf("Usage: manactl rdma show [ DEV ]\n");
	return 0;
}

int
manactl_rdma(struct manactl *m)
{
	static const struct manactl_cmd cmds[] = {
		{ "show", rdma_show },
		{ "list", rdma_show },
		{ "help", rdma_help },
		{ NULL, NULL },
	};

	return manactl_dispatch(m, cmds, "rdma");
}
