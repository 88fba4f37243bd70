/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include "mana_log.h"

RTE_LOG_REGISTER(mana_logtype_init, pmd.net.mana.init, NOTICE);
RTE_LOG_REGISTER(mana_logtype_driver, pmd.net.mana.driver, NOTICE);
RTE_LOG_REGISTER(mana_logtype_reset, pmd.net.mana.reset, NOTICE);
RTE_LOG_REGISTER(mana_logtype_mbox, pmd.net.mana.mbox, NOTICE);

