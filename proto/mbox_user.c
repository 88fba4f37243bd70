/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Users: a user name or a decimal uid to a uid (mbox_user_uid), and the
 * PMD's trust in ctrl's uid (mbox_ctrl_check: root, itself, or a uid it was
 * told to trust; proto/README.md, section 2). No state; calls nothing in
 * proto/ but mbox_setmsg.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbox_priv.h"

/* (uid_t)-1 means "no uid" to chown and setreuid: never a user's. */
#define MBOX_UID_MAX 4294967294ull

/* getpwnam_r's buffer: its own hint, grown on ERANGE up to this. */
#define MBOX_PW_BUF_MIN 1024
#define MBOX_PW_BUF_MAX (1024 * 1024)

static int
user_number(const char *user, uid_t *uid)
{
	unsigned long long v;
	const char *c;
	char *end;

	for (c = user; *c != '\0'; c++)
		if (*c < '0' || *c > '9')
			return mbox_setmsg(-EINVAL, "'%s' is neither a uid (digits only) nor a user name",
					   user);
	errno = 0;
	v = strtoull(user, &end, 10);
	if (errno != 0 || v > MBOX_UID_MAX)
		return mbox_setmsg(-ERANGE, "uid %s is out of range (0 to %llu)", user,
				   MBOX_UID_MAX);
	*uid = (uid_t)v;
	return 0;
}

/* The user name rules of useradd and systemd's DynamicUser= (relaxed: '.'
 * and capitals allowed), so that garbage never reaches the user database.
 */
static bool
user_name_valid(const char *user)
{
	const char *c;

	if (user[0] == '-' || user[0] == '.')
		return false;
	for (c = user; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.'))
			return false;
	return true;
}

int
mbox_user_uid(const char *user, uid_t *uid)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t len = hint > MBOX_PW_BUF_MIN ? (size_t)hint : MBOX_PW_BUF_MIN;
	struct passwd pw, *res = NULL;
	char *buf = NULL, *nbuf;
	int rc;

	if (user == NULL || user[0] == '\0')
		return mbox_setmsg(-EINVAL, "no user given: a user name or a uid is needed");
	if (strlen(user) > MBOX_USER_MAX)
		return mbox_setmsg(-EINVAL, "'%.*s...' is longer than a user name (%u characters)",
				   MBOX_USER_MAX, user, MBOX_USER_MAX);
	if (user[0] >= '0' && user[0] <= '9')
		return user_number(user, uid);
	if (!user_name_valid(user))
		return mbox_setmsg(-EINVAL, "'%s' is neither a user name (letters, digits, '_', '-', '.') nor a uid",
				   user);
	for (;;) {
		nbuf = realloc(buf, len);
		if (nbuf == NULL) {
			free(buf);
			return mbox_setmsg(-ENOMEM, "looking up user '%s': out of memory", user);
		}
		buf = nbuf;
		rc = getpwnam_r(user, &pw, buf, len, &res);
		if (rc != ERANGE || len >= MBOX_PW_BUF_MAX)
			break;
		len *= 2;
	}
	if (res != NULL) {
		*uid = pw.pw_uid;
		free(buf);
		return 0;
	}
	free(buf);
	/* Not found is 0 with no entry; some NSS modules say ENOENT or ESRCH. */
	if (rc == 0 || rc == ENOENT || rc == ESRCH)
		return mbox_setmsg(-ENOENT, "no user '%s' (the User= name of a DynamicUser= unit exists only while the unit runs)",
				   user);
	return mbox_setmsg(-rc, "looking up user '%s': %s", user, strerror(rc));
}

int
mbox_ctrl_check(const char *path, uid_t ctrl, uid_t self, const uid_t *trusted, unsigned int n)
{
	char list[MBOX_MAX_CTRL_UIDS * 12] = "";
	size_t off = 0;
	unsigned int i;

	if (ctrl == 0 || ctrl == self)
		return 0;
	for (i = 0; i < n; i++)
		if (trusted[i] == ctrl)
			return 0;
	if (n == 0)
		return mbox_setmsg(-EACCES, "%s is served by uid %u, neither root nor us: refused",
				   path, (unsigned int)ctrl);
	for (i = 0; i < n && i < MBOX_MAX_CTRL_UIDS; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%u", i > 0 ? ", " : "",
					(unsigned int)trusted[i]);
	return mbox_setmsg(-EACCES, "%s is served by uid %u, neither root, us nor a trusted uid (%s): refused",
			   path, (unsigned int)ctrl, list);
}
