/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* The burst hook of the driver's test builds (burst_hook.h); review_13's
 * test sets it.
 */
#include "burst_hook.h"

void (*mana_test_burst_hook)(void) = NULL;
void (*mana_test_guarded_hook)(void) = NULL;
