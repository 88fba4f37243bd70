/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_METRICS_PORTS_H
#define MANA_CTRL_METRICS_PORTS_H

/*
 * The mailbox ports' metric families (ctrl/ctrld/README.md, "Metrics"):
 * identity, states, counters of both records, ring counters, and the reset
 * histograms metrics.c keeps. Called by metrics.c only; no state: the
 * daemon's loop thread, as metrics.h.
 */
#include <stdbool.h>
#include <stdio.h>

#include "ctrl/ctrld/metrics_text.h"
#include "proto/mbox.h"

/* One port's reset histograms: each reached phase, and the totals. */
struct metrics_port_hist {
	struct mt_hist phase[MBOX_PHASES];
	struct mt_hist total;
};

/* Count one reset of a PMD record's timeline into h. */
void metrics_ports_observe(struct metrics_port_hist *h, const struct mbox_reset_rec *r);

/* Every family over the ports p < nb with used[p] (pts[p]: their records, strings ended). */
void metrics_ports_render(FILE *f, const struct metrics_port_hist *hist,
			  const struct mbox_port *pts, const bool *used, unsigned int nb);

#endif /* MANA_CTRL_METRICS_PORTS_H */
