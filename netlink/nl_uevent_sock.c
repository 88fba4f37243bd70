/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include "nl_uevent.h"

#define NL_UEVENT_BUF		8192
#define NL_UEVENT_RCVBUF	(1 << 20)

struct nl_uevent_sock {
	struct mnl_socket *nl;
	char buf[NL_UEVENT_BUF];
};

struct nl_uevent_sock *
nl_uevent_open(void)
{
	struct nl_uevent_sock *s = calloc(1, sizeof(*s));
	int rcvbuf = NL_UEVENT_RCVBUF;
	int e;

	if (s == NULL)
		return NULL;
	s->nl = mnl_socket_open2(NETLINK_KOBJECT_UEVENT, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s->nl == NULL)
		goto err_free;
	/* Group 1: the kernel's events (udev re-broadcasts on group 2). */
	if (mnl_socket_bind(s->nl, 1, MNL_SOCKET_AUTOPID) < 0)
		goto err_close;
	setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return s;

err_close:
	e = errno;
	mnl_socket_close(s->nl);
	errno = e;
err_free:
	e = errno;
	free(s);
	errno = e;
	return NULL;
}

void
nl_uevent_close(struct nl_uevent_sock *s)
{
	if (s == NULL)
		return;
	mnl_socket_close(s->nl);
	free(s);
}

int
nl_uevent_fd(const struct nl_uevent_sock *s)
{
	return mnl_socket_get_fd(s->nl);
}

int
nl_uevent_read(struct nl_uevent_sock *s, struct nl_uevent *ev)
{
	struct sockaddr_nl from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	for (;;) {
		n = recvfrom(mnl_socket_get_fd(s->nl), s->buf, sizeof(s->buf) - 1, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
	/* Only the kernel (port id 0) speaks on group 1. */
	if (flen != sizeof(from) || from.nl_pid != 0)
		return 0;
	s->buf[n] = '\0';
	return nl_uevent_parse(ev, s->buf, (size_t)n) == 0 ? 1 : 0;
}
