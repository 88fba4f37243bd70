/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* The mailbox ports' metric families (metrics_ports.h). */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "ctrl/common/mbox_names.h"
#include "ctrl/ctrld/metrics_ports.h"

/* Reset phases and totals: 1 ms .. 2 min. */
static const double reset_bounds[] = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30,
				       60, 120 };
#define NB_RESET (sizeof(reset_bounds) / sizeof(reset_bounds[0]))
_Static_assert(NB_RESET <= MT_BUCKETS_MAX, "reset buckets");

void
metrics_ports_observe(struct metrics_port_hist *h, const struct mbox_reset_rec *r)
{
	for (unsigned int k = 0; k < MBOX_PHASES; k++)
		if (r->phase_ns[k] != 0)
			mt_hist_add(&h->phase[k], reset_bounds, NB_RESET,
				    (double)r->phase_ns[k] / 1e9);
	mt_hist_add(&h->total, reset_bounds, NB_RESET, (double)r->total_ns / 1e9);
}

static void
port_labels(FILE *f, unsigned int p, const struct mbox_port *pt)
{
	fprintf(f, "port=\"%u\",pci=\"", p);
	mt_esc(f, pt->ctrl.ident.pci);
	fputc('"', f);
}

static void
dir_sample(FILE *f, const char *name, unsigned int p, const struct mbox_port *pt,
	   const char *dir, uint64_t v)
{
	fprintf(f, "%s{", name);
	port_labels(f, p, pt);
	fprintf(f, ",dir=\"%s\"} %" PRIu64 "\n", dir, v);
}

void
metrics_ports_render(FILE *f, const struct metrics_port_hist *hist, const struct mbox_port *pts,
		     const bool *used, unsigned int nb)
{
	static const struct { const char *name, *help; size_t off; bool ctrl; } ctr[] = {
#define PMD_C(n, h, fld) { n, h, offsetof(struct mbox_pmd_rec, fld), false }
#define CTRL_C(n, h, fld) { n, h, offsetof(struct mbox_ctrl_rec, fld), true }
		CTRL_C("mana_port_service_events_total", "Service events mana-ctrld published.",
		       nb_service),
		CTRL_C("mana_port_hw_back_total", "Hardware back events mana-ctrld published.",
		       nb_hw_back),
		CTRL_C("mana_port_hot_removes_total", "PCI functions gone during a service event.",
		       nb_removed),
		PMD_C("mana_port_resets_total", "Resets the PMD started.", nb_reset),
		PMD_C("mana_port_reset_successes_total", "Resets that recovered.", nb_success),
		PMD_C("mana_port_reset_failures_total", "Resets that failed.", nb_failed),
		PMD_C("mana_port_reset_removals_total", "Resets that ended with the port removed.",
		      nb_removed),
		PMD_C("mana_port_reset_merged_total", "Reset requests merged into a running one.",
		      nb_merged),
		PMD_C("mana_port_busy_ops_total", "Port operations refused busy during a reset.",
		      nb_busy_ops),
#undef PMD_C
#undef CTRL_C
	};
	char labels[128];
	char guid[24];
	char pci[40];

	mt_family(f, "mana_port_info", "gauge", "A mailbox port's identity (value 1).");
	for (unsigned int p = 0; p < nb; p++) {
		const struct mbox_ident *id = &pts[p].ctrl.ident;
		uint64_t g = id->node_guid;

		if (!used[p])
			continue;
		snprintf(guid, sizeof(guid), "%04" PRIx64 ":%04" PRIx64 ":%04" PRIx64 ":%04" PRIx64,
			 (g >> 48) & 0xffff, (g >> 32) & 0xffff, (g >> 16) & 0xffff, g & 0xffff);
		fputs("mana_port_info{", f);
		port_labels(f, p, &pts[p]);
		fputs(",ibdev=\"", f);
		mt_esc(f, id->ibdev);
		fputs("\",netdev=\"", f);
		mt_esc(f, id->netdev);
		fprintf(f, "\",node_guid=\"%s\",gen=\"%u\"} 1\n", guid, id->gen);
	}
	mt_family(f, "mana_port_hw_state", "gauge",
	       "The hardware state mana-ctrld published (1 for the current state).");
	for (unsigned int p = 0; p < nb; p++) {
		if (!used[p])
			continue;
		for (unsigned int s = MBOX_HW_UP; s < MBOX_HW_NUM; s++) {
			fputs("mana_port_hw_state{", f);
			port_labels(f, p, &pts[p]);
			fprintf(f, ",state=\"%s\"} %d\n", mbox_hw_state_name(s),
				pts[p].ctrl.hw_state == s);
		}
	}
	mt_family(f, "mana_port_pmd_state", "gauge",
	       "The PMD reset engine's state (1 for the current state; none: no PMD record).");
	for (unsigned int p = 0; p < nb; p++) {
		if (!used[p])
			continue;
		for (unsigned int s = 0; s < MBOX_PMD_NUM; s++) {
			fputs("mana_port_pmd_state{", f);
			port_labels(f, p, &pts[p]);
			fprintf(f, ",state=\"%s\"} %d\n", mbox_pmd_state_name(s),
				pts[p].pmd.state == s);
		}
	}
	mt_family(f, "mana_port_owner_live", "gauge", "1 if a live PMD owns the port.");
	for (unsigned int p = 0; p < nb; p++) {
		if (!used[p])
			continue;
		fputs("mana_port_owner_live{", f);
		port_labels(f, p, &pts[p]);
		fprintf(f, "} %d\n", pts[p].owner_live != 0);
	}
	for (unsigned int c = 0; c < sizeof(ctr) / sizeof(ctr[0]); c++) {
		mt_family(f, ctr[c].name, "counter", ctr[c].help);
		for (unsigned int p = 0; p < nb; p++) {
			const void *rec = ctr[c].ctrl ? (const void *)&pts[p].ctrl :
				(const void *)&pts[p].pmd;
			uint64_t v;

			if (!used[p])
				continue;
			memcpy(&v, (const char *)rec + ctr[c].off, sizeof(v));
			fprintf(f, "%s{", ctr[c].name);
			port_labels(f, p, &pts[p]);
			fprintf(f, "} %" PRIu64 "\n", v);
		}
	}
	for (unsigned int lost = 0; lost < 2; lost++) {
		const char *name = lost ? "mana_port_events_lost_total" : "mana_port_events_total";

		mt_family(f, name, "counter", lost ?
			  "Mailbox events dropped on a full ring, by direction." :
			  "Mailbox events posted, by direction.");
		for (unsigned int p = 0; p < nb; p++) {
			if (!used[p])
				continue;
			dir_sample(f, name, p, &pts[p], "to_pmd",
				   lost ? pts[p].c2p_lost : pts[p].c2p_posted);
			dir_sample(f, name, p, &pts[p], "to_ctrl",
				   lost ? pts[p].p2c_lost : pts[p].p2c_posted);
		}
	}
	mt_family(f, "mana_reset_phase_duration_seconds", "histogram",
	       "Duration of each reached phase of the resets seen since mana-ctrld started.");
	for (unsigned int p = 0; p < nb; p++) {
		if (!used[p])
			continue;
		for (unsigned int k = 0; k < MBOX_PHASES; k++) {
			snprintf(labels, sizeof(labels), "port=\"%u\",pci=\"%s\",phase=\"%s\"", p,
				 mt_esc_to(pci, sizeof(pci), pts[p].ctrl.ident.pci),
				 mbox_phase_label(k));
			mt_hist_samples(f, "mana_reset_phase_duration_seconds", labels,
				     &hist[p].phase[k], reset_bounds, NB_RESET);
		}
	}
	mt_family(f, "mana_reset_duration_seconds", "histogram",
	       "Total duration of the resets seen since mana-ctrld started.");
	for (unsigned int p = 0; p < nb; p++) {
		if (!used[p])
			continue;
		snprintf(labels, sizeof(labels), "port=\"%u\",pci=\"%s\"", p,
			 mt_esc_to(pci, sizeof(pci), pts[p].ctrl.ident.pci));
		mt_hist_samples(f, "mana_reset_duration_seconds", labels, &hist[p].total,
				reset_bounds, NB_RESET);
	}
}
