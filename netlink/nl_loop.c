/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "nl_loop.h"

struct nl_loop_slot {
	int fd;
	nl_loop_cb cb;
	void *arg;
};

struct nl_loop {
	int epfd;
	uint64_t wakeups;
	struct nl_loop_slot slot[NL_LOOP_MAX_FDS];
};

struct nl_loop *
nl_loop_new(void)
{
	struct nl_loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	for (int i = 0; i < NL_LOOP_MAX_FDS; i++)
		l->slot[i].fd = -1;
	return l;
}

void
nl_loop_free(struct nl_loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	free(l);
}

int
nl_loop_add(struct nl_loop *l, int fd, nl_loop_cb cb, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };

	for (int i = 0; i < NL_LOOP_MAX_FDS; i++) {
		if (l->slot[i].fd != -1)
			continue;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			return -errno;
		l->slot[i] = (struct nl_loop_slot){ .fd = fd, .cb = cb, .arg = arg };
		return 0;
	}
	return -ENOSPC;
}

int
nl_loop_del(struct nl_loop *l, int fd)
{
	for (int i = 0; i < NL_LOOP_MAX_FDS; i++) {
		if (l->slot[i].fd != fd)
			continue;
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		l->slot[i].fd = -1;
		return 0;
	}
	return -ENOENT;
}

int
nl_loop_run_once(struct nl_loop *l, int timeout_ms)
{
	struct epoll_event ev[NL_LOOP_MAX_FDS];
	int n, ran = 0;

	n = epoll_wait(l->epfd, ev, NL_LOOP_MAX_FDS, timeout_ms);
	l->wakeups++;
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct nl_loop_slot *s = &l->slot[ev[i].data.u32];

		if (s->fd < 0)
			continue;	/* removed by an earlier callback */
		s->cb(s->arg, s->fd, ev[i].events);
		ran++;
	}
	return ran;
}

uint64_t
nl_loop_wakeups(const struct nl_loop *l)
{
	return l->wakeups;
}
