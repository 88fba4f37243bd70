/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <stdio.h>

#include "ctrl/ctrld/config_mbox.h"

int
config_mbox_check(const struct config_mbox *m, char *err, size_t n)
{
	if (m->mode == 0660 && m->gid == (gid_t)-1) {
		snprintf(err, n, "mbox_mode 0660 needs mbox_gid (the group whose PMDs may attach)");
		return -EINVAL;
	}
	if (m->mode == 0600 && m->gid != (gid_t)-1) {
		snprintf(err, n, "mbox_mode 0600 with mbox_gid %u: the group could not attach; "
			 "use 0660 or drop mbox_gid", (unsigned int)m->gid);
		return -EINVAL;
	}
	return 0;
}

const char *
config_mbox_sock(const struct config_mbox *m, char *buf, size_t n)
{
	if (m->sock[0] != '\0')
		snprintf(buf, n, "%s", m->sock);
	else
		snprintf(buf, n, "%s.sock", m->path);
	return buf;
}

unsigned int
config_mbox_mode(const struct config_mbox *m)
{
	if (m->mode != 0)
		return m->mode;
	return m->gid != (gid_t)-1 ? 0660u : 0600u;
}
