/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include "cycle_fixture.h"

/* Closes the circle by data: chain_c.c uses chain_a.c's variable only. */
int
chain_c(int n)
{
	return n > chain_limit ? n : 0;
}
