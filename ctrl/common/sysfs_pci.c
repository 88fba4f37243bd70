/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctrl/common/sysfs_pci.h"

bool
sysfs_pci_is_bdf(const char *s)
{
	static const char pat[] = "hhhh:hh:hh.h";

	if (strlen(s) != sizeof(pat) - 1)
		return false;
	for (size_t i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'h' ? !isxdigit((unsigned char)s[i]) : s[i] != pat[i])
			return false;
	return true;
}

int
sysfs_pci_walk(const char *link, int (*cb)(void *arg, const char *bdf), void *arg)
{
	char real[PATH_MAX], *save = NULL, *tok;
	int ret;

	if (realpath(link, real) == NULL)
		return -errno;
	for (tok = strtok_r(real, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
		if (!sysfs_pci_is_bdf(tok))
			continue;
		ret = cb(arg, tok);
		if (ret != 0)
			return ret;
	}
	return 0;
}

struct last_bdf {
	char *pci;
	size_t n;
};

static int
keep_last(void *arg, const char *bdf)
{
	struct last_bdf *l = arg;

	snprintf(l->pci, l->n, "%s", bdf);
	return 0;
}

int
sysfs_pci_of_link(const char *link, char *pci, size_t n)
{
	struct last_bdf l = { .pci = pci, .n = n };
	int ret;

	pci[0] = '\0';
	ret = sysfs_pci_walk(link, keep_last, &l);
	if (ret < 0)
		return ret;
	return pci[0] != '\0' ? 0 : -ENOENT;
}

void
sysfs_pci_driver(const char *devdir, char *out, size_t n)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *b;
	ssize_t l;

	out[0] = '\0';
	snprintf(link, sizeof(link), "%s/driver", devdir);
	l = readlink(link, target, sizeof(target) - 1);
	if (l <= 0)
		return;
	target[l] = '\0';
	b = strrchr(target, '/');
	snprintf(out, n, "%s", b != NULL ? b + 1 : target);
}

bool
sysfs_pci_present(const char *sysfs, const char *bdf)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", sysfs, bdf);
	return access(dir, F_OK) == 0;
}
