/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The mailbox sink in one process, behind a tracker, over a fake sysfs: the
 * port of each device (PCI address from sysfs or from a devlink handle; an
 * unregistered device found by its record's name, then GUID), the ctrl
 * record after each detection (state, source, reason, counters, identity,
 * gen), the events counted on the ctrl -> PMD ring, a device without a PCI
 * address left out, the next sink still called, and a re-adopted segment:
 * records kept, a device back meanwhile published as HW_BACK. Removals
 * (issue 14): the PCI function gone with nothing before it is a hot-remove
 * (HOT_REMOVE cause surprise, no SVC_START), gone in a service event that
 * began before (the record SERVICE, or a reporter's error) a service
 * removal (cause service), published once per removal. Review defect 5: a
 * failed SVC_START post is reported even when the HOT_REMOVE post after it
 * succeeds.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrl/ctrld/config.h"
#include "ctrl/ctrld/log.h"
#include "ctrl/common/mbox_names.h"
#include "ctrl/ctrld/sink_mbox.h"
#include "ctrl/ctrld/tracker.h"
#include "proto/mbox.h"
#include "tests/lib/test_util.h"

#define SEC 1000000000ull
#define PCI "7870:00:00.0"

static char dir[64];
static int next_calls;

static int
next_publish(void *ctx, const struct ctrl_event *ev)
{
	(void)ctx;
	(void)ev;
	next_calls++;
	return 0;
}

static void
sh(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg);
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(1);
	}
}

static struct ctrl_ident
ident(const char *name, uint32_t index, uint64_t guid, const char *netdev)
{
	struct ctrl_ident id = { .index = index, .has_index = 1, .node_guid = guid };

	snprintf(id.name, sizeof(id.name), "%s", name);
	snprintf(id.netdev, sizeof(id.netdev), "%s", netdev);
	id.ifindex = index + 100;
	return id;
}

/* Port p of segment DIR/name as a read-only tool sees it. */
static struct mbox_port
port_of_seg(const char *name, unsigned int p)
{
	struct mbox_port pt;
	char seg[128];
	struct mbox *r;

	memset(&pt, 0, sizeof(pt));
	snprintf(seg, sizeof(seg), "%s/%s", dir, name);
	r = mbox_open(seg);
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK(mbox_port_read(r, p, &pt) == 0);
		mbox_close(r);
	}
	return pt;
}

static struct mbox_port
port(unsigned int p)
{
	return port_of_seg("mbox", p);
}

static struct mbox_port
port6(unsigned int p)
{
	return port_of_seg("mbox6", p);
}

/* The last ctrl -> PMD event of port p (type NONE if none), from a cursor. */
static struct mbox_event
last_to_pmd(const char *seg_name, unsigned int p)
{
	struct mbox_event last = { .type = MBOX_EV_NONE };
	struct mbox_cursor_ev ce;
	struct mbox_cursor *c;
	char seg[128];
	struct mbox *r;

	snprintf(seg, sizeof(seg), "%s/%s", dir, seg_name);
	r = mbox_open(seg);
	CHECK(r != NULL);
	if (r == NULL)
		return last;
	c = mbox_cursor_new(r, MBOX_CURSOR_OLDEST);
	CHECK(c != NULL);
	while (c != NULL && mbox_cursor_next(c, &ce) == 1)
		if (ce.dir == MBOX_DIR_TO_PMD && ce.ev.port == p && ce.ev.type != MBOX_EV_RESYNC)
			last = ce.ev;
	mbox_cursor_free(c);
	mbox_close(r);
	return last;
}

static struct sink_mbox *
open_sink(struct config *conf)
{
	static const struct ctrl_sink next = { .publish = next_publish };
	char err[512] = "";
	struct sink_mbox *s = sink_mbox_open(conf, &next, err, sizeof(err));

	if (s == NULL) {
		fprintf(stderr, "sink_mbox_open: %s\n", err);
		exit(1);
	}
	return s;
}

/* A PMD attaching from a thread while the test pumps ctrl's side. */
struct attach {
	char sock[128];
	struct mbox *mb;
	int done;
};

static void *
attach_thread(void *arg)
{
	struct attach *a = arg;

	a->mb = mbox_attach(a->sock, 0);
	if (a->mb == NULL)
		fprintf(stderr, "mbox_attach: %s\n", mbox_errmsg());
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static struct mbox *
attach_pumped(struct sink_mbox *s, const char *sock)
{
	struct attach a = { .mb = NULL };
	struct pollfd pfd = { .fd = sink_mbox_fd(s), .events = POLLIN };
	pthread_t t;

	snprintf(a.sock, sizeof(a.sock), "%s", sock);
	if (pthread_create(&t, NULL, attach_thread, &a) != 0)
		return NULL;
	while (!__atomic_load_n(&a.done, __ATOMIC_ACQUIRE)) {
		(void)poll(&pfd, 1, 5);
		sink_mbox_on_fd(s, pfd.fd, POLLIN);
	}
	pthread_join(t, NULL);
	return a.mb;
}

/*
 * The PMD consumes from the log: when the sink logs the failed SVC_START
 * post, the PMD takes one event off the full ring, as a PMD running in
 * another process may do at any moment, so HOT_REMOVE finds room.
 */
static struct mbox *drain_pmd;
static int drained;

static ssize_t
log_write(void *cookie, const char *buf, size_t n)
{
	struct mbox_event ev;

	(void)cookie;
	fwrite(buf, 1, n, stderr);
	if (drain_pmd != NULL && memmem(buf, n, "mailbox post failed", 19) != NULL &&
	    memmem(buf, n, "svc_start", 9) != NULL) {
		for (int i = 0; i < 8; i++) {
			if (mbox_next(drain_pmd, &ev) == 1 && ev.type >= MBOX_EV_SVC_START &&
			    ev.type <= MBOX_EV_GONE) {
				drained++;
				break;
			}
		}
	}
	return (ssize_t)n;
}

/*
 * Review defect 5: publish_event() posts SVC_START, then HOT_REMOVE when the
 * PCI function is gone, and returned only the second post's result: a lost
 * SVC_START was reported as success whenever HOT_REMOVE got through.
 */
static void
test_svc_start_post_failure(void)
{
	static const cookie_io_functions_t io = { .write = log_write };
	struct ctrl_ident id0 = ident("mana_0", 1, 0x1000, "eth0");
	struct ctrl_event lost = {
		.kind = CTRL_EV_SERVICE_STARTED, .key = "mana_0", .ident = &id0,
		.source = "rdma-monitor", .reason = "UNREGISTER", .t_ns = 1,
	};
	struct ctrl_event back = {
		.kind = CTRL_EV_HW_BACK, .key = "mana_0", .ident = &id0,
		.source = "rdma-monitor", .reason = "UNREGISTER", .t_ns = 1,
	};
	struct ctrl_ident h = { .name = "pci/" PCI };
	struct ctrl_event ev = {
		.kind = CTRL_EV_SERVICE_STARTED, .key = "pci/" PCI, .ident = &h,
		.source = "devlink", .reason = "reporter fw_fatal error (error 4 recover 3)",
		.t_ns = 2,
	};
	struct mbox_event last;
	const struct ctrl_sink *k;
	struct mbox_info info;
	struct mbox_port pt;
	struct config conf;
	struct sink_mbox *s;
	struct mbox *pmd;
	char sock[128];
	FILE *logf;
	int p, ret;

	config_defaults(&conf);
	snprintf(conf.sysfs, sizeof(conf.sysfs), "%s/sys", dir);
	snprintf(conf.mbox.path, sizeof(conf.mbox.path), "%s/mbox5", dir);
	snprintf(sock, sizeof(sock), "%s.sock", conf.mbox.path);
	s = open_sink(&conf);
	k = sink_mbox_sink(s);
	sink_mbox_present(s, "mana_0", &id0, 1);
	pmd = attach_pumped(s, sock);
	CHECK(pmd != NULL);
	if (pmd == NULL) {
		sink_mbox_close(s);
		return;
	}
	p = mbox_port_find(pmd, PCI);
	CHECK(p >= 0 && mbox_port_claim(pmd, (unsigned int)p) == 0);
	CHECK(mbox_info(pmd, &info) == 0 && info.ring_slots > 0);
	/* The PMD does not consume: the ctrl -> PMD ring fills up with outages
	 * (SVC_START, HW_BACK; ring_slots is even: the record ends UP).
	 */
	for (unsigned int i = 0; i < info.ring_slots; i++)
		CHECK(k->publish(k->ctx, i % 2 == 0 ? &lost : &back) == 0);
	CHECK(mbox_port_read(pmd, (unsigned int)p, &pt) == 0);
	CHECK(pt.c2p_posted == info.ring_slots && pt.c2p_lost == 0);

	/*
	 * The reporter's error, the PCI function already gone: a service event
	 * and its removal, SVC_START then HOT_REMOVE (cause service); SVC_START
	 * finds the ring full, HOT_REMOVE finds room.
	 */
	sh("rm %s/sys/bus/pci/devices/" PCI " && true %s %s", dir);
	logf = fopencookie(NULL, "w", io);
	CHECK(logf != NULL);
	log_setup(logf != NULL ? logf : stderr, false, true);
	drain_pmd = pmd;
	ret = k->publish(k->ctx, &ev);
	drain_pmd = NULL;
	log_setup(stderr, false, true);
	if (logf != NULL)
		fclose(logf);
	CHECK(mbox_port_read(pmd, (unsigned int)p, &pt) == 0);
	CHECK(drained == 1);
	CHECK(pt.ctrl.hw_state == MBOX_HW_REMOVED);
	CHECK(pt.c2p_lost == 1);			/* SVC_START */
	CHECK(pt.c2p_posted == info.ring_slots + 1);	/* HOT_REMOVE */
	CHECK(pt.ctrl.nb_service == info.ring_slots / 2 + 1 && pt.ctrl.nb_removed == 1);
	last = last_to_pmd("mbox5", (unsigned int)p);
	CHECK(last.type == MBOX_EV_HOT_REMOVE && last.u.rm.cause == MBOX_RM_SERVICE);
	CHECK(last.u.rm.source == MBOX_SRC_DEVLINK);
	CHECK(last.u.rm.reason == SVC_REASON_REPORTER_ERROR);
	if (ret != -ENOBUFS)
		fprintf(stderr, "defect 5: SVC_START was lost, publish returned %d, "
			"want %d (-ENOBUFS)\n", ret, -ENOBUFS);
	CHECK(ret == -ENOBUFS);

	sh("ln -s ../../../devices/pci0000:00/" PCI " %s/sys/bus/pci/devices/" PCI
	   " && true %s %s", dir);
	mbox_close(pmd);
	sink_mbox_close(s);
}

/*
 * A service event that began while the PCI function was there (an RDMA
 * unregister), then the function goes (devlink dev del, or the simulated
 * kernel's pci remove): the removal is part of it, HOT_REMOVE (cause
 * service) alone, the service event counted once. A port UP whose function
 * goes (pci remove) is a hot-remove.
 */
static void
test_service_removal(void)
{
	struct ctrl_ident id0 = ident("mana_0", 1, 0x1000, "eth0");
	struct mbox_event last;
	struct config conf;
	struct mbox_port pt;
	struct sink_mbox *s;
	struct tracker *tr;
	uint64_t t = 1 * SEC;

	config_defaults(&conf);
	snprintf(conf.sysfs, sizeof(conf.sysfs), "%s/sys", dir);
	snprintf(conf.mbox.path, sizeof(conf.mbox.path), "%s/mbox6", dir);
	s = open_sink(&conf);
	tr = tracker_new(10 * SEC, sink_mbox_sink(s));
	tracker_set_present_cb(tr, sink_mbox_present, s);
	tracker_seen(tr, &id0, "start", t);
	tracker_lost(tr, "mana_0", "rdma-monitor", "UNREGISTER", t += SEC);
	pt = port6(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_SERVICE && pt.c2p_posted == 1);
	sh("rm %s/sys/bus/pci/devices/" PCI " && true %s %s", dir);
	tracker_lost(tr, "pci/" PCI, "devlink", "dev del", t += SEC);
	pt = port6(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_REMOVED && pt.ctrl.nb_removed == 1);
	CHECK(pt.ctrl.nb_service == 1 && pt.c2p_posted == 2);
	/* The record keeps the service event's source and reason. */
	CHECK(pt.ctrl.svc_source == MBOX_SRC_RDMA_NL);
	CHECK(pt.ctrl.svc_reason == SVC_REASON_UNREGISTER);
	last = last_to_pmd("mbox6", 0);
	CHECK(last.type == MBOX_EV_HOT_REMOVE && last.u.rm.cause == MBOX_RM_SERVICE);
	CHECK(last.u.rm.source == MBOX_SRC_DEVLINK && last.u.rm.reason == SVC_REASON_DEVLINK_DEL);
	/* Rescanned: back (RDMA's register), HW_BACK once: devlink's healthy after it
	 * finds the port back already (the identity only, no gen + 1, no event).
	 */
	sh("ln -s ../../../devices/pci0000:00/" PCI " %s/sys/bus/pci/devices/" PCI
	   " && true %s %s", dir);
	id0.index = 2;
	tracker_seen(tr, &id0, "rdma-monitor", t += SEC);
	pt = port6(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_UP && pt.c2p_posted == 3 && pt.ctrl.ident.gen == 2);
	tracker_health(tr, "pci/" PCI, "fw_fatal", false, 0, 0, t += SEC);
	pt = port6(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_UP && pt.c2p_posted == 3 && pt.ctrl.ident.gen == 2);
	CHECK(pt.ctrl.nb_hw_back == 1);
	/* One service event seen by two sources (devlink's error, then RDMA's
	 * unregister, the function there): SVC_START once, counted once.
	 */
	tracker_health(tr, "pci/" PCI, "fw_fatal", true, 1, 0, t += SEC);
	tracker_lost(tr, "mana_0", "rdma-monitor", "UNREGISTER", t += SEC);
	pt = port6(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_SERVICE && pt.c2p_posted == 4);
	CHECK(pt.ctrl.nb_service == 2 && pt.ctrl.svc_source == MBOX_SRC_DEVLINK);
	last = last_to_pmd("mbox6", 0);
	CHECK(last.type == MBOX_EV_SVC_START && last.u.svc.detail == 1);
	id0.index = 3;
	tracker_seen(tr, &id0, "rdma-monitor", t += SEC);
	tracker_health(tr, "pci/" PCI, "fw_fatal", false, 1, 1, t += SEC);
	pt = port6(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_UP && pt.c2p_posted == 5 && pt.ctrl.ident.gen == 3);
	/* The function goes with nothing before it (pci remove): surprise. */
	sh("rm %s/sys/bus/pci/devices/" PCI " && true %s %s", dir);
	sink_mbox_pci_removed(s, PCI, "uevent", t += SEC);
	pt = port6(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_REMOVED && pt.ctrl.nb_removed == 2);
	CHECK(pt.ctrl.nb_service == 2 && pt.c2p_posted == 6);
	CHECK(pt.ctrl.svc_source == MBOX_SRC_UEVENT && pt.ctrl.svc_reason == SVC_REASON_PCI_REMOVE);
	last = last_to_pmd("mbox6", 0);
	CHECK(last.type == MBOX_EV_HOT_REMOVE && last.u.rm.cause == MBOX_RM_SURPRISE);
	/* Both sources' gone timeouts: GONE once. */
	tracker_lost(tr, "mana_0", "rdma-monitor", "UNREGISTER", t += SEC);
	tracker_lost(tr, "pci/" PCI, "devlink", "dev del", t);
	tracker_tick(tr, t + 11 * SEC);
	pt = port6(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_GONE && pt.c2p_posted == 7);
	/* An unknown PCI address: nothing. */
	sink_mbox_pci_removed(s, "0000:42:00.0", "uevent", t += SEC);
	CHECK(port6(1).ctrl.hw_state == MBOX_HW_NONE);
	sh("ln -s ../../../devices/pci0000:00/" PCI " %s/sys/bus/pci/devices/" PCI
	   " && true %s %s", dir);
	tracker_free(tr);
	sink_mbox_close(s);
}

int
main(void)
{
	struct ctrl_ident id0 = ident("mana_0", 1, 0x1000, "eth0");
	struct ctrl_ident id5 = ident("mana_5", 2, 0x1000, "eth5");
	struct ctrl_ident rxe = ident("rxe0", 3, 0x2000, "lo");
	struct config conf;
	struct sink_mbox *s;
	struct tracker *tr;
	struct mbox_port pt;
	struct mbox_event last;
	uint64_t t = 1 * SEC;


	snprintf(dir, sizeof(dir), "/tmp/sinkmboxXXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	log_setup(stderr, false, true);
	sh("mkdir -p %s/sys/devices/pci0000:00/" PCI "/mana.rdma.0 %s/sys/bus/pci/devices "
	   "%s/sys/class/infiniband/mana_0", dir);
	sh("ln -s ../../../devices/pci0000:00/" PCI "/mana.rdma.0 "
	   "%s/sys/class/infiniband/mana_0/device && ln -s ../../../devices/pci0000:00/" PCI
	   " %s/sys/bus/pci/devices/" PCI " && true %s", dir);
	config_defaults(&conf);
	snprintf(conf.sysfs, sizeof(conf.sysfs), "%s/sys", dir);
	snprintf(conf.mbox.path, sizeof(conf.mbox.path), "%s/mbox", dir);
	s = open_sink(&conf);
	tr = tracker_new(10 * SEC, sink_mbox_sink(s));
	tracker_set_present_cb(tr, sink_mbox_present, s);

	/* Seen: a port for its PCI address, UP, gen 1; no event. */
	tracker_seen(tr, &id0, "start", t);
	pt = port(0);
	CHECK(strcmp(pt.ctrl.ident.pci, PCI) == 0);
	CHECK(strcmp(pt.ctrl.ident.ibdev, "mana_0") == 0);
	CHECK(strcmp(pt.ctrl.ident.netdev, "eth0") == 0);
	CHECK(pt.ctrl.ident.node_guid == 0x1000 && pt.ctrl.ident.gen == 1);
	CHECK(pt.ctrl.hw_state == MBOX_HW_UP && pt.c2p_posted == 0);
	/* No PCI address (rxe): not published. */
	tracker_seen(tr, &rxe, "start", t);
	CHECK(port(1).ctrl.hw_state == MBOX_HW_NONE);

	/* Lost: SERVICE, source and reason, SVC_START posted; the log sink too. */
	tracker_lost(tr, "mana_0", "rdma-monitor", "UNREGISTER", t += SEC);
	pt = port(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_SERVICE && pt.ctrl.nb_service == 1);
	CHECK(pt.ctrl.svc_source == MBOX_SRC_RDMA_NL);
	CHECK(pt.ctrl.svc_reason == SVC_REASON_UNREGISTER);
	CHECK(pt.c2p_posted == 1 && next_calls == 1);

	/* Back under another name (no sysfs entry for it): found by GUID, new identity. */
	tracker_seen(tr, &id5, "rdma-monitor", t += SEC);
	pt = port(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_UP && pt.ctrl.nb_hw_back == 1);
	CHECK(strcmp(pt.ctrl.ident.ibdev, "mana_5") == 0);
	CHECK(strcmp(pt.ctrl.ident.netdev, "eth5") == 0 && pt.ctrl.ident.ifindex == 102);
	CHECK(strcmp(pt.ctrl.ident.pci, PCI) == 0 && pt.ctrl.ident.gen == 2);
	CHECK(pt.c2p_posted == 2);

	/* devlink on the same PCI function: same port; the RDMA identity stays. */
	tracker_health(tr, "pci/" PCI, "fw", true, 3, 0, t += SEC);
	pt = port(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_SERVICE && pt.ctrl.svc_source == MBOX_SRC_DEVLINK);
	CHECK(pt.ctrl.svc_reason == SVC_REASON_REPORTER_ERROR && pt.c2p_posted == 3);
	tracker_health(tr, "pci/" PCI, "fw", false, 3, 1, t += SEC);
	pt = port(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_UP && pt.ctrl.ident.gen == 3);
	CHECK(strcmp(pt.ctrl.ident.ibdev, "mana_5") == 0 && pt.c2p_posted == 4);
	/* A devlink handle of another PCI function gets its own port. */
	tracker_health(tr, "pci/0000:99:00.0", "fw", true, 1, 0, t += SEC);
	pt = port(1);
	CHECK(strcmp(pt.ctrl.ident.pci, "0000:99:00.0") == 0);
	/*
	 * Not in our sysfs: a reporter's error is reported only while the
	 * device is there, so the removal is part of that service event:
	 * SVC_START, then HOT_REMOVE (cause service).
	 */
	CHECK(pt.ctrl.hw_state == MBOX_HW_REMOVED && pt.ctrl.nb_service == 1);
	CHECK(pt.c2p_posted == 2 && pt.ctrl.nb_removed == 1);
	last = last_to_pmd("mbox", 1);
	CHECK(last.type == MBOX_EV_HOT_REMOVE && last.u.rm.cause == MBOX_RM_SERVICE);

	/*
	 * The PCI function goes away with the device, nothing before it: a
	 * hot-remove. REMOVED, one event (HOT_REMOVE, cause surprise), no
	 * SVC_START, no service event counted.
	 */
	sh("rm %s/sys/bus/pci/devices/" PCI " && true %s %s", dir);
	tracker_lost(tr, "mana_5", "rdma-monitor", "UNREGISTER", t += SEC);
	pt = port(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_REMOVED && pt.ctrl.nb_removed == 1);
	CHECK(pt.ctrl.nb_service == 2 && pt.c2p_posted == 5);
	CHECK(pt.ctrl.svc_source == MBOX_SRC_RDMA_NL);
	CHECK(pt.ctrl.svc_reason == SVC_REASON_UNREGISTER);
	last = last_to_pmd("mbox", 0);
	CHECK(last.type == MBOX_EV_HOT_REMOVE && last.u.rm.cause == MBOX_RM_SURPRISE);
	CHECK(last.u.rm.source == MBOX_SRC_RDMA_NL && last.u.rm.reason == SVC_REASON_UNREGISTER);
	/* The same removal seen again (pci remove): published once. */
	sink_mbox_pci_removed(s, PCI, "uevent", t += SEC);
	pt = port(0);
	CHECK(pt.ctrl.nb_removed == 1 && pt.ctrl.nb_service == 2 && pt.c2p_posted == 5);
	/* Not back in time: GONE. */
	tracker_tick(tr, t + 11 * SEC);
	pt = port(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_GONE && pt.c2p_posted == 6);
	CHECK(port(1).ctrl.hw_state == MBOX_HW_GONE && port(1).c2p_posted == 3);
	CHECK(sink_mbox_last(s, 0, &last) == 0 && last.type == MBOX_EV_NONE);
	CHECK(sink_mbox_last(s, MBOX_MAX_PORTS, &last) == -EINVAL);
	tracker_free(tr);
	sink_mbox_close(s);

	/* A new ctrl re-adopts: records kept; the device seen again is HW_BACK, gen 4. */
	sh("ln -s ../../../devices/pci0000:00/" PCI " %s/sys/bus/pci/devices/" PCI
	   " && true %s %s", dir);
	s = open_sink(&conf);
	tr = tracker_new(10 * SEC, sink_mbox_sink(s));
	tracker_set_present_cb(tr, sink_mbox_present, s);
	CHECK(port(0).ctrl.hw_state == MBOX_HW_GONE);
	tracker_seen(tr, &id0, "start", t += 20 * SEC);
	pt = port(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_UP && pt.ctrl.ident.gen == 4);
	CHECK(strcmp(pt.ctrl.ident.ibdev, "mana_0") == 0 && pt.ctrl.nb_hw_back == 3);
	CHECK(pt.c2p_posted == 7);
	/* Seen again, nothing new: no event. */
	tracker_seen(tr, &id0, "poll", t += SEC);
	CHECK(port(0).c2p_posted == 7);
	tracker_free(tr);
	sink_mbox_close(s);

	/* Re-adopted, and the device is not in the first dump: SERVICE + SVC_START. */
	s = open_sink(&conf);
	tr = tracker_new(10 * SEC, sink_mbox_sink(s));
	tracker_set_present_cb(tr, sink_mbox_present, s);
	sink_mbox_adopt(s, tr, t += SEC);
	pt = port(0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_SERVICE && pt.ctrl.nb_service == 3);
	CHECK(pt.ctrl.svc_reason == SVC_REASON_ABSENT_AT_RESTART && pt.c2p_posted == 8);
	CHECK(port(1).c2p_posted == 3);		/* no IB device: not the tracker's */
	tracker_free(tr);
	sink_mbox_close(s);
	/* Again while in service: the tracker takes it over, nothing re-posted; GONE later. */
	s = open_sink(&conf);
	tr = tracker_new(10 * SEC, sink_mbox_sink(s));
	tracker_set_present_cb(tr, sink_mbox_present, s);
	sink_mbox_adopt(s, tr, t += SEC);
	CHECK(tracker_state(tr, "mana_0") == TRACKER_IN_SERVICE);
	CHECK(port(0).c2p_posted == 8 && port(0).ctrl.nb_service == 3);
	tracker_tick(tr, t + 11 * SEC);
	CHECK(port(0).ctrl.hw_state == MBOX_HW_GONE && port(0).c2p_posted == 9);
	tracker_free(tr);
	sink_mbox_close(s);

	test_service_removal();

	test_svc_start_post_failure();

	sh("rm -rf %s && true %s %s", dir);
	if (test_failures != 0) {
		fprintf(stderr, "sink_mbox_test: %d failure(s)\n", test_failures);
		return 1;
	}
	printf("sink_mbox_test: ok\n");
	return 0;
}
