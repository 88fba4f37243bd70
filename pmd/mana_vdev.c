/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The net_mana_sim virtual device: probe and remove on the vdev bus, devargs.
 * Probe and remove run on the thread that calls rte_eal_init / hotplug
 * (rte_dev_probe, rte_dev_remove), never on a datapath lcore.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_kvargs.h>

#include "mana.h"
#include "mana_log.h"
#include "mana_sim.h"

#define MANA_ARG_PEER "peer"
#define MANA_ARG_MAC  "mac"

static const char *const mana_valid_args[] = {
	MANA_ARG_PEER,
	MANA_ARG_MAC,
	NULL,
};

static int
mana_arg_peer(const char *key, const char *value, void *opaque)
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
mana_arg_mac(const char *key, const char *value, void *opaque)
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

static int
mana_parse_devargs(const char *name, const char *args, struct mana_sim_params *p)
{
	struct rte_kvargs *kv;
	int ret;

	memset(p, 0, sizeof(*p));
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, mana_valid_args);
	if (kv == NULL) {
		MANA_INIT_LOG(ERR, "%s: cannot parse devargs '%s'; valid keys: " MANA_ARG_PEER
			      ", " MANA_ARG_MAC, name, args);
		return -EINVAL;
	}
	ret = rte_kvargs_process(kv, MANA_ARG_PEER, mana_arg_peer, p);
	if (ret == 0)
		ret = rte_kvargs_process(kv, MANA_ARG_MAC, mana_arg_mac, p);
	rte_kvargs_free(kv);
	if (ret != 0)
		MANA_INIT_LOG(ERR, "%s: invalid devargs '%s'", name, args);
	return ret < 0 ? ret : (ret > 0 ? -EINVAL : 0);
}

static int
mana_vdev_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct mana_sim_params params;
	struct rte_eth_dev *dev;
	struct mana_hw *hw;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		MANA_INIT_LOG(ERR, "%s: secondary processes are not supported yet", name);
		return -ENOTSUP;
	}
	ret = mana_parse_devargs(name, rte_vdev_device_args(vdev), &params);
	if (ret != 0)
		return ret;
	ret = mana_sim_open(name, &params, &hw);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: cannot open the simulated device: %s", name,
			      rte_strerror(-ret));
		return ret;
	}
	dev = rte_eth_vdev_allocate(vdev, sizeof(struct mana_priv));
	if (dev == NULL) {
		MANA_INIT_LOG(ERR, "%s: cannot allocate an ethdev port", name);
		ret = -ENOMEM;
		goto err_close_hw;
	}
	ret = mana_dev_init(dev, hw);
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
	return ret;
}

static int
mana_vdev_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;   /* already closed by the application */
	/* rte_eth_dev_close refuses a started port and releases the port. */
	if (dev->data->dev_started)
		rte_eth_dev_stop(dev->data->port_id);
	return rte_eth_dev_close(dev->data->port_id);
}

static struct rte_vdev_driver mana_vdev_driver = {
	.probe = mana_vdev_probe,
	.remove = mana_vdev_remove,
};

RTE_PMD_REGISTER_VDEV(net_mana_sim, mana_vdev_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_mana_sim,
			      MANA_ARG_PEER "=<vdev name> "
			      MANA_ARG_MAC "=<xx:xx:xx:xx:xx:xx>");
