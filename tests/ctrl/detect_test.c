/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Detection against a fake kernel (struct detect_backend):
 *  - the property "an overrun leads to a resync, never to a silent loss":
 *    random register / unregister sequences where notifications are dropped
 *    (the next read then fails with ENOBUFS); at every quiet point the
 *    tracker agrees with the kernel, and every outage since the last quiet
 *    point produced at least one service-event-started;
 *  - uevent fallback (remove -> lost, add -> dump diff);
 *  - devlink reporters, and a devlink overrun resynced by a dump;
 *  - counted reporters' errors and recoveries: seen + missed = the kernel's
 *    counts, by hand and over random runs with lost notifications;
 *  - device selection by driver and PCI address through a fake sysfs.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrl/ctrld/detect.h"
#include "ctrl/ctrld/log.h"
#include "ctrl/ctrld/tracker.h"
#include "netlink/nl_uapi.h"
#include "tests/lib/test_util.h"

#define NDEV 4

static uint64_t fake_now;

static uint64_t
now_fn(void)
{
	return fake_now;
}

struct fake_kernel {
	int dl_gone;	/* the devlink device is not there */
	int present[NDEV];
	uint32_t index[NDEV];
	uint32_t next_index;
	int dumps;
	/* devlink */
	uint8_t dl_state;
	uint64_t dl_err, dl_rec;
};

static void
fill_dev(const struct fake_kernel *k, int i, struct nl_rdma_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->index = k->index[i];
	snprintf(d->name, sizeof(d->name), "mana_%d", i);
	d->node_guid = 0x1000u + (uint64_t)i;
	d->ports = 1;
	snprintf(d->ndev_name, sizeof(d->ndev_name), "eth%d", i);
}

static int
fk_dump(void *ctx, nl_rdma_dev_cb cb, void *arg)
{
	struct fake_kernel *k = ctx;
	struct nl_rdma_dev d;

	k->dumps++;
	for (int i = 0; i < NDEV; i++) {
		if (!k->present[i])
			continue;
		fill_dev(k, i, &d);
		cb(arg, &d);
	}
	return 0;
}

static int
fk_dev_get(void *ctx, uint32_t index, struct nl_rdma_dev *dev)
{
	struct fake_kernel *k = ctx;

	for (int i = 0; i < NDEV; i++) {
		if (k->present[i] && k->index[i] == index) {
			fill_dev(k, i, dev);
			return 0;
		}
	}
	return -ENODEV;
}

/* netdevsim1's dummy reporter as the fake kernel has it, in a message of cmd. */
static void
fk_dl_msg(const struct fake_kernel *k, uint8_t cmd, struct nl_dl_msg *m)
{
	nl_dl_msg_init(m, cmd);
	snprintf(m->bus, sizeof(m->bus), "netdevsim");
	snprintf(m->dev, sizeof(m->dev), "netdevsim1");
	snprintf(m->reporter, sizeof(m->reporter), "dummy");
	m->state = k->dl_state;
	m->err_count = k->dl_err;
	m->recover_count = k->dl_rec;
	m->present = NL_DL_REPORTER_COMPLETE | NL_DL_HAS_REPORTER;
}

static int
fk_dl_dump(void *ctx, void (*cb)(void *arg, const struct nl_dl_msg *m), void *arg)
{
	struct fake_kernel *k = ctx;
	struct nl_dl_msg m;

	if (k->dl_gone)
		return 0;
	fk_dl_msg(k, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET, &m);
	cb(arg, &m);
	return 0;
}

struct counts {
	int started[NDEV + 1];
	int back[NDEV + 1];
	int gone[NDEV + 1];
	int total;
};

static int
dev_no(const char *key)
{
	if (strncmp(key, "mana_", 5) == 0)
		return atoi(key + 5);
	return NDEV;	/* the devlink handle */
}

static int
count_publish(void *ctx, const struct ctrl_event *ev)
{
	struct counts *c = ctx;
	int i = dev_no(ev->key);

	c->total++;
	if (ev->kind == CTRL_EV_SERVICE_STARTED)
		c->started[i]++;
	else if (ev->kind == CTRL_EV_HW_BACK)
		c->back[i]++;
	else
		c->gone[i]++;
	return 0;
}

static void
deliver(struct detect *d, uint8_t event, uint32_t index, int i)
{
	struct nl_nldev_msg m;

	nl_nldev_msg_init(&m, NLU_NLDEV_CMD_MONITOR);
	m.event = event;
	m.dev_index = index;
	snprintf(m.dev_name, sizeof(m.dev_name), "mana_%d", i);
	m.present = NL_NLDEV_HAS_EVENT | NL_NLDEV_HAS_DEV_INDEX | NL_NLDEV_HAS_DEV_NAME;
	detect_rdma_event(d, &m);
}

/* The property, over many random runs. */
static void
test_overrun_resync_property(void)
{
	struct config conf;

	config_defaults(&conf);
	snprintf(conf.driver, sizeof(conf.driver), "*");
	for (unsigned int seed = 1; seed <= 200; seed++) {
		struct fake_kernel k = { 0 };
		struct counts c = { 0 };
		struct ctrl_sink sink = { count_publish, &c };
		struct detect_backend be = { fk_dump, fk_dev_get, NULL, &k };
		struct tracker *tr = tracker_new(3600ull * 1000000000ull, &sink);
		int removals[NDEV] = { 0 }, started_at_check[NDEV] = { 0 };
		int removals_at_check[NDEV] = { 0 };
		int present_at_check[NDEV];
		int overrun = 0;
		struct detect d;

		srand(seed);
		detect_init(&d, &conf, tr, &be, now_fn);
		for (int i = 0; i < NDEV; i++) {
			k.present[i] = 1;
			k.index[i] = k.next_index++;
		}
		detect_resync_rdma(&d, "start");
		for (int i = 0; i < NDEV; i++)
			present_at_check[i] = 1;
		for (int step = 0; step < 300; step++) {
			int i = rand() % NDEV;
			int drop = rand() % 4 == 0;
			uint8_t ev;

			fake_now += 1000000;
			if (k.present[i]) {
				k.present[i] = 0;
				removals[i]++;
				ev = NLU_RDMA_UNREGISTER_EVENT;
			} else {
				k.present[i] = 1;
				k.index[i] = k.next_index++;
				ev = NLU_RDMA_REGISTER_EVENT;
			}
			if (drop) {
				overrun = 1;	/* the socket overflowed: this one is lost */
			} else {
				if (overrun) {
					/* The next read reports the overrun first. */
					detect_read_error(&d, "rdma", -ENOBUFS);
					overrun = 0;
				}
				deliver(&d, ev, k.index[i], i);
			}
			if (overrun)
				continue;
			/* A quiet point: the tracker agrees with the kernel. */
			for (int j = 0; j < NDEV; j++) {
				char name[16];
				int st;

				snprintf(name, sizeof(name), "mana_%d", j);
				st = tracker_state(tr, name);
				if (k.present[j] != (st == TRACKER_PRESENT)) {
					fprintf(stderr, "seed %u step %d: mana_%d kernel %d tracker %d\n",
						seed, step, j, k.present[j], st);
					test_failures++;
				}
				/*
				 * Present at the last quiet point and removed since: that
				 * outage must have been reported, whatever was dropped.
				 */
				if (present_at_check[j] && removals[j] > removals_at_check[j] &&
				    c.started[j] == started_at_check[j]) {
					fprintf(stderr, "seed %u step %d: silent outage of mana_%d\n",
						seed, step, j);
					test_failures++;
				}
				removals_at_check[j] = removals[j];
				started_at_check[j] = c.started[j];
				present_at_check[j] = k.present[j];
				/* Never more events than outages. */
				CHECK(c.started[j] <= removals[j]);
			}
		}
		CHECK(d.st.overruns > 0 && d.st.rdma_resyncs == d.st.overruns + 1);
		tracker_free(tr);
		if (test_failures != 0)
			break;
	}
}

static void
test_uevent_fallback(void)
{
	struct config conf;
	struct fake_kernel k = { 0 };
	struct counts c = { 0 };
	struct ctrl_sink sink = { count_publish, &c };
	struct detect_backend be = { fk_dump, fk_dev_get, NULL, &k };
	struct tracker *tr = tracker_new(1000, &sink);
	struct nl_uevent ev = { 0 };
	struct detect d;

	config_defaults(&conf);
	snprintf(conf.driver, sizeof(conf.driver), "*");
	detect_init(&d, &conf, tr, &be, now_fn);
	k.present[0] = 1;
	k.index[0] = 0;
	detect_resync_rdma(&d, "start");
	CHECK(tracker_state(tr, "mana_0") == TRACKER_PRESENT);
	/* A net uevent is not ours. */
	snprintf(ev.subsystem, sizeof(ev.subsystem), "net");
	detect_uevent(&d, &ev);
	CHECK(d.st.uevents == 0);
	k.present[0] = 0;
	snprintf(ev.subsystem, sizeof(ev.subsystem), "infiniband");
	snprintf(ev.action, sizeof(ev.action), "remove");
	snprintf(ev.name, sizeof(ev.name), "mana_0");
	detect_uevent(&d, &ev);
	CHECK(c.started[0] == 1 && k.dumps == 1);
	k.present[0] = 1;
	k.index[0] = 1;
	snprintf(ev.action, sizeof(ev.action), "add");
	detect_uevent(&d, &ev);
	CHECK(c.back[0] == 1 && k.dumps == 2);
	tracker_free(tr);
}

static void dl_notify(struct detect *d, const struct fake_kernel *k);

static void
test_devlink(void)
{
	struct config conf;
	struct fake_kernel k = { 0 };
	struct counts c = { 0 };
	struct ctrl_sink sink = { count_publish, &c };
	struct detect_backend be = { NULL, NULL, fk_dl_dump, &k };
	struct tracker *tr = tracker_new(1000, &sink);
	struct nl_dl_msg m;
	struct detect d;
	char err[128];

	config_defaults(&conf);
	snprintf(conf.driver, sizeof(conf.driver), "*");
	CHECK(config_set(&conf, "reporters", "dummy", err, sizeof(err)) == 0);
	detect_init(&d, &conf, tr, &be, now_fn);
	CHECK(detect_resync_devlink(&d, "start") == 0 && c.total == 0);
	/* The RECOVER (54) notification of an error. */
	nl_dl_msg_init(&m, NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER);
	snprintf(m.bus, sizeof(m.bus), "netdevsim");
	snprintf(m.dev, sizeof(m.dev), "netdevsim1");
	snprintf(m.reporter, sizeof(m.reporter), "dummy");
	m.present = NL_DL_REPORTER_COMPLETE;
	m.state = 1;
	m.err_count = 1;
	detect_devlink_event(&d, &m);
	CHECK(c.started[NDEV] == 1);
	/* A reporter not in the list: ignored. */
	snprintf(m.reporter, sizeof(m.reporter), "empty");
	m.err_count = 2;
	detect_devlink_event(&d, &m);
	CHECK(c.total == 1);
	/* The healthy notification is lost in an overrun: the dump finds it. */
	k.dl_state = 0;
	k.dl_err = 1;
	k.dl_rec = 1;
	detect_read_error(&d, "devlink", -ENOBUFS);
	CHECK(c.back[NDEV] == 1 && d.st.devlink_resyncs == 2 && d.st.overruns == 1);
	/* The device goes away during another overrun: the dump misses it. */
	k.dl_gone = 1;
	detect_read_error(&d, "devlink", -ENOBUFS);
	CHECK(c.started[NDEV] == 2 && tracker_state(tr, "netdevsim/netdevsim1") ==
	      TRACKER_IN_SERVICE);
	k.dl_gone = 0;
	detect_read_error(&d, "devlink", -ENOBUFS);
	CHECK(c.back[NDEV] == 2);
	/*
	 * dev del, then dev new (a PCI rescan): the device is back when its
	 * reporters read healthy, not while one still reads in error (its
	 * healthy ends the event then); one with no reporter left is back
	 * at dev new.
	 */
	nl_dl_msg_init(&m, NLU_DEVLINK_CMD_DEL);
	snprintf(m.bus, sizeof(m.bus), "netdevsim");
	snprintf(m.dev, sizeof(m.dev), "netdevsim1");
	k.dl_gone = 1;
	detect_devlink_event(&d, &m);
	CHECK(c.started[NDEV] == 3);
	k.dl_gone = 0;
	k.dl_state = 1;
	k.dl_err = 2;
	m.cmd = NLU_DEVLINK_CMD_NEW;
	detect_devlink_event(&d, &m);
	CHECK(c.back[NDEV] == 2 && tracker_state(tr, "netdevsim/netdevsim1") ==
	      TRACKER_IN_SERVICE);
	k.dl_state = 0;
	k.dl_rec = 2;
	dl_notify(&d, &k);
	CHECK(c.back[NDEV] == 3 && c.started[NDEV] == 3);
	m.cmd = NLU_DEVLINK_CMD_DEL;
	k.dl_gone = 1;
	detect_devlink_event(&d, &m);
	m.cmd = NLU_DEVLINK_CMD_NEW;
	k.dl_gone = 0;
	detect_devlink_event(&d, &m);	/* healthy in the dump */
	CHECK(c.started[NDEV] == 4 && c.back[NDEV] == 4);
	m.cmd = NLU_DEVLINK_CMD_DEL;
	k.dl_state = 1;
	k.dl_err = 3;
	dl_notify(&d, &k);		/* an error: in service */
	detect_devlink_event(&d, &m);
	k.dl_gone = 1;			/* back without its reporter */
	m.cmd = NLU_DEVLINK_CMD_NEW;
	detect_devlink_event(&d, &m);
	CHECK(c.started[NDEV] == 5 && c.back[NDEV] == 5);
	tracker_free(tr);
}

/* A configuration counting netdevsim's dummy reporter, and d over it. */
static void
dl_setup(struct config *conf, struct detect *d, struct tracker *tr,
	 const struct detect_backend *be)
{
	char err[128];

	config_defaults(conf);
	snprintf(conf->driver, sizeof(conf->driver), "*");
	CHECK(config_set(conf, "reporters", "dummy", err, sizeof(err)) == 0);
	detect_init(d, conf, tr, be, now_fn);
}

/* A reporter notification (RECOVER, 54) of the fake kernel's current counts. */
static void
dl_notify(struct detect *d, const struct fake_kernel *k)
{
	struct nl_dl_msg m;

	fk_dl_msg(k, NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER, &m);
	detect_devlink_event(d, &m);
}

/*
 * Counts that do not depend on luck: errors and recoveries whose
 * notifications were lost are taken from the reporter's counts, so seen +
 * missed always equals what the kernel counted (by hand, then as a
 * property over random runs with dropped notifications and overruns).
 */
static void
test_devlink_accounting(void)
{
	struct config conf;
	struct fake_kernel k = { .dl_err = 5, .dl_rec = 5 };
	struct counts c = { 0 };
	struct ctrl_sink sink = { count_publish, &c };
	struct detect_backend be = { NULL, NULL, fk_dl_dump, &k };
	struct tracker *tr = tracker_new(1000, &sink);
	const struct detect_reporter *r;
	struct detect d;

	dl_setup(&conf, &d, tr, &be);
	/* The first dump is the base: errors from before are nobody's. */
	CHECK(detect_resync_devlink(&d, "start") == 0 && d.nb_rep == 1);
	r = &d.rep[0];
	CHECK(strcmp(r->handle, "netdevsim/netdevsim1") == 0 && strcmp(r->name, "dummy") == 0);
	CHECK(r->seen_err == 0 && r->missed_err == 0 && r->err == 5);
	/* An error and its recovery, both notified: seen. */
	k.dl_state = NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR;
	k.dl_err = 6;
	dl_notify(&d, &k);
	k.dl_state = NLU_DEVLINK_HEALTH_REPORTER_STATE_HEALTHY;
	k.dl_rec = 6;
	dl_notify(&d, &k);
	CHECK(r->seen_err == 1 && r->seen_rec == 1 && r->missed_err == 0 && r->missed_rec == 0);
	CHECK(c.started[NDEV] == 1 && c.back[NDEV] == 1);
	/* 10 errors and 9 recoveries lost in an overrun: the dump's counts say so. */
	k.dl_state = NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR;
	k.dl_err = 16;
	k.dl_rec = 15;
	detect_read_error(&d, "devlink", -ENOBUFS);
	CHECK(r->missed_err == 10 && r->missed_rec == 9);
	CHECK(d.st.devlink_missed_errors == 10 && d.st.devlink_missed_recovers == 9);
	CHECK(c.started[NDEV] == 2);
	/* A notification whose counts jumped: one seen, the rest missed. */
	k.dl_err = 19;
	dl_notify(&d, &k);
	CHECK(r->seen_err == 2 && r->missed_err == 12);
	/* A notification with nothing new (a settings change): nothing. */
	dl_notify(&d, &k);
	CHECK(r->seen_err == 2 && r->missed_err == 12 && r->seen_rec == 1 && r->missed_rec == 9);
	/* What the kernel does after an overrun: ENOBUFS first, then what was
	 * still queued. The resync (counts 25 / 24) takes the 6 + 9 missed;
	 * the stale notifications after it (21, 22) change nothing, not even
	 * the tracker's state.
	 */
	{
		struct fake_kernel old = k;
		int started = c.started[NDEV], back = c.back[NDEV];

		k.dl_state = NLU_DEVLINK_HEALTH_REPORTER_STATE_HEALTHY;
		k.dl_err = 25;
		k.dl_rec = 24;
		detect_read_error(&d, "devlink", -ENOBUFS);
		CHECK(r->missed_err == 18 && r->missed_rec == 18 && c.back[NDEV] == back + 1);
		old.dl_err = 21;
		old.dl_state = NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR;
		dl_notify(&d, &old);
		old.dl_err = 22;
		dl_notify(&d, &old);
		CHECK(r->seen_err == 2 && r->missed_err == 18 && r->seen_rec == 1 &&
		      r->missed_rec == 18 && r->err == 25 && r->rec == 24);
		CHECK(c.started[NDEV] == started &&
		      tracker_state(tr, "netdevsim/netdevsim1") == TRACKER_PRESENT);
	}
	/* The reporter re-created (counts from 0): its 2 errors and 1 recovery since. */
	k.dl_state = NLU_DEVLINK_HEALTH_REPORTER_STATE_HEALTHY;
	k.dl_err = 2;
	k.dl_rec = 1;
	CHECK(detect_resync_devlink(&d, "devlink") == 0);
	CHECK(r->missed_err == 20 && r->missed_rec == 19 && r->err == 2 && r->rec == 1);
	tracker_free(tr);

	/* The property: seen + missed = counted by the kernel, whatever is lost. */
	srand(7);
	for (int run = 0; run < 200; run++) {
		struct fake_kernel kk = { 0 };
		struct detect_backend b2 = { NULL, NULL, fk_dl_dump, &kk };
		struct tracker *t2 = tracker_new(1000, &sink);
		uint64_t errs = 0, recs = 0;

		detect_init(&d, &conf, t2, &b2, now_fn);
		detect_resync_devlink(&d, "start");
		struct fake_kernel queue[8];
		int nq = 0;

		for (int step = 0; step < 100; step++) {
			bool recover = rand() % 2 == 0;

			kk.dl_state = recover ? NLU_DEVLINK_HEALTH_REPORTER_STATE_HEALTHY :
				NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR;
			if (recover) {
				kk.dl_rec++;
				recs++;
			} else {
				kk.dl_err++;
				errs++;
			}
			switch (rand() % 5) {
			case 0:
				break;	/* notification dropped */
			case 1:
				/* Queued: the socket is read later. */
				if (nq < 8)
					queue[nq++] = kk;
				break;
			case 2:
				/* An overrun: ENOBUFS first, then what was queued. */
				detect_read_error(&d, "devlink", -ENOBUFS);
				for (int q = 0; q < nq; q++)
					dl_notify(&d, &queue[q]);
				nq = 0;
				break;
			default:
				for (int q = 0; q < nq; q++)
					dl_notify(&d, &queue[q]);
				nq = 0;
				dl_notify(&d, &kk);
				break;
			}
		}
		detect_read_error(&d, "devlink", -ENOBUFS);
		r = &d.rep[0];
		CHECK(d.nb_rep == 1 && r->seen_err + r->missed_err == errs &&
		      r->seen_rec + r->missed_rec == recs);
		CHECK(d.st.devlink_missed_errors == r->missed_err &&
		      d.st.devlink_missed_recovers == r->missed_rec);
		tracker_free(t2);
	}
}

static void
mk(const char *path)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	CHECK(system(cmd) == 0);
}

static void
test_selection(void)
{
	char root[] = "/tmp/detect_test.XXXXXX";
	char a[PATH_MAX], b[PATH_MAX], err[128];
	struct config conf;
	struct detect d;
	struct detect_backend be = { 0 };

	CHECK(mkdtemp(root) != NULL);
	snprintf(a, sizeof(a), "%s/devices/pci0000:00/7870:00:00.0/mana.rdma.0", root);
	mk(a);
	snprintf(a, sizeof(a), "%s/bus/auxiliary/drivers/mana_ib", root);
	mk(a);
	snprintf(a, sizeof(a), "%s/class/infiniband/mana_0", root);
	mk(a);
	snprintf(a, sizeof(a), "%s/devices/pci0000:00/7870:00:00.0/mana.rdma.0", root);
	snprintf(b, sizeof(b), "%s/class/infiniband/mana_0/device", root);
	CHECK(symlink(a, b) == 0);
	snprintf(a, sizeof(a), "%s/bus/auxiliary/drivers/mana_ib", root);
	snprintf(b, sizeof(b), "%s/devices/pci0000:00/7870:00:00.0/mana.rdma.0/driver", root);
	CHECK(symlink(a, b) == 0);

	config_defaults(&conf);
	snprintf(conf.sysfs, sizeof(conf.sysfs), "%s", root);
	detect_init(&d, &conf, NULL, &be, now_fn);
	CHECK(detect_rdma_selected(&d, "mana_0", "eth0") == 1);	/* mana matches mana_ib */
	CHECK(detect_rdma_selected(&d, "rxe0", "eth1") == 0);
	snprintf(conf.driver, sizeof(conf.driver), "mlx5");
	CHECK(detect_rdma_selected(&d, "mana_0", "eth0") == 0);
	snprintf(conf.driver, sizeof(conf.driver), "mana");
	CHECK(config_set(&conf, "pci_allow", "7870:00:00.0", err, sizeof(err)) == 0);
	CHECK(detect_rdma_selected(&d, "mana_0", "eth0") == 1);
	CHECK(config_set(&conf, "pci_allow", "0000:00:03.0", err, sizeof(err)) == 0);
	CHECK(detect_rdma_selected(&d, "mana_0", "eth0") == 0);
	CHECK(detect_devlink_selected(&d, "pci", "0000:00:03.0") == 0);
	snprintf(conf.driver, sizeof(conf.driver), "*");
	CHECK(detect_devlink_selected(&d, "pci", "0000:00:03.0") == 1);
	CHECK(detect_devlink_selected(&d, "pci", "0000:00:04.0") == 0);
	snprintf(a, sizeof(a), "rm -rf '%s'", root);
	CHECK(system(a) == 0);
}

/*
 * A device selected by its driver stays selected when its PCI function is
 * gone from sysfs: in a service event that removes the function (an FPGA
 * reconfiguration), the reporter's error may be read after the removal.
 */
static void
test_selection_outlives_sysfs(void)
{
	char root[] = "/tmp/detect_test.XXXXXX";
	char a[PATH_MAX], b[PATH_MAX], err[128];
	struct config conf;
	struct counts c = { 0 };
	struct ctrl_sink sink = { count_publish, &c };
	struct tracker *tr = tracker_new(1000, &sink);
	struct detect_backend be = { 0 };
	struct nl_dl_msg m;
	struct detect d;

	CHECK(mkdtemp(root) != NULL);
	snprintf(a, sizeof(a), "%s/devices/pci0000:00/7870:00:00.0", root);
	mk(a);
	snprintf(a, sizeof(a), "%s/bus/pci/drivers/mana", root);
	mk(a);
	snprintf(a, sizeof(a), "%s/bus/pci/devices", root);
	mk(a);
	snprintf(a, sizeof(a), "%s/devices/pci0000:00/7870:00:00.0", root);
	snprintf(b, sizeof(b), "%s/bus/pci/devices/7870:00:00.0", root);
	CHECK(symlink(a, b) == 0);
	snprintf(a, sizeof(a), "%s/bus/pci/drivers/mana", root);
	snprintf(b, sizeof(b), "%s/devices/pci0000:00/7870:00:00.0/driver", root);
	CHECK(symlink(a, b) == 0);

	config_defaults(&conf);
	snprintf(conf.sysfs, sizeof(conf.sysfs), "%s", root);
	CHECK(config_set(&conf, "reporters", "fw_fatal", err, sizeof(err)) == 0);
	detect_init(&d, &conf, tr, &be, now_fn);
	/* Read once, healthy, while the function is there: selected. */
	nl_dl_msg_init(&m, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET);
	snprintf(m.bus, sizeof(m.bus), "pci");
	snprintf(m.dev, sizeof(m.dev), "7870:00:00.0");
	snprintf(m.reporter, sizeof(m.reporter), "fw_fatal");
	m.present = NL_DL_REPORTER_COMPLETE | NL_DL_HAS_REPORTER;
	detect_devlink_event(&d, &m);
	CHECK(c.total == 0);
	/* The function goes; the error that began it is read after. */
	snprintf(b, sizeof(b), "%s/bus/pci/devices/7870:00:00.0", root);
	CHECK(unlink(b) == 0);
	snprintf(b, sizeof(b), "%s/devices/pci0000:00/7870:00:00.0/driver", root);
	CHECK(unlink(b) == 0);
	nl_dl_msg_init(&m, NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER);
	snprintf(m.bus, sizeof(m.bus), "pci");
	snprintf(m.dev, sizeof(m.dev), "7870:00:00.0");
	snprintf(m.reporter, sizeof(m.reporter), "fw_fatal");
	m.present = NL_DL_REPORTER_COMPLETE | NL_DL_HAS_REPORTER;
	m.state = 1;
	m.err_count = 1;
	detect_devlink_event(&d, &m);
	CHECK(c.started[NDEV] == 1);
	/* A device never read is still chosen by its driver: not this one. */
	snprintf(m.dev, sizeof(m.dev), "7870:00:01.0");
	detect_devlink_event(&d, &m);
	CHECK(c.total == 1);
	/* pci_allow still applies to a device read before. */
	CHECK(config_set(&conf, "pci_allow", "0000:00:03.0", err, sizeof(err)) == 0);
	snprintf(m.dev, sizeof(m.dev), "7870:00:00.0");
	m.state = 0;
	m.recover_count = 1;
	detect_devlink_event(&d, &m);
	CHECK(c.total == 1);
	tracker_free(tr);
	snprintf(a, sizeof(a), "rm -rf '%s'", root);
	CHECK(system(a) == 0);
}

int
main(void)
{
	FILE *devnull = fopen("/dev/null", "w");

	log_setup(devnull, true, true);
	test_overrun_resync_property();
	test_uevent_fallback();
	test_devlink();
	test_devlink_accounting();
	test_selection();
	test_selection_outlives_sysfs();
	fclose(devnull);
	if (test_failures != 0) {
		fprintf(stderr, "detect_test: %d failures\n", test_failures);
		return 1;
	}
	printf("detect_test: ok\n");
	return 0;
}
