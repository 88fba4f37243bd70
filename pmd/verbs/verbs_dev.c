/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * A MANA port's device across its incarnations: the mana_hw_dev_ops. The
 * device is known by its PCI address and IB port; each open looks the
 * ibdev up again in sysfs, since mana_ib registers it again after a
 * service event under a new name and index (its node GUID is the identity
 * the core compares).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mana_verbs.h"
#include "verbs_priv.h"
#include "verbs_sysfs.h"

/* READY once an ibdev sits on the PCI function again; SAME while it is
 * still the registration opened last (the kernel has not unregistered it
 * yet: on MANA it does so once its users let go of it). A function that is
 * off the bus reads DOWN too: a service event may remove and rescan it;
 * only the device events (the PCI bus, the control daemon) say it is gone
 * for good, and the core bounds the wait (reset_timeout_ms).
 */
static enum mana_hw_presence
verbs_dev_probe(struct mana_hw_dev *d)
{
	struct verbs_dev *vd = (struct verbs_dev *)d;
	char ibdev[VERBS_IBDEV_NAME_MAX];
	uint64_t id;

	if (verbs_sysfs_ibdev_of(vd->sysfs, vd->pci, ibdev, sizeof(ibdev)) != 0)
		return MANA_HWP_DOWN;
	if (vd->opened_id != 0 && strcmp(ibdev, vd->opened_ibdev) == 0 &&
	    verbs_sysfs_ibdev_id(vd->sysfs, ibdev, &id) == 0 && id == vd->opened_id)
		return MANA_HWP_SAME;
	return MANA_HWP_READY;
}

static int
verbs_dev_open(struct mana_hw_dev *d, struct mana_hw **hw)
{
	struct verbs_dev *vd = (struct verbs_dev *)d;
	char ibdev[VERBS_IBDEV_NAME_MAX];
	struct verbs_hw *vh;
	uint64_t id;
	int ret;

	if (vd->open != NULL)
		return -EBUSY;
	ret = verbs_sysfs_ibdev_of(vd->sysfs, vd->pci, ibdev, sizeof(ibdev));
	if (ret != 0)
		return -EAGAIN;   /* not registered (again) yet */
	/* Which registration this is, before the open (a later one cannot be
	 * taken for it: at worst this one is taken for a later one, READY).
	 */
	if (verbs_sysfs_ibdev_id(vd->sysfs, ibdev, &id) != 0)
		id = 0;
	ret = verbs_hw_open(vd, ibdev, &vh);
	if (ret == -ENOENT)
		/* In sysfs but not (or no longer) in libibverbs' list: being
		 * registered or unregistered; the core asks again.
		 */
		return -EAGAIN;
	if (ret != 0)
		return ret;
	vd->opened_id = id;
	snprintf(vd->opened_ibdev, sizeof(vd->opened_ibdev), "%s", ibdev);
	*hw = &vh->base;
	return 0;
}

static void
verbs_dev_destroy(struct mana_hw_dev *d)
{
	free(d);
}

static const struct mana_hw_dev_ops verbs_dev_ops = {
	.probe = verbs_dev_probe,
	.open = verbs_dev_open,
	.destroy = verbs_dev_destroy,
};

int
mana_verbs_dev_create(const char *pci, uint8_t port, const char *sysfs, struct mana_hw_dev **out)
{
	struct verbs_dev *vd;
	int ret;

	ret = verbs_dev_create(pci, pci, port, NULL, sysfs, &vd);
	if (ret == 0)
		*out = &vd->base;
	return ret;
}

int
verbs_dev_create(const char *pci, const char *name, uint8_t port, const uint8_t mac[6],
		 const char *sysfs, struct verbs_dev **out)
{
	struct verbs_dev *vd;

	if (strlen(pci) >= sizeof(vd->pci) || strlen(name) >= sizeof(vd->name))
		return -ENAMETOOLONG;
	vd = calloc(1, sizeof(*vd));
	if (vd == NULL)
		return -ENOMEM;
	vd->base.ops = &verbs_dev_ops;
	strcpy(vd->pci, pci);
	strcpy(vd->name, name);
	vd->sysfs = sysfs;
	vd->port = port;
	if (mac != NULL) {
		memcpy(vd->mac, mac, sizeof(vd->mac));
		vd->has_mac = true;
	}
	*out = vd;
	return 0;
}
