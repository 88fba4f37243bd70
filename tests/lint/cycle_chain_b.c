/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include "cycle_fixture.h"

int
chain_b(int n)
{
	return n > 0 ? chain_c(n - 1) : 0;
}
