/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Replays of what real 6.1 and 6.12 kernels sent (tests/netlink/data/, recorded
 * by the real-kernel harness) against what iproute2 `devlink` printed in the
 * same VM:
 *  - health show text, -j and -jp: byte for byte;
 *  - health dump show / diagnose: iproute2 stops at netdevsim's extra
 *    NEST_END ("kernel answers: Success"); manactl prints the same bytes and
 *    goes on, with valid JSON (random test_binary bytes are masked for
 *    diagnose, which draws new ones per call);
 *  - nldev SYS_GET / GET / PORT_GET replies decode;
 *  - the whole monitor recording through the daemon's detection: the
 *    service events it must report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "ctrl/ctrld/detect.h"
#include "ctrl/print/health_print.h"
#include "ctrl/ctrld/log.h"
#include "ctrl/print/print.h"
#include "ctrl/ctrld/tracker.h"
#include "netlink/nl_dlmsg.h"
#include "netlink/nl_fmsg.h"
#include "netlink/nl_nldev.h"
#include "netlink/nl_uapi.h"
#include "netlink/nl_uevent.h"
#include "tests/ctrl/json_check.h"
#include "tests/lib/test_util.h"
#include "tests/netlink/nlrec_read.h"

#define DATA "tests/netlink/data/"

static const char *ver;

static char *
slurp(const char *name)
{
	char path[256];
	size_t n = 0;
	uint8_t *b;
	char *s;

	snprintf(path, sizeof(path), DATA "%s/%s", ver, name);
	b = nlrec_load(path, &n);
	if (b == NULL) {
		fprintf(stderr, "%s: cannot read\n", path);
		test_failures++;
		return strdup("");
	}
	s = malloc(n + 1);
	memcpy(s, b, n);
	s[n] = '\0';
	free(b);
	return s;
}

/* Every received message of a recording, whole nlmsghdr by whole nlmsghdr. */
typedef void (*msg_fn)(void *arg, uint16_t source, const struct nlmsghdr *nlh,
		       const struct nlrec_rec *rec);

static void
for_each_msg(const char *file, msg_fn fn, void *arg, int *family)
{
	char path[256];
	size_t size = 0, off = 0;
	struct nlrec_rec r;
	uint8_t *buf;
	int ret;

	snprintf(path, sizeof(path), DATA "%s/%s", ver, file);
	buf = nlrec_load(path, &size);
	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	if (family != NULL)
		*family = nlrec_devlink_family(buf, size);
	while ((ret = nlrec_iter(buf, size, &off, &r)) == 1) {
		const uint8_t *p = r.payload;
		size_t left = r.len;

		if (r.dir != NLREC_DIR_RECV)
			continue;
		if (r.source == NLREC_SRC_UEVENT || r.source == NLREC_SRC_MARK) {
			fn(arg, r.source, NULL, &r);
			continue;
		}
		if (r.source != NLREC_SRC_GENERIC && r.source != NLREC_SRC_RDMA)
			continue;
		while (left >= sizeof(struct nlmsghdr)) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
			size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

			if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left)
				break;
			fn(arg, r.source, nlh, &r);
			if (step >= left)
				break;
			p += step;
			left -= step;
		}
	}
	CHECK(ret == 0);
	free(buf);
}

static void
no_msg(void *arg, uint16_t source, const struct nlmsghdr *nlh, const struct nlrec_rec *r)
{
	(void)arg;
	(void)source;
	(void)nlh;
	(void)r;
}

/* ---- health show ---- */

struct show_ctx {
	int family;
	const char *only;	/* reporter filter, as `devlink health show DEV reporter X` */
	struct health_print hp;
};

static void
show_msg(void *arg, uint16_t source, const struct nlmsghdr *nlh, const struct nlrec_rec *r)
{
	struct show_ctx *c = arg;
	struct nl_dl_msg m;

	(void)r;
	if (source != NLREC_SRC_GENERIC || nlh == NULL || nlh->nlmsg_type != c->family)
		return;
	if (nl_dl_msg_parse(&m, nlh, nlh->nlmsg_len) != 0 ||
	    m.cmd != NLU_DEVLINK_CMD_HEALTH_REPORTER_GET)
		return;
	if (c->only != NULL && strcmp(m.reporter, c->only) != 0)
		return;
	health_print_reporter(&c->hp, &m);
}

static char *
render_show(const char *file, const char *only, bool json, bool pretty)
{
	struct show_ctx c = { .only = only };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int family;

	/* The family id first (it is in the META record). */
	for_each_msg(file, no_msg, NULL, &family);
	c.family = family;
	print_begin(f, json, pretty);
	health_print_begin(&c.hp);
	for_each_msg(file, show_msg, &c, NULL);
	health_print_end(&c.hp);
	print_end();
	fclose(f);
	return out;
}

static void
expect_eq(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "%s %s differs:\n--- manactl\n%s--- expected (devlink's)\n%s---\n",
			ver, what, got, want);
		test_failures++;
	}
}

static void
test_health_show(void)
{
	static const struct {
		const char *nlrec, *only, *out;
		bool json, pretty;
	} cases[] = {
		{ "health_get.nlrec", NULL, "dl_health.out", false, false },
		{ "health_get.nlrec", NULL, "dl_health_j.out", true, false },
		{ "health_get.nlrec", NULL, "dl_health_jp.out", true, true },
		{ "health_get_final.nlrec", "dummy", "dl_show_cleared.out", false, false },
		{ "health_get_final.nlrec", "dummy", "dl_show_cleared_j.out", true, false },
		{ "health_get_final.nlrec", "dummy", "dl_show_cleared_jp.out", true, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = render_show(cases[i].nlrec, cases[i].only, cases[i].json,
					cases[i].pretty);
		char *want = slurp(cases[i].out);

		expect_eq(cases[i].out, got, want);
		if (cases[i].json)
			CHECK(json_valid(got));
		free(got);
		free(want);
	}
}

/* ---- dump show / diagnose ---- */

struct fmsg_ctx {
	int family;
	struct nl_fmsg f;
};

static void
fmsg_msg(void *arg, uint16_t source, const struct nlmsghdr *nlh, const struct nlrec_rec *r)
{
	struct fmsg_ctx *c = arg;
	struct nl_dl_msg m;

	(void)r;
	if (source != NLREC_SRC_GENERIC || nlh == NULL || nlh->nlmsg_type != c->family)
		return;
	if (nl_dl_msg_parse(&m, nlh, nlh->nlmsg_len) == 0 && (m.present & NL_DL_HAS_FMSG))
		nl_fmsg_feed(&c->f, m.fmsg, m.fmsg_len);
}

static char *
render_fmsg(const char *file, bool json, bool pretty, struct nl_fmsg_stats *st)
{
	struct fmsg_ctx c;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for_each_msg(file, no_msg, NULL, &c.family);
	print_begin(f, json, pretty);
	fmsg_print_begin();
	nl_fmsg_init(&c.f, fmsg_print_item, NULL);
	for_each_msg(file, fmsg_msg, &c, NULL);
	nl_fmsg_finish(&c.f);
	fmsg_print_end();
	print_end();
	fclose(f);
	*st = c.f.st;
	return out;
}

/* Collapse the random test_binary bytes to "x": the hex lines, the JSON array. */
static void
mask_binary(char *s)
{
	char *p = s;

	while ((p = strstr(p, "test_binary")) != NULL) {
		char *q = p + strlen("test_binary");
		char *end = NULL;

		if (q[0] == ':' && q[1] == '\n') {
			/* text: indented lines of hex pairs */
			q += 2;
			end = q;
			while (strncmp(end, "    ", 4) == 0 && strchr(end, '\n') != NULL &&
			       end[4] >= '0' && end[4] <= 'f')
				end = strchr(end, '\n') + 1;
		} else if ((q = strchr(q, '[')) != NULL) {
			q++;
			end = strchr(q, ']');
		}
		if (q != NULL && end != NULL && end > q) {
			*q = 'x';
			memmove(q + 1, end, strlen(end) + 1);
		}
		p++;
	}
}

/*
 * iproute2's output up to where it stopped must be where manactl's starts:
 * text as is; JSON without the closing brace(s) of the early root close.
 */
static void
expect_prefix(const char *what, const char *got, const char *want, size_t strip)
{
	size_t n = strlen(want);

	n = n > strip ? n - strip : 0;
	if (n == 0 || strncmp(got, want, n) != 0) {
		fprintf(stderr, "%s %s: iproute2's output is not a prefix of manactl's:\n"
				"--- manactl\n%s--- devlink\n%s---\n", ver, what, got, want);
		test_failures++;
	}
}

static void
test_fmsg(const char *nlrec, const char *out, bool mask)
{
	struct nl_fmsg_stats st;
	char name[64];
	char *got, *want;

	for (int mode = 0; mode < 3; mode++) {
		static const char *const sfx[] = { ".out", "_j.out", "_jp.out" };

		snprintf(name, sizeof(name), "%s%s", out, sfx[mode]);
		got = render_fmsg(nlrec, mode > 0, mode == 2, &st);
		want = slurp(name);
		if (mode > 0)
			CHECK(json_valid(got));
		if (mask) {
			mask_binary(got);
			mask_binary(want);
		}
		/* devlink stopped at the extra NEST_END: it closed the root object. */
		expect_prefix(name, got, want, mode == 0 ? 0 : (mode == 1 ? 2 : 3));
		CHECK(strstr(got, "test_nest") != NULL);
		/* manactl went on past it. */
		CHECK(strlen(got) > strlen(want));
		CHECK(st.unbalanced >= 1 && st.early_root_close == 1);
		free(got);
		free(want);
	}
}

/* ---- nldev ---- */

struct nldev_ctx {
	int sys_seen, monitor_mode, get_seen, port_seen;
	char dev[64], ndev[16];
	uint32_t ndev_index;
	uint64_t guid;
};

static void
nldev_msg(void *arg, uint16_t source, const struct nlmsghdr *nlh, const struct nlrec_rec *r)
{
	struct nldev_ctx *c = arg;
	struct nl_nldev_msg m;

	(void)r;
	if (source != NLREC_SRC_RDMA || nlh == NULL || nl_nldev_msg_parse(&m, nlh, nlh->nlmsg_len))
		return;
	CHECK(m.malformed == 0);
	if (m.op == NLU_NLDEV_CMD_SYS_GET) {
		c->sys_seen++;
		if (m.present & NL_NLDEV_HAS_MONITOR_MODE)
			c->monitor_mode = m.monitor_mode;
	} else if (m.op == NLU_NLDEV_CMD_GET) {
		c->get_seen++;
		snprintf(c->dev, sizeof(c->dev), "%s", m.dev_name);
		c->guid = m.node_guid;
	} else if (m.op == NLU_NLDEV_CMD_PORT_GET) {
		c->port_seen++;
		snprintf(c->ndev, sizeof(c->ndev), "%s", m.ndev_name);
		c->ndev_index = m.ndev_index;
	}
}

static void
test_nldev(void)
{
	struct nldev_ctx c = { 0 };

	for_each_msg("rdma_sys.nlrec", nldev_msg, &c, NULL);
	CHECK(c.sys_seen == 1);
	CHECK(c.monitor_mode == (strcmp(ver, "6.12") == 0 ? 1 : 0));
	for_each_msg("rdma_dump.nlrec", nldev_msg, &c, NULL);
	CHECK(c.get_seen == 1 && c.port_seen == 1);
	CHECK(strcmp(c.dev, "rxe0") == 0 && c.guid != 0);
	CHECK(strcmp(c.ndev, "eth0") == 0 && c.ndev_index == 4);
}

/* ---- the monitor recording through detection ---- */

struct replay {
	int family;
	bool monitor;		/* 6.12: RDMA monitor; 6.1: uevents */
	struct detect d;
	/* The fake kernel's RDMA devices, kept from the uevents (6.1). */
	char names[8][64];
	uint32_t idx[8];
	int n;
	uint32_t next;
	/* What the tracker reported, as "kind key" lines. */
	char log[4096];
};

static uint64_t replay_now;

static uint64_t
replay_clock(void)
{
	return replay_now;
}

static int
replay_dump(void *ctx, nl_rdma_dev_cb cb, void *arg)
{
	struct replay *rp = ctx;

	for (int i = 0; i < rp->n; i++) {
		struct nl_rdma_dev d = { .index = rp->idx[i], .ports = 1 };

		snprintf(d.name, sizeof(d.name), "%s", rp->names[i]);
		cb(arg, &d);
	}
	return 0;
}

static int
replay_publish(void *ctx, const struct ctrl_event *ev)
{
	struct replay *rp = ctx;
	size_t n = strlen(rp->log);

	snprintf(rp->log + n, sizeof(rp->log) - n, "%s %s\n", ctrl_event_kind_name(ev->kind),
		 ev->key);
	return 0;
}

static void
fake_uevent(struct replay *rp, const struct nl_uevent *ev)
{
	if (strcmp(ev->subsystem, "infiniband") != 0)
		return;
	if (strcmp(ev->action, "add") == 0 && rp->n < 8) {
		snprintf(rp->names[rp->n], sizeof(rp->names[0]), "%s", ev->name);
		rp->idx[rp->n++] = rp->next++;
		return;
	}
	for (int i = 0; i < rp->n; i++) {
		const char *old = strrchr(ev->devpath_old, '/');

		if (strcmp(ev->action, "move") == 0 && old != NULL &&
		    strcmp(rp->names[i], old + 1) == 0)
			snprintf(rp->names[i], sizeof(rp->names[0]), "%s", ev->name);
		if (strcmp(ev->action, "remove") == 0 && strcmp(rp->names[i], ev->name) == 0) {
			rp->n--;
			memmove(&rp->names[i], &rp->names[i + 1], sizeof(rp->names[0]) * (size_t)(rp->n - i));
			memmove(&rp->idx[i], &rp->idx[i + 1], sizeof(rp->idx[0]) * (size_t)(rp->n - i));
			break;
		}
	}
}

static void
replay_msg(void *arg, uint16_t source, const struct nlmsghdr *nlh, const struct nlrec_rec *r)
{
	struct replay *rp = arg;

	replay_now += 1000000;
	if (source == NLREC_SRC_UEVENT) {
		struct nl_uevent ev;

		if (nl_uevent_parse(&ev, r->payload, r->len) != 0)
			return;
		fake_uevent(rp, &ev);
		if (!rp->monitor)
			detect_uevent(&rp->d, &ev);
	} else if (source == NLREC_SRC_RDMA && nlh != NULL) {
		struct nl_nldev_msg m;

		if (rp->monitor && nl_nldev_msg_parse(&m, nlh, nlh->nlmsg_len) == 0 &&
		    m.op == NLU_NLDEV_CMD_MONITOR)
			detect_rdma_event(&rp->d, &m);
	} else if (source == NLREC_SRC_GENERIC && nlh != NULL && nlh->nlmsg_type == rp->family) {
		struct nl_dl_msg m;

		if (nl_dl_msg_parse(&m, nlh, nlh->nlmsg_len) == 0)
			detect_devlink_event(&rp->d, &m);
	}
}

static void
test_replay_monitor(void)
{
	struct replay *rp = calloc(1, sizeof(*rp));
	struct ctrl_sink sink = { replay_publish, rp };
	struct detect_backend be = { replay_dump, NULL, NULL, rp };
	struct tracker *tr = tracker_new(3600ull * 1000000000ull, &sink);
	struct config conf;
	char err[64];
	const char *want;

	config_defaults(&conf);
	snprintf(conf.driver, sizeof(conf.driver), "*");
	CHECK(config_set(&conf, "reporters", "dummy", err, sizeof(err)) == 0);
	rp->monitor = strcmp(ver, "6.12") == 0;
	detect_init(&rp->d, &conf, tr, &be, replay_clock);
	for_each_msg("monitor.nlrec", no_msg, NULL, &rp->family);
	CHECK(rp->family > 0);
	for_each_msg("monitor.nlrec", replay_msg, rp, NULL);
	/*
	 * break1 (auto-recovered), break2 (fail_recover, then manual recover),
	 * break3 (auto_recover off), the device deleted and re-created (counters
	 * reset), rxe0 renamed rxe9 and deleted, rxe1 added, netdevsim deleted
	 * under it.
	 */
	want = "service_event_started netdevsim/netdevsim1\n"
	       "hardware_back netdevsim/netdevsim1\n"
	       "service_event_started netdevsim/netdevsim1\n"
	       "hardware_back netdevsim/netdevsim1\n"
	       "service_event_started netdevsim/netdevsim1\n"
	       "hardware_back netdevsim/netdevsim1\n"
	       "service_event_started rxe9\n"
	       "service_event_started netdevsim/netdevsim1\n"
	       "service_event_started rxe1\n";
	/* 6.12 unregisters rxe1 before devlink announces the device's removal. */
	if (rp->monitor)
		want = "service_event_started netdevsim/netdevsim1\n"
		       "hardware_back netdevsim/netdevsim1\n"
		       "service_event_started netdevsim/netdevsim1\n"
		       "hardware_back netdevsim/netdevsim1\n"
		       "service_event_started netdevsim/netdevsim1\n"
		       "hardware_back netdevsim/netdevsim1\n"
		       "service_event_started rxe9\n"
		       "service_event_started rxe1\n"
		       "service_event_started netdevsim/netdevsim1\n";
	expect_eq("monitor replay", rp->log, want);
	tracker_free(tr);
	free(rp);
}

int
main(void)
{
	static const char *const versions[] = { "6.1", "6.12" };
	FILE *devnull = fopen("/dev/null", "w");

	setenv("TZ", "UTC", 1);
	log_setup(devnull, true, false);
	for (size_t i = 0; i < 2; i++) {
		ver = versions[i];
		test_health_show();
		test_fmsg("dump_get.nlrec", "dl_dump", false);
		test_fmsg("diagnose.nlrec", "dl_diagnose", true);
		test_nldev();
		test_replay_monitor();
	}
	fclose(devnull);
	if (test_failures != 0) {
		fprintf(stderr, "recorded_test: %d failures\n", test_failures);
		return 1;
	}
	printf("recorded_test: ok\n");
	return 0;
}
