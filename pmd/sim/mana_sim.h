/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_SIM_H
#define MANA_SIM_H

/*
 * The simulated MANA device, the simulator's public header (pmd/sim/, see its
 * README.md): a backend (struct mana_hw_ops) that behaves like the hardware,
 * so that the driver and its reset engine run without a MANA NIC. The driver
 * core never includes it: the net_mana_sim vdev (sim_vdev.c) hands the device
 * to the core through mana_drv.h; tests include it to drive the hardware.
 *
 * Model: each device has send and receive work queues with completion queues
 * in shared memory (MANA's formats, mana_gdma.h) and a doorbell page that the driver
 * maps: a memfd, so that when the device goes away the page really goes away
 * (the memfd is truncated and any later access faults with SIGBUS, in every
 * process, as an access to a revoked BAR page would). Two devices are joined by
 * a simulated wire: what one sends arrives on the other's receive queues,
 * filtered by destination MAC and spread by RSS as the receiver configured.
 * A device whose peer does not exist is looped back to itself.
 *
 * The device state lives in a memzone shared by all processes of the DPDK
 * instance ("mana_sim_hub"), so it outlives any one driver handle.
 *
 * Service events: the device goes down (it stops working its queues and
 * sends DEVICE_FATAL on the async event channel of the open handle), and
 * after recovery_ms comes back as a new incarnation (new identity, new
 * doorbell page), or never does, or is removed. A removal from the bus
 * (recovery=remove after recovery_ms; recovery=rescan at once, the device
 * then coming back as after ok: an FPGA reconfiguration's PCI remove and
 * rescan) is told the way the PCI bus tells one: RTE_DEV_EVENT_REMOVE for
 * the device's name (the vdev's), dispatched with
 * rte_dev_event_callback_process on the EAL interrupt thread (an alarm), as
 * EAL's uevent monitor does. Closing a handle truncates its doorbell page:
 * from then on any access to it faults.
 *
 * Threads: mana_sim_create and the ops other than kick and event_get are
 * control path, called with the driver's per-device serialization. kick runs
 * on datapath lcores; it takes hardware-internal spinlocks for a bounded
 * time. The schedule of service events runs as EAL alarms.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmd/mana_hw.h"

#define MANA_SIM_NAME_LEN 64
#define MANA_SIM_HOST_LEN 256  /* host=DIR */
#define MANA_SIM_PCI_LEN 16    /* a BDF, dddd:bb:dd.f */
#define MANA_SIM_NETDEV_LEN 16 /* IFNAMSIZ */

/* What the hardware does after a service event. */
enum mana_sim_recovery {
	MANA_SIM_RECOVERY_OK,       /* back after recovery_ms, a new incarnation */
	MANA_SIM_RECOVERY_FAIL,     /* never back */
	MANA_SIM_RECOVERY_REMOVE,   /* hot-removed after recovery_ms, for good */
	MANA_SIM_RECOVERY_RESCAN,   /* removed from the bus at once, back after
				     * recovery_ms (PCI remove, then rescan) */
};

struct mana_sim_params {
	char peer[MANA_SIM_NAME_LEN];  /* "" for the default peer */
	bool has_mac;
	uint8_t mac[6];
	uint32_t reset_period_ms;      /* up this long between service events; 0: none */
	uint32_t reset_delay_ms;       /* the first this long after the first start; 0: the period */
	uint32_t reset_count;          /* at most this many; 0: no limit */
	uint32_t recovery_ms;          /* hardware down time */
	enum mana_sim_recovery recovery;
	uint32_t fatal_events;         /* DEVICE_FATAL events per service event */
	uint32_t rx_coalesce;          /* 1: up to 4 packets per receive CQE */
	/* The simulated host (proto/simhost/simhost.h): "" for none, the
	 * default. With a directory, the device keeps its state file and sys/
	 * entries there, sends the kernel's notifications and serves its
	 * hypervisor channel; pci, ibdev, netdev "" for the defaults (from the
	 * state file it adopts, else from the name's trailing number N:
	 * 7870:BB:DD.0 with BB = N / 32, DD = N % 32, mana_N, ethN+1).
	 */
	char host[MANA_SIM_HOST_LEN];
	char pci[MANA_SIM_PCI_LEN];
	char ibdev[MANA_SIM_NAME_LEN];
	char netdev[MANA_SIM_NETDEV_LEN];
};

/* Create the simulated device called name (primary process only): 0 and
 * *dev, or a negative errno: -EEXIST if it exists, -ENOSPC if there are too
 * many. Service events start with the first vport_start when
 * params->reset_period_ms is set. Free with (*dev)->ops->destroy after the
 * last handle was closed.
 */
int mana_sim_create(const char *name, const struct mana_sim_params *params,
		    struct mana_hw_dev **dev);

/* A secondary process's view of the device called name, which the
 * primary created: 0 and *dev (its attach op gives this process's
 * handles; destroy frees only the view), -ENODEV if there is no such
 * device, -ENOMEM.
 */
int mana_sim_attach(const char *name, struct mana_hw_dev **dev);

/* A service event now, as the schedule would fire it (EAL alarm context or
 * any control thread). -EALREADY if the device is not up.
 */
int mana_sim_service_event(struct mana_hw_dev *dev);

/* A service event now with its own down time and outcome (the hypervisor
 * channel's request; the schedule and mana_sim_service_event use the
 * devargs'): the same sequence. 0 and, when event is not NULL, *event the
 * device's service event number; -EALREADY if the device is not up.
 */
int mana_sim_service_event_with(struct mana_hw_dev *dev, uint32_t down_ms,
				enum mana_sim_recovery outcome, uint32_t *event);

/* The device's PCI address on the simulated host into buf: 0, or -ENODEV
 * when it has no host (no host= devarg). Control path.
 */
int mana_sim_host_pci(struct mana_hw_dev *dev, char *buf, size_t n);

/* Memory registrations of every simulated device of the process, since the
 * first was created (the hub's counters; they survive device removal).
 */
struct mana_sim_mr_stats {
	uint64_t registered;    /* mr_reg calls that succeeded */
	uint64_t active;        /* registered now */
	uint64_t leaked;        /* still registered when their handle closed */
	uint64_t bad_lkey;      /* SGEs the device refused (unregistered memory) */
};

/* 0, or -ENODEV when no simulated device was ever created. Any thread. */
int mana_sim_mr_stats_get(struct mana_sim_mr_stats *st);

/* The default peer of a device name: the name whose trailing number differs
 * only in its lowest bit (net_mana_sim0 <-> net_mana_sim1). Writes "" when
 * the name has no trailing number.
 */
void mana_sim_default_peer(const char *name, char *peer, size_t len);

#endif /* MANA_SIM_H */
