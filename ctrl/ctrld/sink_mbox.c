/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/common/mbox_names.h"
#include "ctrl/common/sysfs_pci.h"
#include "ctrl/ctrld/log.h"
#include "ctrl/ctrld/sink_mbox.h"

struct sink_mbox {
	struct mbox *mb;
	struct ctrl_sink sink;		/* what the tracker calls: this object */
	struct ctrl_sink next;		/* and what it passes on to (the log sink) */
	char sysfs[128];
	unsigned int nb_ports;
	struct mbox_event last[MBOX_MAX_PORTS];	/* latest PMD -> ctrl event per port */
	bool mute;			/* sink_mbox_adopt: already published */
};

/* ---- which port ---- */

static void
pci_of(const struct sink_mbox *s, const char *key, const struct ctrl_ident *id, char *pci,
       size_t n)
{
	char link[PATH_MAX];

	pci[0] = '\0';
	if (strncmp(key, "pci/", 4) == 0) {
		snprintf(pci, n, "%.12s", key + 4);
		if (!sysfs_pci_is_bdf(pci))
			pci[0] = '\0';
		return;
	}
	if (strchr(key, '/') != NULL)
		return;	/* another devlink bus */
	snprintf(link, sizeof(link), "%s/class/infiniband/%s/device", s->sysfs, key);
	if (sysfs_pci_of_link(link, pci, n) == 0)
		return;
	if (id->netdev[0] != '\0') {
		snprintf(link, sizeof(link), "%s/class/net/%s/device", s->sysfs, id->netdev);
		if (sysfs_pci_of_link(link, pci, n) == 0)
			return;
	}
	pci[0] = '\0';
}

/* The port whose record names this device: IB name, then node GUID, then netdev. */
static int
port_by_record(const struct sink_mbox *s, const char *key, const struct ctrl_ident *id)
{
	struct mbox_port pt;

	if (strchr(key, '/') != NULL)
		return -ENOENT;
	for (int pass = 0; pass < 3; pass++) {
		for (unsigned int p = 0; p < s->nb_ports; p++) {
			const struct mbox_ident *r = &pt.ctrl.ident;

			if (mbox_port_read(s->mb, p, &pt) < 0 || pt.ctrl.hw_state == MBOX_HW_NONE)
				continue;
			if ((pass == 0 && strcmp(r->ibdev, key) == 0) ||
			    (pass == 1 && id->node_guid != 0 && r->node_guid == id->node_guid) ||
			    (pass == 2 && id->netdev[0] != '\0' && strcmp(r->netdev, id->netdev) == 0))
				return (int)p;
		}
	}
	return -ENOENT;
}

/* What ctrl knows of the device, over the record's identity. */
static void
ident_merge(struct mbox_ident *dst, const char *key, const struct ctrl_ident *id, const char *pci)
{
	if (pci[0] != '\0')
		snprintf(dst->pci, sizeof(dst->pci), "%s", pci);
	if (strchr(key, '/') != NULL)
		return;	/* a devlink handle: no RDMA identity */
	snprintf(dst->ibdev, sizeof(dst->ibdev), "%s", key);
	if (id->node_guid != 0)
		dst->node_guid = id->node_guid;
	if (id->netdev[0] != '\0') {
		snprintf(dst->netdev, sizeof(dst->netdev), "%s", id->netdev);
		dst->ifindex = id->ifindex;
	}
}

/*
 * The port of a device, added (UP, gen 1) when new and a PCI address is known.
 * Negative errno if the device has no port and cannot have one.
 */
static int
port_of(struct sink_mbox *s, const char *key, const struct ctrl_ident *id, char *pci, size_t n)
{
	struct mbox_ident mi = { .gen = 1 };
	char port[12];
	int p;

	pci_of(s, key, id, pci, n);
	if (pci[0] != '\0' && (p = mbox_port_find(s->mb, pci)) >= 0)
		return p;
	p = port_by_record(s, key, id);
	if (p >= 0 || pci[0] == '\0')
		return p;
	ident_merge(&mi, key, id, pci);
	p = mbox_port_add(s->mb, &mi);
	if (p < 0)
		log_rec(LOG_LVL_ERR, "mailbox: no port for the device", "dev", key, "pci", pci,
			"error", mbox_errmsg(), NULL);
	if (p < 0)
		return p;
	snprintf(port, sizeof(port), "%d", p);
	log_rec(LOG_LVL_INFO, "mailbox port added", "dev", key, "pci", pci, "port", port, NULL);
	return p;
}

/* ---- publishing ---- */

static uint16_t
source_code(const char *source)
{
	if (source == NULL)
		return MBOX_SRC_UNKNOWN;
	if (strncmp(source, "devlink", 7) == 0)
		return MBOX_SRC_DEVLINK;
	if (strcmp(source, "uevent") == 0)
		return MBOX_SRC_UEVENT;
	/* rdma-monitor, and the dumps (start, poll, overrun, reload) */
	return MBOX_SRC_RDMA_NL;
}

static int
post(struct sink_mbox *s, unsigned int port, struct mbox_event *ev, const char *key)
{
	char p[12];
	int ret;

	ev->port = (uint16_t)port;
	ret = mbox_post(s->mb, ev);
	if (ret < 0) {
		/* -ENOBUFS is counted by the library: the PMD resyncs from the record. */
		snprintf(p, sizeof(p), "%u", port);
		log_rec(LOG_LVL_WARN, "mailbox post failed", "dev", key, "port", p, "event",
			mbox_ev_name(ev->type), "error", mbox_errmsg(), NULL);
	}
	return ret;
}

/*
 * What a removal is (proto/README.md, HOT_REMOVE): part of a service event
 * when one began before the PCI function went (the port's record already
 * says SERVICE: e.g. the devlink reporter's error or an RDMA unregister
 * while the function was still there; or this detection is itself a
 * reporter's error, which the kernel reports only while the device is
 * there), a hot-remove when nothing came before it.
 */
static uint16_t
removal_cause(uint32_t hw_state, unsigned int reason)
{
	if (hw_state == MBOX_HW_SERVICE || reason == SVC_REASON_REPORTER_ERROR)
		return MBOX_RM_SERVICE;
	return MBOX_RM_SURPRISE;
}

/* A reporter's error count, from the tracker's reason; 0 for other reasons. */
static uint64_t
reporter_errors(const char *reason)
{
	const char *e;

	if (svc_reason_code(reason) != SVC_REASON_REPORTER_ERROR ||
	    (e = strstr(reason, "(error ")) == NULL)
		return 0;
	return strtoull(e + 7, NULL, 10);
}

/* SERVICE_STARTED into pt's record and the events to post (out[0 .. *nb)). */
static void
service_started(const struct sink_mbox *s, const struct ctrl_event *ev, struct mbox_port *pt,
		struct mbox_event out[2], unsigned int *nb)
{
	uint16_t source = source_code(ev->source);
	unsigned int reason = svc_reason_code(ev->reason);
	struct mbox_event rm;
	char p[16];

	*nb = 0;
	if (sysfs_pci_present(s->sysfs, pt->ctrl.ident.pci)) {
		if (pt->ctrl.hw_state == MBOX_HW_SERVICE) {
			/* Another source of the same port saw the same event
			 * (devlink's error, then RDMA's unregister): one
			 * service event per port, published once.
			 */
			log_rec(LOG_LVL_DEBUG, "mailbox: service event already published", "dev",
				ev->key, "source", ev->source, "reason", ev->reason, NULL);
			return;
		}
		pt->ctrl.hw_state = MBOX_HW_SERVICE;
		pt->ctrl.svc_source = source;
		pt->ctrl.svc_reason = (uint16_t)reason;
		pt->ctrl.nb_service++;
		out[0].type = MBOX_EV_SVC_START;
		out[0].u.svc.source = source;
		out[0].u.svc.reason = (uint16_t)reason;
		out[0].u.svc.detail = reporter_errors(ev->reason);
		*nb = 1;
		return;
	}
	/* The PCI function is gone. */
	snprintf(p, sizeof(p), "%s", pt->ctrl.ident.pci);
	if (pt->ctrl.hw_state == MBOX_HW_REMOVED) {
		/* Published at the first detection of this removal. */
		log_rec(LOG_LVL_DEBUG, "mailbox: removal already published", "dev", ev->key,
			"pci", p, NULL);
		return;
	}
	memset(&rm, 0, sizeof(rm));
	rm.type = MBOX_EV_HOT_REMOVE;
	rm.u.rm.cause = removal_cause(pt->ctrl.hw_state, reason);
	rm.u.rm.source = source;
	rm.u.rm.reason = (uint16_t)reason;
	if (pt->ctrl.hw_state != MBOX_HW_SERVICE && rm.u.rm.cause == MBOX_RM_SERVICE) {
		/* This detection (a reporter's error) starts the service event. */
		pt->ctrl.nb_service++;
		out[(*nb)++] = (struct mbox_event){
			.type = MBOX_EV_SVC_START,
			.u.svc = { .source = source, .reason = (uint16_t)reason,
				   .detail = reporter_errors(ev->reason) },
		};
	}
	if (pt->ctrl.hw_state != MBOX_HW_SERVICE) {
		/* The record's source and reason: this detection's. */
		pt->ctrl.svc_source = source;
		pt->ctrl.svc_reason = (uint16_t)reason;
	}
	out[(*nb)++] = rm;
	pt->ctrl.hw_state = MBOX_HW_REMOVED;
	pt->ctrl.nb_removed++;
	log_rec(LOG_LVL_INFO, rm.u.rm.cause == MBOX_RM_SERVICE ?
		"removal in a service event: the PMD resets" :
		"hot-remove: no service event before it, the PMD removes the port", "dev",
		ev->key, "pci", p, "cause", mbox_rm_cause_name(rm.u.rm.cause),
		"source", mbox_svc_source_name(source), "reason", svc_reason_name(reason), NULL);
}

static int
publish_event(struct sink_mbox *s, const struct ctrl_event *ev)
{
	struct mbox_event out[2];
	struct mbox_port pt;
	unsigned int nb = 1;
	char pci[16];
	int p, ret;

	memset(out, 0, sizeof(out));
	p = port_of(s, ev->key, ev->ident, pci, sizeof(pci));
	if (p < 0) {
		log_rec(LOG_LVL_DEBUG, "not published to the mailbox: no PCI address", "dev",
			ev->key, NULL);
		return 0;
	}
	ret = mbox_port_read(s->mb, (unsigned int)p, &pt);
	if (ret < 0)
		return ret;
	switch (ev->kind) {
	case CTRL_EV_SERVICE_STARTED:
		service_started(s, ev, &pt, out, &nb);
		if (nb == 0)
			return 0;
		break;
	case CTRL_EV_HW_BACK:
		ident_merge(&pt.ctrl.ident, ev->key, ev->ident, pci);
		if (pt.ctrl.hw_state == MBOX_HW_UP) {
			/*
			 * Back already, said by another source of the port (RDMA's
			 * register, then devlink's healthy): the identity only.
			 */
			nb = 0;
			break;
		}
		pt.ctrl.ident.gen++;
		pt.ctrl.hw_state = MBOX_HW_UP;
		pt.ctrl.nb_hw_back++;
		out[0].type = MBOX_EV_HW_BACK;
		out[0].u.ident = pt.ctrl.ident;
		break;
	case CTRL_EV_GONE_FOR_GOOD:
		if (pt.ctrl.hw_state == MBOX_HW_GONE)
			return 0;	/* said already (another source of the port) */
		pt.ctrl.hw_state = MBOX_HW_GONE;
		out[0].type = MBOX_EV_GONE;
		break;
	default:
		return -EINVAL;
	}
	if (nb != 0)
		pt.ctrl.t_changed = ev->t_ns;
	ret = mbox_port_set_ctrl(s->mb, (unsigned int)p, &pt.ctrl);
	if (ret < 0) {
		log_rec(LOG_LVL_ERR, "mailbox record not written", "dev", ev->key, "error",
			mbox_errmsg(), NULL);
		return ret;
	}
	ret = 0;
	for (unsigned int i = 0; i < nb; i++) {
		/* Each posted even when one before it was lost; the first failure is the result. */
		int r = post(s, (unsigned int)p, &out[i], ev->key);

		if (ret == 0)
			ret = r;
	}
	return ret;
}

static int
sink_mbox_publish(void *ctx, const struct ctrl_event *ev)
{
	struct sink_mbox *s = ctx;

	if (s->mute)
		return 0;
	if (s->next.publish != NULL)
		s->next.publish(s->next.ctx, ev);
	return publish_event(s, ev);
}

void
sink_mbox_pci_removed(void *ctx, const char *bdf, const char *source, uint64_t now)
{
	struct sink_mbox *s = ctx;
	struct mbox_event out[2];
	struct mbox_port pt;
	unsigned int nb = 0;
	char key[24];
	struct ctrl_ident id = { .name = "" };
	struct ctrl_event ev = {
		.kind = CTRL_EV_SERVICE_STARTED, .key = key, .ident = &id, .source = source,
		.reason = "pci remove", .t_ns = now,
	};
	int p = mbox_port_find(s->mb, bdf);

	snprintf(key, sizeof(key), "pci/%.12s", bdf);
	if (p < 0 || mbox_port_read(s->mb, (unsigned int)p, &pt) < 0)
		return;
	/* Only a port whose record still says the hardware is there or in service. */
	if (pt.ctrl.hw_state != MBOX_HW_UP && pt.ctrl.hw_state != MBOX_HW_SERVICE)
		return;
	memset(out, 0, sizeof(out));
	service_started(s, &ev, &pt, out, &nb);
	if (nb == 0)
		return;
	pt.ctrl.t_changed = now;
	if (mbox_port_set_ctrl(s->mb, (unsigned int)p, &pt.ctrl) < 0) {
		log_rec(LOG_LVL_ERR, "mailbox record not written", "dev", key, "error",
			mbox_errmsg(), NULL);
		return;
	}
	for (unsigned int i = 0; i < nb; i++)
		post(s, (unsigned int)p, &out[i], key);
}

void
sink_mbox_adopt(struct sink_mbox *s, struct tracker *tr, uint64_t now)
{
	struct mbox_port pt;

	for (unsigned int p = 0; p < s->nb_ports; p++) {
		if (mbox_port_read(s->mb, p, &pt) < 0)
			continue;
		pt.ctrl.ident.ibdev[sizeof(pt.ctrl.ident.ibdev) - 1] = '\0';
		if (pt.ctrl.hw_state == MBOX_HW_NONE || pt.ctrl.hw_state == MBOX_HW_GONE ||
		    pt.ctrl.ident.ibdev[0] == '\0' || tracker_state(tr, pt.ctrl.ident.ibdev) >= 0)
			continue;
		/*
		 * Up in the record, absent now: it went while no ctrl watched
		 * (published now). Already in service: the tracker takes it over
		 * (its gone timeout starts now), nothing posted again.
		 */
		s->mute = pt.ctrl.hw_state != MBOX_HW_UP;
		tracker_lost(tr, pt.ctrl.ident.ibdev, "mailbox", "absent at restart", now);
		s->mute = false;
	}
}

void
sink_mbox_present(void *ctx, const char *key, const struct ctrl_ident *id, uint64_t now)
{
	struct sink_mbox *s = ctx;
	struct mbox_port pt;
	struct mbox_ident before;
	char pci[16];
	int p;

	p = port_of(s, key, id, pci, sizeof(pci));
	if (p < 0 || mbox_port_read(s->mb, (unsigned int)p, &pt) < 0)
		return;
	before = pt.ctrl.ident;
	ident_merge(&pt.ctrl.ident, key, id, pci);
	if (pt.ctrl.hw_state != MBOX_HW_UP) {
		/* A record left by the previous ctrl in an outage that ended meanwhile. */
		struct ctrl_event ev = {
			.kind = CTRL_EV_HW_BACK, .key = key, .ident = id, .source = "mailbox",
			.reason = "back after a ctrl restart", .t_ns = now,
			.started_ns = pt.ctrl.t_changed,
		};

		sink_mbox_publish(s, &ev);
		return;
	}
	if (memcmp(&before, &pt.ctrl.ident, sizeof(before)) == 0)
		return;
	pt.ctrl.t_changed = pt.ctrl.t_changed != 0 ? pt.ctrl.t_changed : now;
	if (mbox_port_set_ctrl(s->mb, (unsigned int)p, &pt.ctrl) < 0)
		log_rec(LOG_LVL_ERR, "mailbox record not written", "dev", key, "error",
			mbox_errmsg(), NULL);
}

/* ---- consuming ---- */

static void
log_pmd_event(struct sink_mbox *s, const struct mbox_event *ev)
{
	char port[12], seq[24], reset[24], ph[8][24], err[12], pid[12], uid[12];
	const char *pci = "", *ibdev = "";
	struct mbox_port pt;

	snprintf(port, sizeof(port), "%u", ev->port);
	snprintf(seq, sizeof(seq), "%" PRIu64, ev->seq);
	if (ev->port < s->nb_ports && mbox_port_read(s->mb, ev->port, &pt) == 0) {
		pt.ctrl.ident.pci[sizeof(pt.ctrl.ident.pci) - 1] = '\0';
		pt.ctrl.ident.ibdev[sizeof(pt.ctrl.ident.ibdev) - 1] = '\0';
		pci = pt.ctrl.ident.pci;
		ibdev = pt.ctrl.ident.ibdev;
	}
	switch (ev->type) {
	case MBOX_EV_RESET_ENTER:
	case MBOX_EV_PHASE:
		snprintf(reset, sizeof(reset), "%" PRIu64, ev->u.phase.reset_seq);
		log_rec(LOG_LVL_INFO, ev->type == MBOX_EV_PHASE ? "pmd reset phase" :
			"pmd reset entered", "event", mbox_ev_name(ev->type), "port", port, "pci",
			pci, "ibdev", ibdev, "seq", seq, "reset", reset, "phase",
			ev->type == MBOX_EV_PHASE ? mbox_phase_label(ev->u.phase.phase) : "",
			"state", mbox_pmd_state_name(ev->u.phase.state), NULL);
		break;
	case MBOX_EV_RECOVERED:
	case MBOX_EV_RECOVERY_FAILED:
		snprintf(reset, sizeof(reset), "%" PRIu64, ev->u.result.seq);
		for (int i = 0; i < MBOX_PHASES; i++)
			snprintf(ph[i], sizeof(ph[i]), "%.3f", ev->u.result.phase_ns[i] / 1e6);
		snprintf(ph[5], sizeof(ph[5]), "%.3f", ev->u.result.total_ns / 1e6);
		snprintf(err, sizeof(err), "%d", ev->u.result.error);
		log_rec(ev->type == MBOX_EV_RECOVERED ? LOG_LVL_INFO : LOG_LVL_ERR,
			ev->type == MBOX_EV_RECOVERED ? "pmd recovery succeeded" :
			"pmd recovery failed", "event", mbox_ev_name(ev->type), "port", port,
			"pci", pci, "ibdev", ibdev, "seq", seq, "reset", reset, "outcome",
			mbox_pmd_state_name(ev->u.result.outcome), "error", err, "total_ms", ph[5],
			"quiesce_ms", ph[0], "teardown_ms", ph[1], "wait_hw_ms", ph[2],
			"reprobe_ms", ph[3], "restore_ms", ph[4], NULL);
		break;
	case MBOX_EV_PEER_UP:
	case MBOX_EV_PEER_DOWN:
		snprintf(pid, sizeof(pid), "%u", ev->u.peer.pid);
		snprintf(uid, sizeof(uid), "%u", ev->u.peer.uid);
		log_rec(LOG_LVL_INFO, ev->type == MBOX_EV_PEER_UP ? "pmd attached" : "pmd detached",
			"port", ev->port == MBOX_PORT_ANY ? "any" : port, "pci", pci, "pid", pid,
			"uid", uid, NULL);
		break;
	case MBOX_EV_RESYNC:
		log_rec(LOG_LVL_WARN, "pmd events lost, the records say the rest", "port", port,
			"pci", pci, "pmd_state",
			pci[0] != '\0' ? mbox_pmd_state_name(pt.pmd.state) : "", NULL);
		break;
	default:
		log_rec(LOG_LVL_WARN, "unexpected mailbox event", "event", mbox_ev_name(ev->type),
			"port", port, NULL);
		break;
	}
}

void
sink_mbox_on_fd(void *arg, int fd, uint32_t events)
{
	struct sink_mbox *s = arg;
	struct mbox_event ev;
	int ret;

	(void)fd;
	(void)events;
	while ((ret = mbox_next(s->mb, &ev)) == 1) {
		log_pmd_event(s, &ev);
		if (ev.type >= MBOX_EV_RESET_ENTER && ev.type <= MBOX_EV_RECOVERY_FAILED &&
		    ev.port < s->nb_ports)
			s->last[ev.port] = ev;
	}
	if (ret < 0)
		log_rec(LOG_LVL_ERR, "mailbox", "error", mbox_errmsg(), NULL);
}

int
sink_mbox_last(const struct sink_mbox *s, unsigned int port, struct mbox_event *ev)
{
	if (port >= s->nb_ports)
		return -EINVAL;
	*ev = s->last[port];
	return 0;
}

/* ---- setup ---- */

struct sink_mbox *
sink_mbox_open(const struct config *conf, const struct ctrl_sink *next, char *err, size_t n)
{
	char sock[CONFIG_PATH_MAX], gen[24], ports[12];
	struct mbox_cfg cfg = { 0 };
	struct mbox_info info;
	struct sink_mbox *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	cfg.seg_path = conf->mbox.path;
	cfg.sock_path = config_mbox_sock(&conf->mbox, sock, sizeof(sock));
	cfg.uid = conf->mbox.uid;
	cfg.gid = conf->mbox.gid;
	cfg.flags = conf->mbox.replace ? MBOX_F_REPLACE : 0;
	s->mb = mbox_create(&cfg);
	if (s->mb == NULL) {
		snprintf(err, n, "mailbox %s: %s", conf->mbox.path, mbox_errmsg());
		free(s);
		return NULL;
	}
	mbox_info(s->mb, &info);
	s->nb_ports = info.nb_ports < MBOX_MAX_PORTS ? info.nb_ports : MBOX_MAX_PORTS;
	snprintf(s->sysfs, sizeof(s->sysfs), "%s", conf->sysfs);
	if (next != NULL)
		s->next = *next;
	s->sink.publish = sink_mbox_publish;
	s->sink.ctx = s;
	snprintf(gen, sizeof(gen), "%" PRIu64, info.ctrl_gen);
	snprintf(ports, sizeof(ports), "%u", info.nb_ports);
	log_rec(LOG_LVL_INFO, info.ctrl_gen > 1 ? "mailbox re-adopted" : "mailbox created",
		"path", conf->mbox.path, "socket", sock, "ports", ports, "ctrl_gen", gen, NULL);
	return s;
}

void
sink_mbox_close(struct sink_mbox *s)
{
	if (s == NULL)
		return;
	mbox_close(s->mb);
	free(s);
}

const struct ctrl_sink *
sink_mbox_sink(struct sink_mbox *s)
{
	return &s->sink;
}

int
sink_mbox_fd(const struct sink_mbox *s)
{
	return mbox_fd(s->mb);
}

const struct mbox *
sink_mbox_mbox(const struct sink_mbox *s)
{
	return s->mb;
}
