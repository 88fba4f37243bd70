/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_SYSFS_PCI_H
#define MANA_CTRL_SYSFS_PCI_H

/*
 * sysfs and PCI addresses, for every part of ctrl/ that needs them (device
 * selection, the mailbox's port of a device, the pci_allow check): the one
 * check of a PCI address ("dddd:bb:dd.f", BDF) and the one walk over the PCI
 * addresses in a resolved sysfs device path (MANA's IB device is an
 * auxiliary device below its PCI function:
 * .../pci7870:00/7870:00:00.0/mana.rdma.0).
 *
 * Paths are the caller's (a sysfs root that tests point elsewhere); the
 * caller owns every buffer. No state, no allocation, no lock: any thread.
 */
#include <stdbool.h>
#include <stddef.h>

/* Is s a PCI address, four, two, two and one hex digits ("0000:00:02.0")? */
bool sysfs_pci_is_bdf(const char *s);

/*
 * Resolve link (e.g. SYSFS/class/infiniband/mana_0/device) and call
 * cb(arg, bdf) for each component of the path that is a PCI address,
 * outermost first. A non-zero return of cb stops the walk and is returned.
 * Returns 0 when the walk ends, -errno when link cannot be resolved.
 */
int sysfs_pci_walk(const char *link, int (*cb)(void *arg, const char *bdf), void *arg);

/*
 * The last (innermost) PCI address in the resolved path of link, into pci
 * (n bytes, 13 are enough). Returns 0, -ENOENT when the path has none, or
 * -errno when link cannot be resolved.
 */
int sysfs_pci_of_link(const char *link, char *pci, size_t n);

/* The name of the driver bound to the sysfs device directory devdir ("" if none). */
void sysfs_pci_driver(const char *devdir, char *out, size_t n);

/* Is the PCI function bdf present (SYSFS/bus/pci/devices/BDF exists)? */
bool sysfs_pci_present(const char *sysfs, const char *bdf);

#endif /* MANA_CTRL_SYSFS_PCI_H */
