/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_VERBS_H
#define MANA_VERBS_H

/*
 * The verbs backend as tests see it (include "pmd/verbs/mana_verbs.h"):
 * its devargs parser and its probe with the sysfs root given, so both run
 * without EAL, a PCI bus or a MANA device. The driver itself uses them
 * through the net_mana PCI driver (verbs_pci.c) with root "/sys".
 *
 * Threads: the thread probing devices (rte_eal_init, rte_dev_probe). No
 * state of its own, no lock. Every rejection is logged once
 * (pmd.net.mana.init) with the device name.
 */
#include <stdint.h>

#include <rte_dev.h>

#include "pmd/mana_drv.h"

#define MANA_VERBS_ARG_MAC "mac"
/* mac= may be given this many times. */
#define MANA_VERBS_MAX_MACS 8u

/* The ports of a device to probe: those whose MAC is listed, or all. */
struct mana_verbs_params {
	uint8_t macs[MANA_VERBS_MAX_MACS][6];
	unsigned int nb_macs;             /* 0: every port */
};

/* Every devarg of device name (args "key=value,...", NULL or "" for none):
 * mac= (repeatable), then the core's common ones (mana_devargs.h). 0, or
 * -EINVAL after a message naming the bad devarg.
 */
int mana_verbs_args_parse(const char *name, const char *args, struct mana_verbs_params *vp,
			  struct mana_drv_params *pp);

/* Probe the MANA device at PCI address pci (rdev: its rte_device, NULL in
 * tests that expect a failure before any port is made), its ibdev found
 * under sysfs: one ethdev port per IB port (or per mac= match). 0, or a
 * negative errno after one line saying why (bad devargs, no RDMA device on
 * that address, verbs failing, no port matching mac=).
 */
int mana_verbs_probe(const char *pci, const char *args, const char *sysfs,
		     struct rte_device *rdev);

/* The device of IB port port (from 1) on PCI address pci, its ibdev
 * looked up under sysfs at each probe and open (the mana_hw_dev_ops the
 * driver core drives across incarnations); for tests. 0 and *out (release
 * with (*out)->ops->destroy), -ENAMETOOLONG, -ENOMEM.
 */
int mana_verbs_dev_create(const char *pci, uint8_t port, const char *sysfs,
			  struct mana_hw_dev **out);

#endif /* MANA_VERBS_H */
