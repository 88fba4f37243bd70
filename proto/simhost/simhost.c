/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The simulated host's files: state files, the RDMA index counter, sys/.
 * See simhost.h for the format.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/simhost/simhost.h"
#include "proto/simhost/simhost_priv.h"

static _Thread_local char errbuf[256];

const char *
simhost_errmsg(void)
{
	return errbuf;
}

int
simhost_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return err;
}

int
simhost_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

int
simhost_parse_hex64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !isxdigit((unsigned char)s[2]))
		return -EINVAL;
	errno = 0;
	x = strtoull(s + 2, &end, 16);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	*v = x;
	return 0;
}

int
simhost_copy(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);

	if (l >= n)
		return -ENAMETOOLONG;
	memcpy(dst, src, l + 1);
	return 0;
}

const char *
simhost_hw_name(enum simhost_hw hw)
{
	switch (hw) {
	case SIMHOST_HW_UP:
		return "up";
	case SIMHOST_HW_DOWN:
		return "down";
	case SIMHOST_HW_REMOVED:
		return "removed";
	}
	return "?";
}

int
simhost_name_ok(const char *s, size_t max)
{
	size_t l = strlen(s);

	if (l == 0 || l >= max || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (size_t i = 0; i < l; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_.:-", s[i]) == NULL)
			return 0;
	return 1;
}

int
simhost_bdf_ok(const char *s)
{
	static const char pat[] = "hhhh:hh:hh.h";

	if (strlen(s) != sizeof(pat) - 1)
		return 0;
	for (size_t i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'h' ? !isxdigit((unsigned char)s[i]) : s[i] != pat[i])
			return 0;
	return 1;
}

static int
mkdir_one(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	return simhost_fail(-errno, "cannot make %s: %s", path, strerror(errno));
}

/* mkdir -p of path (a copy is cut at each '/'). */
static int
mkdir_p(const char *path)
{
	char p[SIMHOST_PATH_MAX];
	int ret;

	if (simhost_copy(p, sizeof(p), path) < 0)
		return simhost_fail(-ENAMETOOLONG, "path too long: %s", path);
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		ret = mkdir_one(p);
		*s = '/';
		if (ret < 0)
			return ret;
	}
	return mkdir_one(p);
}

static int
pathf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
pathf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int l;

	va_start(ap, fmt);
	l = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	if (l < 0 || (size_t)l >= n)
		return simhost_fail(-ENAMETOOLONG, "path too long (%s...)", buf);
	return 0;
}

int
simhost_dir_init(const char *dir)
{
	static const char *const sub[] = { "dev", "hv", "sys" };
	char p[SIMHOST_PATH_MAX];
	int ret;

	ret = mkdir_p(dir);
	for (size_t i = 0; ret == 0 && i < sizeof(sub) / sizeof(sub[0]); i++) {
		ret = pathf(p, sizeof(p), "%s/%s", dir, sub[i]);
		if (ret == 0)
			ret = mkdir_one(p);
	}
	return ret;
}

/* ---- state files ---- */

int
simhost_dev_format(const struct simhost_dev *d, char *buf, size_t n)
{
	int l;

	if (!simhost_name_ok(d->name, sizeof(d->name)) || !simhost_bdf_ok(d->pci) ||
	    !simhost_name_ok(d->ibdev, sizeof(d->ibdev)) ||
	    !simhost_name_ok(d->netdev, sizeof(d->netdev)))
		return simhost_fail(-EINVAL, "device state with a bad name, PCI address, "
					     "IB device or netdev");
	l = snprintf(buf, n,
		     "format=%d\nname=%s\npid=%" PRId64 "\nhv=%s\npci=%s\npci_present=%d\n"
		     "ibdev=%s\nib_index=%" PRIu32 "\nregistered=%d\nnode_guid=0x%016" PRIx64 "\n"
		     "netdev=%s\nifindex=%" PRIu32 "\ndevlink=%d\nreporter=%s\nhealth=%s\n"
		     "error_count=%" PRIu64 "\nrecover_count=%" PRIu64 "\nhw=%s\n"
		     "service_events=%" PRIu64 "\n",
		     SIMHOST_FORMAT, d->name, d->pid, d->hv, d->pci, d->pci_present != 0,
		     d->ibdev, d->ib_index, d->registered != 0, d->node_guid, d->netdev,
		     d->ifindex, d->devlink != 0, d->reporter,
		     d->health_error ? "error" : "healthy", d->error_count, d->recover_count,
		     simhost_hw_name(d->hw), d->service_events);
	if (l < 0 || (size_t)l >= n)
		return simhost_fail(-ENOSPC, "device state of %s does not fit %zu bytes",
				    d->name, n);
	return l;
}

enum key_kind { K_NAME, K_NETDEV, K_BDF, K_PATH, K_U32, K_U64, K_I64, K_BOOL, K_HEX, K_HEALTH,
		K_HW, K_REPORTER };

struct dev_key {
	const char *key;
	enum key_kind kind;
	size_t off;
	int required;
};

#define DK(k, kind, field, req) { k, kind, offsetof(struct simhost_dev, field), req }
static const struct dev_key dev_keys[] = {
	DK("name", K_NAME, name, 1),
	DK("pid", K_I64, pid, 1),
	DK("hv", K_PATH, hv, 0),
	DK("pci", K_BDF, pci, 1),
	DK("pci_present", K_BOOL, pci_present, 1),
	DK("ibdev", K_NAME, ibdev, 1),
	DK("ib_index", K_U32, ib_index, 1),
	DK("registered", K_BOOL, registered, 1),
	DK("node_guid", K_HEX, node_guid, 1),
	DK("netdev", K_NETDEV, netdev, 1),
	DK("ifindex", K_U32, ifindex, 1),
	DK("devlink", K_BOOL, devlink, 1),
	DK("reporter", K_REPORTER, reporter, 0),
	DK("health", K_HEALTH, health_error, 1),
	DK("error_count", K_U64, error_count, 1),
	DK("recover_count", K_U64, recover_count, 1),
	DK("hw", K_HW, hw, 1),
	DK("service_events", K_U64, service_events, 1),
};
#define NB_DEV_KEYS (sizeof(dev_keys) / sizeof(dev_keys[0]))

static int
dev_value(struct simhost_dev *d, const struct dev_key *k, const char *v)
{
	char *f = (char *)d + k->off;
	uint64_t x;

	switch (k->kind) {
	case K_NAME:
		return simhost_name_ok(v, SIMHOST_NAME_MAX) ? simhost_copy(f, SIMHOST_NAME_MAX, v)
							     : -EINVAL;
	case K_NETDEV:
		return simhost_name_ok(v, SIMHOST_NETDEV_MAX) ?
			       simhost_copy(f, SIMHOST_NETDEV_MAX, v) : -EINVAL;
	case K_REPORTER:
		return v[0] == '\0' || simhost_name_ok(v, sizeof(d->reporter)) ?
			       simhost_copy(f, sizeof(d->reporter), v) : -EINVAL;
	case K_BDF:
		return simhost_bdf_ok(v) ? simhost_copy(f, SIMHOST_BDF_MAX, v) : -EINVAL;
	case K_PATH:
		return simhost_copy(f, SIMHOST_PATH_MAX, v);
	case K_U32:
		if (simhost_parse_u64(v, UINT32_MAX, &x) < 0)
			return -EINVAL;
		*(uint32_t *)(void *)f = (uint32_t)x;
		return 0;
	case K_U64:
		return simhost_parse_u64(v, UINT64_MAX, (uint64_t *)(void *)f);
	case K_I64:
		if (simhost_parse_u64(v, INT64_MAX, &x) < 0)
			return -EINVAL;
		*(int64_t *)(void *)f = (int64_t)x;
		return 0;
	case K_HEX:
		return simhost_parse_hex64(v, (uint64_t *)(void *)f);
	case K_BOOL:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return -EINVAL;
		*(int *)(void *)f = v[0] == '1';
		return 0;
	case K_HEALTH:
		if (strcmp(v, "healthy") != 0 && strcmp(v, "error") != 0)
			return -EINVAL;
		*(int *)(void *)f = v[0] == 'e';
		return 0;
	case K_HW:
		for (int h = SIMHOST_HW_UP; h <= SIMHOST_HW_REMOVED; h++)
			if (strcmp(v, simhost_hw_name((enum simhost_hw)h)) == 0) {
				*(enum simhost_hw *)(void *)f = (enum simhost_hw)h;
				return 0;
			}
		return -EINVAL;
	}
	return -EINVAL;
}

int
simhost_dev_parse(const char *text, size_t len, struct simhost_dev *d)
{
	char line[SIMHOST_PATH_MAX + 32];
	unsigned seen[NB_DEV_KEYS] = { 0 };
	size_t pos = 0;
	unsigned lineno = 0;

	memset(d, 0, sizeof(*d));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		char *eq;

		lineno++;
		if (l >= sizeof(line))
			return simhost_fail(-EBADMSG, "line %u: too long", lineno);
		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos += l + 1;
		if (strlen(line) != l)
			return simhost_fail(-EBADMSG, "line %u: a NUL byte", lineno);
		if (l == 0 && lineno > 1)
			continue; /* an empty line */
		eq = strchr(line, '=');
		if (eq == NULL)
			return simhost_fail(-EBADMSG, "line %u: not key=value", lineno);
		*eq = '\0';
		if (lineno == 1) {
			if (strcmp(line, "format") != 0)
				return simhost_fail(-EBADMSG, "line 1: not format=N");
			if (strcmp(eq + 1, "1") != 0)
				return simhost_fail(-EPROTONOSUPPORT,
						    "format %.16s, this reader knows format %d",
						    eq + 1, SIMHOST_FORMAT);
			continue;
		}
		for (size_t k = 0; k < NB_DEV_KEYS; k++) {
			if (strcmp(line, dev_keys[k].key) != 0)
				continue;
			if (dev_value(d, &dev_keys[k], eq + 1) < 0)
				return simhost_fail(-EBADMSG, "line %u: bad value of %s: '%.40s'",
						    lineno, line, eq + 1);
			seen[k] = 1;
		}
	}
	if (lineno == 0)
		return simhost_fail(-EBADMSG, "empty");
	for (size_t k = 0; k < NB_DEV_KEYS; k++)
		if (dev_keys[k].required && !seen[k])
			return simhost_fail(-EBADMSG, "no %s", dev_keys[k].key);
	return 0;
}

int
simhost_dev_write(const char *dir, const struct simhost_dev *d)
{
	char text[SIMHOST_FILE_MAX], path[SIMHOST_PATH_MAX], tmp[SIMHOST_PATH_MAX + 8];
	int l, fd, err;

	l = simhost_dev_format(d, text, sizeof(text));
	if (l < 0)
		return l;
	if (pathf(path, sizeof(path), "%s/dev/%s", dir, d->name) < 0 ||
	    pathf(tmp, sizeof(tmp), "%s.tmp", path) < 0)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return simhost_fail(-errno, "cannot write %s: %s", tmp, strerror(errno));
	if (write(fd, text, (size_t)l) != l) {
		err = errno != 0 ? errno : ENOSPC;
		close(fd);
		unlink(tmp);
		return simhost_fail(-err, "cannot write %s: %s", tmp, strerror(err));
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		err = errno;
		unlink(tmp);
		return simhost_fail(-err, "cannot rename %s: %s", tmp, strerror(err));
	}
	return 0;
}

static int
read_small(const char *path, char *buf, size_t n, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t r;
	size_t got = 0;

	if (fd < 0)
		return simhost_fail(-errno, "cannot read %s: %s", path, strerror(errno));
	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got == n)
		return simhost_fail(-EBADMSG, "%s: larger than %zu bytes", path, n - 1);
	*len = got;
	return 0;
}

int
simhost_dev_read(const char *dir, const char *name, struct simhost_dev *d)
{
	char text[SIMHOST_FILE_MAX], path[SIMHOST_PATH_MAX];
	char msg[sizeof(errbuf)];
	size_t len = 0;
	int ret;

	if (!simhost_name_ok(name, SIMHOST_NAME_MAX))
		return simhost_fail(-EINVAL, "bad device name '%.64s'", name);
	if (pathf(path, sizeof(path), "%s/dev/%s", dir, name) < 0)
		return -ENAMETOOLONG;
	ret = read_small(path, text, sizeof(text), &len);
	if (ret < 0)
		return ret;
	ret = simhost_dev_parse(text, len, d);
	if (ret < 0) {
		snprintf(msg, sizeof(msg), "%s", errbuf);
		return simhost_fail(ret, "%s: %s", path, msg);
	}
	if (strcmp(d->name, name) != 0)
		return simhost_fail(-EBADMSG, "%s: names device %s", path, d->name);
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
simhost_dev_foreach(const char *dir, int (*cb)(void *arg, const struct simhost_dev *d),
		    void *arg, int *nbad)
{
	char path[SIMHOST_PATH_MAX], **names = NULL;
	size_t nb = 0, cap = 0;
	struct simhost_dev d;
	struct dirent *e;
	int ret = 0, count = 0, bad = 0;
	DIR *dp;

	if (pathf(path, sizeof(path), "%s/dev", dir) < 0)
		return -ENAMETOOLONG;
	dp = opendir(path);
	if (dp == NULL)
		return simhost_fail(-errno, "cannot read %s: %s", path, strerror(errno));
	while ((e = readdir(dp)) != NULL) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.' || (l > 4 && strcmp(e->d_name + l - 4, ".tmp") == 0))
			continue;
		if (nb == cap) {
			char **n2 = realloc(names, (cap = cap * 2 + 8) * sizeof(*names));

			if (n2 == NULL) {
				ret = simhost_fail(-ENOMEM, "out of memory");
				goto out;
			}
			names = n2;
		}
		names[nb] = strdup(e->d_name);
		if (names[nb] == NULL) {
			ret = simhost_fail(-ENOMEM, "out of memory");
			goto out;
		}
		nb++;
	}
	if (nb > 0)
		qsort(names, nb, sizeof(*names), cmp_names);
	for (size_t i = 0; i < nb; i++) {
		if (simhost_dev_read(dir, names[i], &d) < 0) {
			bad++;
			continue;
		}
		count++;
		ret = cb(arg, &d);
		if (ret != 0)
			goto out;
	}
	ret = count;
out:
	for (size_t i = 0; i < nb; i++)
		free(names[i]);
	free(names);
	closedir(dp);
	if (nbad != NULL)
		*nbad = bad;
	return ret;
}

int
simhost_ib_index_next(const char *dir, uint32_t *index)
{
	char path[SIMHOST_PATH_MAX], buf[32];
	uint64_t last = 0;
	ssize_t r;
	int fd, ret = 0;

	if (pathf(path, sizeof(path), "%s/ib_index", dir) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return simhost_fail(-errno, "cannot open %s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			ret = simhost_fail(-errno, "cannot lock %s: %s", path, strerror(errno));
			goto out;
		}
	r = pread(fd, buf, sizeof(buf) - 1, 0);
	if (r < 0) {
		ret = simhost_fail(-errno, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
		r--;
	buf[r] = '\0';
	if (r > 0 && (simhost_parse_u64(buf, UINT32_MAX - 1, &last) < 0)) {
		ret = simhost_fail(-EBADMSG, "%s: not an index: '%.20s'", path, buf);
		goto out;
	}
	if (last >= UINT32_MAX - 1) {
		ret = simhost_fail(-ENOSPC, "%s: no index left", path);
		goto out;
	}
	r = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", last + 1);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)r, 0) != r) {
		ret = simhost_fail(-EIO, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	*index = (uint32_t)(last + 1);
out:
	close(fd); /* releases the lock */
	return ret;
}

/* ---- sys/ ---- */

static int
symlink_force(const char *target, const char *link)
{
	if (symlink(target, link) == 0)
		return 0;
	if (errno == EEXIST && unlink(link) == 0 && symlink(target, link) == 0)
		return 0;
	return simhost_fail(-errno, "cannot link %s: %s", link, strerror(errno));
}

/* rm -r of path, not following links; missing is fine. */
static int
rm_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	char sub[SIMHOST_PATH_MAX];
	int ret = 0;
	DIR *dp;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : simhost_fail(-errno, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0 || errno == ENOENT
			       ? 0 : simhost_fail(-errno, "cannot remove %s: %s", path,
						  strerror(errno));
	dp = opendir(path);
	if (dp == NULL)
		return simhost_fail(-errno, "cannot read %s: %s", path, strerror(errno));
	while (ret == 0 && (e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		ret = pathf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (ret == 0)
			ret = rm_tree(sub);
	}
	closedir(dp);
	if (ret == 0 && rmdir(path) < 0 && errno != ENOENT)
		ret = simhost_fail(-errno, "cannot remove %s: %s", path, strerror(errno));
	return ret;
}

int
simhost_sys_pci_add(const char *dir, const char *bdf)
{
	char p[SIMHOST_PATH_MAX], t[SIMHOST_PATH_MAX];
	int ret;

	if (!simhost_bdf_ok(bdf))
		return simhost_fail(-EINVAL, "bad PCI address '%.16s'", bdf);
	if ((ret = pathf(p, sizeof(p), "%s/sys/bus/pci/drivers/mana", dir)) < 0 ||
	    (ret = mkdir_p(p)) < 0 ||
	    (ret = pathf(p, sizeof(p), "%s/sys/bus/auxiliary/drivers/mana_ib", dir)) < 0 ||
	    (ret = mkdir_p(p)) < 0 ||
	    (ret = pathf(p, sizeof(p), "%s/sys/bus/pci/devices", dir)) < 0 ||
	    (ret = mkdir_p(p)) < 0 ||
	    (ret = pathf(p, sizeof(p), "%s/sys/devices/pci0000:00/%s/mana.rdma.0", dir, bdf)) < 0 ||
	    (ret = mkdir_p(p)) < 0 ||
	    (ret = pathf(p, sizeof(p), "%s/sys/devices/pci0000:00/%s/driver", dir, bdf)) < 0 ||
	    (ret = symlink_force("../../../bus/pci/drivers/mana", p)) < 0 ||
	    (ret = pathf(p, sizeof(p), "%s/sys/devices/pci0000:00/%s/mana.rdma.0/driver", dir,
			 bdf)) < 0 ||
	    (ret = symlink_force("../../../../bus/auxiliary/drivers/mana_ib", p)) < 0 ||
	    (ret = pathf(p, sizeof(p), "%s/sys/bus/pci/devices/%s", dir, bdf)) < 0 ||
	    (ret = pathf(t, sizeof(t), "../../../devices/pci0000:00/%s", bdf)) < 0)
		return ret;
	return symlink_force(t, p);
}

int
simhost_sys_pci_remove(const char *dir, const char *bdf)
{
	char p[SIMHOST_PATH_MAX];
	int ret;

	if (!simhost_bdf_ok(bdf))
		return simhost_fail(-EINVAL, "bad PCI address '%.16s'", bdf);
	if ((ret = pathf(p, sizeof(p), "%s/sys/bus/pci/devices/%s", dir, bdf)) < 0 ||
	    (ret = rm_tree(p)) < 0 ||
	    (ret = pathf(p, sizeof(p), "%s/sys/devices/pci0000:00/%s", dir, bdf)) < 0)
		return ret;
	return rm_tree(p);
}

int
simhost_sys_ib_add(const char *dir, const char *ibdev, const char *bdf)
{
	char p[SIMHOST_PATH_MAX], t[SIMHOST_PATH_MAX];
	int ret;

	if (!simhost_name_ok(ibdev, SIMHOST_NAME_MAX) || !simhost_bdf_ok(bdf))
		return simhost_fail(-EINVAL, "bad IB device '%.64s' or PCI address '%.16s'",
				    ibdev, bdf);
	if ((ret = pathf(p, sizeof(p), "%s/sys/class/infiniband/%s", dir, ibdev)) < 0 ||
	    (ret = mkdir_p(p)) < 0 ||
	    (ret = pathf(p, sizeof(p), "%s/sys/class/infiniband/%s/device", dir, ibdev)) < 0 ||
	    (ret = pathf(t, sizeof(t), "../../../devices/pci0000:00/%s/mana.rdma.0", bdf)) < 0)
		return ret;
	return symlink_force(t, p);
}

int
simhost_sys_ib_remove(const char *dir, const char *ibdev)
{
	char p[SIMHOST_PATH_MAX];

	if (!simhost_name_ok(ibdev, SIMHOST_NAME_MAX))
		return simhost_fail(-EINVAL, "bad IB device '%.64s'", ibdev);
	if (pathf(p, sizeof(p), "%s/sys/class/infiniband/%s", dir, ibdev) < 0)
		return -ENAMETOOLONG;
	return rm_tree(p);
}

int
simhost_sys_net_add(const char *dir, const char *netdev, const char *bdf, uint32_t ifindex)
{
	char p[SIMHOST_PATH_MAX], t[SIMHOST_PATH_MAX], v[16];
	int ret, fd, l;

	if (!simhost_name_ok(netdev, SIMHOST_NETDEV_MAX) || !simhost_bdf_ok(bdf))
		return simhost_fail(-EINVAL, "bad netdev '%.16s' or PCI address '%.16s'",
				    netdev, bdf);
	if ((ret = pathf(p, sizeof(p), "%s/sys/class/net/%s", dir, netdev)) < 0 ||
	    (ret = mkdir_p(p)) < 0 ||
	    (ret = pathf(p, sizeof(p), "%s/sys/class/net/%s/device", dir, netdev)) < 0 ||
	    (ret = pathf(t, sizeof(t), "../../../devices/pci0000:00/%s", bdf)) < 0 ||
	    (ret = symlink_force(t, p)) < 0 ||
	    (ret = pathf(p, sizeof(p), "%s/sys/class/net/%s/ifindex", dir, netdev)) < 0)
		return ret;
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return simhost_fail(-errno, "cannot write %s: %s", p, strerror(errno));
	l = snprintf(v, sizeof(v), "%" PRIu32 "\n", ifindex);
	ret = write(fd, v, (size_t)l) == l ? 0 : simhost_fail(-EIO, "cannot write %s", p);
	close(fd);
	return ret;
}

int
simhost_sys_net_remove(const char *dir, const char *netdev)
{
	char p[SIMHOST_PATH_MAX];

	if (!simhost_name_ok(netdev, SIMHOST_NETDEV_MAX))
		return simhost_fail(-EINVAL, "bad netdev '%.16s'", netdev);
	if (pathf(p, sizeof(p), "%s/sys/class/net/%s", dir, netdev) < 0)
		return -ENAMETOOLONG;
	return rm_tree(p);
}
