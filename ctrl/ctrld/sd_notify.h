/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_SD_NOTIFY_H
#define MANA_CTRL_SD_NOTIFY_H

/*
 * systemd's notify protocol without libsystemd: one datagram per message to
 * the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or '@' for the
 * abstract namespace). Watchdog: $WATCHDOG_USEC (and $WATCHDOG_PID if set)
 * give the interval; ping at half of it. Without $NOTIFY_SOCKET everything
 * is a no-op. Thread context: any (no shared state besides the env).
 */
#include <stdint.h>

/* Send state ("READY=1", "WATCHDOG=1", "STATUS=...", ...). 0, or -errno. */
int sd_notify_send(const char *state);

/* Watchdog ping period in ns (half of WATCHDOG_USEC), or 0 when not enabled. */
uint64_t sd_watchdog_period_ns(void);

#endif /* MANA_CTRL_SD_NOTIFY_H */
