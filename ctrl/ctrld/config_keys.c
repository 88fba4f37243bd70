/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The table of mana-ctrld's configuration keys (config.h), and the parsers
 * and printers its rows use. A new key is one new row here (and its sample
 * in tests/ctrl/config_keys_test.c); flags, usage, the file and
 * --check-config follow.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/common/sysfs_pci.h"
#include "ctrl/ctrld/config.h"
#include "ctrl/ctrld/http_req.h"

/* ---- parsers ---- */

/* "120", "90s", "500ms", "2min" -> ms. */
static int
parse_ms(const char *v, uint64_t *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || end == v || d < 0 || d > 1e9)
		return -1;
	if (strcmp(end, "ms") == 0)
		*out = (uint64_t)d;
	else if (*end == '\0' || strcmp(end, "s") == 0)
		*out = (uint64_t)(d * 1000.0);
	else if (strcmp(end, "min") == 0)
		*out = (uint64_t)(d * 60000.0);
	else
		return -1;
	return 0;
}

static int
parse_gone_timeout(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	uint64_t *ms = field;

	if (parse_ms(v, ms) || *ms == 0) {
		snprintf(err, n, "%s: \"%s\" is not a positive duration (e.g. 120, 90s, 500ms, 2min)",
			 k->name, v);
		return -EINVAL;
	}
	return 0;
}

static int
parse_poll_interval(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	uint64_t *ms = field;

	if (parse_ms(v, ms) || (*ms != 0 && *ms < 100)) {
		snprintf(err, n, "%s: \"%s\" is not a duration of 100ms or more "
			 "(0 turns polling off)", k->name, v);
		return -EINVAL;
	}
	return 0;
}

/* on/true/yes/1, off/false/no/0. */
static int
onoff_value(const char *v, bool *on)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "1") == 0)
		*on = true;
	else if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
		 strcmp(v, "0") == 0)
		*on = false;
	else
		return -1;
	return 0;
}

static int
parse_source(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	bool on;

	if (onoff_value(v, &on) < 0) {
		snprintf(err, n, "%s: \"%s\" is not on or off", k->name, v);
		return -EINVAL;
	}
	*(enum config_onoff *)field = on ? CONFIG_ON : CONFIG_OFF;
	return 0;
}

static int
parse_bool(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	if (onoff_value(v, field) < 0) {
		snprintf(err, n, "%s: \"%s\" is not on or off", k->name, v);
		return -EINVAL;
	}
	return 0;
}

static int
parse_log_format(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	bool *json = field;

	if (strcmp(v, "json") == 0 || strcmp(v, "kv") == 0) {
		*json = v[0] == 'j';
		return 0;
	}
	snprintf(err, n, "%s: \"%s\" is not json or kv", k->name, v);
	return -EINVAL;
}

static int
parse_log_level(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	bool *debug = field;

	if (strcmp(v, "debug") == 0 || strcmp(v, "info") == 0) {
		*debug = v[0] == 'd';
		return 0;
	}
	snprintf(err, n, "%s: \"%s\" is not info or debug", k->name, v);
	return -EINVAL;
}

static int
parse_driver(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	if (v[0] == '\0' || strlen(v) >= k->size || strchr(v, '/') != NULL) {
		snprintf(err, n, "%s: \"%s\" is not a driver name (or \"*\")", k->name, v);
		return -EINVAL;
	}
	snprintf(field, k->size, "%s", v);
	return 0;
}

static int
parse_list(const struct config_key *k, struct config_list *l, const char *v, bool bdf, char *err,
	   size_t n)
{
	char buf[1024], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", v);
	l->n = 0;
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL; tok = strtok_r(NULL, ", \t", &save)) {
		if (l->n == CONFIG_LIST_MAX) {
			snprintf(err, n, "%s: more than %u entries", k->name, CONFIG_LIST_MAX);
			return -EINVAL;
		}
		if (strlen(tok) >= sizeof(l->item[0]) || (bdf && !sysfs_pci_is_bdf(tok))) {
			snprintf(err, n, "%s: \"%s\" is not a %s", k->name, tok,
				 bdf ? "PCI address like 0000:00:02.0" : "valid name");
			return -EINVAL;
		}
		snprintf(l->item[l->n], sizeof(l->item[0]), "%s", tok);
		l->n++;
	}
	return 0;
}

static int
parse_pci_list(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	return parse_list(k, field, v, true, err, n);
}

static int
parse_name_list(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	return parse_list(k, field, v, false, err, n);
}

static int
parse_sysfs(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	if (v[0] != '/' || strlen(v) >= k->size) {
		snprintf(err, n, "%s: \"%s\" is not an absolute path", k->name, v);
		return -EINVAL;
	}
	snprintf(field, k->size, "%s", v);
	return 0;
}

/* Empty, or absolute with room for "/sys" after it (the sysfs root in sim mode). */
static int
parse_sim_kernel(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	if (v[0] != '\0' && (v[0] != '/' || strlen(v) + 4 >= k->size)) {
		snprintf(err, n, "%s: \"%s\" is not an absolute path of less than %zu bytes",
			 k->name, v, k->size - 4);
		return -EINVAL;
	}
	snprintf(field, k->size, "%s", v);
	return 0;
}

/* Empty, or absolute with room for ".sock" after it. */
static int
parse_mbox_path(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	if (v[0] != '\0' && (v[0] != '/' || strlen(v) >= k->size - 5)) {
		snprintf(err, n, "%s: \"%s\" is not an absolute path of less than %zu bytes",
			 k->name, v, k->size - 5);
		return -EINVAL;
	}
	snprintf(field, k->size, "%s", v);
	return 0;
}

/* Empty, or an address the endpoint may listen on (http_req.h). */
static int
parse_metrics_listen(const struct config_key *k, void *field, const char *v, char *err,
		     size_t n)
{
	struct http_listen l;
	char msg[256];

	if (v[0] != '\0' && (strlen(v) >= k->size ||
			      http_listen_parse(v, &l, msg, sizeof(msg)) < 0)) {
		snprintf(err, n, "%s: %s", k->name, strlen(v) >= k->size ? "too long" : msg);
		return -EINVAL;
	}
	snprintf(field, k->size, "%s", v);
	return 0;
}

/* Empty, or absolute (node_exporter's textfile directory, a .prom file). */
static int
parse_textfile(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	size_t len = strlen(v);

	if (v[0] != '\0' && (v[0] != '/' || len >= k->size || len < 6 ||
			      strcmp(v + len - 5, ".prom") != 0)) {
		snprintf(err, n, "%s: \"%s\" is not an absolute path ending in .prom "
			 "(node_exporter's textfile collector reads *.prom)", k->name, v);
		return -EINVAL;
	}
	snprintf(field, k->size, "%s", v);
	return 0;
}

static int
parse_metrics_interval(const struct config_key *k, void *field, const char *v, char *err,
		       size_t n)
{
	uint64_t *ms = field;

	if (parse_ms(v, ms) || *ms < 1000) {
		snprintf(err, n, "%s: \"%s\" is not a duration of 1s or more", k->name, v);
		return -EINVAL;
	}
	return 0;
}

/* Anything (tests only). */
static int
parse_any(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	(void)err;
	(void)n;
	snprintf(field, k->size, "%s", v);
	return 0;
}

/* A number or a name; "" = none ((id_t)-1). */
static int
parse_id(const char *v, bool group, unsigned long *out)
{
	char *end;

	if (v[0] == '\0') {
		*out = (unsigned long)(id_t)-1;
		return 0;
	}
	errno = 0;
	*out = strtoul(v, &end, 10);
	if (*end == '\0' && errno == 0 && *out < 0xffffffffUL)
		return 0;
	if (group) {
		struct group *g = getgrnam(v);

		if (g == NULL)
			return -1;
		*out = g->gr_gid;
	} else {
		struct passwd *p = getpwnam(v);

		if (p == NULL)
			return -1;
		*out = p->pw_uid;
	}
	return 0;
}

/* mbox_uid (arg USER) and mbox_gid (arg GROUP): uid_t and gid_t, both 32 bits. */
static int
parse_owner(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	bool group = strcmp(k->arg, "GROUP") == 0;
	unsigned long id;
	uint32_t id32;

	_Static_assert(sizeof(uid_t) == sizeof(id32) && sizeof(gid_t) == sizeof(id32), "id size");
	if (parse_id(v, group, &id) < 0) {
		snprintf(err, n, "%s: \"%s\" is not a %s name or number", k->name, v,
			 group ? "group" : "user");
		return -EINVAL;
	}
	id32 = (uint32_t)id;
	memcpy(field, &id32, sizeof(id32));
	return 0;
}

static int
parse_mode(const struct config_key *k, void *field, const char *v, char *err, size_t n)
{
	unsigned long mode;
	char *end;

	errno = 0;
	mode = strtoul(v, &end, 8);
	if (v[0] == '\0' || *end != '\0' || errno != 0 || (mode != 0600 && mode != 0660)) {
		snprintf(err, n, "%s: \"%s\" is not 0600 or 0660%s", k->name, v,
			 (*end == '\0' && (mode & 0007) != 0) ?
			 " (the mailbox is never accessible to others)" : "");
		return -EINVAL;
	}
	*(unsigned int *)field = (unsigned int)mode;
	return 0;
}

/* ---- printers: what follows "name =" on the line, into buf ---- */

#define FIELD(k, c) ((const void *)((const char *)(c) + (k)->off))

static bool
print_str(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	snprintf(buf, n, " %s", (const char *)FIELD(k, c));
	return true;
}

/* Tests only: a line when set. */
static bool
print_str_if_set(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	return ((const char *)FIELD(k, c))[0] != '\0' && print_str(k, c, buf, n);
}

static bool
print_list(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	const struct config_list *l = FIELD(k, c);
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < l->n && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? "," : " ", l->item[i]);
	return true;
}

static bool
print_ms(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	snprintf(buf, n, " %" PRIu64 "ms", *(const uint64_t *)FIELD(k, c));
	return true;
}

static bool
print_source(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	snprintf(buf, n, " %s", *(const enum config_onoff *)FIELD(k, c) == CONFIG_ON ? "on" : "off");
	return true;
}

static bool
print_bool(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	snprintf(buf, n, " %s", *(const bool *)FIELD(k, c) ? "on" : "off");
	return true;
}

static bool
print_log_format(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	snprintf(buf, n, " %s", *(const bool *)FIELD(k, c) ? "json" : "kv");
	return true;
}

static bool
print_log_level(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	snprintf(buf, n, " %s", *(const bool *)FIELD(k, c) ? "debug" : "info");
	return true;
}

/* The socket in effect once a segment is set. */
static bool
print_mbox_socket(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	char sock[CONFIG_PATH_MAX];

	if (c->mbox.path[0] == '\0')
		return print_str(k, c, buf, n);
	snprintf(buf, n, " %s", config_mbox_sock(&c->mbox, sock, sizeof(sock)));
	return true;
}

/* An id, or nothing for none. */
static bool
print_id(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	uint32_t id;

	/* uid_t or gid_t (see parse_owner). */
	memcpy(&id, FIELD(k, c), sizeof(id));
	buf[0] = '\0';
	if (id != UINT32_MAX)
		snprintf(buf, n, " %u", (unsigned int)id);
	return true;
}

/* The mode in effect. */
static bool
print_mode(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
	(void)k;
	snprintf(buf, n, " 0%o", config_mbox_mode(&c->mbox));
	return true;
}

/* ---- the table ---- */

#define KEY(field_) .off = offsetof(struct config, field_), \
	.size = sizeof(((struct config *)NULL)->field_)

const struct config_key config_keys[CONFIG_NKEYS] = {
	{ "driver", "driver", "NAME", "driver of the devices to watch (default mana; * = any)",
	  "mana", KEY(driver), parse_driver, print_str },
	{ "pci_allow", "pci-allow", "LIST", "comma-separated PCI addresses (default: any)",
	  NULL, KEY(pci_allow), parse_pci_list, print_list },
	{ "reporters", "reporters", "LIST", "devlink reporters that count as service events\n"
	  "(default: none; * = any)", NULL, KEY(reporters), parse_name_list, print_list },
	{ "gone_timeout", "gone-timeout", "DUR", "service event -> gone for good (default 120s)",
	  "120s", KEY(gone_timeout_ms), parse_gone_timeout, print_ms },
	{ "poll_interval", "poll-interval", "DUR",
	  "dump diff period without RDMA monitor (default 60s; 0 = off)",
	  "60s", KEY(poll_interval_ms), parse_poll_interval, print_ms },
	{ "rdma", "rdma", "on|off", "watch RDMA netlink (default on; fails if absent)",
	  "on", KEY(rdma), parse_source, print_source },
	{ "devlink", "devlink", "on|off", "watch devlink health (default on; fails if absent)",
	  "on", KEY(devlink), parse_source, print_source },
	{ "uevent", "uevent", "on|off", "listen to kobject uevents (default on)",
	  "on", KEY(uevent), parse_source, print_source },
	{ "log_format", "log-format", "json|kv",
	  "log records as JSON lines or key=value (default json)",
	  "json", KEY(log_json), parse_log_format, print_log_format },
	{ "log_level", "log-level", "info|debug", "",
	  "info", KEY(log_debug), parse_log_level, print_log_level },
	{ "sysfs", "sysfs", "PATH", "sysfs root (default /sys)",
	  "/sys", KEY(sysfs), parse_sysfs, print_str },
	{ "mbox_path", "mbox-path", "PATH",
	  "publish through the proto/ mailbox at PATH (default: off)",
	  NULL, KEY(mbox.path), parse_mbox_path, print_str },
	{ "mbox_socket", "mbox-socket", "PATH", "its socket (default PATH.sock)",
	  NULL, KEY(mbox.sock), parse_mbox_path, print_mbox_socket },
	{ "mbox_uid", "mbox-uid", "USER", "owner of the files, the PMDs' user (default: ours)",
	  "", KEY(mbox.uid), parse_owner, print_id },
	{ "mbox_gid", "mbox-gid", "GROUP", "the PMDs' group (files 0660; default: none, 0600)",
	  "", KEY(mbox.gid), parse_owner, print_id },
	{ "mbox_mode", "mbox-mode", "0600|0660", "checked against --mbox-gid",
	  NULL, KEY(mbox.mode), parse_mode, print_mode },
	{ "mbox_replace", "mbox-replace", "on|off",
	  "replace a segment that cannot be re-adopted (default off)",
	  NULL, KEY(mbox.replace), parse_bool, print_bool },
	{ "metrics_listen", "metrics-listen", "ADDR",
	  "Prometheus endpoint: 127.0.0.1:PORT, [::1]:PORT or unix:PATH (default: off)",
	  NULL, KEY(metrics_listen), parse_metrics_listen, print_str },
	{ "metrics_textfile", "metrics-textfile", "PATH",
	  "node_exporter textfile (*.prom), rewritten atomically (default: off)",
	  NULL, KEY(metrics_textfile), parse_textfile, print_str },
	{ "metrics_interval", "metrics-interval", "DUR",
	  "period of the textfile (default 15s)",
	  "15s", KEY(metrics_interval_ms), parse_metrics_interval, print_ms },
	{ "fake_kernel", "fake-kernel", "FIFO", "tests only: RDMA events from FIFO, no netlink",
	  NULL, KEY(fake_kernel), parse_any, print_str_if_set },
	{ "sim_kernel", "sim-kernel", "DIR",
	  "simulation only: the simulated host DIR (proto/simhost) in place of the kernel;\n"
	  "sysfs is DIR/sys, no netlink (default: off)",
	  NULL, KEY(sim_kernel), parse_sim_kernel, print_str_if_set },
};
