/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The RDMA class of sysfs: which ibdev sits below which PCI function, the
 * ibdev of a node GUID, the netdev of an IB port and its MAC address. See
 * verbs_sysfs.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "verbs_sysfs.h"

#define VERBS_PATH_MAX PATH_MAX

/* printf into buf: 0, or -ENAMETOOLONG when it does not fit. */
static int __attribute__((format(printf, 3, 4)))
path_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A PCI address: four, two, two and one hex digits ("7870:00:00.0"). */
static bool
is_pci_addr(const char *s, size_t n)
{
	static const char pat[] = "hhhh:hh:hh.h";
	size_t i;

	if (n != sizeof(pat) - 1)
		return false;
	for (i = 0; i < n; i++)
		if (pat[i] == 'h' ? !isxdigit((unsigned char)s[i]) : s[i] != pat[i])
			return false;
	return true;
}

/* The resolved path of ibdev's device, cut after its innermost PCI
 * address component (the function's directory), into dir; and that
 * address into pci (if not NULL).
 */
static int
ibdev_pci_dir(const char *root, const char *ibdev, char *dir, char *pci, size_t pci_len)
{
	char link[VERBS_PATH_MAX];
	char *p, *end, *cut = NULL;
	int ret;

	ret = path_fmt(link, sizeof(link), "%s/class/infiniband/%s/device", root, ibdev);
	if (ret != 0)
		return ret;
	if (realpath(link, dir) == NULL)
		return -ENOENT;
	for (p = dir; *p != '\0'; p = end) {
		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		if (is_pci_addr(p, (size_t)(end - p)))
			cut = end;
	}
	if (cut == NULL)
		return -ENOENT;
	*cut = '\0';
	if (pci != NULL) {
		p = strrchr(dir, '/') + 1;
		if (strlen(p) >= pci_len)
			return -ENAMETOOLONG;
		strcpy(pci, p);
	}
	return 0;
}

int
verbs_sysfs_pci_of(const char *root, const char *ibdev, char *pci, size_t len)
{
	char dir[VERBS_PATH_MAX];

	return ibdev_pci_dir(root, ibdev, dir, pci, len);
}

/* Does ibdev match? (arg: what the caller looks for) */
typedef bool (*ibdev_match_fn)(const char *root, const char *ibdev, const void *arg);

/* The first ibdev of root/class/infiniband that match accepts, into name. */
static int
ibdev_find(const char *root, ibdev_match_fn match, const void *arg, char *name, size_t len)
{
	char path[VERBS_PATH_MAX];
	struct dirent *e;
	DIR *dir;
	int ret;

	ret = path_fmt(path, sizeof(path), "%s/class/infiniband", root);
	if (ret != 0)
		return ret;
	dir = opendir(path);
	if (dir == NULL)
		return -errno;
	ret = -ENOENT;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.' || !match(root, e->d_name, arg))
			continue;
		if (strlen(e->d_name) >= len) {
			ret = -ENAMETOOLONG;
			break;
		}
		strcpy(name, e->d_name);
		ret = 0;
		break;
	}
	closedir(dir);
	return ret;
}

static bool
match_pci(const char *root, const char *ibdev, const void *arg)
{
	char pci[32];

	return verbs_sysfs_pci_of(root, ibdev, pci, sizeof(pci)) == 0 && strcmp(pci, arg) == 0;
}

int
verbs_sysfs_ibdev_of(const char *root, const char *pci, char *name, size_t len)
{
	return ibdev_find(root, match_pci, pci, name, len);
}

/* The first line of a small sysfs file into buf. */
static int
read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (f == NULL)
		return -errno;
	if (fgets(buf, (int)len, f) == NULL)
		ret = -EIO;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static bool
match_guid(const char *root, const char *ibdev, const void *arg)
{
	char path[VERBS_PATH_MAX], line[64];
	unsigned int g[4];

	return path_fmt(path, sizeof(path), "%s/class/infiniband/%s/node_guid", root,
			ibdev) == 0 &&
	       read_line(path, line, sizeof(line)) == 0 &&
	       sscanf(line, "%4x:%4x:%4x:%4x", &g[0], &g[1], &g[2], &g[3]) == 4 &&
	       ((uint64_t)g[0] << 48 | (uint64_t)g[1] << 32 | (uint64_t)g[2] << 16 | g[3]) ==
	       *(const uint64_t *)arg;
}

int
verbs_sysfs_ibdev_by_guid(const char *root, uint64_t guid, char *name, size_t len)
{
	return ibdev_find(root, match_guid, &guid, name, len);
}

int
verbs_mac_parse(const char *text, uint8_t mac[6])
{
	unsigned int i;

	for (i = 0; i < 6; i++) {
		const char *p = text + 3 * i;

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
			return -EINVAL;
		if (i < 5 && p[2] != ':')
			return -EINVAL;
		mac[i] = (uint8_t)strtoul((char[]){ p[0], p[1], '\0' }, NULL, 16);
	}
	text += 17;
	if (*text == '\n')
		text++;
	return *text == '\0' ? 0 : -EINVAL;
}

int
verbs_sysfs_port_mac(const char *root, const char *ibdev, unsigned int port, uint8_t mac[6])
{
	char fn[VERBS_PATH_MAX], net[VERBS_PATH_MAX], path[VERBS_PATH_MAX], line[64];
	char found[NAME_MAX + 1] = "";
	unsigned int netdevs = 0;
	struct dirent *e;
	DIR *dir;
	int ret;

	if (port == 0)
		return -EINVAL;
	ret = ibdev_pci_dir(root, ibdev, fn, NULL, 0);
	if (ret == 0)
		ret = path_fmt(net, sizeof(net), "%s/net", fn);
	if (ret != 0)
		return ret;
	dir = opendir(net);
	if (dir == NULL)
		return -ENOENT;
	ret = -ENOENT;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		netdevs++;
		snprintf(found, sizeof(found), "%s", e->d_name);
		if (path_fmt(path, sizeof(path), "%s/%s/dev_port", net, e->d_name) == 0 &&
		    read_line(path, line, sizeof(line)) == 0 &&
		    strtoul(line, NULL, 0) == port - 1) {
			ret = 0;
			break;
		}
	}
	closedir(dir);
	/* A lone netdev without dev_port is port 1's. */
	if (ret != 0 && netdevs == 1 && port == 1)
		ret = 0;
	if (ret != 0)
		return ret;
	ret = path_fmt(path, sizeof(path), "%s/%s/address", net, found);
	if (ret == 0)
		ret = read_line(path, line, sizeof(line));
	if (ret != 0)
		return ret == -ENAMETOOLONG ? ret : -ENOENT;
	return verbs_mac_parse(line, mac);
}

int
verbs_sysfs_ibdev_id(const char *root, const char *ibdev, uint64_t *id)
{
	char path[VERBS_PATH_MAX];
	struct stat st;
	int ret;

	ret = path_fmt(path, sizeof(path), "%s/class/infiniband/%s", root, ibdev);
	if (ret != 0)
		return ret;
	/* Follows the class link to the device's own directory. */
	if (stat(path, &st) != 0)
		return -errno;
	*id = ((uint64_t)st.st_dev << 40 ^ (uint64_t)st.st_ino) | 1;
	return 0;
}
