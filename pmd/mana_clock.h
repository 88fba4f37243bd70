/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The driver's one clock: CLOCK_MONOTONIC in nanoseconds (and milliseconds), for deadlines,
 * reset timings and slow-step logs. Plain C (no EAL), any thread, no state.
 */
#ifndef MANA_CLOCK_H
#define MANA_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
mana_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline uint64_t
mana_now_ms(void)
{
	return mana_now_ns() / 1000000;
}

#endif /* MANA_CLOCK_H */
