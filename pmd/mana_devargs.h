/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_DEVARGS_H
#define MANA_DEVARGS_H

/*
 * The devargs every MANA backend shares: the driver core's (reset and
 * quiesce bounds, the hardware poll, the control daemon's mailbox and the
 * user it runs as, how long a bus removal waits for the daemon to call it
 * a service event). A
 * backend's glue (pmd/sim/, pmd/verbs/) lists its own keys followed by
 * MANA_DEVARGS_COMMON_KEYS, parses them with mana_devargs_parse, reads its
 * own keys (mana_devargs_u32s for numbers: the same messages), then calls
 * mana_devargs_common; and registers its own usage text followed by
 * MANA_DEVARGS_COMMON_PARAMS.
 *
 * Every function logs once (pmd.net.mana.init) where it rejects a devarg,
 * with the device name or the key, and returns -EINVAL. No state, no lock:
 * the thread probing the device.
 */
#include <stdint.h>

#include <rte_kvargs.h>

#include "mana_drv.h"

#define MANA_DEVARG_RESET_TIMEOUT_MS   "reset_timeout_ms"
#define MANA_DEVARG_QUIESCE_TIMEOUT_MS "quiesce_timeout_ms"
#define MANA_DEVARG_HW_POLL_MS         "hw_poll_ms"
#define MANA_DEVARG_MP_TIMEOUT_MS      "mp_timeout_ms"
#define MANA_DEVARG_RMV_WAIT_MS        "rmv_wait_ms"
#define MANA_DEVARG_MBOX               "mbox"
#define MANA_DEVARG_MBOX_PORT          "mbox_port"
#define MANA_DEVARG_MBOX_CTRL_USER     "mbox_ctrl_user"

/* The common keys, for a backend's NULL-terminated key table. */
#define MANA_DEVARGS_COMMON_KEYS \
	MANA_DEVARG_RESET_TIMEOUT_MS, \
	MANA_DEVARG_QUIESCE_TIMEOUT_MS, \
	MANA_DEVARG_HW_POLL_MS, \
	MANA_DEVARG_MP_TIMEOUT_MS, \
	MANA_DEVARG_RMV_WAIT_MS, \
	MANA_DEVARG_MBOX, \
	MANA_DEVARG_MBOX_PORT, \
	MANA_DEVARG_MBOX_CTRL_USER

/* The common keys' usage, last in a backend's RTE_PMD_REGISTER_PARAM_STRING. */
#define MANA_DEVARGS_COMMON_PARAMS \
	MANA_DEVARG_RESET_TIMEOUT_MS "=<ms> " \
	MANA_DEVARG_QUIESCE_TIMEOUT_MS "=<ms> " \
	MANA_DEVARG_HW_POLL_MS "=<ms> " \
	MANA_DEVARG_MP_TIMEOUT_MS "=<ms> " \
	MANA_DEVARG_RMV_WAIT_MS "=<ms> " \
	MANA_DEVARG_MBOX "=<control daemon socket path> " \
	MANA_DEVARG_MBOX_PORT "=<port identity> " \
	MANA_DEVARG_MBOX_CTRL_USER "=<user name or uid>"

/* Split args ("key=value,...", NULL or "" for none) of device name against
 * keys (NULL-terminated: the backend's, then MANA_DEVARGS_COMMON_KEYS).
 * 0 and *kv (NULL when args is empty; free with rte_kvargs_free), or
 * -EINVAL after a message that lists the valid keys.
 */
int mana_devargs_parse(const char *name, const char *args, const char *const keys[],
		       struct rte_kvargs **kv);

/* A devarg whose value is a decimal number from min to max, nothing else
 * (no sign, no suffix). *out holds the default; the caller owns it.
 */
struct mana_devargs_u32 {
	const char *key;
	uint32_t min, max;
	uint32_t *out;
};

/* Each of the n numbers of kv (NULL: none given) into its *out, in table
 * order: 0, or -EINVAL after a message naming the first bad one.
 */
int mana_devargs_u32s(const struct rte_kvargs *kv, const struct mana_devargs_u32 *nums,
		      unsigned int n);

/* The common devargs of kv (NULL: none given) into *p, defaults for those
 * not given. The mailbox identity defaults to the device name (a vdev's
 * name, a PCI function's address). mbox_ctrl_user is looked up here (a
 * user that does not exist fails the probe) and again at each attach.
 * 0, or -EINVAL after a message. May wait for the user database (NSS).
 */
int mana_devargs_common(const char *name, const struct rte_kvargs *kv,
			struct mana_drv_params *p);

#endif /* MANA_DEVARGS_H */
