/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * pmd/verbs/verbs_sysfs.c over a fake sysfs tree laid out as the kernel
 * lays out a MANA function's (the ibdev below the function's auxiliary
 * device mana.rdma.0) and another driver's (the ibdev on the function
 * itself): the PCI address <-> ibdev lookups (also after the ibdev comes
 * back under a new name), node GUIDs, a registration's id (its directory),
 * the MAC of each IB
 * port from its netdev, and MAC text. No kernel, no verbs, no DPDK.
 * Single-threaded.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pmd/verbs/verbs_sysfs.h"
#include "tests/lib/test_util.h"

#define PCI "7870:00:00.0"
#define PCI_PATH "devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00/" \
	"00000000-7870-0000-0000-000000000000/pci7870:00/" PCI

static char root[1024];

/* mkdir -p root/rel */
static void
mkdirs(const char *rel)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void
write_file(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static void
link_to(const char *target, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CHECK(symlink(target, path) == 0);
}

static void
run(const char *cmd_fmt)
{
	char cmd[PATH_MAX * 2];

	snprintf(cmd, sizeof(cmd), cmd_fmt, root, root);
	CHECK(system(cmd) == 0);
}

/* The kernel's layout for MANA: /sys/class/infiniband/<ibdev> -> the
 * ibdev's directory below the auxiliary device mana.rdma.0 of the PCI
 * function; its "device" link -> that auxiliary device; the function's
 * net/<ifname> with dev_port and address.
 */
static void
add_ibdev(const char *ibdev, const char *guid)
{
	char rel[PATH_MAX], target[PATH_MAX];

	snprintf(rel, sizeof(rel), PCI_PATH "/mana.rdma.0/infiniband/%s", ibdev);
	mkdirs(rel);
	snprintf(rel, sizeof(rel), PCI_PATH "/mana.rdma.0/infiniband/%s/device", ibdev);
	link_to("../../../mana.rdma.0", rel);
	snprintf(rel, sizeof(rel), PCI_PATH "/mana.rdma.0/infiniband/%s/node_guid", ibdev);
	write_file(rel, guid);
	snprintf(rel, sizeof(rel), "class/infiniband/%s", ibdev);
	snprintf(target, sizeof(target), "../../" PCI_PATH "/mana.rdma.0/infiniband/%s", ibdev);
	link_to(target, rel);
}

static void
make_tree(void)
{
	const char *tmp = getenv("TEST_TMPDIR");

	snprintf(root, sizeof(root), "%s/sysfs.XXXXXX", tmp != NULL ? tmp : "/tmp");
	CHECK(mkdtemp(root) != NULL);
	mkdirs(PCI_PATH "/net/enP30832s1");
	mkdirs(PCI_PATH "/net/enP30832s2");
	write_file(PCI_PATH "/net/enP30832s1/dev_port", "0\n");
	write_file(PCI_PATH "/net/enP30832s1/address", "00:0d:3a:aa:bb:01\n");
	write_file(PCI_PATH "/net/enP30832s2/dev_port", "1\n");
	write_file(PCI_PATH "/net/enP30832s2/address", "00:0d:3a:aa:bb:02\n");
	mkdirs("class/infiniband");
	/* An rxe device: no parent device at all. */
	mkdirs("devices/virtual/infiniband/rxe0");
	write_file("devices/virtual/infiniband/rxe0/node_guid", "b4e0:21ff:fe1a:6c1b\n");
	link_to("../../devices/virtual/infiniband/rxe0", "class/infiniband/rxe0");
	add_ibdev("mana_0", "020d:3aff:feaa:bb01\n");
	/* An ibdev whose device is the PCI function itself (another
	 * driver's layout), on function 0000:00:05.0.
	 */
	mkdirs("devices/pci0000:00/0000:00:05.0/infiniband/other_0");
	link_to("../../../0000:00:05.0", "devices/pci0000:00/0000:00:05.0/infiniband/other_0/device");
	link_to("../../devices/pci0000:00/0000:00:05.0/infiniband/other_0",
		"class/infiniband/other_0");
}

static void
test_lookup(void)
{
	char name[VERBS_IBDEV_NAME_MAX], small[4], pci[32];

	CHECK(verbs_sysfs_ibdev_of(root, PCI, name, sizeof(name)) == 0);
	CHECK(strcmp(name, "mana_0") == 0);
	CHECK(verbs_sysfs_pci_of(root, "mana_0", pci, sizeof(pci)) == 0);
	CHECK(strcmp(pci, PCI) == 0);
	CHECK(verbs_sysfs_pci_of(root, "mana_0", small, sizeof(small)) == -ENAMETOOLONG);
	CHECK(verbs_sysfs_pci_of(root, "other_0", pci, sizeof(pci)) == 0);
	CHECK(strcmp(pci, "0000:00:05.0") == 0);
	CHECK(verbs_sysfs_ibdev_of(root, "0000:00:05.0", name, sizeof(name)) == 0);
	CHECK(strcmp(name, "other_0") == 0);
	/* rxe: no device at all; an unknown ibdev. */
	CHECK(verbs_sysfs_pci_of(root, "rxe0", pci, sizeof(pci)) == -ENOENT);
	CHECK(verbs_sysfs_pci_of(root, "mana_9", pci, sizeof(pci)) == -ENOENT);
	/* The VMBus and ACPI components of the path are not PCI addresses. */
	CHECK(verbs_sysfs_ibdev_of(root, "VMBUS:00", name, sizeof(name)) == -ENOENT);
	CHECK(verbs_sysfs_ibdev_of(root, "7870:00:00.1", name, sizeof(name)) == -ENOENT);
	/* A prefix of the address is not the address. */
	CHECK(verbs_sysfs_ibdev_of(root, "7870:00:00", name, sizeof(name)) == -ENOENT);
	CHECK(verbs_sysfs_ibdev_of(root, PCI, small, sizeof(small)) == -ENAMETOOLONG);
	CHECK(verbs_sysfs_ibdev_by_guid(root, 0x020d3afffeaabb01ull, name, sizeof(name)) == 0);
	CHECK(strcmp(name, "mana_0") == 0);
	CHECK(verbs_sysfs_ibdev_by_guid(root, 0xb4e021fffe1a6c1bull, name, sizeof(name)) == 0);
	CHECK(strcmp(name, "rxe0") == 0);
	CHECK(verbs_sysfs_ibdev_by_guid(root, 0x1ull, name, sizeof(name)) == -ENOENT);
}

static void
test_no_rdma(void)
{
	char name[VERBS_IBDEV_NAME_MAX];
	char empty[1100];
	uint8_t mac[6];

	snprintf(empty, sizeof(empty), "%s/empty", root);
	CHECK(mkdir(empty, 0755) == 0);
	/* No RDMA class at all (ib_core not loaded). */
	CHECK(verbs_sysfs_ibdev_of(empty, PCI, name, sizeof(name)) == -ENOENT);
	CHECK(verbs_sysfs_ibdev_by_guid(empty, 1, name, sizeof(name)) == -ENOENT);
	CHECK(verbs_sysfs_port_mac(empty, "mana_0", 1, mac) == -ENOENT);
}

static void
test_port_mac(void)
{
	static const uint8_t m1[6] = { 0x00, 0x0d, 0x3a, 0xaa, 0xbb, 0x01 };
	static const uint8_t m2[6] = { 0x00, 0x0d, 0x3a, 0xaa, 0xbb, 0x02 };
	uint8_t mac[6];

	CHECK(verbs_sysfs_port_mac(root, "mana_0", 1, mac) == 0);
	CHECK(memcmp(mac, m1, 6) == 0);
	CHECK(verbs_sysfs_port_mac(root, "mana_0", 2, mac) == 0);
	CHECK(memcmp(mac, m2, 6) == 0);
	CHECK(verbs_sysfs_port_mac(root, "mana_0", 3, mac) == -ENOENT);
	CHECK(verbs_sysfs_port_mac(root, "mana_0", 0, mac) == -EINVAL);
	CHECK(verbs_sysfs_port_mac(root, "rxe0", 1, mac) == -ENOENT);
	/* A netdev whose address is not a MAC address. */
	write_file(PCI_PATH "/net/enP30832s2/address", "00:0d:3a:aa:bb\n");
	CHECK(verbs_sysfs_port_mac(root, "mana_0", 2, mac) == -EINVAL);
	write_file(PCI_PATH "/net/enP30832s2/address", "00:0d:3a:aa:bb:02\n");
	/* One netdev without dev_port is port 1's. */
	run("rm -r %s/" PCI_PATH "/net/enP30832s2 && rm %s/" PCI_PATH "/net/enP30832s1/dev_port");
	CHECK(verbs_sysfs_port_mac(root, "mana_0", 1, mac) == 0);
	CHECK(memcmp(mac, m1, 6) == 0);
	CHECK(verbs_sysfs_port_mac(root, "mana_0", 2, mac) == -ENOENT);
}

/* After a service event mana_ib registers the device again: a new name
 * and index on the same PCI function. The lookup by address follows it.
 */
static void
test_new_incarnation(void)
{
	char name[VERBS_IBDEV_NAME_MAX];
	uint64_t id0, id, other;

	/* A registration's id: its own directory's, stable while it lasts,
	 * another device's is another one.
	 */
	CHECK(verbs_sysfs_ibdev_id(root, "mana_0", &id0) == 0 && id0 != 0);
	CHECK(verbs_sysfs_ibdev_id(root, "mana_0", &id) == 0 && id == id0);
	CHECK(verbs_sysfs_ibdev_id(root, "other_0", &other) == 0 && other != id0);
	run("rm %s/class/infiniband/mana_0 && rm -r %s/" PCI_PATH "/mana.rdma.0/infiniband/mana_0");
	CHECK(verbs_sysfs_ibdev_of(root, PCI, name, sizeof(name)) == -ENOENT);
	CHECK(verbs_sysfs_ibdev_id(root, "mana_0", &id) == -ENOENT);
	add_ibdev("mana_1", "020d:3aff:feaa:bb01\n");
	CHECK(verbs_sysfs_ibdev_of(root, PCI, name, sizeof(name)) == 0);
	CHECK(strcmp(name, "mana_1") == 0);
	CHECK(verbs_sysfs_ibdev_by_guid(root, 0x020d3afffeaabb01ull, name, sizeof(name)) == 0);
	CHECK(strcmp(name, "mana_1") == 0);
}

static void
test_mac_parse(void)
{
	static const uint8_t want[6] = { 0x00, 0x15, 0x5d, 0xab, 0xcd, 0xef };
	uint8_t mac[6];

	CHECK(verbs_mac_parse("00:15:5d:ab:cd:ef", mac) == 0);
	CHECK(memcmp(mac, want, 6) == 0);
	CHECK(verbs_mac_parse("00:15:5D:AB:CD:EF\n", mac) == 0);
	CHECK(memcmp(mac, want, 6) == 0);
	CHECK(verbs_mac_parse("00:15:5d:ab:cd", mac) == -EINVAL);
	CHECK(verbs_mac_parse("00:15:5d:ab:cd:ef:01", mac) == -EINVAL);
	CHECK(verbs_mac_parse("00-15-5d-ab-cd-ef", mac) == -EINVAL);
	CHECK(verbs_mac_parse("0:15:5d:ab:cd:ef", mac) == -EINVAL);
	CHECK(verbs_mac_parse("zz:15:5d:ab:cd:ef", mac) == -EINVAL);
	CHECK(verbs_mac_parse("", mac) == -EINVAL);
}

int
main(void)
{
	make_tree();
	test_lookup();
	test_no_rdma();
	test_port_mac();
	test_new_incarnation();
	test_mac_parse();
	run("rm -rf %s #%s");
	if (test_failures != 0) {
		fprintf(stderr, "sysfs_test: %d failure(s)\n", test_failures);
		return 1;
	}
	printf("sysfs_test: ok\n");
	return 0;
}
