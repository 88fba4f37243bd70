/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_SINK_LOG_H
#define MANA_CTRL_SINK_LOG_H

/*
 * The log sink: every tracker event as one structured log record (event,
 * dev, source, reason, t_mono_ns, index, node_guid, netdev, ifindex,
 * downtime_ms), through log.h. The mailbox sink (sink_mbox.h) passes every
 * event on to it. Stateless; thread context: the daemon's loop thread (the
 * log has no lock).
 */
#include "ctrl/ctrld/sink.h"

extern const struct ctrl_sink sink_log;

#endif /* MANA_CTRL_SINK_LOG_H */
