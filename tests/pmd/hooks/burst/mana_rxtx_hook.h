/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_RXTX_HOOK_H
#define MANA_RXTX_HOOK_H

/*
 * The datapath's test hooks (see pmd/hooks/none/mana_rxtx_hook.h), for
 * review_13's test: every burst first calls the function the test installs
 * in mana_test_burst_hook (tests/pmd/hooks/burst_hook.c), which widens the
 * window between a burst's start and its gate check. Test builds only.
 */
#include <stddef.h>
#include <stdint.h>

extern void (*mana_test_burst_hook)(void);

static inline void
mana_rxtx_hook_burst_start(void)
{
	void (*h)(void) = __atomic_load_n(&mana_test_burst_hook, __ATOMIC_ACQUIRE);

	if (h != NULL)
		h();
}

static inline uint8_t *
mana_rxtx_hook_early_db(uint16_t port_id)
{
	(void)port_id;
	return NULL;
}

#endif /* MANA_RXTX_HOOK_H */
