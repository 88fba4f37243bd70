/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The RDMA class of sysfs: which ibdev sits on which device, the netdev of
 * an IB port and its MAC address. See verbs_sysfs.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verbs_sysfs.h"

#define VERBS_PATH_MAX 512

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

/* The last component of the link at path into out. */
static int
link_basename(const char *path, char *out, size_t len)
{
	char target[VERBS_PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(out, base);
	return 0;
}

int
verbs_sysfs_parent_of(const char *root, const char *ibdev, char *parent, size_t len)
{
	char path[VERBS_PATH_MAX];
	int ret;

	ret = path_fmt(path, sizeof(path), "%s/class/infiniband/%s/device", root, ibdev);
	if (ret != 0)
		return ret;
	return link_basename(path, parent, len);
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
match_parent(const char *root, const char *ibdev, const void *arg)
{
	char dev[VERBS_PATH_MAX];

	return verbs_sysfs_parent_of(root, ibdev, dev, sizeof(dev)) == 0 &&
	       strcmp(dev, arg) == 0;
}

int
verbs_sysfs_ibdev_of(const char *root, const char *parent, char *name, size_t len)
{
	return ibdev_find(root, match_parent, parent, name, len);
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
	char dir_path[VERBS_PATH_MAX], path[VERBS_PATH_MAX], line[64];
	unsigned int netdevs = 0;
	char only[VERBS_PATH_MAX] = "";
	struct dirent *e;
	DIR *dir;
	int ret;

	if (port == 0)
		return -EINVAL;
	ret = path_fmt(dir_path, sizeof(dir_path), "%s/class/infiniband/%s/device/net", root,
		       ibdev);
	if (ret != 0)
		return ret;
	dir = opendir(dir_path);
	if (dir == NULL)
		return -ENOENT;
	ret = -ENOENT;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		netdevs++;
		if (path_fmt(only, sizeof(only), "%s", e->d_name) != 0)
			continue;
		if (path_fmt(path, sizeof(path), "%s/%s/dev_port", dir_path, e->d_name) != 0 ||
		    read_line(path, line, sizeof(line)) != 0 ||
		    strtoul(line, NULL, 0) != port - 1)
			continue;
		ret = 0;
		break;
	}
	closedir(dir);
	/* A lone netdev without dev_port is port 1's. */
	if (ret != 0 && netdevs == 1 && port == 1)
		ret = 0;
	if (ret != 0)
		return ret;
	ret = path_fmt(path, sizeof(path), "%s/%s/address", dir_path, only);
	if (ret == 0)
		ret = read_line(path, line, sizeof(line));
	if (ret != 0)
		return ret == -ENAMETOOLONG ? ret : -ENOENT;
	return verbs_mac_parse(line, mac);
}
