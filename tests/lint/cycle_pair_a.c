/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include "cycle_fixture.h"

int
pair_a(int n)
{
	return n > 0 ? pair_b(n - 1) : 0;
}
