/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The hub: the memzone every simulated device of the DPDK instance lives in
 * (so a device outlives any one driver handle), its slots and identities,
 * and the wire's peer links. The lowest of the simulator's files: it calls
 * none of the others. Locking: see sim_priv.h.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_memzone.h>

#include "sim_priv.h"

RTE_LOG_REGISTER(mana_sim_logtype, pmd.net.mana.sim, NOTICE);

struct sim_hub *sim_hub;
uint32_t sim_self_pid;

bool
sim_lock_take_over(sim_lock_t *l, uint32_t holder)
{
	if (holder == 0 || holder == sim_self_pid || kill((pid_t)holder, 0) == 0 ||
	    errno != ESRCH)
		return false;
	if (!__atomic_compare_exchange_n(&l->locked, &holder, sim_self_pid, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	SIM_LOG(WARNING, "a hardware lock held by process %u, which died, taken over: what it was doing on the device is left half done",
		holder);
	return true;
}

struct sim_hub *
sim_hub_get(void)
{
	const struct rte_memzone *mz;

	if (sim_hub != NULL)
		return sim_hub;
	sim_self_pid = (uint32_t)getpid();
	mz = rte_memzone_lookup(SIM_HUB_NAME);
	if (mz == NULL)
		mz = rte_memzone_reserve(SIM_HUB_NAME, sizeof(struct sim_hub), SOCKET_ID_ANY,
					 RTE_MEMZONE_SIZE_HINT_ONLY);
	if (mz == NULL) {
		SIM_LOG(ERR, "cannot reserve memzone %s: %s", SIM_HUB_NAME,
			rte_strerror(rte_errno));
		return NULL;
	}
	sim_hub = mz->addr;
	/* A fresh memzone is zeroed; the first opener initializes it. Only the
	 * primary opens devices, on the EAL init thread, so there is no race.
	 */
	if (sim_hub->magic != SIM_HUB_MAGIC) {
		sim_lock_init(&sim_hub->lock);
		sim_hub->next_identity = 1;
		sim_hub->magic = SIM_HUB_MAGIC;
	}
	return sim_hub;
}

void
mana_sim_default_peer(const char *name, char *peer, size_t len)
{
	size_t n = strlen(name), digits = n;
	unsigned long idx;

	while (digits > 0 && isdigit((unsigned char)name[digits - 1]))
		digits--;
	if (digits == n || n - digits > 9) {
		snprintf(peer, len, "%s", "");
		return;
	}
	idx = strtoul(name + digits, NULL, 10);
	snprintf(peer, len, "%.*s%lu", (int)digits, name, idx ^ 1UL);
}

static void
sim_default_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	const char *c;

	for (c = name; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	mac[0] = 0x02;              /* locally administered, unicast */
	mac[1] = 0x15;
	mac[2] = 0x5d;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

/* Link every device whose peer is d, and d to its peer. hub->lock held. */
static void
sim_link_peers(struct sim_hub *hub, unsigned int slot)
{
	struct sim_dev *d = &hub->dev[slot];
	unsigned int i;
	uint64_t mine = sim_ref(slot, d->slot_gen);

	__atomic_store_n(&d->peer_ref, 0, __ATOMIC_RELAXED);
	for (i = 0; i < SIM_MAX_DEVS; i++) {
		struct sim_dev *o = &hub->dev[i];

		if (!o->in_use)
			continue;
		if (strcmp(o->name, d->peer_name) == 0)
			__atomic_store_n(&d->peer_ref, sim_ref(i, o->slot_gen), __ATOMIC_RELAXED);
		if (strcmp(o->peer_name, d->name) == 0)
			__atomic_store_n(&o->peer_ref, mine, __ATOMIC_RELAXED);
	}
	/* No such peer: the wire loops back. */
	if (__atomic_load_n(&d->peer_ref, __ATOMIC_RELAXED) == 0)
		__atomic_store_n(&d->peer_ref, mine, __ATOMIC_RELAXED);
}

/* Unlink d from every device; those left without a peer loop back. */
static void
sim_unlink_peers(struct sim_hub *hub, unsigned int slot)
{
	struct sim_dev *d = &hub->dev[slot];
	uint64_t mine = sim_ref(slot, d->slot_gen);
	unsigned int i;

	for (i = 0; i < SIM_MAX_DEVS; i++) {
		struct sim_dev *o = &hub->dev[i];

		if (i != slot && o->in_use &&
		    __atomic_load_n(&o->peer_ref, __ATOMIC_RELAXED) == mine)
			__atomic_store_n(&o->peer_ref, sim_ref(i, o->slot_gen),
					 __ATOMIC_RELAXED);
	}
	__atomic_store_n(&d->peer_ref, 0, __ATOMIC_RELAXED);
}

int
sim_hub_slot_alloc(const char *name, const struct mana_sim_params *params, unsigned int *slot)
{
	struct sim_hub *hub = sim_hub;
	struct sim_dev *d = NULL;
	unsigned int i, s = 0;
	int ret;

	sim_lock(&hub->lock);
	for (i = 0; i < SIM_MAX_DEVS; i++) {
		if (hub->dev[i].in_use && strcmp(hub->dev[i].name, name) == 0) {
			ret = -EEXIST;
			goto err_unlock;
		}
		if (!hub->dev[i].in_use && d == NULL) {
			d = &hub->dev[i];
			s = i;
		}
	}
	if (d == NULL) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	sim_lock_all(d);
	d->slot_gen++;
	snprintf(d->name, sizeof(d->name), "%s", name);
	if (params->peer[0] != '\0')
		snprintf(d->peer_name, sizeof(d->peer_name), "%s", params->peer);
	else
		mana_sim_default_peer(name, d->peer_name, sizeof(d->peer_name));
	if (params->has_mac)
		memcpy(d->mac, params->mac, sizeof(d->mac));
	else
		sim_default_mac(name, d->mac);
	d->rx_coalesce = params->rx_coalesce;
	d->identity = ((uint64_t)s << 48) | hub->next_identity++;
	d->rx_no_buffer = 0;
	d->rx_filtered = 0;
	d->rx_port_down = 0;
	memset(&d->cfg, 0, sizeof(d->cfg));
	sim_lock(&d->mr_lock);
	memset(d->mr, 0, sizeof(d->mr));
	sim_unlock(&d->mr_lock);
	d->vport_up = 0;
	d->opened = 0;
	d->hw_state = SIM_HW_UP;
	__atomic_store_n(&d->up, 1, __ATOMIC_RELEASE);
	d->in_use = 1;
	sim_unlock_all(d);
	sim_link_peers(hub, s);
	sim_unlock(&hub->lock);
	*slot = s;
	return 0;

err_unlock:
	sim_unlock(&hub->lock);
	return ret;
}

void
sim_hub_slot_free(unsigned int slot)
{
	struct sim_dev *d = &sim_hub->dev[slot];

	sim_lock(&sim_hub->lock);
	sim_unlink_peers(sim_hub, slot);
	sim_lock_all(d);
	__atomic_store_n(&d->up, 0, __ATOMIC_RELEASE);
	d->in_use = 0;
	sim_unlock_all(d);
	sim_unlock(&sim_hub->lock);
}

uint64_t
sim_hub_identity_next(unsigned int slot)
{
	uint64_t id;

	sim_lock(&sim_hub->lock);
	id = ((uint64_t)slot << 48) | sim_hub->next_identity++;
	sim_unlock(&sim_hub->lock);
	return id;
}
