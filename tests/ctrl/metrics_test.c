/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * mana-ctrld's metrics in one process (ctrl/ctrld/metrics.c and the files
 * it calls): tracker events through the metrics sink (counted, then passed
 * on), service events by source, an RDMA re-registration counted as a
 * missed outage, the hardware-back histogram's buckets, HTTP answers, a
 * fake devlink dump (every reporter, a port reporter, a failed dump), the
 * counted reporters' seen / missed, and label values with quotes,
 * backslashes and newlines escaped; the whole exposition passes
 * `promtool check metrics` (argv[1]).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrld/metrics.h"
#include "netlink/nl_uapi.h"
#include "tests/lib/test_util.h"

static int forwarded;

static int
next_publish(void *ctx, const struct ctrl_event *ev)
{
	(void)ctx;
	(void)ev;
	forwarded++;
	return 0;
}

static void
publish(struct metrics *m, enum ctrl_event_kind kind, const char *key, const char *source,
	const char *reason, uint64_t t, uint64_t started)
{
	const struct ctrl_sink *s = metrics_sink(m);
	struct ctrl_ident id = { 0 };
	struct ctrl_event ev = {
		.kind = kind, .key = key, .ident = &id, .source = source, .reason = reason,
		.t_ns = t, .started_ns = started,
	};

	snprintf(id.name, sizeof(id.name), "%s", key);
	CHECK(s->publish(s->ctx, &ev) == 0);
}

static int dump_fails;

static int
fake_dump(void *ctx, void (*cb)(void *arg, const struct nl_dl_msg *msg), void *arg)
{
	struct nl_dl_msg r;

	(void)ctx;
	if (dump_fails)
		return -EIO;
	nl_dl_msg_init(&r, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET);
	snprintf(r.bus, sizeof(r.bus), "pci");
	snprintf(r.dev, sizeof(r.dev), "0000:01:00.0");
	snprintf(r.reporter, sizeof(r.reporter), "fw_fatal");
	r.present = NL_DL_REPORTER_COMPLETE | NL_DL_HAS_DUMP_TS_NS | NL_DL_HAS_AUTO_RECOVER |
		    NL_DL_HAS_GRACE;
	r.state = NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR;
	r.err_count = 7;
	r.recover_count = 6;
	r.dump_ts_ns = 1796600000500000000ull;
	r.auto_recover = 1;
	r.grace_period = 1500;
	cb(arg, &r);
	/* A port reporter with a name to escape. */
	r.present = NL_DL_REPORTER_COMPLETE | NL_DL_HAS_PORT;
	r.port = 3;
	snprintf(r.reporter, sizeof(r.reporter), "tx\"q\\1\nx");
	r.state = NLU_DEVLINK_HEALTH_REPORTER_STATE_HEALTHY;
	cb(arg, &r);
	/* No name: not a reporter, left out. */
	nl_dl_msg_init(&r, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET);
	cb(arg, &r);
	return 0;
}

static bool
has(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	return strstr(text, want) != NULL;
}

int
main(int argc, char **argv)
{
	struct ctrl_sink next = { next_publish, NULL };
	struct detect_stats st = { .rdma_events = 5, .overruns = 2, .devlink_resyncs = 3 };
	struct detect_reporter rep = { .handle = "pci/0000:01:00.0", .name = "fw_fatal",
				       .seen_err = 2, .missed_err = 5, .seen_rec = 1,
				       .missed_rec = 5 };
	struct metrics_daemon d = {
		.started_unix = 1796600000, .rdma = "monitor", .devlink = true, .det = &st,
		.devlink_dump = fake_dump, .reporters = &rep, .nb_reporters = 1,
	};
	struct metrics *m = metrics_new(&next);
	char *text, cmd[4200], path[4096];
	size_t len;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: metrics_test PROMTOOL\n");
		return 2;
	}
	CHECK(m != NULL);
	if (m == NULL)
		return 1;
	publish(m, CTRL_EV_SERVICE_STARTED, "mana_0", "rdma-monitor", "UNREGISTER", 10, 0);
	publish(m, CTRL_EV_HW_BACK, "mana_0", "rdma-monitor", "UNREGISTER", 10 + 12000000000ull,
		10);
	publish(m, CTRL_EV_SERVICE_STARTED, "mana_0", "overrun", "re-registered (index 1 -> 2)",
		20000000000ull, 0);
	publish(m, CTRL_EV_HW_BACK, "mana_0", "overrun", "re-registered (index 1 -> 2)",
		20000000000ull, 20000000000ull);
	publish(m, CTRL_EV_SERVICE_STARTED, "dev\"q\\\nx", "uevent", "remove", 5, 0);
	publish(m, CTRL_EV_GONE_FOR_GOOD, "dev\"q\\\nx", "uevent", "remove", 9, 5);
	CHECK(forwarded == 6);
	metrics_http_count(m, 200);
	metrics_http_count(m, 404);
	metrics_http_count(m, 503);
	CHECK(metrics_render(m, &d, &text, &len) == 0 && text != NULL && strlen(text) == len);
	if (text == NULL)
		return 1;
	CHECK(has(text, "mana_ctrld_info{version=\"0.1\",rdma=\"monitor\",devlink=\"on\",uevent=\"off\"} 1"));
	CHECK(has(text, "mana_ctrld_events_total{source=\"rdma\"} 5"));
	CHECK(has(text, "mana_ctrld_overruns_total 2"));
	CHECK(has(text, "mana_ctrld_resyncs_total{source=\"devlink\"} 3"));
	CHECK(has(text, "mana_ctrld_http_requests_total{code=\"404\"} 1"));
	CHECK(has(text, "mana_ctrld_http_requests_total{code=\"other\"} 1"));
	CHECK(has(text, "mana_ctrld_devlink_dump_ok 1"));
	CHECK(has(text, "mana_device_service_events_total{dev=\"mana_0\",source=\"rdma\"} 1"));
	CHECK(has(text, "mana_device_service_events_total{dev=\"mana_0\",source=\"dump\"} 1"));
	CHECK(has(text, "mana_device_outages_missed_total{dev=\"mana_0\"} 1"));
	CHECK(has(text, "mana_device_hw_back_total{dev=\"mana_0\"} 2"));
	/* 12 s and 0 s: one in le=1 (the 0), both by le=15. */
	CHECK(has(text, "mana_device_hw_back_seconds_bucket{dev=\"mana_0\",le=\"1\"} 1"));
	CHECK(has(text, "mana_device_hw_back_seconds_bucket{dev=\"mana_0\",le=\"10\"} 1"));
	CHECK(has(text, "mana_device_hw_back_seconds_bucket{dev=\"mana_0\",le=\"15\"} 2"));
	CHECK(has(text, "mana_device_hw_back_seconds_bucket{dev=\"mana_0\",le=\"+Inf\"} 2"));
	CHECK(has(text, "mana_device_hw_back_seconds_sum{dev=\"mana_0\"} 12"));
	/* A key with a quote, a backslash and a newline. */
	CHECK(has(text, "mana_device_gone_total{dev=\"dev\\\"q\\\\\\nx\"} 1"));
	CHECK(has(text, "mana_device_service_events_total{dev=\"dev\\\"q\\\\\\nx\",source=\"uevent\"} 1"));
	CHECK(has(text, "mana_devlink_health_state{dev=\"pci/0000:01:00.0\",reporter=\"fw_fatal\",state=\"error\"} 1"));
	CHECK(has(text, "mana_devlink_health_errors_total{dev=\"pci/0000:01:00.0\",reporter=\"fw_fatal\"} 7"));
	CHECK(has(text, "mana_devlink_health_recovers_total{dev=\"pci/0000:01:00.0\",reporter=\"fw_fatal\"} 6"));
	CHECK(has(text, "mana_devlink_health_last_dump_timestamp_seconds{dev=\"pci/0000:01:00.0\",reporter=\"fw_fatal\"} 1796600000.500"));
	CHECK(has(text, "mana_devlink_health_grace_period_seconds{dev=\"pci/0000:01:00.0\",reporter=\"fw_fatal\"} 1.500"));
	CHECK(has(text, "mana_devlink_health_state{dev=\"pci/0000:01:00.0\",port=\"3\",reporter=\"tx\\\"q\\\\1\\nx\",state=\"healthy\"} 1"));
	CHECK(has(text, "mana_devlink_health_events_missed_total{dev=\"pci/0000:01:00.0\",reporter=\"fw_fatal\",kind=\"error\"} 5"));
	CHECK(has(text, "mana_devlink_health_events_seen_total{dev=\"pci/0000:01:00.0\",reporter=\"fw_fatal\",kind=\"recover\"} 1"));
	CHECK(strstr(text, "mana_port_") == NULL);	/* no mailbox */
	/* promtool agrees with the whole of it. */
	snprintf(path, sizeof(path), "%s/metrics.prom",
		 getenv("TEST_TMPDIR") != NULL ? getenv("TEST_TMPDIR") : "/tmp");
	f = fopen(path, "w");
	CHECK(f != NULL && fwrite(text, 1, len, f) == len && fclose(f) == 0);
	snprintf(cmd, sizeof(cmd), "'%s' check metrics < '%s'", argv[1], path);
	CHECK(system(cmd) == 0);
	free(text);
	/* A failed devlink dump: its families are left out, and said so. */
	dump_fails = 1;
	CHECK(metrics_render(m, &d, &text, &len) == 0);
	CHECK(has(text, "mana_ctrld_devlink_dump_ok 0"));
	CHECK(strstr(text, "mana_devlink_health_state{") == NULL);
	free(text);
	metrics_free(m);
	metrics_free(NULL);
	if (test_failures != 0) {
		fprintf(stderr, "metrics_test: %d failure(s)\n", test_failures);
		return 1;
	}
	printf("metrics_test: ok\n");
	return 0;
}
