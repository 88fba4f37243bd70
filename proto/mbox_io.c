/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The fd helpers both roles and the object need, below all of them: the
 * segment file's checks and mapping, unix socket addresses, passing fds
 * (SCM_RIGHTS), eventfd doorbells. No state; calls nothing in proto/ but
 * mbox_setmsg.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mbox_priv.h"

void
mbox_closefd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Is this segment file one we may trust: a regular file of uid, never
 * writable by others?
 */
int
mbox_check_file(int fd, const char *what, uid_t uid, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return mbox_setmsg(-errno, "%s: fstat: %s", what, strerror(errno));
	if (!S_ISREG(st->st_mode))
		return mbox_setmsg(-EBADMSG, "%s is not a regular file", what);
	if (st->st_mode & S_IWOTH)
		return mbox_setmsg(-EACCES, "%s is world-writable (mode %o): refused", what,
				  (unsigned int)(st->st_mode & 07777));
	if (st->st_uid != uid && st->st_uid != geteuid())
		return mbox_setmsg(-EACCES, "%s belongs to uid %u, expected %u: refused", what,
				  (unsigned int)st->st_uid, (unsigned int)uid);
	return 0;
}

int
mbox_map_fd(struct mbox *mb, int fd, size_t size, bool rw)
{
	void *p = mmap(NULL, size, PROT_READ | (rw ? PROT_WRITE : 0), MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return mbox_setmsg(-errno, "mmap of %zu bytes: %s", size, strerror(errno));
	mb->base = p;
	mb->size = size;
	return 0;
}

int
mbox_sock_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return mbox_setmsg(-ENAMETOOLONG, "socket path %s longer than %zu bytes", path,
				  sizeof(sa->sun_path) - 1);
	strcpy(sa->sun_path, path);
	return 0;
}

/* sendmsg/recvmsg with up to 2 fds. */
int
mbox_send_fds(int fd, const void *buf, size_t len, const int *fds, unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) != (ssize_t)len)
		return -(errno ? errno : EIO);
	return 0;
}

/* Returns the message length; fds[] gets what came (others closed), -1s. */
ssize_t
mbox_recv_fds(int fd, void *buf, size_t len, int *fds, unsigned int max, int flags)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	unsigned int i, n = 0, k;
	int got[4];
	ssize_t rc;

	for (i = 0; i < max; i++)
		fds[i] = -1;
	rc = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | flags);
	if (rc < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (unsigned int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		if (k > 4)
			k = 4;
		memcpy(got, CMSG_DATA(cm), k * sizeof(int));
		for (i = 0; i < k; i++) {
			if (n < max)
				fds[n++] = got[i];
			else
				close(got[i]);
		}
	}
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EMSGSIZE;
	return rc;
}

bool
mbox_is_eventfd(int fd)
{
	char link[64], path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") == 0;
}

void
mbox_doorbell(int efd)
{
	uint64_t one = 1;

	if (efd >= 0 && write(efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the peer is awake anyway. */
	}
}

void
mbox_drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}
