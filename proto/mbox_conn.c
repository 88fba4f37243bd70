/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The object: allocating, closing, reading a segment file (mbox_open) or
 * image; the library's own events; the loop fd and mbox_next. The roles
 * (mbox_ctrl.c, mbox_pmd.c) call down into this file; it calls them only
 * through mb->ops (struct mbox_role_ops).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbox_priv.h"

struct mbox *
mbox_alloc(enum mbox_role role, const struct mbox_role_ops *ops)
{
	struct mbox *mb = calloc(1, sizeof(*mb));
	unsigned int i;

	if (mb == NULL)
		return NULL;
	mb->role = role;
	mb->ops = ops;
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
mbox_close(struct mbox *mb)
{
	if (mb == NULL)
		return;
	if (mb->ops != NULL)
		mb->ops->close(mb);
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

struct mbox *
mbox_open(const char *seg_path)
{
	struct mbox *mb = mbox_alloc(MBOX_ROLE_READER, NULL);
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
	mb = mbox_alloc(role, NULL);
	if (mb == NULL)
		return NULL;
	mb->own_mem = true;
	mbox_set_geometry(mb, buf, len);
	if (role == MBOX_ROLE_PMD)
		mb->claimed = mb->nb_ports == 64 ? ~0ull : (1ull << mb->nb_ports) - 1;
	return mb;
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

int
mbox_fd(const struct mbox *mb)
{
	return mb == NULL ? -EINVAL : mb->epfd;
}

/* The fd said something: our doorbell, or one of the role's fds (accept,
 * hello, HUP, reconnection), which goes to the role's ops.
 */
static int
housekeeping(struct mbox *mb)
{
	struct epoll_event evs[16];
	uint32_t kind;
	int i, n;

	n = epoll_wait(mb->epfd, evs, 16, 0);
	if (n < 0)
		return errno == EINTR ? 0 : mbox_setmsg(-errno, "epoll_wait: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		kind = (uint32_t)(evs[i].data.u64 >> 32);
		if (kind == TAG_EFD)
			mbox_drain(mb->efd);
		else if (mb->ops != NULL)
			mb->ops->fd_ready(mb, kind, (uint32_t)evs[i].data.u64, evs[i].events);
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
