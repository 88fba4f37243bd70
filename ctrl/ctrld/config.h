/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_CONFIG_H
#define MANA_CTRL_CONFIG_H

/*
 * mana-ctrld's configuration: a file of "key = value" lines ('#' comments)
 * and command-line flags of the same names, flags winning. See
 * ctrl/README.md for the keys. Errors carry the file, line and key, for a
 * person to act on. Thread context: the daemon's main thread.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrl/ctrld/config_mbox.h"

#define CONFIG_LIST_MAX 32
#define CONFIG_STR_MAX 64

enum config_onoff {
	CONFIG_OFF = 0,
	CONFIG_ON = 1,
};

struct config {
	char driver[CONFIG_STR_MAX];		/* "mana"; "*" = any driver */
	char pci_allow[CONFIG_LIST_MAX][16];	/* empty = any PCI address */
	unsigned int n_pci;
	char reporters[CONFIG_LIST_MAX][CONFIG_STR_MAX]; /* devlink reporters that count */
	unsigned int n_reporters;
	uint64_t gone_timeout_ms;		/* service event -> gone for good */
	uint64_t poll_interval_ms;		/* fallback dump diff; 0 = never */
	enum config_onoff rdma;			/* require NETLINK_RDMA */
	enum config_onoff devlink;		/* require devlink */
	enum config_onoff uevent;		/* listen to kobject uevents */
	bool log_json;				/* JSON lines, else key=value */
	bool log_debug;
	char sysfs[128];			/* sysfs root (tests point it elsewhere) */
	struct config_mbox mbox;		/* the proto/ mailbox (config_mbox.h) */
	char fake_kernel[CONFIG_PATH_MAX];	/* tests: a FIFO of fake RDMA events */
};

void config_defaults(struct config *c);

/*
 * Apply one key = value. Returns 0 or -EINVAL with a message in err (size n).
 */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t n);

/* Read a config file. Returns 0, or -errno / -EINVAL with a message in err. */
int config_load(struct config *c, const char *path, char *err, size_t n);

/* Does the configuration count this devlink reporter as a service event? */
bool config_reporter_counts(const struct config *c, const char *reporter);

/* Is this PCI address allowed (an empty list allows all)? */
bool config_pci_allowed(const struct config *c, const char *bdf);

/* Print the effective configuration as key = value lines. */
void config_print(const struct config *c, void *file);

#endif /* MANA_CTRL_CONFIG_H */
