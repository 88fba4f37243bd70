/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include "cycle_fixture.h"

int
pair_b(int n)
{
	return n > 0 ? pair_a(n - 1) : 1;
}
