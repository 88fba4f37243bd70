/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_LOG_H
#define MANA_LOG_H

/*
 * Logging for the MANA PMD. Log types:
 *   pmd.net.mana.init    probe, remove, devargs
 *   pmd.net.mana.driver  control-path operations
 *   pmd.net.mana.reset   the reset engine
 *   pmd.net.mana.mbox    the mailbox to the control daemon
 * A backend registers its own (pmd.net.mana.sim in pmd/sim/) and may log
 * with MANA_LOG_ under it.
 * Datapath logs (MANA_DP_LOG) compile out unless RTE_ETHDEV_DEBUG_RX/TX is set.
 * Every message names the device it is about. Any thread may log.
 */
#include <rte_log.h>

extern int mana_logtype_init;
extern int mana_logtype_driver;
extern int mana_logtype_reset;
extern int mana_logtype_mbox;

#define MANA_LOG_(type, level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, type, "%s(): " fmt "\n", __func__, ## __VA_ARGS__)

#define MANA_INIT_LOG(level, fmt, ...) MANA_LOG_(mana_logtype_init, level, fmt, ## __VA_ARGS__)
#define MANA_DRV_LOG(level, fmt, ...) MANA_LOG_(mana_logtype_driver, level, fmt, ## __VA_ARGS__)
#define MANA_RESET_LOG(level, fmt, ...) MANA_LOG_(mana_logtype_reset, level, fmt, ## __VA_ARGS__)
#define MANA_MBOX_LOG(level, fmt, ...) MANA_LOG_(mana_logtype_mbox, level, fmt, ## __VA_ARGS__)

#if defined(RTE_ETHDEV_DEBUG_RX) || defined(RTE_ETHDEV_DEBUG_TX)
#define MANA_DP_LOG(level, fmt, ...) MANA_LOG_(mana_logtype_driver, level, fmt, ## __VA_ARGS__)
#else
#define MANA_DP_LOG(level, fmt, ...) do { } while (0)
#endif

#endif /* MANA_LOG_H */
