/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TESTS_PMD_TEST_DEVEV_H
#define MANA_TESTS_PMD_TEST_DEVEV_H

/*
 * For DPDK tests that count fds or threads after their last port closed:
 * the driver's device event monitor, with its uevent socket, stops from an
 * EAL alarm just after the last port's close (pmd/mana_devev.h).
 * Main thread of the test; no state.
 */
#include <stdbool.h>
#include <unistd.h>

#include "pmd/mana_devev.h"

/* Wait (at most 5 s) until the monitor is no longer held: true when it
 * stopped.
 */
static inline bool
test_devev_settled(void)
{
	struct mana_devev_stats st;
	unsigned int i;

	for (i = 0; i < 500; i++) {
		mana_devev_stats_get(&st);
		if (!st.monitor_held)
			return true;
		usleep(10000);
	}
	return false;
}

#endif /* MANA_TESTS_PMD_TEST_DEVEV_H */
