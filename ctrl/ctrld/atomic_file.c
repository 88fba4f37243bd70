/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* Write a file under a temporary name, then rename it into place (atomic_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrl/ctrld/atomic_file.h"

int
atomic_file_write(const char *path, const void *buf, size_t len, mode_t mode, char *err,
		  size_t n)
{
	const char *p = buf;
	char tmp[4096 + 8];
	int fd, ret;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, n, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, n, "%s: %s", tmp, strerror(errno));
		return ret;
	}
	/* open's mode went through the umask: say what we mean. */
	if (fchmod(fd, mode) < 0) {
		ret = -errno;
		snprintf(err, n, "%s: chmod: %s", tmp, strerror(errno));
		goto err_close_tmp;
	}
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = w < 0 ? -errno : -EIO;
			snprintf(err, n, "%s: write: %s", tmp, strerror(-ret));
			goto err_close_tmp;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0) {
		ret = -errno;
		snprintf(err, n, "%s: close: %s", tmp, strerror(errno));
		goto err_unlink_tmp;
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		snprintf(err, n, "%s: rename: %s", path, strerror(errno));
		goto err_unlink_tmp;
	}
	return 0;

err_close_tmp:
	close(fd);
err_unlink_tmp:
	unlink(tmp);
	return ret;
}
