/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <string.h>

#include "nl_uevent.h"

static void
copy_field(char *dst, size_t n, const char *src, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int
nl_uevent_parse(struct nl_uevent *ev, const void *buf, size_t len)
{
	const char *p = buf;
	const char *end = p + len;
	const char *at, *slash;
	size_t l;

	memset(ev, 0, sizeof(*ev));
	if (len == 0)
		return -EPROTO;
	l = strnlen(p, len);
	at = memchr(p, '@', l);
	if (at == NULL || at == p)
		return -EPROTO;	/* "libudev" messages have no '@' header */
	copy_field(ev->action, sizeof(ev->action), p, (size_t)(at - p));
	copy_field(ev->devpath, sizeof(ev->devpath), at + 1, l - (size_t)(at + 1 - p));
	p += l + 1;
	while (p < end) {
		const char *eq;

		l = strnlen(p, (size_t)(end - p));
		eq = memchr(p, '=', l);
		if (eq != NULL) {
			size_t kl = (size_t)(eq - p);
			const char *v = eq + 1;
			size_t vl = l - kl - 1;

			if (kl == 9 && memcmp(p, "SUBSYSTEM", 9) == 0)
				copy_field(ev->subsystem, sizeof(ev->subsystem), v, vl);
			else if (kl == 6 && memcmp(p, "DRIVER", 6) == 0)
				copy_field(ev->driver, sizeof(ev->driver), v, vl);
			else if (kl == 7 && memcmp(p, "DEVPATH", 7) == 0)
				copy_field(ev->devpath, sizeof(ev->devpath), v, vl);
			else if (kl == 6 && memcmp(p, "ACTION", 6) == 0)
				copy_field(ev->action, sizeof(ev->action), v, vl);
			else if (kl == 11 && memcmp(p, "DEVPATH_OLD", 11) == 0)
				copy_field(ev->devpath_old, sizeof(ev->devpath_old), v, vl);
		}
		p += l + 1;
	}
	slash = strrchr(ev->devpath, '/');
	copy_field(ev->name, sizeof(ev->name), slash != NULL ? slash + 1 : ev->devpath,
		   strlen(slash != NULL ? slash + 1 : ev->devpath));
	return 0;
}
