/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The device's side of a simulated host (proto/simhost), one kernel step
 * per invocation, for the process tests of mana-ctrld --sim-kernel (no
 * DPDK): each step changes the state file and sys/ first, then sends its
 * notifications to DIR/kernel.sock in the kernel's order (lost when nobody
 * is bound), as pmd/sim does (proto/simhost/simhost.h):
 *
 *   add NAME PCI IBDEV NETDEV GUID IFINDEX
 *                 a device present and registered (a new RDMA index),
 *                 devlink pci/PCI with a healthy fw_fatal reporter; sends
 *                 pci add, devlink new, rdma register, rdma netdev_attach
 *   health NAME error|healthy
 *                 the reporter's state; error_count or recover_count + 1;
 *                 devlink health
 *   unregister NAME    class/infiniband/IBDEV goes; rdma unregister
 *   register NAME      a new RDMA index, class/infiniband/IBDEV back;
 *                      rdma register
 *   attach NAME        rdma netdev_attach
 *   remove NAME        the PCI function goes (bus entry, class entries);
 *                      rdma unregister (when registered), devlink del,
 *                      pci remove
 *   rescan NAME        the PCI function back, registered anew; pci add,
 *                      devlink new, rdma register, rdma netdev_attach
 *
 * Prints one line per notification sent ("sent rdma register ..." or
 * "lost ..."). Exit 0, or 1 with a message.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/simhost/simhost.h"

static const char *dir;

static void
die(const char *what, int err)
{
	fprintf(stderr, "simhost_drive: %s: %s (%s)\n", what, strerror(-err), simhost_errmsg());
	exit(1);
}

static void
send_ntf(const struct simhost_ntf *n)
{
	char line[SIMHOST_NTF_MAX];
	int lost = 0, ret;

	if (simhost_ntf_format(n, line, sizeof(line)) < 0)
		die("format", -EINVAL);
	ret = simhost_ntf_send(dir, n, &lost);
	if (ret < 0)
		die(line, ret);
	printf("%s %s\n", lost ? "lost" : "sent", line);
}

static void
ntf_rdma(const struct simhost_dev *d, enum simhost_ntf_type t)
{
	struct simhost_ntf n = { .type = t, .index = d->ib_index, .guid = d->node_guid,
				 .port = 1, .ifindex = d->ifindex };

	snprintf(n.name, sizeof(n.name), "%s", d->ibdev);
	snprintf(n.netdev, sizeof(n.netdev), "%s", d->netdev);
	send_ntf(&n);
}

static void
ntf_devlink(const struct simhost_dev *d, enum simhost_ntf_type t)
{
	struct simhost_ntf n = { .type = t, .health_error = d->health_error,
				 .error_count = d->error_count,
				 .recover_count = d->recover_count };

	snprintf(n.handle, sizeof(n.handle), "pci/%s", d->pci);
	snprintf(n.reporter, sizeof(n.reporter), "%s", d->reporter);
	send_ntf(&n);
}

static void
ntf_pci(const struct simhost_dev *d, enum simhost_ntf_type t)
{
	struct simhost_ntf n = { .type = t };

	snprintf(n.bdf, sizeof(n.bdf), "%s", d->pci);
	send_ntf(&n);
}

static void
check(int ret, const char *what)
{
	if (ret < 0)
		die(what, ret);
}

static void
write_dev(const struct simhost_dev *d)
{
	check(simhost_dev_write(dir, d), "write the state file");
}

/* Present and registered: sys/ entries, a new index. */
static void
bring_up(struct simhost_dev *d)
{
	check(simhost_sys_pci_add(dir, d->pci), "sys pci add");
	check(simhost_ib_index_next(dir, &d->ib_index), "ib_index");
	check(simhost_sys_ib_add(dir, d->ibdev, d->pci), "sys ib add");
	check(simhost_sys_net_add(dir, d->netdev, d->pci, d->ifindex), "sys net add");
	d->pci_present = 1;
	d->registered = 1;
	d->devlink = 1;
	d->hw = SIMHOST_HW_UP;
	write_dev(d);
	ntf_pci(d, SIMHOST_NTF_PCI_ADD);
	ntf_devlink(d, SIMHOST_NTF_DEVLINK_NEW);
	ntf_rdma(d, SIMHOST_NTF_RDMA_REGISTER);
	ntf_rdma(d, SIMHOST_NTF_RDMA_NETDEV_ATTACH);
}

int
main(int argc, char **argv)
{
	struct simhost_dev d;
	const char *cmd;

	if (argc < 4) {
		fprintf(stderr, "usage: simhost_drive DIR add|health|unregister|register|attach|"
			"remove|rescan NAME [ARGS]\n");
		return 2;
	}
	dir = argv[1];
	cmd = argv[2];
	if (strcmp(cmd, "add") == 0) {
		if (argc != 9) {
			fprintf(stderr, "usage: simhost_drive DIR add NAME PCI IBDEV NETDEV GUID IFINDEX\n");
			return 2;
		}
		check(simhost_dir_init(dir), "dir init");
		memset(&d, 0, sizeof(d));
		snprintf(d.name, sizeof(d.name), "%s", argv[3]);
		snprintf(d.pci, sizeof(d.pci), "%s", argv[4]);
		snprintf(d.ibdev, sizeof(d.ibdev), "%s", argv[5]);
		snprintf(d.netdev, sizeof(d.netdev), "%s", argv[6]);
		d.node_guid = strtoull(argv[7], NULL, 16);
		d.ifindex = (uint32_t)strtoul(argv[8], NULL, 10);
		d.pid = getpid();
		snprintf(d.reporter, sizeof(d.reporter), "%s", SIMHOST_REPORTER);
		bring_up(&d);
		return 0;
	}
	check(simhost_dev_read(dir, argv[3], &d), argv[3]);
	if (strcmp(cmd, "health") == 0 && argc == 5) {
		d.health_error = strcmp(argv[4], "error") == 0;
		if (d.health_error)
			d.error_count++;
		else
			d.recover_count++;
		write_dev(&d);
		ntf_devlink(&d, SIMHOST_NTF_DEVLINK_HEALTH);
	} else if (strcmp(cmd, "unregister") == 0) {
		check(simhost_sys_ib_remove(dir, d.ibdev), "sys ib remove");
		d.registered = 0;
		d.hw = SIMHOST_HW_DOWN;
		write_dev(&d);
		ntf_rdma(&d, SIMHOST_NTF_RDMA_UNREGISTER);
	} else if (strcmp(cmd, "register") == 0) {
		check(simhost_ib_index_next(dir, &d.ib_index), "ib_index");
		check(simhost_sys_ib_add(dir, d.ibdev, d.pci), "sys ib add");
		d.registered = 1;
		d.hw = SIMHOST_HW_UP;
		d.service_events++;
		write_dev(&d);
		ntf_rdma(&d, SIMHOST_NTF_RDMA_REGISTER);
	} else if (strcmp(cmd, "attach") == 0) {
		ntf_rdma(&d, SIMHOST_NTF_RDMA_NETDEV_ATTACH);
	} else if (strcmp(cmd, "remove") == 0) {
		int was_registered = d.registered;

		check(simhost_sys_pci_remove(dir, d.pci), "sys pci remove");
		d.pci_present = 0;
		d.registered = 0;
		d.devlink = 0;
		d.hw = SIMHOST_HW_REMOVED;
		write_dev(&d);
		if (was_registered)
			ntf_rdma(&d, SIMHOST_NTF_RDMA_UNREGISTER);
		ntf_devlink(&d, SIMHOST_NTF_DEVLINK_DEL);
		ntf_pci(&d, SIMHOST_NTF_PCI_REMOVE);
	} else if (strcmp(cmd, "rescan") == 0) {
		d.service_events++;
		bring_up(&d);
	} else {
		fprintf(stderr, "simhost_drive: unknown step '%s' or wrong arguments\n", cmd);
		return 2;
	}
	return 0;
}
