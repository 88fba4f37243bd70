/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Service events and faults: the device goes down (it stops working its
 * queues and sends DEVICE_FATAL, fatal_events times, on the open handle's
 * event channel), and after recovery_ms comes back as a new incarnation, or
 * is removed, or never comes back (params.recovery). The schedule
 * (reset_period_ms, reset_count) runs on EAL alarms, each set under o->lock
 * unless the device is dying. A removal from the bus is dispatched as the
 * PCI bus's is (RTE_DEV_EVENT_REMOVE for the device's name, from an alarm:
 * the EAL interrupt thread, where EAL's uevent monitor dispatches). Each
 * step is shown on the simulated host (sim_host.c), when there is one, in
 * the kernel's order (../../proto/simhost/simhost.h). Calls the hub and the
 * host.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_dev.h>
#include <rte_errno.h>

#include "sim_priv.h"

/* The simulated host names the outcomes in the same order. */
_Static_assert((int)MANA_SIM_RECOVERY_OK == (int)SIMHOST_OUTCOME_OK &&
	       (int)MANA_SIM_RECOVERY_FAIL == (int)SIMHOST_OUTCOME_FAIL &&
	       (int)MANA_SIM_RECOVERY_REMOVE == (int)SIMHOST_OUTCOME_REMOVE &&
	       (int)MANA_SIM_RECOVERY_RESCAN == (int)SIMHOST_OUTCOME_RESCAN,
	       "enum mana_sim_recovery and enum simhost_outcome differ");

static void sim_service_alarm(void *arg);
static void sim_recovery_alarm(void *arg);
static void sim_bus_remove_alarm(void *arg);

/* Schedule cb on the alarm thread. o->lock held (see sim_event_stop). */
static void
sim_alarm_set(uint32_t ms, rte_eal_alarm_callback cb, struct sim_device *o)
{
	int ret;

	if (o->dying)
		return;
	ret = rte_eal_alarm_set((uint64_t)RTE_MAX(ms, 1u) * 1000, cb, o);
	if (ret != 0)
		SIM_LOG(ERR, "%s: cannot schedule the simulated hardware: %s", o->name,
			rte_strerror(-ret));
}

/* The device stays up reset_period_ms between service events, counted from
 * the first start and then from each time the driver has it open again.
 * o->lock held.
 */
static bool
sim_schedule_more(const struct sim_device *o)
{
	return o->scheduled && o->params.reset_period_ms > 0 &&
	       (o->params.reset_count == 0 || o->fired < o->params.reset_count);
}

/* Arm the next service event unless one is pending. o->lock held. */
static bool
sim_arm(struct sim_device *o)
{
	if (o->armed || !sim_schedule_more(o))
		return false;
	o->armed = true;
	return true;
}

void
sim_event_rearm(struct sim_device *o)
{
	if (sim_arm(o))
		sim_alarm_set(o->params.reset_period_ms, sim_service_alarm, o);
}

void
sim_event_schedule_start(struct sim_device *o)
{
	bool arm;

	pthread_mutex_lock(&o->lock);
	arm = !o->scheduled;
	o->scheduled = true;
	/* The first one after reset_delay_ms when set. */
	if (arm && sim_arm(o))
		sim_alarm_set(o->params.reset_delay_ms != 0 ? o->params.reset_delay_ms :
			      o->params.reset_period_ms, sim_service_alarm, o);
	pthread_mutex_unlock(&o->lock);
}

void
sim_event_stop(struct sim_device *o)
{
	/* Alarms are set under o->lock unless dying: none is set after this. */
	pthread_mutex_lock(&o->lock);
	o->dying = true;
	pthread_mutex_unlock(&o->lock);
	/* Each waits for its callback if it runs on the alarm thread; a
	 * service callback may set the recovery alarm, so that goes second.
	 */
	rte_eal_alarm_cancel(sim_service_alarm, o);
	rte_eal_alarm_cancel(sim_recovery_alarm, o);
	rte_eal_alarm_cancel(sim_bus_remove_alarm, o);
	/* Order the callbacks' last steps before the caller frees o. */
	pthread_mutex_lock(&o->lock);
	pthread_mutex_unlock(&o->lock);
}

int
sim_event_fire(struct sim_device *o, uint32_t down_ms, enum mana_sim_recovery rec,
	       uint32_t *event)
{
	struct sim_dev *d = &sim_hub->dev[o->slot];
	uint8_t ev = MANA_ASYNC_DEVICE_FATAL;
	uint32_t i;

	pthread_mutex_lock(&o->lock);
	/* Only a service event takes the device down, under o->lock: it
	 * stays up until this one does.
	 */
	if (__atomic_load_n(&d->hw_state, __ATOMIC_ACQUIRE) != SIM_HW_UP) {
		pthread_mutex_unlock(&o->lock);
		return -EALREADY;
	}
	/* 1. The driver reports the service EQE on its health reporter
	 * before it starts (not for a surprise removal).
	 */
	if (rec != MANA_SIM_RECOVERY_REMOVE)
		sim_host_health(o, true);
	/* 2. The device stops working its queues at once, and tells the
	 * open handle.
	 */
	sim_lock_all(d);
	__atomic_store_n(&d->up, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&d->hw_state, SIM_HW_DOWN, __ATOMIC_RELEASE);
	sim_unlock_all(d);
	o->fired++;
	o->ev_down_ms = down_ms;
	o->ev_recovery = rec;
	if (o->handle != NULL)
		for (i = 0; i < RTE_MAX(o->params.fatal_events, 1u); i++)
			if (write(o->handle->ev_wr, &ev, 1) != 1)
				SIM_LOG(ERR, "%s: cannot deliver DEVICE_FATAL: %s", o->name,
					strerror(errno));
	SIM_LOG(INFO, "%s: service event %u, identity %#" PRIx64 " down for %" PRIu32
		" ms, then %s", o->name, o->fired, d->identity, down_ms,
		simhost_outcome_name((enum simhost_outcome)rec));
	sim_host_down(o, rec != MANA_SIM_RECOVERY_REMOVE);
	/* 3. Its RDMA device goes (a removal takes it with the function). */
	if (rec == MANA_SIM_RECOVERY_OK || rec == MANA_SIM_RECOVERY_FAIL)
		sim_host_unregister(o);
	/* PCI remove at once, rescan after the down time. */
	if (rec == MANA_SIM_RECOVERY_RESCAN)
		sim_alarm_set(1, sim_bus_remove_alarm, o);
	if (rec != MANA_SIM_RECOVERY_FAIL)
		sim_alarm_set(down_ms, sim_recovery_alarm, o);
	if (event != NULL)
		*event = o->fired;
	pthread_mutex_unlock(&o->lock);
	return 0;
}

int
mana_sim_service_event(struct mana_hw_dev *hd)
{
	struct sim_device *o = (struct sim_device *)hd;

	return sim_event_fire(o, o->params.recovery_ms, o->params.recovery, NULL);
}

int
mana_sim_service_event_with(struct mana_hw_dev *hd, uint32_t down_ms,
			    enum mana_sim_recovery outcome, uint32_t *event)
{
	if ((unsigned int)outcome > MANA_SIM_RECOVERY_RESCAN)
		return -EINVAL;
	return sim_event_fire((struct sim_device *)hd, down_ms, outcome, event);
}

/* Tell the device's listeners what the bus did, as EAL's uevent monitor
 * does (rte_dev_event_callback_process), on the interrupt thread. Without
 * o->lock, and with o not touched after: a listener may close the port,
 * and so destroy o, from its callback.
 */
static void
sim_bus_event(const char *name, enum rte_dev_event_type type)
{
	char copy[MANA_SIM_NAME_LEN];

	snprintf(copy, sizeof(copy), "%s", name);
	SIM_LOG(INFO, "%s: %s the bus", copy, type == RTE_DEV_EVENT_REMOVE ? "removed from" :
		"back on");
	rte_dev_event_callback_process(copy, type);
}

static void
sim_bus_remove_alarm(void *arg)
{
	struct sim_device *o = arg;
	char name[MANA_SIM_NAME_LEN];

	pthread_mutex_lock(&o->lock);
	snprintf(name, sizeof(name), "%s", o->name);
	/* The function goes from sysfs, then the kernel says so. */
	sim_host_pci_gone(o, false);
	pthread_mutex_unlock(&o->lock);
	sim_bus_event(name, RTE_DEV_EVENT_REMOVE);
}

static void
sim_service_alarm(void *arg)
{
	struct sim_device *o = arg;

	pthread_mutex_lock(&o->lock);
	o->armed = false;
	pthread_mutex_unlock(&o->lock);
	/* Not up: nothing to do; reopening the device arms the next one. */
	mana_sim_service_event(&o->base);
}

static void
sim_recovery_alarm(void *arg)
{
	struct sim_device *o = arg;
	struct sim_dev *d = &sim_hub->dev[o->slot];

	char name[MANA_SIM_NAME_LEN];
	enum mana_sim_recovery rec;

	pthread_mutex_lock(&o->lock);
	rec = o->ev_recovery;
	snprintf(name, sizeof(name), "%s", o->name);
	if (rec == MANA_SIM_RECOVERY_REMOVE) {
		/* The function is gone (the verbs backend would find no
		 * ibdev: probe says so), and the bus says so.
		 */
		__atomic_store_n(&d->hw_state, SIM_HW_GONE, __ATOMIC_RELEASE);
		SIM_LOG(INFO, "%s: removed", o->name);
		sim_host_pci_gone(o, true);
	} else {
		__atomic_store_n(&d->hw_state, SIM_HW_READY, __ATOMIC_RELEASE);
		SIM_LOG(INFO, "%s: back from service", o->name);
		/* 5, 6: a new incarnation registers; healthy again. */
		sim_host_back(o);
	}
	/* The next service event is armed when the driver opens it again. */
	pthread_mutex_unlock(&o->lock);
	/* Last: o may be gone once the listeners ran. */
	if (rec == MANA_SIM_RECOVERY_REMOVE)
		sim_bus_event(name, RTE_DEV_EVENT_REMOVE);
	else if (rec == MANA_SIM_RECOVERY_RESCAN)
		sim_bus_event(name, RTE_DEV_EVENT_ADD);
}
