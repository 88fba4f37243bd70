/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_SIM_H
#define MANA_SIM_H

/*
 * The simulated MANA device: a backend (struct mana_hw_ops) that behaves like
 * the hardware, so that the driver and its reset engine run without a MANA NIC.
 *
 * Model: each device has send and receive work queues with completion queues
 * in shared memory (format in mana_hwq.h) and a doorbell page that the driver
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
 * Threads: mana_sim_open and the ops other than kick are control path, called
 * with the driver's per-device serialization. kick runs on datapath lcores;
 * it takes hardware-internal spinlocks for a bounded time.
 */
#include <stdbool.h>
#include <stdint.h>

#include "mana_hw.h"

#define MANA_SIM_NAME_LEN 64

struct mana_sim_params {
	char peer[MANA_SIM_NAME_LEN];  /* "" for the default peer */
	bool has_mac;
	uint8_t mac[6];
};

/* Open (creating if needed) the simulated device called name in this
 * process. Primary process only. Returns 0 and *hw, or a negative errno:
 * -EEXIST if the device is already open, -ENOSPC if too many devices exist.
 */
int mana_sim_open(const char *name, const struct mana_sim_params *params, struct mana_hw **hw);

/* The default peer of a device name: the name whose trailing number differs
 * only in its lowest bit (net_mana_sim0 <-> net_mana_sim1). Writes "" when
 * the name has no trailing number.
 */
void mana_sim_default_peer(const char *name, char *peer, size_t len);

#endif /* MANA_SIM_H */
