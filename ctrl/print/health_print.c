/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "ctrl/print/health_print.h"
#include "ctrl/print/print.h"
#include "netlink/nl_uapi.h"

#define TS_FMT_LEN 80

static bool
same_handle(const struct health_print *hp, const char *bus, const char *dev)
{
	return hp->present && strcmp(hp->bus, bus) == 0 && strcmp(hp->dev, dev) == 0;
}

static void
handle_set(struct health_print *hp, const char *bus, const char *dev)
{
	hp->present = true;
	snprintf(hp->bus, sizeof(hp->bus), "%s", bus);
	snprintf(hp->dev, sizeof(hp->dev), "%s", dev);
}

/* devlink's __pr_out_handle_start(content = true, array = true). */
static void
handle_start_arr(struct health_print *hp, const char *bus, const char *dev)
{
	char buf[2 * NL_DL_NAME_MAX + 2];
	bool start = !same_handle(hp, bus, dev);
	bool end = hp->present && start;

	snprintf(buf, sizeof(buf), "%s/%s", bus, dev);
	if (print_is_json()) {
		if (end)
			close_json_array(PRINT_JSON, NULL);
		if (start) {
			open_json_array(PRINT_JSON, buf);
			handle_set(hp, bus, dev);
		}
		open_json_object(NULL);
	} else {
		if (end)
			pr_out_indent_dec();
		if (start) {
			pr_out("%s:", buf);
			pr_out_newline();
			pr_out_indent_inc();
			handle_set(hp, bus, dev);
		}
	}
}

/* devlink's __pr_out_port_handle_start(try_nice = false, array = true). */
static void
port_handle_start_arr(struct health_print *hp, const char *bus, const char *dev, uint32_t port)
{
	char buf[2 * NL_DL_NAME_MAX + 16];
	bool start = !(same_handle(hp, bus, dev) && hp->port == port);
	bool end = hp->present && start;

	snprintf(buf, sizeof(buf), "%s/%s/%u", bus, dev, port);
	if (print_is_json()) {
		if (end)
			close_json_array(PRINT_JSON, NULL);
		if (start) {
			open_json_array(PRINT_JSON, buf);
			handle_set(hp, bus, dev);
			hp->port = port;
		}
		open_json_object(NULL);
	} else {
		if (end)
			pr_out_indent_dec();
		if (start) {
			pr_out("%s:", buf);
			pr_out_newline();
			pr_out_indent_inc();
			handle_set(hp, bus, dev);
			hp->port = port;
		}
	}
}

static void
handle_end(void)
{
	if (print_is_json())
		close_json_object();
	else
		pr_out_newline();
}

void
health_print_begin(struct health_print *hp)
{
	memset(hp, 0, sizeof(*hp));
	if (print_is_json()) {
		open_json_object(NULL);
		open_json_object("health");
	}
}

void
health_print_end(struct health_print *hp)
{
	if (print_is_json()) {
		if (hp->present)
			close_json_array(PRINT_JSON, NULL);
		close_json_object();
		close_json_object();
	}
}

static void
out_u64(const char *name, uint64_t val)
{
	pr_out_indent_newline();
	if (val == UINT64_MAX) {
		if (print_is_json())
			print_string(PRINT_JSON, name, NULL, "unlimited");
		else
			pr_out("%s %s", name, "unlimited");
		return;
	}
	if (print_is_json())
		print_u64(PRINT_JSON, name, NULL, val);
	else
		pr_out("%s %" PRIu64, name, val);
}

static void
out_dump_time(struct tm *tm)
{
	char date[TS_FMT_LEN], tod[TS_FMT_LEN];

	strftime(date, sizeof(date), "%Y-%m-%d", tm);
	strftime(tod, sizeof(tod), "%H:%M:%S", tm);
	pr_check_indent_newline();
	print_string(PRINT_ANY, "last_dump_date", "last_dump_date %s", date);
	print_string(PRINT_ANY, "last_dump_time", " last_dump_time %s", tod);
}

/* DUMP_TS_NS: CLOCK_REALTIME ns. */
static void
out_dump_ts_ns(uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000ull);
	struct tm tm;

	localtime_r(&sec, &tm);
	out_dump_time(&tm);
}

/* DUMP_TS: ms after boot; wall time = now - uptime + ts (as devlink does). */
static void
out_dump_ts_ms(uint64_t ms)
{
	struct sysinfo si;
	time_t now = time(NULL), sec = now;
	struct tm tm;

	if (sysinfo(&si) == 0)
		sec = now - si.uptime + (time_t)(ms / 1000);
	localtime_r(&sec, &tm);
	out_dump_time(&tm);
}

int
health_print_reporter(struct health_print *hp, const struct nl_dl_msg *m)
{
	if ((m->present & NL_DL_REPORTER_COMPLETE) != NL_DL_REPORTER_COMPLETE)
		return 0;
	if (m->present & NL_DL_HAS_PORT)
		port_handle_start_arr(hp, m->bus, m->dev, m->port);
	else
		handle_start_arr(hp, m->bus, m->dev);

	pr_check_indent_newline();
	print_string(PRINT_ANY, "reporter", "reporter %s", m->reporter);
	if (!print_is_json()) {
		pr_out_newline();
		pr_out_indent_inc();
	}
	pr_check_indent_newline();
	print_string(PRINT_ANY, "state", "state %s", nl_dl_state_name(m->state));
	out_u64("error", m->err_count);
	out_u64("recover", m->recover_count);
	if (m->present & NL_DL_HAS_DUMP_TS_NS)
		out_dump_ts_ns(m->dump_ts_ns);
	else if (m->present & NL_DL_HAS_DUMP_TS)
		out_dump_ts_ms(m->dump_ts);
	if (m->present & NL_DL_HAS_GRACE)
		out_u64("grace_period", m->grace_period);
	if (m->present & NL_DL_HAS_BURST)
		out_u64("burst_period", m->burst_period);
	if (m->present & NL_DL_HAS_AUTO_RECOVER)
		print_bool(PRINT_ANY, "auto_recover", " auto_recover %s", m->auto_recover);
	if (m->present & NL_DL_HAS_AUTO_DUMP)
		print_bool(PRINT_ANY, "auto_dump", " auto_dump %s", m->auto_dump);
	pr_out_indent_dec();
	handle_end();
	return 1;
}

/* ---- fmsg ---- */

/*
 * JSON has one root: the first object (or a wrapper object when the stream
 * starts otherwise). Its close is held until the end, so whatever follows an
 * early close still lands inside it.
 */
static unsigned int g_fmsg_items;
static unsigned int g_fmsg_depth;
static bool g_fmsg_root_open;

void
fmsg_print_begin(void)
{
	/* Text must not start with a newline (devlink's cmd_fmsg_init). */
	pr_set_newline_count(1);
	g_fmsg_items = 0;
	g_fmsg_depth = 0;
	g_fmsg_root_open = false;
}

void
fmsg_print_end(void)
{
	if (!print_is_json())
		return;
	/* Valid JSON also for an empty stream. */
	if (g_fmsg_items == 0)
		open_json_object(NULL);
	if (g_fmsg_items == 0 || g_fmsg_root_open)
		close_json_object();
}

/* JSON: 1 if this close must be skipped (the root's, held to the end). */
static int
fmsg_json_close_held(void)
{
	if (g_fmsg_depth <= 1)
		return 1;
	g_fmsg_depth--;
	return 0;
}

static void
fmsg_name(const char *name)
{
	if (name == NULL)
		return;
	pr_out_indent_newline();
	if (print_is_json())
		print_string(PRINT_JSON, name, NULL, NULL);
	else
		pr_out("%s:", name);
}

static void
fmsg_group_start(const char *name)
{
	pr_out_newline();
	fmsg_name(name);
	pr_out_newline();
	pr_out_indent_inc();
}

static void
fmsg_group_end(void)
{
	pr_out_newline();
	pr_out_indent_dec();
}

static void
fmsg_binary(const uint8_t *data, uint16_t len)
{
	uint16_t i = 0;

	while (i < len) {
		if (print_is_json())
			print_int(PRINT_JSON, NULL, NULL, data[i]);
		else
			pr_out("%02x ", data[i]);
		i++;
		if (!print_is_json() && (i % 16) == 0)
			pr_out_newline();
	}
	if (!print_is_json() && (i % 16) != 0)
		pr_out_newline();
}

static void
fmsg_value(const struct nl_fmsg_item *it)
{
	bool wrap;

	fmsg_name(it->name);
	pr_check_indent_newline();
	if (!it->known || it->type == NLU_FMSG_TYPE_BINARY) {
		/* A named byte string outside an array is wrapped, for valid JSON. */
		wrap = print_is_json() && it->name != NULL;
		if (wrap)
			open_json_array(PRINT_JSON, NULL);
		fmsg_binary(it->data, it->len);
		if (wrap)
			close_json_array(PRINT_JSON, NULL);
		return;
	}
	switch (it->type) {
	case NLU_FMSG_TYPE_FLAG:
		print_bool(PRINT_ANY, NULL, "%s", it->u != 0);
		break;
	case NLU_FMSG_TYPE_U8:
	case NLU_FMSG_TYPE_U16:
	case NLU_FMSG_TYPE_U32:
		print_uint(PRINT_ANY, NULL, "%u", (unsigned int)it->u);
		break;
	case NLU_FMSG_TYPE_U64:
		print_u64(PRINT_ANY, NULL, "%" PRIu64, it->u);
		break;
	default: /* STRING, NUL_STRING */
		print_string(PRINT_ANY, NULL, "%s", it->str);
		break;
	}
}

void
fmsg_print_item(void *arg, const struct nl_fmsg_item *it)
{
	(void)arg;
	if (g_fmsg_items++ == 0 && print_is_json() && it->kind != NL_FMSG_OBJ_START) {
		/* The kernel always opens a root object; make one if it did not. */
		open_json_object(NULL);
		g_fmsg_root_open = true;
		g_fmsg_depth = 1;
	}
	switch (it->kind) {
	case NL_FMSG_OBJ_START:
		if (print_is_json()) {
			fmsg_name(it->name);
			open_json_object(NULL);
			if (g_fmsg_depth++ == 0)
				g_fmsg_root_open = true;
		} else {
			fmsg_group_start(it->name);
		}
		break;
	case NL_FMSG_ARR_START:
		if (print_is_json()) {
			fmsg_name(it->name);
			open_json_array(PRINT_JSON, NULL);
			g_fmsg_depth++;
		} else {
			fmsg_group_start(it->name);
		}
		break;
	case NL_FMSG_OBJ_END:
		if (print_is_json()) {
			if (!fmsg_json_close_held())
				close_json_object();
		} else
			fmsg_group_end();
		break;
	case NL_FMSG_ARR_END:
		if (print_is_json()) {
			if (!fmsg_json_close_held())
				close_json_array(PRINT_JSON, NULL);
		} else
			fmsg_group_end();
		break;
	case NL_FMSG_VALUE:
		fmsg_value(it);
		break;
	}
}
