/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The configuration's machinery over config_keys[] (config_keys.c):
 * defaults, the file, one key = value, --check-config, the usage lines and
 * the long options.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctrl/ctrld/config.h"

#define USAGE_COL 21	/* "--flag ARG" padded to this, then the help */

static void *
field_of(struct config *c, const struct config_key *k)
{
	return (char *)c + k->off;
}

void
config_defaults(struct config *c)
{
	char err[256];

	memset(c, 0, sizeof(*c));
	for (unsigned int i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];

		/* Constant defaults; config_keys_test shows that each one parses. */
		if (k->def != NULL)
			(void)k->parse(k, field_of(c, k), k->def, err, sizeof(err));
	}
}

const struct config_key *
config_key_find(const char *name)
{
	for (unsigned int i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(name, config_keys[i].name) == 0 || strcmp(name, config_keys[i].flag) == 0)
			return &config_keys[i];
	return NULL;
}

int
config_set(struct config *c, const char *key, const char *v, char *err, size_t n)
{
	const struct config_key *k = config_key_find(key);

	if (k == NULL) {
		snprintf(err, n, "unknown key \"%s\"", key);
		return -EINVAL;
	}
	return k->parse(k, field_of(c, k), v, err, n);
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
	for (unsigned int i = 0; i < c->reporters.n; i++)
		if (strcmp(c->reporters.item[i], "*") == 0 ||
		    strcmp(c->reporters.item[i], reporter) == 0)
			return true;
	return false;
}

bool
config_pci_allowed(const struct config *c, const char *bdf)
{
	if (c->pci_allow.n == 0)
		return true;
	for (unsigned int i = 0; i < c->pci_allow.n; i++)
		if (strcasecmp(c->pci_allow.item[i], bdf) == 0)
			return true;
	return false;
}

const char *
config_port_map(const struct config_list *port_map, const char *dev)
{
	size_t len = strlen(dev);

	for (unsigned int i = 0; i < port_map->n; i++)
		if (strncmp(port_map->item[i], dev, len) == 0 && port_map->item[i][len] == '=')
			return port_map->item[i] + len + 1;
	return NULL;
}

bool
config_port_mapped(const struct config_list *port_map, const char *bdf)
{
	for (unsigned int i = 0; i < port_map->n; i++) {
		const char *eq = strchr(port_map->item[i], '=');

		if (eq != NULL && strcasecmp(eq + 1, bdf) == 0)
			return true;
	}
	return false;
}

void
config_print(const struct config *c, FILE *f)
{
	char val[CONFIG_LIST_MAX * (CONFIG_STR_MAX + 1) + 2];

	for (unsigned int i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->print(k, c, val, sizeof(val)))
			fprintf(f, "%s =%s\n", k->name, val);
	}
}

void
config_usage(FILE *f)
{
	for (unsigned int i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];
		const char *h = k->help, *nl;
		char opt[64];

		snprintf(opt, sizeof(opt), "%s %s", k->flag, k->arg);
		if (h[0] == '\0') {
			fprintf(f, "  --%s\n", opt);
			continue;
		}
		nl = strchr(h, '\n');
		/* At least one space between a long flag and its help. */
		fprintf(f, "  --%-*s %.*s\n", USAGE_COL - 1, opt,
			nl != NULL ? (int)(nl - h) : (int)strlen(h), h);
		/* Continuation lines under the first line's help. */
		for (h = nl; h != NULL; h = nl) {
			nl = strchr(h + 1, '\n');
			fprintf(f, "    %*s%.*s\n", USAGE_COL, "",
				nl != NULL ? (int)(nl - h - 1) : (int)strlen(h + 1), h + 1);
		}
	}
}

const struct option *
config_long_opts(const struct option *extra)
{
	static struct option opts[8 + CONFIG_NKEYS + 1];
	unsigned int n = 0;

	for (; extra != NULL && extra[n].name != NULL && n < 8; n++)
		opts[n] = extra[n];
	for (unsigned int i = 0; i < CONFIG_NKEYS; i++, n++)
		opts[n] = (struct option){ config_keys[i].flag, required_argument, NULL, 1 };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
	return opts;
}
