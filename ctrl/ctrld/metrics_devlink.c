/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* The devlink health metric families (metrics_devlink.h). */
#include <inttypes.h>
#include <stdlib.h>

#include "ctrl/ctrld/metrics_devlink.h"
#include "ctrl/ctrld/metrics_text.h"
#include "netlink/nl_uapi.h"

void
metrics_devlink_collect(void *arg, const struct nl_dl_msg *msg)
{
	struct metrics_dl_list *l = arg;

	if ((msg->present & NL_DL_HAS_NAME) == 0)
		return;
	if (l->n == l->cap) {
		unsigned int cap = l->cap ? 2 * l->cap : 16;
		struct nl_dl_msg *r = realloc(l->r, cap * sizeof(*r));

		if (r == NULL) {
			l->oom = true;
			return;
		}
		l->r = r;
		l->cap = cap;
	}
	l->r[l->n] = *msg;
	l->r[l->n].fmsg = NULL;
	l->r[l->n].fmsg_len = 0;
	l->n++;
}

static void
dl_labels(FILE *f, const struct nl_dl_msg *r)
{
	fputs("dev=\"", f);
	mt_esc(f, r->bus);
	fputc('/', f);
	mt_esc(f, r->dev);
	fputc('"', f);
	if (r->present & NL_DL_HAS_PORT)
		fprintf(f, ",port=\"%u\"", r->port);
	fputs(",reporter=\"", f);
	mt_esc(f, r->reporter);
	fputc('"', f);
}

/* One gauge or counter over the reporters that have the attribute. */
static void
dl_family(FILE *f, const struct metrics_dl_list *l, const char *name, const char *type,
	  const char *help, uint32_t need, int what)
{
	mt_family(f, name, type, help);
	for (unsigned int i = 0; i < l->n; i++) {
		const struct nl_dl_msg *r = &l->r[i];

		if ((r->present & need) != need)
			continue;
		fprintf(f, "%s{", name);
		dl_labels(f, r);
		switch (what) {
		case 0:
			fprintf(f, "} %" PRIu64 "\n", r->err_count);
			break;
		case 1:
			fprintf(f, "} %" PRIu64 "\n", r->recover_count);
			break;
		case 2:
			fprintf(f, "} %.3f\n", (double)r->dump_ts_ns / 1e9);
			break;
		case 3:
			fprintf(f, "} %d\n", r->auto_recover != 0);
			break;
		case 4:
			fprintf(f, "} %d\n", r->auto_dump != 0);
			break;
		default:
			fprintf(f, "} %.3f\n", (double)r->grace_period / 1e3);
			break;
		}
	}
}

void
metrics_devlink_render(FILE *f, const struct metrics_dl_list *l)
{
	mt_family(f, "mana_devlink_health_state", "gauge",
	       "devlink health reporter state of every devlink device (1 for the current one).");
	for (unsigned int i = 0; i < l->n; i++) {
		const struct nl_dl_msg *r = &l->r[i];

		if ((r->present & NL_DL_HAS_STATE) == 0)
			continue;
		for (unsigned int s = 0; s < 2; s++) {
			fputs("mana_devlink_health_state{", f);
			dl_labels(f, r);
			fprintf(f, ",state=\"%s\"} %d\n", s == 0 ? "healthy" : "error",
				r->state == (s == 0 ? NLU_DEVLINK_HEALTH_REPORTER_STATE_HEALTHY :
					     NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR));
		}
	}
	dl_family(f, l, "mana_devlink_health_errors_total", "counter",
		  "Errors the reporter counted (its error_count).", NL_DL_HAS_ERR, 0);
	dl_family(f, l, "mana_devlink_health_recovers_total", "counter",
		  "Recoveries the reporter counted (its recover_count).", NL_DL_HAS_RECOVER, 1);
	dl_family(f, l, "mana_devlink_health_last_dump_timestamp_seconds", "gauge",
		  "When the reporter's last dump was taken, since the epoch (no sample: no dump).",
		  NL_DL_HAS_DUMP_TS_NS, 2);
	dl_family(f, l, "mana_devlink_health_auto_recover", "gauge",
		  "1 if the reporter recovers by itself.", NL_DL_HAS_AUTO_RECOVER, 3);
	dl_family(f, l, "mana_devlink_health_auto_dump", "gauge",
		  "1 if the reporter dumps by itself on an error.", NL_DL_HAS_AUTO_DUMP, 4);
	dl_family(f, l, "mana_devlink_health_grace_period_seconds", "gauge",
		  "The reporter's grace period between recoveries.", NL_DL_HAS_GRACE, 5);
}

/* Counted reporters: every error and recovery, seen or learnt from the counts. */
void
metrics_devlink_render_accounting(FILE *f, const struct detect_reporter *reps, unsigned int nb)
{
	static const char *const fam[2] = { "mana_devlink_health_events_seen_total",
					     "mana_devlink_health_events_missed_total" };
	char dev[4 * NL_DL_NAME_MAX + 8], rep[2 * NL_DL_NAME_MAX + 4];

	for (unsigned int k = 0; k < 2; k++) {
		mt_family(f, fam[k], "counter", k == 0 ?
		       "Errors and recoveries of counted reporters whose notification came." :
		       "Errors and recoveries of counted reporters learnt from the reporter's "
		       "counts (notifications lost).");
		for (unsigned int i = 0; i < nb; i++) {
			const struct detect_reporter *r = &reps[i];

			mt_esc_to(dev, sizeof(dev), r->handle);
			mt_esc_to(rep, sizeof(rep), r->name);
			fprintf(f, "%s{dev=\"%s\",reporter=\"%s\",kind=\"error\"} %" PRIu64 "\n",
				fam[k], dev, rep, k == 0 ? r->seen_err : r->missed_err);
			fprintf(f, "%s{dev=\"%s\",reporter=\"%s\",kind=\"recover\"} %" PRIu64 "\n",
				fam[k], dev, rep, k == 0 ? r->seen_rec : r->missed_rec);
		}
	}
}
