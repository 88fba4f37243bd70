/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The net_mana PCI driver: Microsoft's MANA functions (VF and PF), probed
 * through rdma-core. For the function's ibdev (found in sysfs by PCI
 * address), one ethdev port per IB port, or per port whose MAC a mac=
 * devarg lists; each port gets its own device (struct verbs_dev) and is
 * handed to the driver core (mana_drv_port_init). The kernel keeps the
 * function (mana, mana_ib): nothing is mapped through the PCI bus.
 *
 * Probe and remove run on the thread that calls rte_eal_init or hotplug
 * (rte_dev_probe, rte_dev_remove), never on a datapath lcore.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bus_pci_driver.h>
#include <ethdev_driver.h>
#include <ethdev_pci.h>
#include <rte_malloc.h>

#include "pmd/mana_devargs.h"
#include "pmd/mana_drv.h"
#include "pmd/mana_log.h"
#include "mana_verbs.h"
#include "verbs_priv.h"
#include "verbs_sysfs.h"

/* What probe learnt of the device from one short-lived context. */
struct verbs_probe_info {
	char ibdev[VERBS_IBDEV_NAME_MAX];
	uint8_t nb_ports;
	uint32_t vendor_id;
};

static int
probe_find(const char *pci, const char *sysfs, struct verbs_probe_info *info)
{
	struct verbs_ctx vc;
	int ret;

	ret = verbs_sysfs_ibdev_of(sysfs, pci, info->ibdev, sizeof(info->ibdev));
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: no RDMA device on this PCI function (%s/class/infiniband:"
			      " %s): load ib_uverbs and mana_ib", pci, sysfs, strerror(-ret));
		return -ENODEV;
	}
	ret = verbs_ctx_open(&vc, info->ibdev);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: cannot open RDMA device %s: %s", pci, info->ibdev,
			      vc.why);
		return ret;
	}
	info->nb_ports = vc.phys_port_cnt;
	info->vendor_id = vc.vendor_id;
	verbs_ctx_close(&vc);
	if (info->vendor_id != VERBS_PCI_VENDOR_MICROSOFT) {
		MANA_INIT_LOG(ERR, "%s: RDMA device %s is not a MANA device (vendor %#x)", pci,
			      info->ibdev, info->vendor_id);
		return -ENODEV;
	}
	return 0;
}

static bool
mac_wanted(const struct mana_verbs_params *vp, const uint8_t mac[6])
{
	unsigned int i;

	if (vp->nb_macs == 0)
		return true;
	for (i = 0; i < vp->nb_macs; i++)
		if (memcmp(vp->macs[i], mac, 6) == 0)
			return true;
	return false;
}

/* One ethdev port on IB port port of the device. */
static int
probe_port(const char *pci, const char *sysfs, struct rte_device *rdev, uint8_t port,
	   const uint8_t mac[6], const struct mana_drv_params *pp)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_dev *dev;
	struct verbs_dev *vd;
	struct mana_hw *hw;
	int ret;

	snprintf(name, sizeof(name), "%s_port%u", pci, port);
	ret = verbs_dev_create(pci, name, port, mac, sysfs, &vd);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: %s", name, strerror(-ret));
		return ret;
	}
	ret = vd->base.ops->open(&vd->base, &hw);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: cannot open the device: %s", name, strerror(-ret));
		goto err_destroy;
	}
	dev = rte_eth_dev_allocate(name);
	if (dev == NULL) {
		MANA_INIT_LOG(ERR, "%s: cannot allocate an ethdev port", name);
		ret = -ENOMEM;
		goto err_close_hw;
	}
	dev->device = rdev;
	/* The PCI function's interrupt handle and NUMA node (no link-state
	 * or removal interrupt of the bus's: events come from verbs).
	 */
	rte_eth_copy_pci_info(dev, RTE_DEV_TO_PCI(rdev));
	dev->data->dev_private = rte_zmalloc_socket(name, mana_drv_priv_size(),
						    RTE_CACHE_LINE_SIZE, rdev->numa_node);
	if (dev->data->dev_private == NULL) {
		MANA_INIT_LOG(ERR, "%s: cannot allocate the port's state", name);
		ret = -ENOMEM;
		goto err_release_port;
	}
	ret = mana_drv_port_init(dev, &vd->base, hw, pp);
	if (ret != 0)
		goto err_release_port;
	rte_eth_dev_probing_finish(dev);
	MANA_INIT_LOG(INFO, "%s: port %u, MAC " RTE_ETHER_ADDR_PRT_FMT, name,
		      dev->data->port_id, RTE_ETHER_ADDR_BYTES(&dev->data->mac_addrs[0]));
	return 0;

err_release_port:
	rte_eth_dev_release_port(dev);   /* frees dev_private too */
err_close_hw:
	hw->ops->close(hw);
err_destroy:
	vd->base.ops->destroy(&vd->base);
	return ret;
}

/* Every port of rdev (those the application closed are gone already). */
static int
remove_ports(struct rte_device *rdev)
{
	uint16_t port_id;
	int ret = 0, r;

	RTE_ETH_FOREACH_DEV_OF(port_id, rdev) {
		r = mana_drv_port_remove(&rte_eth_devices[port_id]);
		if (r != 0 && ret == 0)
			ret = r;
	}
	return ret;
}

int
mana_verbs_probe(const char *pci, const char *args, const char *sysfs, struct rte_device *rdev)
{
	struct mana_verbs_params vp;
	struct mana_drv_params pp;
	struct verbs_probe_info info;
	unsigned int made = 0;
	uint8_t port, mac[6];
	int ret;

	ret = mana_verbs_args_parse(pci, args, &vp, &pp);
	if (ret != 0)
		return ret;
	ret = probe_find(pci, sysfs, &info);
	if (ret != 0)
		return ret;
	if (rdev == NULL) {
		MANA_INIT_LOG(ERR, "%s: no PCI device to make ports of", pci);
		return -EINVAL;
	}
	for (port = 1; port <= info.nb_ports; port++) {
		if (verbs_sysfs_port_mac(sysfs, info.ibdev, port, mac) != 0) {
			MANA_INIT_LOG(ERR, "%s: no netdev for port %u of %s", pci, port,
				      info.ibdev);
			continue;
		}
		if (!mac_wanted(&vp, mac))
			continue;
		ret = probe_port(pci, sysfs, rdev, port, mac, &pp);
		if (ret != 0)
			goto err_remove_ports;
		made++;
	}
	if (made == 0) {
		MANA_INIT_LOG(ERR, "%s: no port of %s (%u ports) matches the mac= devargs", pci,
			      info.ibdev, info.nb_ports);
		return -ENODEV;
	}
	return 0;

err_remove_ports:
	/* The bus does not call remove after a failed probe. */
	remove_ports(rdev);
	return ret;
}

/* An IB device's ports are numbered from 1 (phys_port_cnt is a uint8_t). */
#define VERBS_MAX_PORTS UINT8_MAX

/* A secondary process: attach to each port the primary made of this
 * function ("<pci>_port<N>"); it gets no devargs.
 */
static int
probe_secondary(struct rte_pci_device *pci_dev)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	struct mana_hw_dev *hwdev;
	unsigned int port, found = 0;
	uint16_t port_id;
	int ret;

	for (port = 1; port <= VERBS_MAX_PORTS; port++) {
		snprintf(name, sizeof(name), "%s_port%u", pci_dev->device.name, port);
		if (rte_eth_dev_get_port_by_name(name, &port_id) != 0)
			continue;
		ret = verbs_sec_dev_create(&hwdev);
		if (ret == 0)
			ret = mana_drv_port_attach(name, &pci_dev->device, hwdev);
		if (ret != 0) {
			remove_ports(&pci_dev->device);
			return ret;
		}
		found++;
	}
	if (found == 0) {
		MANA_INIT_LOG(ERR, "%s: the primary process has no port of this function",
			      pci_dev->device.name);
		return -ENODEV;
	}
	return 0;
}

static int
verbs_pci_probe(struct rte_pci_driver *drv __rte_unused, struct rte_pci_device *pci_dev)
{
	const char *name = pci_dev->device.name;
	const char *args = pci_dev->device.devargs != NULL ? pci_dev->device.devargs->args : NULL;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return probe_secondary(pci_dev);
	return mana_verbs_probe(name, args, VERBS_SYSFS_ROOT, &pci_dev->device);
}

static int
verbs_pci_remove(struct rte_pci_device *pci_dev)
{
	return remove_ports(&pci_dev->device);
}

static const struct rte_pci_id verbs_pci_ids[] = {
	{ RTE_PCI_DEVICE(VERBS_PCI_VENDOR_MICROSOFT, VERBS_PCI_DEVICE_MANA_VF) },
	{ RTE_PCI_DEVICE(VERBS_PCI_VENDOR_MICROSOFT, VERBS_PCI_DEVICE_MANA_PF) },
	{ .vendor_id = 0 },
};

static struct rte_pci_driver verbs_pci_driver = {
	.id_table = verbs_pci_ids,
	.probe = verbs_pci_probe,
	.remove = verbs_pci_remove,
};

RTE_PMD_REGISTER_PCI(net_mana, verbs_pci_driver);
RTE_PMD_REGISTER_PCI_TABLE(net_mana, verbs_pci_ids);
RTE_PMD_REGISTER_KMOD_DEP(net_mana, "* ib_uverbs & mana_ib");
RTE_PMD_REGISTER_PARAM_STRING(net_mana,
			      MANA_VERBS_ARG_MAC "=<xx:xx:xx:xx:xx:xx> "
			      MANA_DEVARGS_COMMON_PARAMS);
