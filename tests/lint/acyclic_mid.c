/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include "cycle_fixture.h"

int
dag_mid(int n)
{
	return dag_low(n + 1);
}
