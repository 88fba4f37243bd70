/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TEST_BURST_HOOK_H
#define MANA_TEST_BURST_HOOK_H

/*
 * The burst-start hook both test builds of the driver share: every burst
 * first calls the function review_13's test installs in
 * mana_test_burst_hook (burst_hook.c), which widens the window between a
 * burst's start and its gate check. Called by the lcore running the burst.
 */
#include <stddef.h>

extern void (*mana_test_burst_hook)(void);
/* Called by every rx burst right after its guard let it in (issue 11's
 * stopped-secondary test stops the process there).
 */
extern void (*mana_test_guarded_hook)(void);

static inline void
mana_rxtx_hook_burst_start(void)
{
	void (*h)(void) = __atomic_load_n(&mana_test_burst_hook, __ATOMIC_ACQUIRE);

	if (h != NULL)
		h();
}

static inline void
mana_rxtx_hook_guarded(void)
{
	void (*h)(void) = __atomic_load_n(&mana_test_guarded_hook, __ATOMIC_ACQUIRE);

	if (h != NULL)
		h();
}

#endif /* MANA_TEST_BURST_HOOK_H */
