/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_CONFIG_H
#define MANA_CTRL_CONFIG_H

/*
 * mana-ctrld's configuration: a file of "key = value" lines ('#' comments)
 * and command-line flags of the same names, flags winning. Every key is one
 * row of config_keys[] (config_keys.c): its name, its flag, the parser that
 * validates a value into its field of struct config, the printer of
 * --check-config, its default and its usage text. The flags (long options),
 * the usage, the file parser and --check-config all come from that table.
 * See ctrl/ctrld/README.md for the keys. Errors carry the file, line and
 * key, for a person to act on.
 *
 * Thread context: the daemon's main thread (config_long_opts fills a static
 * array); nothing here locks.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctrl/ctrld/config_mbox.h"

#define CONFIG_LIST_MAX 32
#define CONFIG_STR_MAX 64

enum config_onoff {
	CONFIG_OFF = 0,
	CONFIG_ON = 1,
};

/* A comma- or blank-separated list value. */
struct config_list {
	char item[CONFIG_LIST_MAX][CONFIG_STR_MAX];
	unsigned int n;
};

struct config {
	char driver[CONFIG_STR_MAX];		/* "mana"; "*" = any driver */
	struct config_list pci_allow;		/* empty = any PCI address */
	struct config_list reporters;		/* devlink reporters that count */
	uint64_t gone_timeout_ms;		/* service event -> gone for good */
	uint64_t poll_interval_ms;		/* fallback dump diff; 0 = never */
	enum config_onoff rdma;			/* require NETLINK_RDMA */
	enum config_onoff devlink;		/* require devlink */
	enum config_onoff uevent;		/* listen to kobject uevents */
	bool log_json;				/* JSON lines, else key=value */
	bool log_debug;
	char sysfs[128];			/* sysfs root (tests point it elsewhere) */
	struct config_mbox mbox;		/* the proto/ mailbox (config_mbox.h) */
	char metrics_listen[CONFIG_PATH_MAX + 8];	/* "" = no endpoint (http_req.h) */
	char metrics_textfile[256];		/* "" = no textfile */
	uint64_t metrics_interval_ms;		/* textfile rewrite period */
	char fake_kernel[CONFIG_PATH_MAX];	/* tests: a FIFO of fake RDMA events */
	char sim_kernel[CONFIG_PATH_MAX];	/* simulation: the simulated host's DIR; "" = off */
};

/* One configuration key. */
struct config_key {
	const char *name;	/* in the file and --check-config: "gone_timeout" */
	const char *flag;	/* the long option: "gone-timeout" */
	const char *arg;	/* the flag's argument in the usage: "DUR" */
	const char *help;	/* usage text; '\n' goes on under the first line */
	const char *def;	/* the default, as a value (NULL: zero) */
	size_t off;		/* the field in struct config */
	size_t size;		/* its size (strings: the buffer) */
	/* Validate v into field; 0, or -EINVAL with a message in err (size n). */
	int (*parse)(const struct config_key *k, void *field, const char *v, char *err, size_t n);
	/*
	 * What follows "name =" on the --check-config line, into buf (size n;
	 * c: the whole configuration). false: no line (a tests-only key unset).
	 */
	bool (*print)(const struct config_key *k, const struct config *c, char *buf, size_t n);
};

#define CONFIG_NKEYS 22
extern const struct config_key config_keys[CONFIG_NKEYS];

/* Every field at its default (the table's def values). */
void config_defaults(struct config *c);

/* The key called name (file spelling) or flag (flag spelling), or NULL. */
const struct config_key *config_key_find(const char *name);

/*
 * Apply one key = value (key in either spelling). Returns 0 or -EINVAL with
 * a message in err (size n).
 */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t n);

/* Read a config file. Returns 0, or -errno / -EINVAL with a message in err. */
int config_load(struct config *c, const char *path, char *err, size_t n);

/* Does the configuration count this devlink reporter as a service event? */
bool config_reporter_counts(const struct config *c, const char *reporter);

/* Is this PCI address allowed (an empty list allows all)? */
bool config_pci_allowed(const struct config *c, const char *bdf);

/* Print the effective configuration as key = value lines (--check-config). */
void config_print(const struct config *c, FILE *f);

/* One usage line per key: "  --flag ARG   help". */
void config_usage(FILE *f);

/*
 * getopt_long's options: extra (NULL-terminated, at most 8, e.g. --config)
 * first, then one option per key, each with has_arg required_argument, flag
 * NULL and val 1. Returns a static array, valid until the next call.
 */
const struct option *config_long_opts(const struct option *extra);

#endif /* MANA_CTRL_CONFIG_H */
