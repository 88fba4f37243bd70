/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/common/sysfs_pci.h"
#include "ctrl/ctrld/config.h"

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->driver, sizeof(c->driver), "mana");
	c->gone_timeout_ms = 120000;	/* MANA_SERVICE_PERIOD is 10 s; be generous */
	c->poll_interval_ms = 60000;
	c->rdma = CONFIG_ON;
	c->devlink = CONFIG_ON;
	c->uevent = CONFIG_ON;
	c->log_json = true;
	snprintf(c->sysfs, sizeof(c->sysfs), "/sys");
	config_mbox_defaults(&c->mbox);
}

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
parse_onoff(const char *v, enum config_onoff *out)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "1") == 0)
		*out = CONFIG_ON;
	else if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
		 strcmp(v, "0") == 0)
		*out = CONFIG_OFF;
	else
		return -1;
	return 0;
}

static int
parse_list(const char *v, char *dst, size_t item, unsigned int max, unsigned int *n,
	   bool bdf, char *err, size_t errn, const char *key)
{
	char buf[1024], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", v);
	*n = 0;
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL; tok = strtok_r(NULL, ", \t", &save)) {
		if (*n == max) {
			snprintf(err, errn, "%s: more than %u entries", key, max);
			return -EINVAL;
		}
		if (strlen(tok) >= item || (bdf && !sysfs_pci_is_bdf(tok))) {
			snprintf(err, errn, "%s: \"%s\" is not a %s", key, tok,
				 bdf ? "PCI address like 0000:00:02.0" : "valid name");
			return -EINVAL;
		}
		snprintf(dst + (size_t)(*n) * item, item, "%s", tok);
		(*n)++;
	}
	return 0;
}

int
config_set(struct config *c, const char *key, const char *v, char *err, size_t n)
{
	int ret;

	if (strcmp(key, "driver") == 0) {
		if (v[0] == '\0' || strlen(v) >= sizeof(c->driver) || strchr(v, '/') != NULL) {
			snprintf(err, n, "driver: \"%s\" is not a driver name (or \"*\")", v);
			return -EINVAL;
		}
		snprintf(c->driver, sizeof(c->driver), "%s", v);
	} else if (strcmp(key, "pci_allow") == 0 || strcmp(key, "pci-allow") == 0) {
		return parse_list(v, &c->pci_allow[0][0], sizeof(c->pci_allow[0]), CONFIG_LIST_MAX,
				  &c->n_pci, true, err, n, "pci_allow");
	} else if (strcmp(key, "reporters") == 0) {
		return parse_list(v, &c->reporters[0][0], sizeof(c->reporters[0]),
				  CONFIG_LIST_MAX, &c->n_reporters, false, err, n, "reporters");
	} else if (strcmp(key, "gone_timeout") == 0 || strcmp(key, "gone-timeout") == 0) {
		if (parse_ms(v, &c->gone_timeout_ms) || c->gone_timeout_ms == 0) {
			snprintf(err, n, "gone_timeout: \"%s\" is not a positive duration "
				 "(e.g. 120, 90s, 500ms, 2min)", v);
			return -EINVAL;
		}
	} else if (strcmp(key, "poll_interval") == 0 || strcmp(key, "poll-interval") == 0) {
		if (parse_ms(v, &c->poll_interval_ms) ||
		    (c->poll_interval_ms != 0 && c->poll_interval_ms < 100)) {
			snprintf(err, n, "poll_interval: \"%s\" is not a duration of 100ms or more "
				 "(0 turns polling off)", v);
			return -EINVAL;
		}
	} else if (strcmp(key, "rdma") == 0 || strcmp(key, "devlink") == 0 ||
		   strcmp(key, "uevent") == 0) {
		enum config_onoff *o = key[0] == 'r' ? &c->rdma :
				       key[0] == 'd' ? &c->devlink : &c->uevent;

		if (parse_onoff(v, o)) {
			snprintf(err, n, "%s: \"%s\" is not on or off", key, v);
			return -EINVAL;
		}
	} else if (strcmp(key, "log_format") == 0 || strcmp(key, "log-format") == 0) {
		if (strcmp(v, "json") == 0)
			c->log_json = true;
		else if (strcmp(v, "kv") == 0)
			c->log_json = false;
		else {
			snprintf(err, n, "log_format: \"%s\" is not json or kv", v);
			return -EINVAL;
		}
	} else if (strcmp(key, "log_level") == 0 || strcmp(key, "log-level") == 0) {
		if (strcmp(v, "debug") == 0)
			c->log_debug = true;
		else if (strcmp(v, "info") == 0)
			c->log_debug = false;
		else {
			snprintf(err, n, "log_level: \"%s\" is not info or debug", v);
			return -EINVAL;
		}
	} else if (strcmp(key, "sysfs") == 0) {
		if (v[0] != '/' || strlen(v) >= sizeof(c->sysfs)) {
			snprintf(err, n, "sysfs: \"%s\" is not an absolute path", v);
			return -EINVAL;
		}
		snprintf(c->sysfs, sizeof(c->sysfs), "%s", v);
	} else if (strcmp(key, "fake_kernel") == 0 || strcmp(key, "fake-kernel") == 0) {
		snprintf(c->fake_kernel, sizeof(c->fake_kernel), "%s", v);
	} else if ((ret = config_mbox_set(&c->mbox, key, v, err, n)) != -ENOENT) {
		return ret;
	} else {
		snprintf(err, n, "unknown key \"%s\"", key);
		return -EINVAL;
	}
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
config_load(struct config *c, const char *path, char *err, size_t n)
{
	char line[1024], msg[256];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (f == NULL) {
		ret = -errno;
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return ret;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq, *hash;

		lineno++;
		hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		s = trim(line);
		if (*s == '\0')
			continue;
		eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, n, "%s:%u: expected \"key = value\", got \"%.64s\"", path,
				 lineno, s);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		ret = config_set(c, trim(s), trim(eq + 1), msg, sizeof(msg));
		if (ret < 0) {
			snprintf(err, n, "%s:%u: %s", path, lineno, msg);
			break;
		}
	}
	fclose(f);
	return ret;
}

bool
config_reporter_counts(const struct config *c, const char *reporter)
{
	for (unsigned int i = 0; i < c->n_reporters; i++)
		if (strcmp(c->reporters[i], "*") == 0 || strcmp(c->reporters[i], reporter) == 0)
			return true;
	return false;
}

bool
config_pci_allowed(const struct config *c, const char *bdf)
{
	if (c->n_pci == 0)
		return true;
	for (unsigned int i = 0; i < c->n_pci; i++)
		if (strcasecmp(c->pci_allow[i], bdf) == 0)
			return true;
	return false;
}

void
config_print(const struct config *c, void *file)
{
	FILE *f = file;

	fprintf(f, "driver = %s\n", c->driver);
	fprintf(f, "pci_allow =");
	for (unsigned int i = 0; i < c->n_pci; i++)
		fprintf(f, "%s%s", i ? "," : " ", c->pci_allow[i]);
	fprintf(f, "\nreporters =");
	for (unsigned int i = 0; i < c->n_reporters; i++)
		fprintf(f, "%s%s", i ? "," : " ", c->reporters[i]);
	fprintf(f, "\ngone_timeout = %" PRIu64 "ms\n", c->gone_timeout_ms);
	fprintf(f, "poll_interval = %" PRIu64 "ms\n", c->poll_interval_ms);
	fprintf(f, "rdma = %s\ndevlink = %s\nuevent = %s\n", c->rdma ? "on" : "off",
		c->devlink ? "on" : "off", c->uevent ? "on" : "off");
	fprintf(f, "log_format = %s\nlog_level = %s\nsysfs = %s\n", c->log_json ? "json" : "kv",
		c->log_debug ? "debug" : "info", c->sysfs);
	config_mbox_print(&c->mbox, f);
}
