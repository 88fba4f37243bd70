/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The backend's log type, pmd.net.mana.verbs (VERBS_LOG, verbs_priv.h),
 * below every file that logs with it. Any thread may log.
 */
#include "verbs_priv.h"

RTE_LOG_REGISTER(mana_verbs_logtype, pmd.net.mana.verbs, NOTICE);
