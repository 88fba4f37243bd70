/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_LOG_H
#define MANA_CTRL_LOG_H

/*
 * mana-ctrld's structured logs: one line per record on stderr, either a JSON
 * object ({"level":"info","msg":"...","dev":"mana_0",...}) or key=value pairs
 * (level=info msg="..." dev=mana_0). Fields are (key, value) string pairs
 * ending with NULL. Thread context: the daemon's thread (no locking).
 */
#include <stdbool.h>
#include <stdio.h>

enum log_level {
	LOG_LVL_DEBUG,
	LOG_LVL_INFO,
	LOG_LVL_WARN,
	LOG_LVL_ERR,
};

void log_setup(FILE *out, bool json, bool debug);
void log_rec(enum log_level lvl, const char *msg, ...) __attribute__((sentinel));

#endif /* MANA_CTRL_LOG_H */
