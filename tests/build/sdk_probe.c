/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal vdev ethdev driver written against the driver-SDK headers of
 * @dpdk_sdk: probe allocates a port, remove releases it. Linked into
 * sdk_headers_test and, with -Wl,-z,defs, into libsdk_probe.so.
 */
#include <errno.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>

#include "sdk_probe.h"

int sdk_probe_calls;

static const struct eth_dev_ops sdk_probe_ops;

static int
sdk_probe_probe(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth_dev;

	sdk_probe_calls++;
	eth_dev = rte_eth_vdev_allocate(vdev, 0);
	if (eth_dev == NULL)
		return -ENOMEM;
	eth_dev->dev_ops = &sdk_probe_ops;
	rte_eth_dev_probing_finish(eth_dev);
	return 0;
}

static int
sdk_probe_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	return eth_dev == NULL ? 0 : rte_eth_dev_release_port(eth_dev);
}

static struct rte_vdev_driver sdk_probe_driver = {
	.probe = sdk_probe_probe,
	.remove = sdk_probe_remove,
};

RTE_PMD_REGISTER_VDEV(net_sdk_probe, sdk_probe_driver);
