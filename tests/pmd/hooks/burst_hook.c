/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* The burst hook of the driver's test builds (burst/ and early_db/
 * mana_rxtx_hook.h call it; review_13's test sets it).
 */
#include <stddef.h>

extern void (*mana_test_burst_hook)(void);
void (*mana_test_burst_hook)(void) = NULL;
