/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_CONFIG_MBOX_H
#define MANA_CTRL_CONFIG_MBOX_H

/*
 * mana-ctrld's mailbox settings (keys mbox_path, mbox_socket, mbox_uid,
 * mbox_gid, mbox_mode, mbox_replace: rows of config_keys[], config_keys.c)
 * and the checks and values derived from them. An empty mbox_path turns the
 * mailbox off. No state: any thread.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CONFIG_PATH_MAX 108	/* sun_path */

struct config_mbox {
	char path[CONFIG_PATH_MAX];	/* segment file; "" = no mailbox */
	char sock[CONFIG_PATH_MAX];	/* "" = path + ".sock" */
	uid_t uid;			/* owner, PMDs' uid; (uid_t)-1 = ours */
	gid_t gid;			/* PMDs' group; (gid_t)-1 = none */
	unsigned int mode;		/* 0600 or 0660; 0 = 0660 with a group, else 0600 */
	bool replace;			/* replace a segment that cannot be adopted */
};

/*
 * Check the combination (mode against group) once everything is read.
 * Returns 0 or -EINVAL with a message in err.
 */
int config_mbox_check(const struct config_mbox *m, char *err, size_t n);

/* The socket path in effect (mbox_socket, else mbox_path + ".sock") into buf. */
const char *config_mbox_sock(const struct config_mbox *m, char *buf, size_t n);

/* The file mode in effect (mbox_mode, else 0660 with a group, else 0600). */
unsigned int config_mbox_mode(const struct config_mbox *m);

#endif /* MANA_CTRL_CONFIG_MBOX_H */
