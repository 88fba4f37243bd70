/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_MANACTL_H
#define MANA_CTRL_MANACTL_H

/*
 * manactl internals shared by its object files, after iproute2's rdma/
 * tool: the argument helpers and the table dispatch (manactl_args.c, the
 * bottom layer), the mailbox helpers (manactl_mbox.c, on the same layer),
 * the monitor's records and mailbox source (manactl_monitor_mbox.c, one
 * layer up) and one entry point per object (manactl_health.c, manactl_rdma.c,
 * manactl_reset.c, manactl_status.c, manactl_monitor.c, manactl_sim.c), called by main
 * (manactl.c) only. Main thread only; the caller owns argv; what the
 * helpers print goes through ctrl/print's process-global state.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/mbox.h"

#define MANACTL_MBOX_DEFAULT "/run/mana/mbox"

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

/*
 * The mailbox helpers (manactl_mbox.c, below the object files). The segment
 * path when no "mbox PATH" is given: $MANA_MBOX, else MANACTL_MBOX_DEFAULT.
 */
const char *manactl_mbox_default_path(void);
/* At "mbox": take the PATH after it (left current) into *path; -EINVAL with a message. */
int manactl_mbox_arg(struct manactl *m, const char **path);
/* mbox_port_read with the identity's strings terminated; a message on error. */
int manactl_mbox_port_read(const struct mbox *mb, unsigned int p, struct mbox_port *pt);
void manactl_guid_str(uint64_t g, char *buf, size_t n);
/* A port as `reset show` prints it (one JSON object), and one reset of its timeline. */
void manactl_print_port(unsigned int p, const struct mbox_port *pt);
void manactl_print_reset(unsigned int p, const struct mbox_port *pt,
			 const struct mbox_reset_rec *r, bool with_port);

/*
 * The monitor's records (manactl_monitor_mbox.c, below manactl_monitor.c):
 * one line per event, with json one JSON object per line; "source" and
 * "event" first; rec_end flushes.
 */
void manactl_rec_begin(bool json, const char *src, const char *event);
void manactl_rec_end(void);
/*
 * The mailbox as a monitor source: the segment at path mapped read-only
 * and followed by a readers' cursor, polled from a timerfd every
 * MANACTL_MBOX_POLL_MS (readers have no doorbell). open: NULL with *err
 * and a message printed. tick: when the fd is readable; prints what came.
 */
#define MANACTL_MBOX_POLL_MS 100
struct manactl_mon_mbox;
struct manactl_mon_mbox *manactl_mon_mbox_open(const char *path, bool json, int *err);
int manactl_mon_mbox_fd(const struct manactl_mon_mbox *mm);
void manactl_mon_mbox_tick(struct manactl_mon_mbox *mm);
void manactl_mon_mbox_close(struct manactl_mon_mbox *mm);

int manactl_health(struct manactl *m);
int manactl_rdma(struct manactl *m);
int manactl_reset(struct manactl *m);
int manactl_monitor(struct manactl *m);
int manactl_status(struct manactl *m);
/* 0, a negative errno (exit 1) or an exit code of its own (manactl_sim.c). */
int manactl_sim(struct manactl *m);

#endif /* MANA_CTRL_MANACTL_H */
