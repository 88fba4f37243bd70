/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * mana-ctrld's Prometheus metrics (metrics.h): the daemon's own counters
 * and the exposition text, family by family (HELP, TYPE, then every sample
 * of the family). Names and labels: ctrl/ctrld/README.md, "Metrics".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/common/mbox_names.h"
#include "ctrl/ctrld/metrics.h"
#include "netlink/nl_uapi.h"

#define METRICS_MAX_DEVICES 256
#define METRICS_VERSION "0.1"

/* Sources of a service event, as the label says them. */
enum msrc { MSRC_RDMA, MSRC_UEVENT, MSRC_DEVLINK, MSRC_DUMP, MSRC_MAILBOX, MSRC_NUM };
static const char *const msrc_names[MSRC_NUM] = { "rdma", "uevent", "devlink", "dump", "mailbox" };

/* Reset phases and totals: 1 ms .. 2 min. Hardware back: 1 s .. 10 min. */
static const double reset_bounds[] = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30,
				       60, 120 };
static const double back_bounds[] = { 1, 5, 10, 15, 20, 30, 60, 120, 300, 600 };
#define NB_RESET (sizeof(reset_bounds) / sizeof(reset_bounds[0]))
#define NB_BACK (sizeof(back_bounds) / sizeof(back_bounds[0]))
#define NB_MAX NB_RESET

struct hist {
	uint64_t bucket[NB_MAX];	/* observations <= bound i (not cumulative) */
	uint64_t count;
	double sum;
};

struct dev_m {
	char key[CTRL_NAME_MAX];
	uint64_t svc[MSRC_NUM];
	uint64_t back;
	uint64_t gone;
	struct hist back_s;
};

struct port_m {
	bool seen;			/* the timeline's position is known */
	uint64_t last_t;		/* t_request of the newest reset counted */
	uint64_t last_seq;		/* and its number */
	struct hist phase[MBOX_PHASES];
	struct hist total;
};

struct metrics {
	struct ctrl_sink sink;
	const struct ctrl_sink *next;
	struct dev_m *dev;
	unsigned int nb_dev;
	uint64_t dev_dropped;		/* devices past METRICS_MAX_DEVICES */
	struct port_m port[MBOX_MAX_PORTS];
	uint64_t http[6];		/* 200, 400, 404, 405, 431, other */
};

static const int http_codes[] = { 200, 400, 404, 405, 431, 0 };

static void
hist_add(struct hist *h, const double *bounds, unsigned int nb, double v)
{
	for (unsigned int i = 0; i < nb; i++) {
		if (v <= bounds[i]) {
			h->bucket[i]++;
			break;
		}
	}
	h->count++;
	h->sum += v;
}

static enum msrc
msrc_of(const char *source)
{
	if (source == NULL)
		return MSRC_DUMP;
	if (strcmp(source, "rdma-monitor") == 0)
		return MSRC_RDMA;
	if (strcmp(source, "uevent") == 0)
		return MSRC_UEVENT;
	if (strcmp(source, "devlink") == 0)
		return MSRC_DEVLINK;
	if (strcmp(source, "mailbox") == 0)
		return MSRC_MAILBOX;
	return MSRC_DUMP;	/* a dump diff: start, poll, overrun, reload */
}

static struct dev_m *
dev_get(struct metrics *m, const char *key)
{
	struct dev_m *d;

	for (unsigned int i = 0; i < m->nb_dev; i++)
		if (strcmp(m->dev[i].key, key) == 0)
			return &m->dev[i];
	if (m->nb_dev == METRICS_MAX_DEVICES) {
		m->dev_dropped++;
		return NULL;
	}
	d = realloc(m->dev, (m->nb_dev + 1) * sizeof(*d));
	if (d == NULL) {
		m->dev_dropped++;
		return NULL;
	}
	m->dev = d;
	d = &m->dev[m->nb_dev++];
	memset(d, 0, sizeof(*d));
	snprintf(d->key, sizeof(d->key), "%s", key);
	return d;
}

static int
metrics_publish(void *ctx, const struct ctrl_event *ev)
{
	struct metrics *m = ctx;
	struct dev_m *d = dev_get(m, ev->key);

	if (d != NULL) {
		switch (ev->kind) {
		case CTRL_EV_SERVICE_STARTED:
			d->svc[msrc_of(ev->source)]++;
			break;
		case CTRL_EV_HW_BACK:
			d->back++;
			if (ev->started_ns != 0 && ev->t_ns >= ev->started_ns)
				hist_add(&d->back_s, back_bounds, NB_BACK,
					 (double)(ev->t_ns - ev->started_ns) / 1e9);
			break;
		case CTRL_EV_GONE_FOR_GOOD:
			d->gone++;
			break;
		}
	}
	return m->next != NULL ? m->next->publish(m->next->ctx, ev) : 0;
}

struct metrics *
metrics_new(const struct ctrl_sink *next)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->next = next;
	m->sink.publish = metrics_publish;
	m->sink.ctx = m;
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	free(m->dev);
	free(m);
}

const struct ctrl_sink *
metrics_sink(struct metrics *m)
{
	return &m->sink;
}

void
metrics_http_count(struct metrics *m, int status)
{
	unsigned int i;

	for (i = 0; http_codes[i] != 0 && http_codes[i] != status; i++)
		;
	m->http[i]++;
}

void
metrics_mbox_poll(struct metrics *m, const struct mbox *mb)
{
	struct mbox_info info;
	struct mbox_port pt;

	if (mb == NULL || mbox_info(mb, &info) < 0)
		return;
	for (unsigned int p = 0; p < info.nb_ports && p < MBOX_MAX_PORTS; p++) {
		struct port_m *pm = &m->port[p];
		const struct mbox_pmd_rec *r = &pt.pmd;
		unsigned int n;
		uint64_t newest;

		if (mbox_port_read(mb, p, &pt) < 0 || pt.ctrl.hw_state == MBOX_HW_NONE)
			continue;
		n = r->nb_timeline < MBOX_TIMELINE ? r->nb_timeline : MBOX_TIMELINE;
		newest = n > 0 ? r->timeline[0].t_request : 0;
		if (!pm->seen) {
			pm->seen = true;
			pm->last_t = newest;
			pm->last_seq = n > 0 ? r->timeline[0].seq : 0;
			continue;
		}
		/* Oldest first, by (t_request, seq): t_request is CLOCK_MONOTONIC,
		 * so it orders resets across PMD restarts too (a new PMD numbers
		 * them from 1 again).
		 */
		for (unsigned int i = n; i-- > 0;) {
			const struct mbox_reset_rec *x = &r->timeline[i];

			if (x->t_request < pm->last_t ||
			    (x->t_request == pm->last_t && x->seq <= pm->last_seq))
				continue;
			for (unsigned int k = 0; k < MBOX_PHASES; k++)
				if (x->phase_ns[k] != 0)
					hist_add(&pm->phase[k], reset_bounds, NB_RESET,
						 (double)x->phase_ns[k] / 1e9);
			hist_add(&pm->total, reset_bounds, NB_RESET, (double)x->total_ns / 1e9);
			pm->last_t = x->t_request;
			pm->last_seq = x->seq;
		}
	}
}

/* ---- the exposition ---- */

/* A label value: \, " and newline escaped. */
static void
esc(FILE *f, const char *s)
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

/* The same into dst (size n, truncated whole characters only). */
static const char *
esc_to(char *dst, size_t n, const char *s)
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

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
port_labels(FILE *f, unsigned int p, const struct mbox_port *pt)
{
	fprintf(f, "port=\"%u\",pci=\"", p);
	esc(f, pt->ctrl.ident.pci);
	fputc('"', f);
}

static void
hist_samples(FILE *f, const char *name, const char *labels, const struct hist *h,
	     const double *bounds, unsigned int nb)
{
	uint64_t cum = 0;

	for (unsigned int i = 0; i < nb; i++) {
		cum += h->bucket[i];
		fprintf(f, "%s_bucket{%s,le=\"%g\"} %" PRIu64 "\n", name, labels, bounds[i], cum);
	}
	fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %" PRIu64 "\n", name, labels, h->count);
	fprintf(f, "%s_sum{%s} %.9g\n", name, labels, h->sum);
	fprintf(f, "%s_count{%s} %" PRIu64 "\n", name, labels, h->count);
}

static void
render_daemon(struct metrics *m, const struct metrics_daemon *d, FILE *f, int dl_ok)
{
	const struct detect_stats *s = d->det;
	struct mbox_info info;

	family(f, "mana_ctrld_info", "gauge", "mana-ctrld: version and the sources in use.");
	fprintf(f, "mana_ctrld_info{version=\"%s\",rdma=\"%s\",devlink=\"%s\",uevent=\"%s\"} 1\n",
		METRICS_VERSION, d->rdma, d->devlink ? "on" : "off", d->uevent ? "on" : "off");
	family(f, "mana_ctrld_start_time_seconds", "gauge",
	       "Start time of mana-ctrld since the epoch.");
	fprintf(f, "mana_ctrld_start_time_seconds %" PRId64 "\n", d->started_unix);
	family(f, "mana_ctrld_events_total", "counter", "Kernel notifications decoded, by source.");
	fprintf(f, "mana_ctrld_events_total{source=\"rdma\"} %" PRIu64 "\n", s->rdma_events);
	fprintf(f, "mana_ctrld_events_total{source=\"uevent\"} %" PRIu64 "\n", s->uevents);
	fprintf(f, "mana_ctrld_events_total{source=\"devlink\"} %" PRIu64 "\n", s->devlink_events);
	family(f, "mana_ctrld_resyncs_total", "counter",
	       "Full dumps diffed against the tracker (start, poll, overrun, reload), by source.");
	fprintf(f, "mana_ctrld_resyncs_total{source=\"rdma\"} %" PRIu64 "\n", s->rdma_resyncs);
	fprintf(f, "mana_ctrld_resyncs_total{source=\"devlink\"} %" PRIu64 "\n",
		s->devlink_resyncs);
	family(f, "mana_ctrld_overruns_total", "counter",
	       "Netlink sockets that lost events (each followed by a resync).");
	fprintf(f, "mana_ctrld_overruns_total %" PRIu64 "\n", s->overruns);
	family(f, "mana_ctrld_read_errors_total", "counter", "Other netlink read errors.");
	fprintf(f, "mana_ctrld_read_errors_total %" PRIu64 "\n", s->errors);
	family(f, "mana_ctrld_reloads_total", "counter", "Configurations applied by SIGHUP.");
	fprintf(f, "mana_ctrld_reloads_total %" PRIu64 "\n", d->reloads);
	family(f, "mana_ctrld_http_requests_total", "counter",
	       "Requests to the metrics endpoint, by answer (code other: anything else).");
	for (unsigned int i = 0; i < sizeof(http_codes) / sizeof(http_codes[0]); i++) {
		if (http_codes[i] != 0)
			fprintf(f, "mana_ctrld_http_requests_total{code=\"%d\"} %" PRIu64 "\n",
				http_codes[i], m->http[i]);
		else
			fprintf(f, "mana_ctrld_http_requests_total{code=\"other\"} %" PRIu64 "\n",
				m->http[i]);
	}
	family(f, "mana_ctrld_devices_dropped_total", "counter",
	       "Devices not given metrics (more than 256).");
	fprintf(f, "mana_ctrld_devices_dropped_total %" PRIu64 "\n", m->dev_dropped);
	if (d->devlink_dump != NULL) {
		family(f, "mana_ctrld_devlink_dump_ok", "gauge",
		       "1 if this render read every devlink health reporter.");
		fprintf(f, "mana_ctrld_devlink_dump_ok %d\n", dl_ok);
	}
	if (d->mb != NULL && mbox_info(d->mb, &info) == 0) {
		family(f, "mana_ctrld_mbox_peers", "gauge", "PMD processes connected to the mailbox.");
		fprintf(f, "mana_ctrld_mbox_peers %u\n", info.nb_conns);
		family(f, "mana_ctrld_mbox_generation", "gauge",
		       "The mailbox's ctrl generation (1 at creation, +1 per re-adoption).");
		fprintf(f, "mana_ctrld_mbox_generation %" PRIu64 "\n", info.ctrl_gen);
	}
}

static void
render_devices(struct metrics *m, FILE *f)
{
	char labels[CTRL_NAME_MAX * 2 + 16];

	family(f, "mana_device_service_events_total", "counter",
	       "Service events started, per device and source (dump: an RDMA or devlink dump diff).");
	for (unsigned int i = 0; i < m->nb_dev; i++) {
		for (unsigned int s = 0; s < MSRC_NUM; s++) {
			fputs("mana_device_service_events_total{dev=\"", f);
			esc(f, m->dev[i].key);
			fprintf(f, "\",source=\"%s\"} %" PRIu64 "\n", msrc_names[s], m->dev[i].svc[s]);
		}
	}
	family(f, "mana_device_hw_back_total", "counter", "Hardware back after a service event.");
	for (unsigned int i = 0; i < m->nb_dev; i++) {
		fputs("mana_device_hw_back_total{dev=\"", f);
		esc(f, m->dev[i].key);
		fprintf(f, "\"} %" PRIu64 "\n", m->dev[i].back);
	}
	family(f, "mana_device_gone_total", "counter", "Service events that ended gone for good.");
	for (unsigned int i = 0; i < m->nb_dev; i++) {
		fputs("mana_device_gone_total{dev=\"", f);
		esc(f, m->dev[i].key);
		fprintf(f, "\"} %" PRIu64 "\n", m->dev[i].gone);
	}
	family(f, "mana_device_hw_back_seconds", "histogram",
	       "From service event started to hardware back.");
	for (unsigned int i = 0; i < m->nb_dev; i++) {
		char key[CTRL_NAME_MAX * 2];

		snprintf(labels, sizeof(labels), "dev=\"%s\"",
			 esc_to(key, sizeof(key), m->dev[i].key));
		hist_samples(f, "mana_device_hw_back_seconds", labels, &m->dev[i].back_s,
			     back_bounds, NB_BACK);
	}
}

/* The ports' families: each walks the ports read once into pts[]. */
static void
render_ports(struct metrics *m, FILE *f, const struct mbox_port *pts, const bool *used,
	     unsigned int nb)
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

	family(f, "mana_port_info", "gauge", "A mailbox port's identity (value 1).");
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
		esc(f, id->ibdev);
		fputs("\",netdev=\"", f);
		esc(f, id->netdev);
		fprintf(f, "\",node_guid=\"%s\",gen=\"%u\"} 1\n", guid, id->gen);
	}
	family(f, "mana_port_hw_state", "gauge",
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
	family(f, "mana_port_pmd_state", "gauge",
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
	family(f, "mana_port_owner_live", "gauge", "1 if a live PMD owns the port.");
	for (unsigned int p = 0; p < nb; p++) {
		if (!used[p])
			continue;
		fputs("mana_port_owner_live{", f);
		port_labels(f, p, &pts[p]);
		fprintf(f, "} %d\n", pts[p].owner_live != 0);
	}
	for (unsigned int c = 0; c < sizeof(ctr) / sizeof(ctr[0]); c++) {
		family(f, ctr[c].name, "counter", ctr[c].help);
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
	family(f, "mana_port_events_total", "counter", "Mailbox events posted, by direction.");
	for (unsigned int p = 0; p < nb; p++) {
		if (!used[p])
			continue;
		fputs("mana_port_events_total{", f);
		port_labels(f, p, &pts[p]);
		fprintf(f, ",dir=\"to_pmd\"} %" PRIu64 "\n", pts[p].c2p_posted);
		fputs("mana_port_events_total{", f);
		port_labels(f, p, &pts[p]);
		fprintf(f, ",dir=\"to_ctrl\"} %" PRIu64 "\n", pts[p].p2c_posted);
	}
	family(f, "mana_port_events_lost_total", "counter",
	       "Mailbox events dropped on a full ring, by direction.");
	for (unsigned int p = 0; p < nb; p++) {
		if (!used[p])
			continue;
		fputs("mana_port_events_lost_total{", f);
		port_labels(f, p, &pts[p]);
		fprintf(f, ",dir=\"to_pmd\"} %" PRIu64 "\n", pts[p].c2p_lost);
		fputs("mana_port_events_lost_total{", f);
		port_labels(f, p, &pts[p]);
		fprintf(f, ",dir=\"to_ctrl\"} %" PRIu64 "\n", pts[p].p2c_lost);
	}
	family(f, "mana_reset_phase_duration_seconds", "histogram",
	       "Duration of each reached phase of the resets seen since mana-ctrld started.");
	for (unsigned int p = 0; p < nb; p++) {
		if (!used[p])
			continue;
		for (unsigned int k = 0; k < MBOX_PHASES; k++) {
			snprintf(labels, sizeof(labels), "port=\"%u\",pci=\"%s\",phase=\"%s\"", p,
				 esc_to(pci, sizeof(pci), pts[p].ctrl.ident.pci),
				 mbox_phase_label(k));
			hist_samples(f, "mana_reset_phase_duration_seconds", labels,
				     &m->port[p].phase[k], reset_bounds, NB_RESET);
		}
	}
	family(f, "mana_reset_duration_seconds", "histogram",
	       "Total duration of the resets seen since mana-ctrld started.");
	for (unsigned int p = 0; p < nb; p++) {
		if (!used[p])
			continue;
		snprintf(labels, sizeof(labels), "port=\"%u\",pci=\"%s\"", p,
			 esc_to(pci, sizeof(pci), pts[p].ctrl.ident.pci));
		hist_samples(f, "mana_reset_duration_seconds", labels, &m->port[p].total,
			     reset_bounds, NB_RESET);
	}
}

/* ---- devlink health of every device ---- */

struct dl_list {
	struct nl_dl_msg *r;
	unsigned int n, cap;
	bool oom;
};

static void
dl_collect(void *arg, const struct nl_dl_msg *msg)
{
	struct dl_list *l = arg;

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
	esc(f, r->bus);
	fputc('/', f);
	esc(f, r->dev);
	fputc('"', f);
	if (r->present & NL_DL_HAS_PORT)
		fprintf(f, ",port=\"%u\"", r->port);
	fputs(",reporter=\"", f);
	esc(f, r->reporter);
	fputc('"', f);
}

/* One gauge or counter over the reporters that have the attribute. */
static void
dl_family(FILE *f, const struct dl_list *l, const char *name, const char *type,
	  const char *help, uint32_t need, int what)
{
	family(f, name, type, help);
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

static void
render_devlink(FILE *f, const struct dl_list *l)
{
	family(f, "mana_devlink_health_state", "gauge",
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
static void
render_accounting(FILE *f, const struct metrics_daemon *d)
{
	static const char *const fam[2] = { "mana_devlink_health_events_seen_total",
					     "mana_devlink_health_events_missed_total" };
	char dev[4 * NL_DL_NAME_MAX + 8], rep[2 * NL_DL_NAME_MAX + 4];

	for (unsigned int k = 0; k < 2; k++) {
		family(f, fam[k], "counter", k == 0 ?
		       "Errors and recoveries of counted reporters whose notification came." :
		       "Errors and recoveries of counted reporters learnt from the reporter's "
		       "counts (notifications lost).");
		for (unsigned int i = 0; i < d->nb_reporters; i++) {
			const struct detect_reporter *r = &d->reporters[i];

			esc_to(dev, sizeof(dev), r->handle);
			esc_to(rep, sizeof(rep), r->name);
			fprintf(f, "%s{dev=\"%s\",reporter=\"%s\",kind=\"error\"} %" PRIu64 "\n",
				fam[k], dev, rep, k == 0 ? r->seen_err : r->missed_err);
			fprintf(f, "%s{dev=\"%s\",reporter=\"%s\",kind=\"recover\"} %" PRIu64 "\n",
				fam[k], dev, rep, k == 0 ? r->seen_rec : r->missed_rec);
		}
	}
}

int
metrics_render(struct metrics *m, const struct metrics_daemon *d, char **out, size_t *len)
{
	struct mbox_port pts[MBOX_MAX_PORTS];
	bool used[MBOX_MAX_PORTS] = { false };
	struct dl_list dl = { 0 };
	struct mbox_info info;
	unsigned int nb = 0;
	int dl_ok = 0;
	FILE *f;

	*out = NULL;
	*len = 0;
	if (d->mb != NULL) {
		metrics_mbox_poll(m, d->mb);
		if (mbox_info(d->mb, &info) == 0)
			nb = info.nb_ports < MBOX_MAX_PORTS ? info.nb_ports : MBOX_MAX_PORTS;
		for (unsigned int p = 0; p < nb; p++) {
			used[p] = mbox_port_read(d->mb, p, &pts[p]) == 0 &&
				  pts[p].ctrl.hw_state != MBOX_HW_NONE;
			if (!used[p])
				continue;
			pts[p].ctrl.ident.pci[sizeof(pts[p].ctrl.ident.pci) - 1] = '\0';
			pts[p].ctrl.ident.ibdev[sizeof(pts[p].ctrl.ident.ibdev) - 1] = '\0';
			pts[p].ctrl.ident.netdev[sizeof(pts[p].ctrl.ident.netdev) - 1] = '\0';
		}
	}
	if (d->devlink_dump != NULL)
		dl_ok = d->devlink_dump(d->devlink_ctx, dl_collect, &dl) == 0 && !dl.oom;
	f = open_memstream(out, len);
	if (f == NULL) {
		free(dl.r);
		return -ENOMEM;
	}
	render_daemon(m, d, f, dl_ok);
	render_devices(m, f);
	if (d->mb != NULL)
		render_ports(m, f, pts, used, nb);
	if (d->devlink_dump != NULL && dl_ok)
		render_devlink(f, &dl);
	if (d->devlink_dump != NULL)
		render_accounting(f, d);
	free(dl.r);
	if (fclose(f) != 0 || *out == NULL) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}
