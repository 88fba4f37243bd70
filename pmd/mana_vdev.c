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

#include "mana_drv.h"
#include "mana_log.h"
#include "mana_sim.h"

#define MANA_ARG_PEER              "peer"
#define MANA_ARG_MAC               "mac"
#define MANA_ARG_RESET_PERIOD_MS   "reset_period_ms"
#define MANA_ARG_RESET_COUNT       "reset_count"
#define MANA_ARG_RECOVERY_MS       "recovery_ms"
#define MANA_ARG_RECOVERY          "recovery"
#define MANA_ARG_FATAL_EVENTS      "fatal_events"
#define MANA_ARG_RESET_TIMEOUT_MS  "reset_timeout_ms"
#define MANA_ARG_QUIESCE_TIMEOUT_MS "quiesce_timeout_ms"
#define MANA_ARG_HW_POLL_MS        "hw_poll_ms"
#define MANA_ARG_MBOX              "mbox"
#define MANA_ARG_MBOX_PORT         "mbox_port"

#define MANA_VALID_KEYS MANA_ARG_PEER ", " MANA_ARG_MAC ", " MANA_ARG_RESET_PERIOD_MS ", " \
	MANA_ARG_RESET_COUNT ", " MANA_ARG_RECOVERY_MS ", " MANA_ARG_RECOVERY ", " \
	MANA_ARG_FATAL_EVENTS ", " MANA_ARG_RESET_TIMEOUT_MS ", " MANA_ARG_QUIESCE_TIMEOUT_MS ", " \
	MANA_ARG_HW_POLL_MS ", " MANA_ARG_MBOX ", " MANA_ARG_MBOX_PORT

static const char *const mana_valid_args[] = {
	MANA_ARG_PEER,
	MANA_ARG_MAC,
	MANA_ARG_RESET_PERIOD_MS,
	MANA_ARG_RESET_COUNT,
	MANA_ARG_RECOVERY_MS,
	MANA_ARG_RECOVERY,
	MANA_ARG_FATAL_EVENTS,
	MANA_ARG_RESET_TIMEOUT_MS,
	MANA_ARG_QUIESCE_TIMEOUT_MS,
	MANA_ARG_HW_POLL_MS,
	MANA_ARG_MBOX,
	MANA_ARG_MBOX_PORT,
	NULL,
};

/* Defaults: a real MANA device stays away about 10 s in service. */
#define MANA_DEFAULT_RECOVERY_MS        100u
#define MANA_DEFAULT_RESET_TIMEOUT_MS   30000u
#define MANA_DEFAULT_QUIESCE_TIMEOUT_MS 2000u
#define MANA_DEFAULT_HW_POLL_MS         1u

struct mana_args {
	struct mana_sim_params sim;
	uint32_t reset_timeout_ms;
	uint32_t quiesce_timeout_ms;
	uint32_t hw_poll_ms;
	struct mana_mbox_cfg mbox;
};

/* A decimal number of at most max; nothing else (no sign, no suffix). */
static int
mana_arg_u32(const char *key, const char *value, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (value == NULL || value[0] < '0' || value[0] > '9')
		goto bad;
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = (uint32_t)v;
	return 0;
bad:
	MANA_INIT_LOG(ERR, "%s='%s' must be a whole number from %u to %u", key,
		      value != NULL ? value : "", min, max);
	return -EINVAL;
}

static int
mana_arg_uint(const char *key, const char *value, void *opaque)
{
	struct mana_args *a = opaque;

	if (strcmp(key, MANA_ARG_RESET_PERIOD_MS) == 0)
		return mana_arg_u32(key, value, 1, 86400000, &a->sim.reset_period_ms);
	if (strcmp(key, MANA_ARG_RESET_COUNT) == 0)
		return mana_arg_u32(key, value, 0, UINT32_MAX, &a->sim.reset_count);
	if (strcmp(key, MANA_ARG_RECOVERY_MS) == 0)
		return mana_arg_u32(key, value, 0, 3600000, &a->sim.recovery_ms);
	if (strcmp(key, MANA_ARG_FATAL_EVENTS) == 0)
		return mana_arg_u32(key, value, 1, 16, &a->sim.fatal_events);
	if (strcmp(key, MANA_ARG_RESET_TIMEOUT_MS) == 0)
		return mana_arg_u32(key, value, 1, 3600000, &a->reset_timeout_ms);
	if (strcmp(key, MANA_ARG_HW_POLL_MS) == 0)
		return mana_arg_u32(key, value, 1, 60000, &a->hw_poll_ms);
	return mana_arg_u32(key, value, 1, 600000, &a->quiesce_timeout_ms);
}

static int
mana_arg_recovery(const char *key, const char *value, void *opaque)
{
	struct mana_args *a = opaque;

	if (value != NULL && strcmp(value, "ok") == 0)
		a->sim.recovery = MANA_SIM_RECOVERY_OK;
	else if (value != NULL && strcmp(value, "fail") == 0)
		a->sim.recovery = MANA_SIM_RECOVERY_FAIL;
	else if (value != NULL && strcmp(value, "remove") == 0)
		a->sim.recovery = MANA_SIM_RECOVERY_REMOVE;
	else {
		MANA_INIT_LOG(ERR, "%s='%s' must be ok, fail or remove", key,
			      value != NULL ? value : "");
		return -EINVAL;
	}
	return 0;
}

static int
mana_arg_peer(const char *key, const char *value, void *opaque)
{
	struct mana_sim_params *p = &((struct mana_args *)opaque)->sim;

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
	struct mana_sim_params *p = &((struct mana_args *)opaque)->sim;
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

/* mbox=<socket path>, mbox_port=<id>: syntax only; whether a control
 * daemon answers there is the mailbox thread's business (mana_mbox.h).
 */
static int
mana_arg_mbox(const char *key, const char *value, void *opaque)
{
	struct mana_mbox_cfg *c = &((struct mana_args *)opaque)->mbox;
	bool path = strcmp(key, MANA_ARG_MBOX) == 0;
	size_t max = path ? sizeof(c->sock_path) : sizeof(c->ident);

	if (value == NULL || value[0] == '\0' || strlen(value) >= max) {
		MANA_INIT_LOG(ERR, "%s=%s needs 1 to %zu characters", key,
			      path ? "<control daemon socket path>" : "<port identity>", max - 1);
		return -EINVAL;
	}
	strcpy(path ? c->sock_path : c->ident, value);
	return 0;
}

static int
mana_parse_devargs(const char *name, const char *args, struct mana_args *a)
{
	static const char *const uint_keys[] = {
		MANA_ARG_RESET_PERIOD_MS, MANA_ARG_RESET_COUNT, MANA_ARG_RECOVERY_MS,
		MANA_ARG_FATAL_EVENTS, MANA_ARG_RESET_TIMEOUT_MS, MANA_ARG_QUIESCE_TIMEOUT_MS,
		MANA_ARG_HW_POLL_MS,
	};
	struct rte_kvargs *kv;
	unsigned int i;
	int ret;

	memset(a, 0, sizeof(*a));
	a->sim.recovery_ms = MANA_DEFAULT_RECOVERY_MS;
	a->sim.recovery = MANA_SIM_RECOVERY_OK;
	a->sim.fatal_events = 1;
	a->reset_timeout_ms = MANA_DEFAULT_RESET_TIMEOUT_MS;
	a->quiesce_timeout_ms = MANA_DEFAULT_QUIESCE_TIMEOUT_MS;
	a->hw_poll_ms = MANA_DEFAULT_HW_POLL_MS;
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, mana_valid_args);
	if (kv == NULL) {
		MANA_INIT_LOG(ERR, "%s: cannot parse devargs '%s'; valid keys: " MANA_VALID_KEYS,
			      name, args);
		return -EINVAL;
	}
	ret = rte_kvargs_process(kv, MANA_ARG_PEER, mana_arg_peer, a);
	if (ret == 0)
		ret = rte_kvargs_process(kv, MANA_ARG_MAC, mana_arg_mac, a);
	if (ret == 0)
		ret = rte_kvargs_process(kv, MANA_ARG_RECOVERY, mana_arg_recovery, a);
	for (i = 0; ret == 0 && i < RTE_DIM(uint_keys); i++)
		ret = rte_kvargs_process(kv, uint_keys[i], mana_arg_uint, a);
	if (ret == 0)
		ret = rte_kvargs_process(kv, MANA_ARG_MBOX, mana_arg_mbox, a);
	if (ret == 0)
		ret = rte_kvargs_process(kv, MANA_ARG_MBOX_PORT, mana_arg_mbox, a);
	rte_kvargs_free(kv);
	if (ret == 0 && a->mbox.ident[0] != '\0' && a->mbox.sock_path[0] == '\0') {
		MANA_INIT_LOG(ERR, "%s: %s=<id> needs %s=<control daemon socket path>", name,
			      MANA_ARG_MBOX_PORT, MANA_ARG_MBOX);
		ret = -EINVAL;
	}
	/* The control daemon knows a simulated port by its device name. */
	if (ret == 0 && a->mbox.sock_path[0] != '\0' && a->mbox.ident[0] == '\0') {
		if (strlen(name) >= sizeof(a->mbox.ident)) {
			MANA_INIT_LOG(ERR, "%s: the name is too long to identify the port to the control daemon: give %s=<id> of at most %zu characters",
				      name, MANA_ARG_MBOX_PORT, sizeof(a->mbox.ident) - 1);
			ret = -EINVAL;
		} else {
			strcpy(a->mbox.ident, name);
		}
	}
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: invalid devargs '%s'", name, args);
		return -EINVAL;
	}
	return 0;
}

static int
mana_vdev_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct mana_drv_params pp;
	struct mana_hw_dev *hwdev;
	struct rte_eth_dev *dev;
	struct mana_args args;
	struct mana_hw *hw;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		MANA_INIT_LOG(ERR, "%s: secondary processes are not supported yet", name);
		return -ENOTSUP;
	}
	ret = mana_parse_devargs(name, rte_vdev_device_args(vdev), &args);
	if (ret != 0)
		return ret;
	ret = mana_sim_create(name, &args.sim, &hwdev);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: cannot create the simulated device: %s", name,
			      rte_strerror(-ret));
		return ret;
	}
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
	pp.quiesce_timeout_ns = (uint64_t)args.quiesce_timeout_ms * 1000000;
	pp.hw_timeout_ns = (uint64_t)args.reset_timeout_ms * 1000000;
	pp.hw_poll_ns = (uint64_t)args.hw_poll_ms * 1000000;
	pp.mbox = args.mbox;
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
mana_vdev_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;   /* already closed by the application */
	return mana_drv_port_remove(dev);
}

static struct rte_vdev_driver mana_vdev_driver = {
	.probe = mana_vdev_probe,
	.remove = mana_vdev_remove,
};

RTE_PMD_REGISTER_VDEV(net_mana_sim, mana_vdev_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_mana_sim,
			      MANA_ARG_PEER "=<vdev name> "
			      MANA_ARG_MAC "=<xx:xx:xx:xx:xx:xx> "
			      MANA_ARG_RESET_PERIOD_MS "=<ms> "
			      MANA_ARG_RESET_COUNT "=<n> "
			      MANA_ARG_RECOVERY_MS "=<ms> "
			      MANA_ARG_RECOVERY "=ok|fail|remove "
			      MANA_ARG_FATAL_EVENTS "=<n> "
			      MANA_ARG_RESET_TIMEOUT_MS "=<ms> "
			      MANA_ARG_QUIESCE_TIMEOUT_MS "=<ms> "
			      MANA_ARG_HW_POLL_MS "=<ms> "
			      MANA_ARG_MBOX "=<control daemon socket path> "
			      MANA_ARG_MBOX_PORT "=<port identity>");
