/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef VERBS_SYSFS_H
#define VERBS_SYSFS_H

/*
 * The RDMA devices of sysfs, read the way the verbs backend finds its
 * device across incarnations: by the PCI function they sit below (MANA's
 * ibdev is an auxiliary device of its function:
 * .../pci7870:00/7870:00:00.0/mana.rdma.0/infiniband/mana_0), or by node
 * GUID for a device with no parent (rxe, in the real-kernel test); never by
 * the ibdev name or index, which change when the kernel registers the
 * device again after a service event.
 *
 * Plain C, no DPDK, no verbs: root is the sysfs mount ("/sys"; tests pass a
 * fake tree). No state, no lock; any thread. Every function returns 0 or a
 * negative errno and logs nothing: the caller logs with its device name.
 */
#include <stddef.h>
#include <stdint.h>

/* Longest ibdev name the kernel allows (IB_DEVICE_NAME_MAX) plus its NUL. */
#define VERBS_IBDEV_NAME_MAX 64u

/* The PCI function of ibdev: the innermost PCI address ("7870:00:00.0")
 * in the resolved path of root/class/infiniband/<ibdev>/device. 0 and pci;
 * -ENOENT when ibdev is not there, has no device (rxe) or none below a PCI
 * function; -ENAMETOOLONG.
 */
int verbs_sysfs_pci_of(const char *root, const char *ibdev, char *pci, size_t len);

/* The ibdev whose PCI function is pci: 0 and name; -ENOENT when none, or
 * when root has no RDMA class at all; -ENAMETOOLONG when a path or the
 * name does not fit; another -errno when the class cannot be read.
 */
int verbs_sysfs_ibdev_of(const char *root, const char *pci, char *name, size_t len);

/* The ibdev whose node GUID (root/class/infiniband/<ibdev>/node_guid,
 * "xxxx:xxxx:xxxx:xxxx") is guid (host order): 0 and name; -ENOENT when
 * none; -ENAMETOOLONG. For devices with no parent device (rxe), whose
 * identity across registrations is their node GUID alone.
 */
int verbs_sysfs_ibdev_by_guid(const char *root, uint64_t guid, char *name, size_t len);

/* Which registration of ibdev this is: the kernel makes a new device
 * object at every registration (a service event's re-registration too,
 * even under the same name), and sysfs a new directory for it, whose inode
 * (kernfs: never reused soon) and device number tell it from the last one.
 * 0 and *id (never 0); -ENOENT when ibdev is not there.
 */
int verbs_sysfs_ibdev_id(const char *root, const char *ibdev, uint64_t *id);

/* The MAC address of IB port (1-based) of ibdev: that of the netdev of
 * its PCI function (<function>/net/<ifname>) whose dev_port is port - 1 (a
 * function with one netdev may leave dev_port out). 0 and mac; -ENOENT
 * when no netdev matches; -EINVAL when its address is not a MAC address
 * (or port is 0).
 */
int verbs_sysfs_port_mac(const char *root, const char *ibdev, unsigned int port,
			 uint8_t mac[6]);

/* "xx:xx:xx:xx:xx:xx" (hex digits, either case, nothing else, an optional
 * trailing newline) into mac: 0 or -EINVAL.
 */
int verbs_mac_parse(const char *text, uint8_t mac[6]);

#endif /* VERBS_SYSFS_H */
