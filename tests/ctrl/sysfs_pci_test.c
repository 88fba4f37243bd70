/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * ctrl/common/sysfs_pci over a fake sysfs: the BDF check (length, digits,
 * separators), the walk over the PCI addresses of a resolved device link
 * (outermost first, stopped by the callback), the innermost address of an
 * auxiliary device and of a device without one, the bound driver, and a
 * PCI function present or gone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/common/sysfs_pci.h"
#include "tests/lib/test_util.h"

static char dir[64];

static void
sh(const char *fmt)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cd %s && %s", dir, fmt);
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(1);
	}
}

struct seen {
	char bdf[4][16];
	int n;
	int stop_at;
};

static int
collect(void *arg, const char *bdf)
{
	struct seen *s = arg;

	if (s->n < 4)
		snprintf(s->bdf[s->n], sizeof(s->bdf[0]), "%s", bdf);
	s->n++;
	return s->n == s->stop_at ? 7 : 0;
}

int
main(void)
{
	char path[256], pci[16], drv[32];
	struct seen s = { .n = 0 };

	CHECK(sysfs_pci_is_bdf("0000:00:02.0"));
	CHECK(sysfs_pci_is_bdf("7870:00:00.0"));
	CHECK(sysfs_pci_is_bdf("ABCD:ef:1F.7"));
	CHECK(!sysfs_pci_is_bdf("0000:00:02"));
	CHECK(!sysfs_pci_is_bdf("0000:00:02.00"));
	CHECK(!sysfs_pci_is_bdf("0000-00:02.0"));
	CHECK(!sysfs_pci_is_bdf("0000:00:0g.0"));
	CHECK(!sysfs_pci_is_bdf("pci0000:00"));
	CHECK(!sysfs_pci_is_bdf(""));

	snprintf(dir, sizeof(dir), "/tmp/sysfspciXXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	/* A PCI bridge, the function below it, MANA's auxiliary IB device below that. */
	sh("mkdir -p sys/devices/pci0000:00/0000:00:1c.0/7870:00:00.0/mana.rdma.0 "
	   "sys/devices/virtual/net/lo sys/bus/pci/devices sys/bus/pci/drivers/mana "
	   "sys/class/infiniband/mana_0 sys/class/net/lo");
	sh("ln -s ../../../devices/pci0000:00/0000:00:1c.0/7870:00:00.0/mana.rdma.0 "
	   "sys/class/infiniband/mana_0/device && ln -s ../../../devices/virtual/net/lo "
	   "sys/class/net/lo/device && ln -s ../../../devices/pci0000:00/0000:00:1c.0/7870:00:00.0 "
	   "sys/bus/pci/devices/7870:00:00.0 && ln -s ../../../../bus/pci/drivers/mana "
	   "sys/devices/pci0000:00/0000:00:1c.0/7870:00:00.0/driver");

	snprintf(path, sizeof(path), "%s/sys/class/infiniband/mana_0/device", dir);
	CHECK(sysfs_pci_walk(path, collect, &s) == 0);
	CHECK(s.n == 2 && strcmp(s.bdf[0], "0000:00:1c.0") == 0 &&
	      strcmp(s.bdf[1], "7870:00:00.0") == 0);
	s = (struct seen){ .stop_at = 1 };
	CHECK(sysfs_pci_walk(path, collect, &s) == 7 && s.n == 1);
	CHECK(sysfs_pci_of_link(path, pci, sizeof(pci)) == 0 && strcmp(pci, "7870:00:00.0") == 0);

	snprintf(path, sizeof(path), "%s/sys/class/net/lo/device", dir);
	CHECK(sysfs_pci_of_link(path, pci, sizeof(pci)) == -ENOENT && pci[0] == '\0');
	snprintf(path, sizeof(path), "%s/sys/class/infiniband/mana_9/device", dir);
	CHECK(sysfs_pci_of_link(path, pci, sizeof(pci)) == -ENOENT);
	s = (struct seen){ .n = 0 };
	CHECK(sysfs_pci_walk(path, collect, &s) == -ENOENT && s.n == 0);

	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/7870:00:00.0", dir);
	sysfs_pci_driver(path, drv, sizeof(drv));
	CHECK(strcmp(drv, "mana") == 0);
	snprintf(path, sizeof(path), "%s/sys/class/infiniband/mana_0/device", dir);
	sysfs_pci_driver(path, drv, sizeof(drv));
	CHECK(drv[0] == '\0');

	snprintf(path, sizeof(path), "%s/sys", dir);
	CHECK(sysfs_pci_present(path, "7870:00:00.0"));
	CHECK(!sysfs_pci_present(path, "7870:00:01.0"));
	sh("rm sys/bus/pci/devices/7870:00:00.0");
	CHECK(!sysfs_pci_present(path, "7870:00:00.0"));

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0);
	if (test_failures != 0) {
		fprintf(stderr, "sysfs_pci_test: %d failure(s)\n", test_failures);
		return 1;
	}
	printf("sysfs_pci_test: ok\n");
	return 0;
}
