/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The object: allocating, closing, reading a segment file (mbox_open) or
 * image; the fd helpers shared by the ctrl and PMD sides (SCM_RIGHTS,
 * epoll); the library's own events; the loop fd and mbox_next.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mbox_priv.h"

struct mbox *
mbox_alloc(enum mbox_role role)
{
	struct mbox *mb = calloc(1, sizeof(*mb));
	unsigned int i;

	if (mb == NULL)
		return NULL;
	mb->role = role;
	mb->seg_fd = mb->pass_fd = mb->epfd = mb->efd = mb->lfd = -1;
	mb->sfd = mb->peer_efd = mb->tfd = -1;
	for (i = 0; i < MBOX_MAX_CONNS; i++)
		mb->conns[i].fd = mb->conns[i].efd = -1;
	return mb;
}

void
mbox_set_geometry(struct mbox *mb, void *base, size_t size)
{
	mb->base = base;
	mb->size = size;
	mb->hdr = base;
	mb->nb_ports = mb->hdr->nb_ports;
	mb->slots = mb->hdr->ring_slots;
	mb->stride = mb->hdr->port_stride;
	mb->ports_off = mb->hdr->ports_off;
	mb->key = mb->hdr->key;
}

void
mbox_closefd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void
mbox_close(struct mbox *mb)
{
	unsigned int i;

	if (mb == NULL)
		return;
	if (mb->role == MBOX_ROLE_PMD && mb->base != NULL) {
		for (i = 0; i < mb->nb_ports; i++)
			if (mb->claimed & (1ull << i))
				mbox_port_release(mb, i);
	}
	if (mb->role == MBOX_ROLE_CTRL) {
		for (i = 0; i < MBOX_MAX_CONNS; i++) {
			mbox_closefd(&mb->conns[i].fd);
			mbox_closefd(&mb->conns[i].efd);
			if (mb->hdr != NULL)
				__atomic_store_n(&mb->hdr->conns[i].token, 0, __ATOMIC_RELEASE);
		}
		/* Unlinked while we still hold the segment lock: it is ours. */
		if (mb->sock_path != NULL && mb->lfd >= 0)
			unlink(mb->sock_path);
	}
	if (mb->base != NULL && !mb->own_mem)
		munmap(mb->base, mb->size);
	mbox_closefd(&mb->lfd);
	mbox_closefd(&mb->sfd);
	mbox_closefd(&mb->peer_efd);
	mbox_closefd(&mb->tfd);
	mbox_closefd(&mb->efd);
	mbox_closefd(&mb->epfd);
	mbox_closefd(&mb->seg_fd);
	mbox_closefd(&mb->pass_fd);
	free(mb->sock_path);
	free(mb);
}

int
mbox_ep_add(struct mbox *mb, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event e = { .events = events, .data.u64 = tag };

	if (epoll_ctl(mb->epfd, EPOLL_CTL_ADD, fd, &e) < 0)
		return mbox_setmsg(-errno, "epoll_ctl: %s", strerror(errno));
	return 0;
}

/* The loop fd and our doorbell. */
int
mbox_loop_init(struct mbox *mb)
{
	mb->epfd = epoll_create1(EPOLL_CLOEXEC);
	mb->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mb->epfd < 0 || mb->efd < 0)
		return mbox_setmsg(-errno, "epoll/eventfd: %s", strerror(errno));
	return mbox_ep_add(mb, mb->efd, EPOLLIN, TAG(TAG_EFD, 0));
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

struct mbox *
mbox_open(const char *seg_path)
{
	struct mbox *mb = mbox_alloc(MBOX_ROLE_READER);
	struct stat st;
	int rc;

	if (mb == NULL)
		return NULL;
	/* Symlinks followed: a reader only reads. */
	mb->seg_fd = open(seg_path, O_RDONLY | O_CLOEXEC);
	if (mb->seg_fd < 0) {
		rc = mbox_setmsg(-errno, "%s: %s", seg_path, strerror(errno));
		goto err;
	}
	rc = mbox_check_file(mb->seg_fd, seg_path, geteuid(), &st);
	if (rc == -EACCES && !(st.st_mode & S_IWOTH))
		rc = 0; /* a reader may look at a segment of another uid */
	if (rc < 0)
		goto err;
	if (st.st_size < (off_t)sizeof(struct mbox_hdr)) {
		rc = mbox_setmsg(-EBADMSG, "%s: segment truncated (%lld bytes)", seg_path,
				 (long long)st.st_size);
		goto err;
	}
	rc = mbox_map_fd(mb, mb->seg_fd, (size_t)st.st_size, false);
	if (rc == 0)
		rc = mbox_seg_check(mb->base, mb->size);
	if (rc < 0) {
		rc = mbox_setmsg(rc, "%s: %s", seg_path, mbox_errmsg());
		goto err;
	}
	mbox_set_geometry(mb, mb->base, mb->size);
	return mb;
err:
	mbox_close(mb);
	errno = -rc;
	return NULL;
}

struct mbox *
mbox_mem_open(void *buf, size_t len, enum mbox_role role)
{
	struct mbox *mb;

	if (mbox_seg_check(buf, len) < 0)
		return NULL;
	mb = mbox_alloc(role);
	if (mb == NULL)
		return NULL;
	mb->own_mem = true;
	mbox_set_geometry(mb, buf, len);
	if (role == MBOX_ROLE_PMD)
		mb->claimed = mb->nb_ports == 64 ? ~0ull : (1ull << mb->nb_ports) - 1;
	return mb;
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
mbox_push_event(struct mbox *mb, uint16_t type, uint16_t port, const struct mbox_peer *peer)
{
	const unsigned int cap = sizeof(mb->pending) / sizeof(mb->pending[0]);
	struct mbox_event *ev;

	if (mb->nb_pending == cap)
		return; /* cannot happen: see the bound on mb->pending */
	ev = &mb->pending[(mb->pend_head + mb->nb_pending++) % cap];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->port = port;
	ev->time_ns = mbox_now_ns();
	if (peer != NULL)
		ev->u.peer = *peer;
}

static bool
pop_event(struct mbox *mb, struct mbox_event *ev)
{
	const unsigned int cap = sizeof(mb->pending) / sizeof(mb->pending[0]);

	if (mb->nb_pending == 0)
		return false;
	*ev = mb->pending[mb->pend_head];
	mb->pend_head = (mb->pend_head + 1) % cap;
	mb->nb_pending--;
	return true;
}

static void
drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

int
mbox_fd(const struct mbox *mb)
{
	return mb == NULL ? -EINVAL : mb->epfd;
}

/* The fd said something: accept, hello, HUP, doorbell, reconnection. */
static int
housekeeping(struct mbox *mb)
{
	struct epoll_event evs[16];
	struct mbox_conn *c;
	int i, n, rc;
	char b;

	n = epoll_wait(mb->epfd, evs, 16, 0);
	if (n < 0)
		return errno == EINTR ? 0 : mbox_setmsg(-errno, "epoll_wait: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		uint32_t idx = (uint32_t)evs[i].data.u64;

		switch (evs[i].data.u64 >> 32) {
		case TAG_EFD:
			drain(mb->efd);
			break;
		case TAG_LISTEN:
			mbox_ctrl_accept(mb);
			break;
		case TAG_CONN:
			c = &mb->conns[idx];
			if (c->fd < 0)
				break;
			if (c->token == 0 && (evs[i].events & EPOLLIN))
				mbox_conn_hello(mb, c);
			else
				mbox_conn_close(mb, c); /* EOF, error, or talk after the hello */
			break;
		case TAG_SOCK:
			/* ctrl never writes after the welcome: EOF or error, it is gone. */
			if (recv(mb->sfd, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN)
				break;
			epoll_ctl(mb->epfd, EPOLL_CTL_DEL, mb->sfd, NULL);
			mbox_closefd(&mb->sfd);
			mbox_push_event(mb, MBOX_EV_PEER_DOWN, MBOX_PORT_ANY, &mb->ctrl_cred);
			mb->retry_ms = RETRY_MIN_MS;
			mbox_arm_timer(mb);
			break;
		case TAG_TIMER:
			drain(mb->tfd);
			if (mb->sfd >= 0 || mb->stale)
				break;
			rc = mbox_pmd_connect(mb, mb->sock_path, false);
			if (rc == 0)
				mbox_push_event(mb, MBOX_EV_PEER_UP, MBOX_PORT_ANY, &mb->ctrl_cred);
			else if (rc == -ESTALE)
				mbox_push_event(mb, MBOX_EV_STALE, MBOX_PORT_ANY, NULL);
			else
				mbox_arm_timer(mb);
			break;
		}
	}
	return 0;
}

int
mbox_next(struct mbox *mb, struct mbox_event *ev)
{
	int rc;

	if (mb == NULL || ev == NULL || mb->role == MBOX_ROLE_READER)
		return mbox_setmsg(-EINVAL, "mbox_next: bad arguments");
	if (pop_event(mb, ev))
		return 1;
	if (mbox_consume(mb, ev))
		return 1;
	if (mb->epfd >= 0) {
		rc = housekeeping(mb);
		if (rc < 0)
			return rc;
		if (pop_event(mb, ev))
			return 1;
	}
	return mbox_consume(mb, ev);
}

int
mbox_info(const struct mbox *mb, struct mbox_info *info)
{
	const struct mbox_hdr *h;
	unsigned int i;

	if (mb == NULL || info == NULL)
		return mbox_setmsg(-EINVAL, "mbox_info: NULL argument");
	h = mb->hdr;
	memset(info, 0, sizeof(*info));
	info->major = h->major;
	info->minor = h->minor;
	info->nb_ports = mb->nb_ports;
	info->ring_slots = mb->slots;
	info->token = __atomic_load_n(&mb->token, __ATOMIC_RELAXED);
	info->compat_features = h->compat_features;
	info->incompat_features = h->incompat_features;
	info->key = mb->key;
	info->size = mb->size;
	info->ctrl_gen = __atomic_load_n(&h->ctrl_gen, __ATOMIC_RELAXED);
	info->ctrl_pid = __atomic_load_n(&h->ctrl_pid, __ATOMIC_RELAXED);
	for (i = 0; i < MBOX_MAX_CONNS; i++)
		if (__atomic_load_n(&h->conns[i].token, __ATOMIC_RELAXED) != 0)
			info->nb_conns++;
	return 0;
}
