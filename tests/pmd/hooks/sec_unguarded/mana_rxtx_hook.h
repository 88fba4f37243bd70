/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_RXTX_HOOK_H
#define MANA_RXTX_HOOK_H

/*
 * The datapath's test hooks (see pmd/hooks/none/mana_rxtx_hook.h) for the
 * must-fail build of issue 11's secondary test: a secondary's bursts skip
 * the guard and the generation check, so they run on through a reset, on a
 * parked doorbell mapping and on queues being rebuilt. Test builds only: a
 * secondary built this way must crash, and the test must see it.
 */
#include <stdint.h>

static inline void
mana_rxtx_hook_burst_start(void)
{
}

static inline uint8_t *
mana_rxtx_hook_early_db(uint16_t port_id)
{
	(void)port_id;
	return NULL;
}

static inline void
mana_rxtx_hook_guarded(void)
{
}

static inline int
mana_rxtx_hook_sec_unguarded(void)
{
	return 1;
}

#endif /* MANA_RXTX_HOOK_H */
