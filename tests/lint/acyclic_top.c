/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include "cycle_fixture.h"

int
dag_top(int n)
{
	return dag_mid(n) + dag_low(n);
}
