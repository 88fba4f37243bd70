/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include "cycle_fixture.h"

int chain_limit = 3;

int
chain_a(int n)
{
	return n > 0 ? chain_b(n - 1) : 0;
}
