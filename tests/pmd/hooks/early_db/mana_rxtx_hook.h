/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_RXTX_HOOK_H
#define MANA_RXTX_HOOK_H

/*
 * The datapath's test hooks (see pmd/hooks/none/mana_rxtx_hook.h) for the
 * must-fail build of review_13's test: the burst-start hook, and the
 * reviewed patch's shape, the doorbell page read at the top of the tx burst,
 * before its gate check, and rung after it. Included by mana_rxtx.c after
 * mana.h. Test builds only: a burst built this way may write a revoked page.
 */
#include <stdint.h>

#include "burst_hook.h"

static inline uint8_t *
mana_rxtx_hook_early_db(uint16_t port_id)
{
	return mana_proc_of(port_id)->db;
}

static inline int
mana_rxtx_hook_sec_unguarded(void)
{
	return 0;
}

#endif /* MANA_RXTX_HOOK_H */
