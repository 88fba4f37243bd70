/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * manactl's argument helpers and table dispatch, below every object file
 * (manactl.c and manactl_*.c call in here; nothing here calls back up).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctrl/manactl/manactl.h"

const char *
manactl_arg(const struct manactl *m)
{
	return m->argc > 0 ? m->argv[0] : NULL;
}

void
manactl_next(struct manactl *m)
{
	if (m->argc > 0) {
		m->argc--;
		m->argv++;
	}
}

bool
manactl_no_arg(const struct manactl *m)
{
	return m->argc == 0;
}

bool
manactl_match(const struct manactl *m, const char *word)
{
	const char *a = manactl_arg(m);
	size_t n;

	if (a == NULL)
		return false;
	n = strlen(a);
	return n > 0 && n <= strlen(word) && strncmp(a, word, n) == 0;
}

int
manactl_dispatch(struct manactl *m, const struct manactl_cmd *cmds, const char *object)
{
	const struct manactl_cmd *c;

	if (manactl_no_arg(m))
		return cmds[0].func(m);
	for (c = cmds; c->name != NULL; c++) {
		if (manactl_match(m, c->name)) {
			manactl_next(m);
			return c->func(m);
		}
	}
	fprintf(stderr, "Command \"%s\" is unknown, try \"manactl %s%shelp\".\n",
		manactl_arg(m), object, object[0] != '\0' ? " " : "");
	return -EINVAL;
}
