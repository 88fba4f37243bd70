/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* The exposition's text helpers (metrics_text.h). */
#include <inttypes.h>

#include "ctrl/ctrld/metrics_text.h"

void
mt_hist_add(struct mt_hist *h, const double *bounds, unsigned int nb, double v)
{
	for (unsigned int i = 0; i < nb && i < MT_BUCKETS_MAX; i++) {
		if (v <= bounds[i]) {
			h->bucket[i]++;
			break;
		}
	}
	h->count++;
	h->sum += v;
}

void
mt_esc(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

const char *
mt_esc_to(char *dst, size_t n, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 3 < n; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n') {
			dst[o++] = '\\';
			dst[o++] = *s == '\n' ? 'n' : *s;
		} else {
			dst[o++] = *s;
		}
	}
	dst[o] = '\0';
	return dst;
}

void
mt_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
mt_hist_samples(FILE *f, const char *name, const char *labels, const struct mt_hist *h,
		const double *bounds, unsigned int nb)
{
	uint64_t cum = 0;

	for (unsigned int i = 0; i < nb && i < MT_BUCKETS_MAX; i++) {
		cum += h->bucket[i];
		fprintf(f, "%s_bucket{%s,le=\"%g\"} %" PRIu64 "\n", name, labels, bounds[i], cum);
	}
	fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %" PRIu64 "\n", name, labels, h->count);
	fprintf(f, "%s_sum{%s} %.9g\n", name, labels, h->sum);
	fprintf(f, "%s_count{%s} %" PRIu64 "\n", name, labels, h->count);
}
