/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * A simulated device across its incarnations, in this (primary) process:
 * mana_sim_create and struct mana_hw_dev_ops (probe, open, destroy). Calls
 * the hub, the queues (doorbell graves), the handle, the service events and
 * the simulated host (host=: its state, its hypervisor channel).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "sim_priv.h"

static int
sim_dev_open(struct mana_hw_dev *hd, struct mana_hw **hw)
{
	struct sim_device *o = (struct sim_device *)hd;
	struct sim_dev *d = &sim_hub->dev[o->slot];
	struct sim_proc *p = NULL;
	bool new_incarnation = false;
	int ret;

	ret = sim_handle_new(o, &p);
	if (ret != 0)
		return ret;
	pthread_mutex_lock(&o->lock);
	sim_lock_all(d);
	if (d->opened)
		ret = -EBUSY;
	else if (d->hw_state == SIM_HW_DOWN)
		ret = -EAGAIN;
	else if (d->hw_state == SIM_HW_GONE)
		ret = -ENODEV;
	if (ret != 0)
		goto err_unlock;
	if (d->hw_state == SIM_HW_READY) {
		/* A new incarnation: new identity, fresh counters. */
		new_incarnation = true;
		d->identity = sim_hub_identity_next(o->slot);
		/* Atomic: probe reads it without the locks. */
		__atomic_store_n(&d->hw_state, SIM_HW_UP, __ATOMIC_RELEASE);
	}
	memset(&d->cfg, 0, sizeof(d->cfg));
	d->vport_up = 0;
	__atomic_store_n(&d->up, 1, __ATOMIC_RELEASE);
	d->opened = 1;
	sim_unlock_all(d);
	o->handle = p;
	if (new_incarnation)
		sim_event_rearm(o);
	pthread_mutex_unlock(&o->lock);
	*hw = &p->hw;
	SIM_LOG(INFO, "%s: opened identity %#" PRIx64, o->name, d->identity);
	return 0;

err_unlock:
	sim_unlock_all(d);
	pthread_mutex_unlock(&o->lock);
	sim_handle_free(p);
	return ret;
}

static enum mana_hw_presence
sim_dev_probe(struct mana_hw_dev *hd)
{
	struct sim_device *o = (struct sim_device *)hd;

	switch (__atomic_load_n(&sim_hub->dev[o->slot].hw_state, __ATOMIC_ACQUIRE)) {
	case SIM_HW_DOWN:
		return MANA_HWP_DOWN;
	case SIM_HW_GONE:
		return MANA_HWP_GONE;
	default:
		return MANA_HWP_READY;
	}
}

static void
sim_dev_destroy(struct mana_hw_dev *hd)
{
	struct sim_device *o = (struct sim_device *)hd;

	/* No hypervisor request, then no alarm, can reach o after these. */
	sim_hv_stop(o);
	sim_event_stop(o);
	sim_host_close(o);
	sim_hub_slot_free(o->slot);
	sim_db_graves_free(o);
	pthread_mutex_destroy(&o->lock);
	SIM_LOG(INFO, "%s: destroyed after %u service events", o->name, o->fired);
	free(o);
}

static const struct mana_hw_dev_ops sim_dev_ops = {
	.probe = sim_dev_probe,
	.open = sim_dev_open,
	.destroy = sim_dev_destroy,
};

/* A secondary's view: it never opens the device, only attaches handles. */
static int
sim_dev_sec_open(struct mana_hw_dev *hd, struct mana_hw **hw)
{
	RTE_SET_USED(hd);
	RTE_SET_USED(hw);
	return -EPERM;
}

static void
sim_dev_sec_destroy(struct mana_hw_dev *hd)
{
	free(hd);
}

static int
sim_dev_sec_attach(struct mana_hw_dev *hd, struct mana_hw **hw)
{
	return sim_handle_sec_new((struct sim_device *)hd, hw);
}

static const struct mana_hw_dev_ops sim_dev_sec_ops = {
	.probe = sim_dev_probe,
	.open = sim_dev_sec_open,
	.destroy = sim_dev_sec_destroy,
	.attach = sim_dev_sec_attach,
};

int
mana_sim_attach(const char *name, struct mana_hw_dev **out)
{
	struct sim_device *o;
	unsigned int slot;

	if (strlen(name) >= MANA_SIM_NAME_LEN)
		return -ENAMETOOLONG;
	if (sim_hub_get() == NULL)
		return -ENOMEM;
	for (slot = 0; slot < SIM_MAX_DEVS; slot++)
		if (__atomic_load_n(&sim_hub->dev[slot].in_use, __ATOMIC_ACQUIRE) &&
		    strcmp(sim_hub->dev[slot].name, name) == 0)
			break;
	if (slot == SIM_MAX_DEVS)
		return -ENODEV;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return -ENOMEM;
	o->base.ops = &sim_dev_sec_ops;
	o->secondary = true;
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->slot = slot;
	*out = &o->base;
	return 0;
}

int
mana_sim_create(const char *name, const struct mana_sim_params *params, struct mana_hw_dev **out)
{
	struct sim_device *o;
	unsigned int slot;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -ENOTSUP;
	if (strlen(name) >= MANA_SIM_NAME_LEN)
		return -ENAMETOOLONG;
	if (sim_hub_get() == NULL)
		return -ENOMEM;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return -ENOMEM;
	ret = -pthread_mutex_init(&o->lock, NULL);
	if (ret != 0)
		goto err_free;
	ret = sim_hub_slot_alloc(name, params, &slot);
	if (ret != 0)
		goto err_destroy_lock;

	o->base.ops = &sim_dev_ops;
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->slot = slot;
	o->params = *params;
	if (params->host[0] != '\0') {
		ret = sim_host_open(o);
		if (ret != 0)
			goto err_free_slot;
		ret = sim_hv_start(o);
		if (ret != 0)
			goto err_host_close;
	}
	*out = &o->base;
	SIM_LOG(INFO, "%s: simulated MANA device up, peer %s, identity %#" PRIx64, name,
		sim_hub->dev[slot].peer_name[0] != '\0' ? sim_hub->dev[slot].peer_name :
		"(loopback)", sim_hub->dev[slot].identity);
	return 0;

err_host_close:
	sim_host_close(o);
err_free_slot:
	sim_hub_slot_free(slot);
err_destroy_lock:
	pthread_mutex_destroy(&o->lock);
err_free:
	free(o);
	return ret;
}
