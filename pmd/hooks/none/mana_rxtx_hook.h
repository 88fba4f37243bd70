/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_RXTX_HOOK_H
#define MANA_RXTX_HOOK_H

/*
 * The datapath's test hooks, as the driver is built: none. mana_rxtx.c calls
 * these at fixed points of every burst; here they are empty inlines that the
 * compiler removes. Test builds of the driver (tests/pmd/hooks/) provide
 * their own header of this name instead, so the burst code has no #ifdef.
 *
 * Threads: called by the lcore running the burst; they must not block here.
 */
#include <stddef.h>
#include <stdint.h>

/* First thing in every rx and tx burst, before anything of the port is read. */
static inline void
mana_rxtx_hook_burst_start(void)
{
}

/* In every rx burst, right after its guard let it in (before it touches
 * the device): a test build may stop the process there.
 */
static inline void
mana_rxtx_hook_guarded(void)
{
}

/* A doorbell page the tx burst read before its gate check, or NULL: the
 * burst then rings the page it reads inside the guard (the only right
 * shape; the must-fail test build returns the early read of the reviewed
 * patch).
 */
static inline uint8_t *
mana_rxtx_hook_early_db(uint16_t port_id)
{
	(void)port_id;
	return NULL;
}

/* Whether a secondary's burst skips its guard and generation check (only
 * the must-fail test build of issue 11's secondary test: it must crash).
 */
static inline int
mana_rxtx_hook_sec_unguarded(void)
{
	return 0;
}

#endif /* MANA_RXTX_HOOK_H */
