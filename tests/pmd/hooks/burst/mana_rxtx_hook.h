/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_RXTX_HOOK_H
#define MANA_RXTX_HOOK_H

/*
 * The datapath's test hooks (see pmd/hooks/none/mana_rxtx_hook.h) for
 * review_13's test: the burst-start hook; the doorbell is read where the
 * driver reads it, inside the guard. Test builds only.
 */
#include <stdint.h>

#include "burst_hook.h"

static inline uint8_t *
mana_rxtx_hook_early_db(uint16_t port_id)
{
	(void)port_id;
	return NULL;
}

static inline int
mana_rxtx_hook_sec_unguarded(void)
{
	return 0;
}

#endif /* MANA_RXTX_HOOK_H */
