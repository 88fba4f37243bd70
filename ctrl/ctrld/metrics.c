/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * mana-ctrld's Prometheus metrics (metrics.h): the daemon's own counters
 * (devices from the tracker's events, reset histograms from the PMD
 * records), the daemon's and devices' families, and the render that calls
 * metrics_ports.c and metrics_devlink.c for theirs. Each family: HELP, TYPE,
 * then all its samples. Names and labels: ctrl/ctrld/README.md, "Metrics".
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrld/metrics.h"
#include "ctrl/ctrld/metrics_devlink.h"
#include "ctrl/ctrld/metrics_ports.h"
#include "ctrl/ctrld/metrics_text.h"

#define METRICS_MAX_DEVICES 256
#define METRICS_VERSION "0.1"

/* Sources of a service event, as the label says them. */
enum msrc { MSRC_RDMA, MSRC_UEVENT, MSRC_DEVLINK, MSRC_DUMP, MSRC_MAILBOX, MSRC_NUM };
static const char *const msrc_names[MSRC_NUM] = { "rdma", "uevent", "devlink", "dump", "mailbox" };

/* Hardware back: 1 s .. 10 min. */
static const double back_bounds[] = { 1, 5, 10, 15, 20, 30, 60, 120, 300, 600 };
#define NB_BACK (sizeof(back_bounds) / sizeof(back_bounds[0]))
_Static_assert(NB_BACK <= MT_BUCKETS_MAX, "hardware-back buckets");

struct dev_m {
	char key[CTRL_NAME_MAX];
	uint64_t svc[MSRC_NUM];
	uint64_t back;
	uint64_t gone;
	uint64_t missed;		/* outages seen only as a changed RDMA index */
	struct mt_hist back_s;
};

struct port_m {
	bool seen;			/* the timeline's position is known */
	uint64_t last_t;		/* t_request of the newest reset counted */
	uint64_t last_seq;		/* and its number */
};

struct metrics {
	struct ctrl_sink sink;
	const struct ctrl_sink *next;
	struct dev_m *dev;
	unsigned int nb_dev;
	uint64_t dev_dropped;		/* devices past METRICS_MAX_DEVICES */
	struct port_m port[MBOX_MAX_PORTS];
	struct metrics_port_hist hist[MBOX_MAX_PORTS];
	uint64_t http[6];		/* 200, 400, 404, 405, 431, other */
};

static const int http_codes[] = { 200, 400, 404, 405, 431, 0 };

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
			/* The tracker's reason when a dump shows a new index: the
			 * unregistration and registration were both missed.
			 */
			if (ev->reason != NULL && strncmp(ev->reason, "re-registered", 13) == 0)
				d->missed++;
			break;
		case CTRL_EV_HW_BACK:
			d->back++;
			if (ev->started_ns != 0 && ev->t_ns >= ev->started_ns)
				mt_hist_add(&d->back_s, back_bounds, NB_BACK,
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
			metrics_ports_observe(&m->hist[p], x);
			pm->last_t = x->t_request;
			pm->last_seq = x->seq;
		}
	}
}

/* ---- the exposition ---- */

static void
render_daemon(struct metrics *m, const struct metrics_daemon *d, FILE *f, int dl_ok)
{
	const struct detect_stats *s = d->det;
	struct mbox_info info;

	mt_family(f, "mana_ctrld_info", "gauge", "mana-ctrld: version and the sources in use.");
	fprintf(f, "mana_ctrld_info{version=\"%s\",rdma=\"%s\",devlink=\"%s\",uevent=\"%s\"} 1\n",
		METRICS_VERSION, d->rdma, d->devlink ? "on" : "off", d->uevent ? "on" : "off");
	mt_family(f, "mana_ctrld_start_time_seconds", "gauge",
	       "Start time of mana-ctrld since the epoch.");
	fprintf(f, "mana_ctrld_start_time_seconds %" PRId64 "\n", d->started_unix);
	mt_family(f, "mana_ctrld_events_total", "counter", "Kernel notifications decoded, by source.");
	fprintf(f, "mana_ctrld_events_total{source=\"rdma\"} %" PRIu64 "\n", s->rdma_events);
	fprintf(f, "mana_ctrld_events_total{source=\"uevent\"} %" PRIu64 "\n", s->uevents);
	fprintf(f, "mana_ctrld_events_total{source=\"devlink\"} %" PRIu64 "\n", s->devlink_events);
	mt_family(f, "mana_ctrld_resyncs_total", "counter",
	       "Full dumps diffed against the tracker (start, poll, overrun, reload), by source.");
	fprintf(f, "mana_ctrld_resyncs_total{source=\"rdma\"} %" PRIu64 "\n", s->rdma_resyncs);
	fprintf(f, "mana_ctrld_resyncs_total{source=\"devlink\"} %" PRIu64 "\n",
		s->devlink_resyncs);
	mt_family(f, "mana_ctrld_overruns_total", "counter",
	       "Netlink sockets that lost events (each followed by a resync).");
	fprintf(f, "mana_ctrld_overruns_total %" PRIu64 "\n", s->overruns);
	mt_family(f, "mana_ctrld_read_errors_total", "counter", "Other netlink read errors.");
	fprintf(f, "mana_ctrld_read_errors_total %" PRIu64 "\n", s->errors);
	mt_family(f, "mana_ctrld_reloads_total", "counter", "Configurations applied by SIGHUP.");
	fprintf(f, "mana_ctrld_reloads_total %" PRIu64 "\n", d->reloads);
	mt_family(f, "mana_ctrld_http_requests_total", "counter",
	       "Requests to the metrics endpoint, by answer (code other: anything else).");
	for (unsigned int i = 0; i < sizeof(http_codes) / sizeof(http_codes[0]); i++) {
		if (http_codes[i] != 0)
			fprintf(f, "mana_ctrld_http_requests_total{code=\"%d\"} %" PRIu64 "\n",
				http_codes[i], m->http[i]);
		else
			fprintf(f, "mana_ctrld_http_requests_total{code=\"other\"} %" PRIu64 "\n",
				m->http[i]);
	}
	mt_family(f, "mana_ctrld_devices_dropped_total", "counter",
	       "Devices not given metrics (more than 256).");
	fprintf(f, "mana_ctrld_devices_dropped_total %" PRIu64 "\n", m->dev_dropped);
	if (d->devlink_dump != NULL) {
		mt_family(f, "mana_ctrld_devlink_dump_ok", "gauge",
		       "1 if this render read every devlink health reporter.");
		fprintf(f, "mana_ctrld_devlink_dump_ok %d\n", dl_ok);
	}
	if (d->mb != NULL && mbox_info(d->mb, &info) == 0) {
		mt_family(f, "mana_ctrld_mbox_peers", "gauge", "PMD processes connected to the mailbox.");
		fprintf(f, "mana_ctrld_mbox_peers %u\n", info.nb_conns);
		mt_family(f, "mana_ctrld_mbox_generation", "gauge",
		       "The mailbox's ctrl generation (1 at creation, +1 per re-adoption).");
		fprintf(f, "mana_ctrld_mbox_generation %" PRIu64 "\n", info.ctrl_gen);
	}
}

/* The per-device counters besides the service events by source. */
static const struct {
	const char *name, *help;
	size_t off;
} dev_counters[] = {
	{ "mana_device_hw_back_total", "Hardware back after a service event.",
	  offsetof(struct dev_m, back) },
	{ "mana_device_gone_total", "Service events that ended gone for good.",
	  offsetof(struct dev_m, gone) },
	{ "mana_device_outages_missed_total",
	  "Outages seen only as a new RDMA device index in a dump (both events missed).",
	  offsetof(struct dev_m, missed) },
};

static void
render_devices(struct metrics *m, FILE *f)
{
	char labels[CTRL_NAME_MAX * 2 + 16];

	mt_family(f, "mana_device_service_events_total", "counter",
	       "Service events started, per device and source (dump: an RDMA or devlink dump diff).");
	for (unsigned int i = 0; i < m->nb_dev; i++) {
		for (unsigned int s = 0; s < MSRC_NUM; s++) {
			fputs("mana_device_service_events_total{dev=\"", f);
			mt_esc(f, m->dev[i].key);
			fprintf(f, "\",source=\"%s\"} %" PRIu64 "\n", msrc_names[s], m->dev[i].svc[s]);
		}
	}
	for (unsigned int c = 0; c < sizeof(dev_counters) / sizeof(dev_counters[0]); c++) {
		mt_family(f, dev_counters[c].name, "counter", dev_counters[c].help);
		for (unsigned int i = 0; i < m->nb_dev; i++) {
			uint64_t v;

			memcpy(&v, (const char *)&m->dev[i] + dev_counters[c].off, sizeof(v));
			fprintf(f, "%s{dev=\"", dev_counters[c].name);
			mt_esc(f, m->dev[i].key);
			fprintf(f, "\"} %" PRIu64 "\n", v);
		}
	}
	mt_family(f, "mana_device_hw_back_seconds", "histogram",
	       "From service event started to hardware back.");
	for (unsigned int i = 0; i < m->nb_dev; i++) {
		char key[CTRL_NAME_MAX * 2];

		snprintf(labels, sizeof(labels), "dev=\"%s\"",
			 mt_esc_to(key, sizeof(key), m->dev[i].key));
		mt_hist_samples(f, "mana_device_hw_back_seconds", labels, &m->dev[i].back_s,
			     back_bounds, NB_BACK);
	}
}

int
metrics_render(struct metrics *m, const struct metrics_daemon *d, char **out, size_t *len)
{
	struct mbox_port pts[MBOX_MAX_PORTS];
	bool used[MBOX_MAX_PORTS] = { false };
	struct metrics_dl_list dl = { 0 };
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
		dl_ok = d->devlink_dump(d->devlink_ctx, metrics_devlink_collect, &dl) == 0 && !dl.oom;
	f = open_memstream(out, len);
	if (f == NULL) {
		free(dl.r);
		return -ENOMEM;
	}
	render_daemon(m, d, f, dl_ok);
	render_devices(m, f);
	if (d->mb != NULL)
		metrics_ports_render(f, m->hist, pts, used, nb);
	if (d->devlink_dump != NULL && dl_ok)
		metrics_devlink_render(f, &dl);
	if (d->devlink_dump != NULL)
		metrics_devlink_render_accounting(f, d->reporters, d->nb_reporters);
	free(dl.r);
	if (fclose(f) != 0 || *out == NULL) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}
