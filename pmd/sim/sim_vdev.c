/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The net_mana_sim virtual device: probe and remove on the vdev bus, and the
 * simulator's own devargs (the driver core parses the common ones,
 * mana_devargs.h). The simulator's glue to the driver core, which it knows
 * only through mana_drv.h. Probe and remove run on the thread that calls
 * rte_eal_init / hotplug (rte_dev_probe, rte_dev_remove), never on a
 * datapath lcore.
 */
#include <errno.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_kvargs.h>

#include "pmd/mana_devargs.h"
#include "pmd/mana_drv.h"
#include "pmd/mana_log.h"
#include "proto/simhost/simhost.h"
#include "mana_sim.h"

#define SIM_ARG_PEER              "peer"
#define SIM_ARG_MAC               "mac"
#define SIM_ARG_RESET_PERIOD_MS   "reset_period_ms"
#define SIM_ARG_RESET_DELAY_MS    "reset_delay_ms"
#define SIM_ARG_RESET_COUNT       "reset_count"
#define SIM_ARG_RECOVERY_MS       "recovery_ms"
#define SIM_ARG_RECOVERY          "recovery"
#define SIM_ARG_FATAL_EVENTS      "fatal_events"
#define SIM_ARG_RX_COALESCE       "rx_coalesce"
#define SIM_ARG_HOST              "host"
#define SIM_ARG_PCI               "pci"
#define SIM_ARG_IBDEV             "ibdev"
#define SIM_ARG_NETDEV            "netdev"

static const char *const sim_valid_args[] = {
	SIM_ARG_PEER,
	SIM_ARG_MAC,
	SIM_ARG_RESET_PERIOD_MS,
	SIM_ARG_RESET_DELAY_MS,
	SIM_ARG_RESET_COUNT,
	SIM_ARG_RECOVERY_MS,
	SIM_ARG_RECOVERY,
	SIM_ARG_FATAL_EVENTS,
	SIM_ARG_RX_COALESCE,
	SIM_ARG_HOST,
	SIM_ARG_PCI,
	SIM_ARG_IBDEV,
	SIM_ARG_NETDEV,
	MANA_DEVARGS_COMMON_KEYS,
	NULL,
};

#define SIM_DEFAULT_RECOVERY_MS 100u

static int
sim_arg_recovery(const char *key, const char *value, void *opaque)
{
	struct mana_sim_params *p = opaque;

	if (value != NULL && strcmp(value, "ok") == 0)
		p->recovery = MANA_SIM_RECOVERY_OK;
	else if (value != NULL && strcmp(value, "fail") == 0)
		p->recovery = MANA_SIM_RECOVERY_FAIL;
	else if (value != NULL && strcmp(value, "remove") == 0)
		p->recovery = MANA_SIM_RECOVERY_REMOVE;
	else if (value != NULL && strcmp(value, "rescan") == 0)
		p->recovery = MANA_SIM_RECOVERY_RESCAN;
	else {
		MANA_INIT_LOG(ERR, "%s='%s' must be ok, fail, remove or rescan", key,
			      value != NULL ? value : "");
		return -EINVAL;
	}
	return 0;
}

static int
sim_arg_peer(const char *key, const char *value, void *opaque)
{
	struct mana_sim_params *p = opaque;

	if (value == NULL || value[0] == '\0' || strlen(value) >= sizeof(p->peer)) {
		MANA_INIT_LOG(ERR, "%s=<vdev name> needs a name of 1 to %zu characters", key,
			      sizeof(p->peer) - 1);
		return -EINVAL;
	}
	strcpy(p->peer, value);
	return 0;
}

static int
sim_arg_mac(const char *key, const char *value, void *opaque)
{
	struct mana_sim_params *p = opaque;
	struct rte_ether_addr mac;

	if (value == NULL || rte_ether_unformat_addr(value, &mac) != 0 ||
	    !rte_is_valid_assigned_ether_addr(&mac)) {
		MANA_INIT_LOG(ERR, "%s='%s' is not a unicast MAC address (xx:xx:xx:xx:xx:xx)",
			      key, value != NULL ? value : "");
		return -EINVAL;
	}
	memcpy(p->mac, mac.addr_bytes, sizeof(p->mac));
	p->has_mac = true;
	return 0;
}

/* host=DIR: a path of 1 to MANA_SIM_HOST_LEN - 1 characters. */
static int
sim_arg_host(const char *key, const char *value, void *opaque)
{
	struct mana_sim_params *p = opaque;

	if (value == NULL || value[0] == '\0' || strlen(value) >= sizeof(p->host)) {
		MANA_INIT_LOG(ERR, "%s=<directory> needs a path of 1 to %zu characters", key,
			      sizeof(p->host) - 1);
		return -EINVAL;
	}
	strcpy(p->host, value);
	return 0;
}

/* pci=, ibdev=, netdev=: the device's names on the simulated host. */
static int
sim_arg_host_name(const char *key, const char *value, void *opaque)
{
	struct mana_sim_params *p = opaque;
	bool pci = strcmp(key, SIM_ARG_PCI) == 0, net = strcmp(key, SIM_ARG_NETDEV) == 0;
	char *out = pci ? p->pci : net ? p->netdev : p->ibdev;
	size_t max = pci ? sizeof(p->pci) : net ? sizeof(p->netdev) : sizeof(p->ibdev);

	if (value == NULL || (pci ? !simhost_bdf_ok(value) : !simhost_name_ok(value, max))) {
		if (pci)
			MANA_INIT_LOG(ERR, "%s='%s' is not a PCI address (dddd:bb:dd.f, hex)",
				      key, value != NULL ? value : "");
		else
			MANA_INIT_LOG(ERR, "%s='%s' must be 1 to %zu of A-Z a-z 0-9 _ . : -",
				      key, value != NULL ? value : "", max - 1);
		return -EINVAL;
	}
	strcpy(out, value);
	return 0;
}

/* The simulator's devargs of kv (NULL: none given) into *p, defaults for
 * those not given. 0, or -EINVAL after a message.
 */
static int
sim_args(const struct rte_kvargs *kv, struct mana_sim_params *p)
{
	const struct mana_devargs_u32 nums[] = {
		{ SIM_ARG_RESET_PERIOD_MS, 1, 86400000, &p->reset_period_ms },
		{ SIM_ARG_RESET_DELAY_MS, 1, 86400000, &p->reset_delay_ms },
		{ SIM_ARG_RESET_COUNT, 0, UINT32_MAX, &p->reset_count },
		{ SIM_ARG_RECOVERY_MS, 0, 3600000, &p->recovery_ms },
		{ SIM_ARG_FATAL_EVENTS, 1, 16, &p->fatal_events },
		{ SIM_ARG_RX_COALESCE, 0, 1, &p->rx_coalesce },
	};
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->recovery_ms = SIM_DEFAULT_RECOVERY_MS;
	p->recovery = MANA_SIM_RECOVERY_OK;
	p->fatal_events = 1;
	if (kv == NULL)
		return 0;
	ret = rte_kvargs_process(kv, SIM_ARG_PEER, sim_arg_peer, p);
	if (ret == 0)
		ret = rte_kvargs_process(kv, SIM_ARG_MAC, sim_arg_mac, p);
	if (ret == 0)
		ret = rte_kvargs_process(kv, SIM_ARG_RECOVERY, sim_arg_recovery, p);
	if (ret == 0)
		ret = mana_devargs_u32s(kv, nums, RTE_DIM(nums));
	if (ret == 0)
		ret = rte_kvargs_process(kv, SIM_ARG_HOST, sim_arg_host, p);
	if (ret == 0)
		ret = rte_kvargs_process(kv, SIM_ARG_PCI, sim_arg_host_name, p);
	if (ret == 0)
		ret = rte_kvargs_process(kv, SIM_ARG_IBDEV, sim_arg_host_name, p);
	if (ret == 0)
		ret = rte_kvargs_process(kv, SIM_ARG_NETDEV, sim_arg_host_name, p);
	if (ret == 0 && p->host[0] == '\0' &&
	    (p->pci[0] != '\0' || p->ibdev[0] != '\0' || p->netdev[0] != '\0')) {
		MANA_INIT_LOG(ERR, "%s=, %s= and %s= name the device on a simulated host: they "
			      "need %s=<directory>", SIM_ARG_PCI, SIM_ARG_IBDEV, SIM_ARG_NETDEV,
			      SIM_ARG_HOST);
		ret = -EINVAL;
	}
	return ret == 0 ? 0 : -EINVAL;
}

/* Every devarg of device name: the simulator's, then the core's
 * (*mbox_port: mbox_port was given).
 */
static int
sim_parse_devargs(const char *name, const char *args, struct mana_sim_params *sp,
		  struct mana_drv_params *pp, bool *mbox_port)
{
	struct rte_kvargs *kv;
	int ret;

	ret = mana_devargs_parse(name, args, sim_valid_args, &kv);
	if (ret != 0)
		return ret;
	ret = sim_args(kv, sp);
	if (ret == 0)
		ret = mana_devargs_common(name, kv, pp);
	*mbox_port = kv != NULL && rte_kvargs_count(kv, MANA_DEVARG_MBOX_PORT) > 0;
	rte_kvargs_free(kv);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: invalid devargs '%s'", name, args);
		return -EINVAL;
	}
	return 0;
}

static int
sim_vdev_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct mana_sim_params sp;
	struct mana_drv_params pp;
	struct mana_hw_dev *hwdev;
	struct rte_eth_dev *dev;
	struct mana_hw *hw;
	bool mbox_port;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* A secondary gets no devargs: the shared port has it all. */
		ret = mana_sim_attach(name, &hwdev);
		if (ret != 0) {
			MANA_INIT_LOG(ERR, "%s: no simulated device of that name in the primary: %s",
				      name, rte_strerror(-ret));
			return ret;
		}
		return mana_drv_port_attach(name, &vdev->device, hwdev);
	}
	ret = sim_parse_devargs(name, rte_vdev_device_args(vdev), &sp, &pp, &mbox_port);
	if (ret != 0)
		return ret;
	ret = mana_sim_create(name, &sp, &hwdev);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: cannot create the simulated device: %s", name,
			      rte_strerror(-ret));
		return ret;
	}
	/* On a simulated host the control daemon knows the port by its PCI
	 * address, as on a VM.
	 */
	if (sp.host[0] != '\0' && pp.mbox.sock_path[0] != '\0' && !mbox_port &&
	    mana_sim_host_pci(hwdev, pp.mbox.ident, sizeof(pp.mbox.ident)) == 0)
		MANA_INIT_LOG(INFO, "%s: mailbox port %s (its PCI address)", name,
			      pp.mbox.ident);
	ret = hwdev->ops->open(hwdev, &hw);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: cannot open the device: %s", name, rte_strerror(-ret));
		goto err_destroy;
	}
	dev = rte_eth_vdev_allocate(vdev, mana_drv_priv_size());
	if (dev == NULL) {
		MANA_INIT_LOG(ERR, "%s: cannot allocate an ethdev port", name);
		ret = -ENOMEM;
		goto err_close_hw;
	}
	ret = mana_drv_port_init(dev, hwdev, hw, &pp);
	if (ret != 0)
		goto err_release_port;
	rte_eth_dev_probing_finish(dev);
	MANA_INIT_LOG(INFO, "%s: port %u, MAC " RTE_ETHER_ADDR_PRT_FMT, name, dev->data->port_id,
		      RTE_ETHER_ADDR_BYTES(&dev->data->mac_addrs[0]));
	return 0;

err_release_port:
	rte_eth_dev_release_port(dev);
err_close_hw:
	hw->ops->close(hw);
err_destroy:
	hwdev->ops->destroy(hwdev);
	return ret;
}

static int
sim_vdev_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;   /* already closed by the application */
	return mana_drv_port_remove(dev);
}

static struct rte_vdev_driver sim_vdev_driver = {
	.probe = sim_vdev_probe,
	.remove = sim_vdev_remove,
};

RTE_PMD_REGISTER_VDEV(net_mana_sim, sim_vdev_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_mana_sim,
			      SIM_ARG_PEER "=<vdev name> "
			      SIM_ARG_MAC "=<xx:xx:xx:xx:xx:xx> "
			      SIM_ARG_RESET_PERIOD_MS "=<ms> "
			      SIM_ARG_RESET_DELAY_MS "=<ms> "
			      SIM_ARG_RESET_COUNT "=<n> "
			      SIM_ARG_RECOVERY_MS "=<ms> "
			      SIM_ARG_RECOVERY "=ok|fail|remove|rescan "
			      SIM_ARG_FATAL_EVENTS "=<n> "
			      SIM_ARG_RX_COALESCE "=0|1 "
			      SIM_ARG_HOST "=<directory> "
			      SIM_ARG_PCI "=<dddd:bb:dd.f> "
			      SIM_ARG_IBDEV "=<name> "
			      SIM_ARG_NETDEV "=<name> "
			      MANA_DEVARGS_COMMON_PARAMS);
