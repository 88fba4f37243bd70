/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_METRICS_TEXT_H
#define MANA_CTRL_METRICS_TEXT_H

/*
 * The Prometheus text exposition (format 0.0.4) as the metrics files write
 * it: label values escaped, a family's HELP and TYPE lines, histograms.
 * The lowest of the metrics files (metrics.c, metrics_ports.c and
 * metrics_devlink.c call in here, nothing here calls out). No state: any
 * thread; the FILE is the caller's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MT_BUCKETS_MAX 16

/* A histogram: observations <= bound i (not cumulative), their count and sum. */
struct mt_hist {
	uint64_t bucket[MT_BUCKETS_MAX];
	uint64_t count;
	double sum;
};

/* Count v in h (bounds ascending, nb <= MT_BUCKETS_MAX; above the last: +Inf only). */
void mt_hist_add(struct mt_hist *h, const double *bounds, unsigned int nb, double v);

/* A label value with \, " and newline escaped, to f or into dst (size n, cut whole). */
void mt_esc(FILE *f, const char *s);
const char *mt_esc_to(char *dst, size_t n, const char *s);

/* "# HELP name help" and "# TYPE name type". */
void mt_family(FILE *f, const char *name, const char *type, const char *help);

/* name_bucket{labels,le=...} (cumulative, +Inf), name_sum, name_count. */
void mt_hist_samples(FILE *f, const char *name, const char *labels, const struct mt_hist *h,
		     const double *bounds, unsigned int nb);

#endif /* MANA_CTRL_METRICS_TEXT_H */
