/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include "cycle_fixture.h"

/* A call into another library is no edge of this one's graph. */
int
dag_low(int n)
{
	return pair_b(n);
}
