/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The tracker on synthetic event sequences with a fake monotonic clock: a
 * MANA service event (UNREGISTER, REGISTER 10 s later with a new index), a
 * device that never comes back, one that comes back under a new name, dump
 * diffs, devlink reporters, duplicates.
 */
#include <stdio.h>
#include <string.h>

#include "ctrl/ctrld/tracker.h"
#include "tests/lib/test_util.h"

#define SEC 1000000000ull

struct rec {
	int n;
	struct {
		enum ctrl_event_kind kind;
		char key[CTRL_NAME_MAX];
		struct ctrl_ident ident;
		char source[16];
		char reason[96];
		uint64_t t, started;
	} ev[32];
};

static int
rec_publish(void *ctx, const struct ctrl_event *ev)
{
	struct rec *r = ctx;

	if (r->n == 32)
		return -1;
	r->ev[r->n].kind = ev->kind;
	snprintf(r->ev[r->n].key, sizeof(r->ev[0].key), "%s", ev->key);
	r->ev[r->n].ident = *ev->ident;
	snprintf(r->ev[r->n].source, sizeof(r->ev[0].source), "%s", ev->source);
	snprintf(r->ev[r->n].reason, sizeof(r->ev[0].reason), "%s", ev->reason);
	r->ev[r->n].t = ev->t_ns;
	r->ev[r->n].started = ev->started_ns;
	r->n++;
	return 0;
}

static struct ctrl_ident
ident(const char *name, uint32_t index, uint64_t guid, const char *netdev)
{
	struct ctrl_ident id = { .index = index, .has_index = 1, .node_guid = guid };

	snprintf(id.name, sizeof(id.name), "%s", name);
	snprintf(id.netdev, sizeof(id.netdev), "%s", netdev);
	return id;
}

static void
test_service_event(void)
{
	struct rec r = { 0 };
	struct ctrl_sink sink = { rec_publish, &r };
	struct tracker *tr = tracker_new(60 * SEC, &sink);
	struct ctrl_ident a = ident("mana_0", 0, 0x1122, "eth0");
	struct ctrl_ident b = ident("mana_0", 1, 0x1122, "eth0");
	uint64_t t0 = 1000 * SEC;

	tracker_seen(tr, &a, "dump", t0);
	CHECK(r.n == 0 && tracker_state(tr, "mana_0") == TRACKER_PRESENT);
	CHECK(tracker_next_deadline(tr, t0) == -1);
	tracker_lost(tr, "mana_0", "rdma-monitor", "UNREGISTER", t0 + SEC);
	CHECK(r.n == 1 && r.ev[0].kind == CTRL_EV_SERVICE_STARTED);
	CHECK(strcmp(r.ev[0].source, "rdma-monitor") == 0);
	CHECK(strcmp(r.ev[0].reason, "UNREGISTER") == 0 && r.ev[0].t == t0 + SEC);
	CHECK(r.ev[0].ident.node_guid == 0x1122);
	/* A second UNREGISTER (or the uevent of the same removal): no new event. */
	tracker_lost(tr, "mana_0", "uevent", "remove", t0 + SEC);
	CHECK(r.n == 1);
	CHECK(tracker_next_deadline(tr, t0 + 5 * SEC) == (int64_t)(56 * SEC));
	tracker_tick(tr, t0 + 30 * SEC);
	CHECK(r.n == 1);
	tracker_seen(tr, &b, "rdma-monitor", t0 + 11 * SEC);
	CHECK(r.n == 2 && r.ev[1].kind == CTRL_EV_HW_BACK);
	CHECK(r.ev[1].ident.index == 1 && r.ev[1].started == t0 + SEC);
	CHECK(r.ev[1].t == t0 + 11 * SEC);
	CHECK(tracker_state(tr, "mana_0") == TRACKER_PRESENT);
	CHECK(tracker_next_deadline(tr, t0 + 12 * SEC) == -1);
	/* A NETDEV_ATTACH after the REGISTER only completes the identity. */
	tracker_seen(tr, &b, "rdma-monitor", t0 + 12 * SEC);
	CHECK(r.n == 2);
	/* Seen again with a new index: it went and came back unseen. */
	b.index = 4;
	tracker_seen(tr, &b, "dump", t0 + 20 * SEC);
	CHECK(r.n == 4 && r.ev[2].kind == CTRL_EV_SERVICE_STARTED);
	CHECK(strcmp(r.ev[2].reason, "re-registered (index 1 -> 4)") == 0);
	CHECK(r.ev[3].kind == CTRL_EV_HW_BACK && r.ev[3].ident.index == 4);
	tracker_free(tr);
}

static void
test_gone_for_good(void)
{
	struct rec r = { 0 };
	struct ctrl_sink sink = { rec_publish, &r };
	struct tracker *tr = tracker_new(30 * SEC, &sink);
	struct ctrl_ident a = ident("mana_0", 3, 7, "eth1");

	tracker_seen(tr, &a, "dump", 0);
	tracker_lost(tr, "mana_0", "uevent", "remove", 5 * SEC);
	tracker_tick(tr, 35 * SEC - 1);
	CHECK(r.n == 1);
	CHECK(tracker_next_deadline(tr, 35 * SEC - 1) == 1);
	tracker_tick(tr, 35 * SEC);
	CHECK(r.n == 2 && r.ev[1].kind == CTRL_EV_GONE_FOR_GOOD);
	CHECK(r.ev[1].started == 5 * SEC && strcmp(r.ev[1].reason, "remove") == 0);
	CHECK(tracker_state(tr, "mana_0") == TRACKER_GONE);
	tracker_tick(tr, 100 * SEC);
	CHECK(r.n == 2 && tracker_next_deadline(tr, 100 * SEC) == -1);
	/* Late comeback still reported. */
	a.index = 9;
	tracker_seen(tr, &a, "uevent", 200 * SEC);
	CHECK(r.n == 3 && r.ev[2].kind == CTRL_EV_HW_BACK && r.ev[2].ident.index == 9);
	tracker_free(tr);
}

static void
test_new_name(void)
{
	struct rec r = { 0 };
	struct ctrl_sink sink = { rec_publish, &r };
	struct tracker *tr = tracker_new(60 * SEC, &sink);
	struct ctrl_ident a = ident("mana_0", 0, 0xabc, "eth0");
	struct ctrl_ident b = ident("mana_1", 1, 0xabc, "eth0");
	struct ctrl_ident c = ident("rxe5", 4, 0, "ens9");
	struct ctrl_ident d = ident("rxe6", 5, 0, "ens9");

	tracker_seen(tr, &a, "dump", 0);
	tracker_lost(tr, "mana_0", "rdma-monitor", "UNREGISTER", SEC);
	tracker_seen(tr, &b, "rdma-monitor", 2 * SEC);	/* same GUID */
	CHECK(r.n == 2 && r.ev[1].kind == CTRL_EV_HW_BACK);
	CHECK(strcmp(r.ev[1].key, "mana_1") == 0 && strcmp(r.ev[1].ident.name, "mana_1") == 0);
	CHECK(tracker_count(tr) == 1);
	tracker_seen(tr, &c, "dump", 0);
	tracker_lost(tr, "rxe5", "dump", "absent", 3 * SEC);
	tracker_seen(tr, &d, "dump", 4 * SEC);		/* no GUID: same netdev */
	CHECK(r.n == 4 && r.ev[3].kind == CTRL_EV_HW_BACK && strcmp(r.ev[3].key, "rxe6") == 0);
	/* A rename follows the device; a new device is no event. */
	tracker_renamed(tr, "rxe6", "rxe9");
	CHECK(tracker_state(tr, "rxe9") == TRACKER_PRESENT && tracker_state(tr, "rxe6") == -1);
	tracker_seen(tr, &(struct ctrl_ident){ .name = "mlx5_0", .node_guid = 5 }, "dump", 5);
	CHECK(r.n == 4 && tracker_count(tr) == 3);
	tracker_free(tr);
}

static void
test_dump_diff(void)
{
	struct rec r = { 0 };
	struct ctrl_sink sink = { rec_publish, &r };
	struct tracker *tr = tracker_new(60 * SEC, &sink);
	struct ctrl_ident a = ident("mana_0", 0, 1, "eth0");
	struct ctrl_ident b = ident("mana_1", 1, 2, "eth1");

	tracker_sync_begin(tr);
	tracker_seen(tr, &a, "dump", 0);
	tracker_seen(tr, &b, "dump", 0);
	tracker_health(tr, "pci/0000:00:02.0", "fw", false, 0, 0, 0);
	tracker_sync_end(tr, "dump", 0);
	CHECK(r.n == 0);
	tracker_sync_begin(tr);
	tracker_seen(tr, &a, "dump", SEC);
	tracker_sync_end(tr, "dump", SEC);
	/* mana_1 missing; the devlink handle is not part of RDMA snapshots. */
	CHECK(r.n == 1 && strcmp(r.ev[0].key, "mana_1") == 0);
	CHECK(strcmp(r.ev[0].source, "dump") == 0);
	b.index = 2;
	tracker_sync_begin(tr);
	tracker_seen(tr, &a, "dump", 2 * SEC);
	tracker_seen(tr, &b, "dump", 2 * SEC);
	tracker_sync_end(tr, "dump", 2 * SEC);
	CHECK(r.n == 2 && r.ev[1].kind == CTRL_EV_HW_BACK && r.ev[1].ident.index == 2);
	tracker_free(tr);
}

static void
test_devlink(void)
{
	struct rec r = { 0 };
	struct ctrl_sink sink = { rec_publish, &r };
	struct tracker *tr = tracker_new(60 * SEC, &sink);
	const char *h = "netdevsim/netdevsim1";

	tracker_health(tr, h, "dummy", false, 0, 0, 0);
	CHECK(r.n == 0);
	tracker_health(tr, h, "dummy", true, 1, 0, SEC);
	CHECK(r.n == 1 && r.ev[0].kind == CTRL_EV_SERVICE_STARTED);
	CHECK(strcmp(r.ev[0].reason, "reporter dummy error (error 1 recover 0)") == 0);
	CHECK(strcmp(r.ev[0].source, "devlink") == 0);
	tracker_health(tr, h, "dummy", true, 2, 0, 2 * SEC);	/* still in error */
	CHECK(r.n == 1);
	tracker_health(tr, h, "dummy", false, 2, 1, 3 * SEC);
	CHECK(r.n == 2 && r.ev[1].kind == CTRL_EV_HW_BACK && r.ev[1].started == SEC);
	/* devlink dev del then dev new. */
	tracker_lost(tr, h, "devlink", "dev del", 4 * SEC);
	tracker_seen(tr, &(struct ctrl_ident){ .name = "netdevsim/netdevsim1" }, "devlink",
		     5 * SEC);
	CHECK(r.n == 4 && r.ev[2].kind == CTRL_EV_SERVICE_STARTED &&
	      r.ev[3].kind == CTRL_EV_HW_BACK);
	tracker_free(tr);
}

int
main(void)
{
	test_service_event();
	test_gone_for_good();
	test_new_name();
	test_dump_diff();
	test_devlink();
	if (test_failures != 0) {
		fprintf(stderr, "tracker_test: %d failures\n", test_failures);
		return 1;
	}
	printf("tracker_test: ok\n");
	return 0;
}
