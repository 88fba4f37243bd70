/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/common/sysfs_pci.h"
#include "ctrl/ctrld/detect.h"
#include "ctrl/ctrld/log.h"
#include "netlink/nl_uapi.h"

void
detect_init(struct detect *d, const struct config *conf, struct tracker *tr,
	    const struct detect_backend *be, uint64_t (*now)(void))
{
	memset(d, 0, sizeof(*d));
	d->conf = conf;
	d->tr = tr;
	d->be = *be;
	d->now = now;
}

static int
driver_matches(const char *want, const char *have)
{
	size_t n = strlen(want);

	if (have[0] == '\0')
		return 0;
	/* "mana" matches the PCI driver mana and the aux driver mana_ib. */
	return strcmp(want, have) == 0 || (strncmp(want, have, n) == 0 && have[n] == '_');
}

static int
bdf_allowed(void *arg, const char *bdf)
{
	return config_pci_allowed(arg, bdf);
}

/* Any PCI address in the resolved device path that the allowlist names. */
static int
pci_path_allowed(const struct config *c, const char *devdir)
{
	if (c->pci_allow.n == 0)
		return 1;
	return sysfs_pci_walk(devdir, bdf_allowed, (void *)c) > 0;
}

int
detect_rdma_selected(const struct detect *d, const char *ibdev, const char *netdev)
{
	const struct config *c = d->conf;
	char dir[PATH_MAX], ndir[PATH_MAX], drv[64];
	const char *mapped = config_port_map(&c->port_map, ibdev);
	int match = strcmp(c->driver, "*") == 0;

	if (mapped != NULL)
		return config_pci_allowed(c, mapped);	/* port_map selects it */
	snprintf(dir, sizeof(dir), "%s/class/infiniband/%s/device", c->sysfs, ibdev);
	snprintf(ndir, sizeof(ndir), "%s/class/net/%s/device", c->sysfs,
		 netdev != NULL ? netdev : "");
	if (!match) {
		sysfs_pci_driver(dir, drv, sizeof(drv));
		match = driver_matches(c->driver, drv);
	}
	if (!match && netdev != NULL && netdev[0] != '\0') {
		sysfs_pci_driver(ndir, drv, sizeof(drv));
		match = driver_matches(c->driver, drv);
	}
	if (!match)
		return 0;
	if (c->pci_allow.n == 0)
		return 1;
	return pci_path_allowed(c, dir) ||
	       (netdev != NULL && netdev[0] != '\0' && pci_path_allowed(c, ndir));
}

int
detect_devlink_selected(const struct detect *d, const char *bus, const char *dev)
{
	const struct config *c = d->conf;
	char dir[PATH_MAX], drv[64], handle[PATH_MAX];
	const char *mapped;

	snprintf(handle, sizeof(handle), "%s/%s", bus, dev);
	mapped = config_port_map(&c->port_map, handle);
	if (mapped != NULL)
		return config_pci_allowed(c, mapped);	/* port_map selects it */
	if (strcmp(bus, "pci") == 0 && !config_pci_allowed(c, dev))
		return 0;
	if (strcmp(c->driver, "*") == 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/bus/%s/devices/%s", c->sysfs, bus, dev);
	sysfs_pci_driver(dir, drv, sizeof(drv));
	return driver_matches(c->driver, drv);
}

static void
ident_from_dev(struct ctrl_ident *id, const struct nl_rdma_dev *dev)
{
	memset(id, 0, sizeof(*id));
	snprintf(id->name, sizeof(id->name), "%s", dev->name);
	id->index = dev->index;
	id->has_index = 1;
	id->node_guid = dev->node_guid;
	snprintf(id->netdev, sizeof(id->netdev), "%s", dev->ndev_name);
	id->ifindex = dev->ndev_index;
}

static void
resync_dev_cb(void *arg, const struct nl_rdma_dev *dev)
{
	struct detect *d = arg;
	struct ctrl_ident id;

	if (!detect_rdma_selected(d, dev->name, dev->ndev_name))
		return;
	ident_from_dev(&id, dev);
	tracker_seen(d->tr, &id, d->resync_source, d->now());
}

int
detect_resync_rdma(struct detect *d, const char *source)
{
	int ret;

	if (d->be.rdma_dump == NULL)
		return 0;
	d->st.rdma_resyncs++;
	snprintf(d->resync_source, sizeof(d->resync_source), "%s", source);
	tracker_sync_begin(d->tr);
	ret = d->be.rdma_dump(d->be.ctx, resync_dev_cb, d);
	if (ret < 0) {
		/* A failed dump proves nothing about absent devices. */
		d->st.errors++;
		log_rec(LOG_LVL_WARN, "RDMA dump failed", "error", nl_rdma_strerror(ret),
			"trigger", source, NULL);
		return ret;
	}
	tracker_sync_end(d->tr, source, d->now());
	log_rec(LOG_LVL_DEBUG, "RDMA resync", "trigger", source, NULL);
	return 0;
}

static void
handle(char *buf, size_t n, const char *bus, const char *dev)
{
	snprintf(buf, n, "%s/%s", bus, dev);
}

static struct detect_reporter *
reporter_find(struct detect *d, const char *h, const char *name, bool *is_new)
{
	struct detect_reporter *r;

	*is_new = false;
	for (unsigned int i = 0; i < d->nb_rep; i++)
		if (strcmp(d->rep[i].handle, h) == 0 && strcmp(d->rep[i].name, name) == 0)
			return &d->rep[i];
	if (d->nb_rep == DETECT_REPORTERS_MAX) {
		if (!d->rep_full_logged)
			log_rec(LOG_LVL_WARN, "too many counted devlink reporters, "
				"the rest are not accounted", "dev", h, "reporter", name, NULL);
		d->rep_full_logged = true;
		return NULL;
	}
	r = &d->rep[d->nb_rep++];
	memset(r, 0, sizeof(*r));
	snprintf(r->handle, sizeof(r->handle), "%s", h);
	snprintf(r->name, sizeof(r->name), "%s", name);
	*is_new = true;
	return r;
}

/*
 * The counts of one reporter message against what we had: a notification
 * (live) of an error or a recovery accounts for one of its kind; whatever
 * else the counts grew by was missed. Returns false for a stale
 * notification: counts below what we know are older than our last dump
 * (after an overrun the kernel reports ENOBUFS before the notifications
 * still queued), so it is ignored, here and by the tracker. Counts going
 * back in a dump mean the reporter was re-created: counted from 0.
 */
static bool
reporter_account(struct detect *d, const char *h, const struct nl_dl_msg *m, bool live,
		 const char *trigger)
{
	bool error = m->state == NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR, is_new;
	struct detect_reporter *r = reporter_find(d, h, m->reporter, &is_new);
	uint64_t derr, drec, me, mr;
	char b[4][24];

	if (r == NULL)
		return true;
	if (is_new) {
		/* First sight: a dump sets the base; a notification is its own event. */
		r->err = m->err_count - (live && error && m->err_count > 0);
		r->rec = m->recover_count - (live && !error && m->recover_count > 0);
	}
	if (m->err_count < r->err || m->recover_count < r->rec) {
		if (live)
			return false;	/* older than our last dump */
		/* The reporter was re-created (devlink dev del / new): from 0. */
		r->err = 0;
		r->rec = 0;
	}
	r->error = error;
	derr = m->err_count - r->err;
	drec = m->recover_count - r->rec;
	r->err = m->err_count;
	r->rec = m->recover_count;
	me = derr - (live && error && derr > 0);
	mr = drec - (live && !error && drec > 0);
	r->seen_err += derr - me;
	r->seen_rec += drec - mr;
	if (me == 0 && mr == 0)
		return true;
	r->missed_err += me;
	r->missed_rec += mr;
	d->st.devlink_missed_errors += me;
	d->st.devlink_missed_recovers += mr;
	snprintf(b[0], sizeof(b[0]), "%" PRIu64, me);
	snprintf(b[1], sizeof(b[1]), "%" PRIu64, mr);
	snprintf(b[2], sizeof(b[2]), "%" PRIu64, m->err_count);
	snprintf(b[3], sizeof(b[3]), "%" PRIu64, m->recover_count);
	log_rec(LOG_LVL_WARN, "devlink health events missed", "dev", h, "reporter", m->reporter,
		"missed_errors", b[0], "missed_recovers", b[1], "error_count", b[2],
		"recover_count", b[3], "trigger", trigger, NULL);
	return true;
}

/* A counted reporter of device handle h was last read in error. */
static bool
reporter_in_error(const struct detect *d, const char *h)
{
	for (unsigned int i = 0; i < d->nb_rep; i++)
		if (d->rep[i].error && strcmp(d->rep[i].handle, h) == 0)
			return true;
	return false;
}

/* A counted reporter of device handle h was read before: the device was
 * selected then.
 */
static bool
reporter_known(const struct detect *d, const char *h)
{
	for (unsigned int i = 0; i < d->nb_rep; i++)
		if (strcmp(d->rep[i].handle, h) == 0)
			return true;
	return false;
}

static void
devlink_reporter(struct detect *d, const struct nl_dl_msg *m, bool live)
{
	char h[2 * NL_DL_NAME_MAX + 2];

	if ((m->present & NL_DL_REPORTER_COMPLETE) != NL_DL_REPORTER_COMPLETE)
		return;
	if (!config_reporter_counts(d->conf, m->reporter))
		return;
	handle(h, sizeof(h), m->bus, m->dev);
	/* A device selected once stays selected: its reporter's error may
	 * be read after its PCI function went (a removal in the service
	 * event the error began), when sysfs no longer names its driver.
	 */
	if (reporter_known(d, h) ? strcmp(m->bus, "pci") == 0 &&
	    !config_pci_allowed(d->conf, m->dev) : !detect_devlink_selected(d, m->bus, m->dev))
		return;
	if (!reporter_account(d, h, m, live, live ? "devlink" : d->resync_source))
		return;	/* stale: the dump we made since knows better */
	tracker_health(d->tr, h, m->reporter,
		       m->state == NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR, m->err_count,
		       m->recover_count, d->now());
}

static void
resync_dl_cb(void *arg, const struct nl_dl_msg *m)
{
	devlink_reporter(arg, m, false);
}

int
detect_resync_devlink(struct detect *d, const char *source)
{
	int ret;

	if (d->be.devlink_dump == NULL || d->conf->reporters.n == 0)
		return 0;
	d->st.devlink_resyncs++;
	snprintf(d->resync_source, sizeof(d->resync_source), "%s", source);
	tracker_sync_begin(d->tr);
	ret = d->be.devlink_dump(d->be.ctx, resync_dl_cb, d);
	if (ret < 0) {
		/* A failed dump proves nothing about absent devices. */
		d->st.errors++;
		log_rec(LOG_LVL_WARN, "devlink health dump failed", "error", strerror(-ret),
			"trigger", source, NULL);
		return ret;
	}
	tracker_sync_end_devlink(d->tr, source, d->now());
	return 0;
}

void
detect_rdma_event(void *arg, const struct nl_nldev_msg *ev)
{
	struct detect *d = arg;
	struct nl_rdma_dev dev;
	struct ctrl_ident id;
	char idx[16];

	d->st.rdma_events++;
	snprintf(idx, sizeof(idx), "%u", ev->dev_index);
	log_rec(LOG_LVL_DEBUG, "rdma event", "event", nl_nldev_event_name(ev->event), "dev",
		ev->dev_name, "index", idx, NULL);
	switch (ev->event) {
	case NLU_RDMA_REGISTER_EVENT:
	case NLU_RDMA_NETDEV_ATTACH_EVENT:
		memset(&dev, 0, sizeof(dev));
		if (d->be.rdma_dev_get == NULL ||
		    d->be.rdma_dev_get(d->be.ctx, ev->dev_index, &dev) < 0) {
			/* Gone again already, or no request socket: use the event. */
			dev.index = ev->dev_index;
			snprintf(dev.name, sizeof(dev.name), "%s", ev->dev_name);
		}
		if (dev.ndev_name[0] == '\0' && (ev->present & NL_NLDEV_HAS_NDEV_NAME)) {
			snprintf(dev.ndev_name, sizeof(dev.ndev_name), "%s", ev->ndev_name);
			dev.ndev_index = ev->ndev_index;
		}
		if (!detect_rdma_selected(d, dev.name, dev.ndev_name))
			return;
		ident_from_dev(&id, &dev);
		tracker_seen(d->tr, &id, "rdma-monitor", d->now());
		break;
	case NLU_RDMA_UNREGISTER_EVENT:
		if (tracker_state(d->tr, ev->dev_name) < 0) {
			/* Renamed without an event (6.12): the index still says who. */
			const char *old = (ev->present & NL_NLDEV_HAS_DEV_INDEX) ?
					  tracker_name_by_index(d->tr, ev->dev_index) : NULL;
			char oldname[CTRL_NAME_MAX];

			if (old == NULL)
				break;
			snprintf(oldname, sizeof(oldname), "%s", old);
			tracker_renamed(d->tr, oldname, ev->dev_name);
		}
		tracker_lost(d->tr, ev->dev_name, "rdma-monitor", "UNREGISTER", d->now());
		break;
	case NLU_RDMA_NETDEV_DETACH_EVENT:
		break;
	default:
		/* RENAME / NETDEV_RENAME (6.13) and anything newer: ask the kernel. */
		detect_resync_rdma(d, "rdma-monitor");
		break;
	}
}

static const char *
basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

void
detect_uevent(struct detect *d, const struct nl_uevent *ev)
{
	if (strcmp(ev->subsystem, "infiniband") != 0)
		return;
	d->st.uevents++;
	log_rec(LOG_LVL_DEBUG, "uevent", "action", ev->action, "devpath", ev->devpath, NULL);
	if (strcmp(ev->action, "remove") == 0) {
		if (tracker_state(d->tr, ev->name) >= 0)
			tracker_lost(d->tr, ev->name, "uevent", "remove", d->now());
	} else if (strcmp(ev->action, "move") == 0 && ev->devpath_old[0] != '\0') {
		tracker_renamed(d->tr, basename_of(ev->devpath_old), ev->name);
	}
	/* add, move, change: the dump has the GUID and the netdev. */
	if (strcmp(ev->action, "remove") != 0)
		detect_resync_rdma(d, "uevent");
}

void
detect_devlink_event(void *arg, const struct nl_dl_msg *m)
{
	struct detect *d = arg;
	char h[2 * NL_DL_NAME_MAX + 2];

	d->st.devlink_events++;
	switch (m->cmd) {
	case NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER:
		devlink_reporter(d, m, true);
		break;
	case NLU_DEVLINK_CMD_HEALTH_REPORTER_GET:
		devlink_reporter(d, m, false);
		break;
	case NLU_DEVLINK_CMD_DEL:
		handle(h, sizeof(h), m->bus, m->dev);
		/* Its reporters go with it: their state is read again after dev new. */
		for (unsigned int i = 0; i < d->nb_rep; i++)
			if (strcmp(d->rep[i].handle, h) == 0)
				d->rep[i].error = false;
		if (tracker_state(d->tr, h) >= 0)
			tracker_lost(d->tr, h, "devlink", "dev del", d->now());
		break;
	case NLU_DEVLINK_CMD_NEW:
		handle(h, sizeof(h), m->bus, m->dev);
		/*
		 * Reporters are re-created with zero counters: read them first.
		 * One read healthy brings the device back (tracker_health); one
		 * read in error keeps it in its service event until its healthy;
		 * with no counted reporter read, the device's return is the news.
		 */
		detect_resync_devlink(d, "devlink");
		if (tracker_state(d->tr, h) > (int)TRACKER_PRESENT && !reporter_in_error(d, h)) {
			struct ctrl_ident id = { 0 };

			snprintf(id.name, sizeof(id.name), "%s", h);
			tracker_seen(d->tr, &id, "devlink", d->now());
		}
		break;
	default:
		break;
	}
}

void
detect_read_error(struct detect *d, const char *what, int err)
{
	if (err == -ENOBUFS) {
		d->st.overruns++;
		log_rec(LOG_LVL_WARN, "events lost, resyncing by dump", "socket", what, NULL);
		if (strcmp(what, "devlink") == 0)
			detect_resync_devlink(d, "overrun");
		else
			detect_resync_rdma(d, "overrun");
		return;
	}
	d->st.errors++;
	log_rec(LOG_LVL_ERR, "socket read failed", "socket", what, "error", strerror(-err), NULL);
}
