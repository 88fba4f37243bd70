/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_MANACTL_H
#define MANA_CTRL_MANACTL_H

/*
 * manactl internals shared by its object files, after iproute2's rdma/
 * tool: the argument helpers and the table dispatch (manactl_args.c, the
 * bottom layer) and one entry point per object (manactl_health.c,
 * manactl_rdma.c, manactl_reset.c, manactl_monitor.c), called by main
 * (manactl.c) only. Main thread only; the caller owns argv.
 */
#include <stdbool.h>

struct manactl {
	int argc;
	char **argv;
	bool json;
	bool pretty;
};

struct manactl_cmd {
	const char *name;
	int (*func)(struct manactl *m);
};

/* Current argument or NULL; advance. */
const char *manactl_arg(const struct manactl *m);
void manactl_next(struct manactl *m);
bool manactl_no_arg(const struct manactl *m);
/* Is the current argument a (prefix) match of word? */
bool manactl_match(const struct manactl *m, const char *word);
/*
 * Run the command table entry matching the current argument (the first
 * entry when there is none). Unknown: message, -EINVAL.
 */
int manactl_dispatch(struct manactl *m, const struct manactl_cmd *cmds, const char *object);

int manactl_health(struct manactl *m);
int manactl_rdma(struct manactl *m);
int manactl_reset(struct manactl *m);
int manactl_monitor(struct manactl *m);

#endif /* MANA_CTRL_MANACTL_H */
