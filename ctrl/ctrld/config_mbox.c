/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrld/config_mbox.h"

void
config_mbox_defaults(struct config_mbox *m)
{
	memset(m, 0, sizeof(*m));
	m->uid = (uid_t)-1;
	m->gid = (gid_t)-1;
}

/* "mbox-uid" and "mbox_uid" alike. */
static bool
key_is(const char *key, const char *want)
{
	for (; *key != '\0' && *want != '\0'; key++, want++) {
		char k = *key == '-' ? '_' : *key;

		if (k != *want)
			return false;
	}
	return *key == '\0' && *want == '\0';
}

static int
parse_id(const char *v, bool group, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(v, &end, 10);
	if (v[0] != '\0' && *end == '\0' && errno == 0 && *out < 0xffffffffUL)
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

static int
set_path(char *dst, const char *v, const char *key, char *err, size_t n)
{
	if (v[0] != '\0' && (v[0] != '/' || strlen(v) >= CONFIG_PATH_MAX - 5)) {
		snprintf(err, n, "%s: \"%s\" is not an absolute path of less than %d bytes", key,
			 v, CONFIG_PATH_MAX - 5);
		return -EINVAL;
	}
	snprintf(dst, CONFIG_PATH_MAX, "%s", v);
	return 0;
}

int
config_mbox_set(struct config_mbox *m, const char *key, const char *v, char *err, size_t n)
{
	unsigned long id;
	char *end;

	if (key_is(key, "mbox_path"))
		return set_path(m->path, v, "mbox_path", err, n);
	if (key_is(key, "mbox_socket"))
		return set_path(m->sock, v, "mbox_socket", err, n);
	if (key_is(key, "mbox_uid") || key_is(key, "mbox_gid")) {
		bool group = key[5] == 'g';

		if (v[0] == '\0') {
			if (group)
				m->gid = (gid_t)-1;
			else
				m->uid = (uid_t)-1;
			return 0;
		}
		if (parse_id(v, group, &id) < 0) {
			snprintf(err, n, "%s: \"%s\" is not a %s name or number",
				 group ? "mbox_gid" : "mbox_uid", v, group ? "group" : "user");
			return -EINVAL;
		}
		if (group)
			m->gid = (gid_t)id;
		else
			m->uid = (uid_t)id;
		return 0;
	}
	if (key_is(key, "mbox_mode")) {
		errno = 0;
		id = strtoul(v, &end, 8);
		if (v[0] == '\0' || *end != '\0' || errno != 0 || (id != 0600 && id != 0660)) {
			snprintf(err, n, "mbox_mode: \"%s\" is not 0600 or 0660%s", v,
				 (*end == '\0' && (id & 0007) != 0) ?
				 " (the mailbox is never accessible to others)" : "");
			return -EINVAL;
		}
		m->mode = (unsigned int)id;
		return 0;
	}
	if (key_is(key, "mbox_replace")) {
		if (strcmp(v, "on") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "1") == 0)
			m->replace = true;
		else if (strcmp(v, "off") == 0 || strcmp(v, "no") == 0 ||
			 strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			m->replace = false;
		else {
			snprintf(err, n, "mbox_replace: \"%s\" is not on or off", v);
			return -EINVAL;
		}
		return 0;
	}
	return -ENOENT;
}

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

void
config_mbox_print(const struct config_mbox *m, void *file)
{
	FILE *f = file;
	char sock[CONFIG_PATH_MAX];

	fprintf(f, "mbox_path = %s\n", m->path);
	fprintf(f, "mbox_socket = %s\n", m->path[0] != '\0' ?
		config_mbox_sock(m, sock, sizeof(sock)) : m->sock);
	if (m->uid == (uid_t)-1)
		fprintf(f, "mbox_uid =\n");
	else
		fprintf(f, "mbox_uid = %u\n", (unsigned int)m->uid);
	if (m->gid == (gid_t)-1)
		fprintf(f, "mbox_gid =\n");
	else
		fprintf(f, "mbox_gid = %u\n", (unsigned int)m->gid);
	fprintf(f, "mbox_mode = 0%o\n", m->mode != 0 ? m->mode :
		(m->gid != (gid_t)-1 ? 0660u : 0600u));
	fprintf(f, "mbox_replace = %s\n", m->replace ? "on" : "off");
}
