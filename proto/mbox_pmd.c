/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The PMD side: connecting and authenticating (both ways), mapping the
 * segment ctrl passes, renewing claims after a reconnection. mbox_attach
 * gives the object the PMD's ops (pmd_ops), through which mbox_conn.c hands
 * over the PMD's fds and its close; this file calls down into mbox_conn.c,
 * mbox_port.c, mbox_user.c, mbox_io.c and mbox_seg.c only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "mbox_priv.h"

/* (Re)connect and authenticate. first: map the segment. */
static int
pmd_connect(struct mbox *mb, const char *path, bool first)
{
	struct timeval tv = { MBOX_IO_TIMEOUT_MS / 1000, (MBOX_IO_TIMEOUT_MS % 1000) * 1000 };
	struct mbox_hello h = { MBOX_HELLO_MAGIC, MBOX_MAJOR, MBOX_MINOR, (uint32_t)getpid(), 0 };
	struct sockaddr_un sa;
	struct mbox_welcome w;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct stat st;
	int fd, rc, fds[2] = { -1, -1 };
	unsigned int p;
	uint32_t old, cur;
	uint64_t claimed;
	ssize_t n;

	rc = mbox_sock_addr(&sa, path);
	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return mbox_setmsg(-errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = mbox_setmsg(-errno, "no control daemon at %s: %s", path, strerror(errno));
		goto err;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0) {
		rc = mbox_setmsg(-errno, "SO_PEERCRED: %s", strerror(errno));
		goto err;
	}
	rc = mbox_ctrl_check(path, cred.uid, geteuid(), mb->ctrl_uids, mb->nb_ctrl_uids);
	if (rc < 0) {
		/* A reconnection: ctrl came back as another user. The caller
		 * decides whom it trusts now (MBOX_EV_UNTRUSTED).
		 */
		if (!first) {
			mb->untrusted = true;
			mb->ctrl_cred = (struct mbox_peer){ 0, (uint32_t)cred.pid, cred.uid,
							    cred.gid };
		}
		goto err;
	}
	rc = mbox_send_fds(fd, &h, sizeof(h), &mb->efd, 1);
	if (rc < 0) {
		rc = mbox_setmsg(rc, "hello to %s: %s", path, strerror(-rc));
		goto err;
	}
	memset(&w, 0, sizeof(w));
	n = mbox_recv_fds(fd, &w, sizeof(w), fds, 2, 0);
	if (n < 0 || n != sizeof(w) || w.magic != MBOX_HELLO_MAGIC) {
		rc = mbox_setmsg(n < 0 ? (int)n : -EPROTO, "no valid answer from the control daemon at %s%s",
				 path, n == -EAGAIN ? " (timeout)" : "");
		goto err;
	}
	if (w.status < 0) {
		w.msg[sizeof(w.msg) - 1] = '\0';
		rc = mbox_setmsg(w.status < -4095 ? -EPROTO : w.status,
				 "the control daemon refused us: %s", w.msg);
		goto err;
	}
	if (w.major != MBOX_MAJOR) {
		rc = mbox_setmsg(-EPROTONOSUPPORT, "control daemon speaks mailbox %u.%u, we speak %u.%u",
				 w.major, w.minor, MBOX_MAJOR, MBOX_MINOR);
		goto err;
	}
	if (fds[0] < 0 || fds[1] < 0 || !mbox_is_eventfd(fds[1])) {
		rc = mbox_setmsg(-EPROTO, "the control daemon sent no segment or doorbell");
		goto err;
	}
	if (first) {
		rc = mbox_check_file(fds[0], "the segment", cred.uid, &st);
		if (rc < 0)
			goto err;
		if (w.size < sizeof(struct mbox_hdr) || (uint64_t)st.st_size < w.size) {
			rc = mbox_setmsg(-EBADMSG, "segment truncated: %lld of %llu bytes",
					 (long long)st.st_size, (unsigned long long)w.size);
			goto err;
		}
		rc = mbox_map_fd(mb, fds[0], (size_t)w.size, true);
		if (rc == 0)
			rc = mbox_seg_check(mb->base, mb->size);
		if (rc == 0 && ((struct mbox_hdr *)mb->base)->key != w.key)
			rc = mbox_setmsg(-ESTALE, "segment key differs from the daemon's: stale segment");
		if (rc < 0)
			goto err;
		mbox_set_geometry(mb, mb->base, mb->size);
	} else if (w.key != mb->key) {
		mb->stale = true;
		rc = mbox_setmsg(-ESTALE, "the control daemon replaced the segment: attach again");
		goto err;
	}
	mbox_closefd(&fds[0]);
	if (dup3(fds[1], mb->peer_efd, O_CLOEXEC) < 0) {
		rc = mbox_setmsg(-errno, "dup3: %s", strerror(errno));
		goto err;
	}
	mbox_closefd(&fds[1]);
	/* Renew our claims under the new token. */
	old = __atomic_load_n(&mb->token, __ATOMIC_RELAXED);
	__atomic_store_n(&mb->token, w.token, __ATOMIC_RELEASE);
	claimed = __atomic_load_n(&mb->claimed, __ATOMIC_ACQUIRE);
	for (p = 0; p < mb->nb_ports; p++) {
		if (!(claimed & (1ull << p)))
			continue;
		cur = __atomic_load_n(&mbox_port_shm(mb, p)->owner, __ATOMIC_ACQUIRE);
		if (cur == w.token)
			continue;
		if ((cur == 0 || cur == old || !mbox_token_live(mb, cur)) &&
		    __atomic_compare_exchange_n(&mbox_port_shm(mb, p)->owner, &cur, w.token, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		__atomic_fetch_and(&mb->claimed, ~(1ull << p), __ATOMIC_RELEASE);
		mbox_push_event(mb, MBOX_EV_PEER_DOWN, (uint16_t)p, NULL);
	}
	mb->ctrl_cred = (struct mbox_peer){ 0, (uint32_t)cred.pid, cred.uid, cred.gid };
	/* Authenticated: what it posted while we were away is ours now. */
	for (p = 0; p < MBOX_MAX_PORTS; p++)
		mb->rx[p].held = false;
	mb->sfd = fd;
	rc = mbox_ep_add(mb, fd, EPOLLIN | EPOLLRDHUP, TAG(TAG_SOCK, 0));
	if (rc < 0) {
		mb->sfd = -1;
		goto err;
	}
	return 0;
err:
	mbox_closefd(&fds[0]);
	mbox_closefd(&fds[1]);
	close(fd);
	return rc;
}

static void
arm_timer(struct mbox *mb)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = mb->retry_ms / 1000;
	its.it_value.tv_nsec = (long)(mb->retry_ms % 1000) * 1000000L;
	timerfd_settime(mb->tfd, 0, &its, NULL);
	mb->retry_ms = mb->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : mb->retry_ms * 2;
}

/* The PMD's fds in mbox_fd: the socket to ctrl and the reconnection timer. */
static void
pmd_fd_ready(struct mbox *mb, uint32_t kind, uint32_t idx, uint32_t events)
{
	unsigned int p;
	char b;
	int rc;

	(void)idx;
	(void)events;
	switch (kind) {
	case TAG_SOCK:
		/* ctrl never writes after the welcome: EOF or error, it is gone. */
		if (recv(mb->sfd, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN)
			break;
		epoll_ctl(mb->epfd, EPOLL_CTL_DEL, mb->sfd, NULL);
		mbox_closefd(&mb->sfd);
		/* Until a ctrl is authenticated again, take only what this one
		 * posted: whoever writes the segment next may be untrusted.
		 */
		for (p = 0; p < mb->nb_ports; p++) {
			/* A bound only: mbox_ring_take loads head itself
			 * before it reads a slot.
			 */
			mb->rx[p].hold_head = __atomic_load_n(&mbox_ring_c2p(mb, p)->head,
							      __ATOMIC_RELAXED);
			mb->rx[p].held = true;
		}
		mbox_push_event(mb, MBOX_EV_PEER_DOWN, MBOX_PORT_ANY, &mb->ctrl_cred);
		mb->retry_ms = RETRY_MIN_MS;
		arm_timer(mb);
		break;
	case TAG_TIMER:
		mbox_drain(mb->tfd);
		if (mb->sfd >= 0 || mb->stale || mb->untrusted)
			break;
		rc = pmd_connect(mb, mb->sock_path, false);
		if (rc == 0)
			mbox_push_event(mb, MBOX_EV_PEER_UP, MBOX_PORT_ANY, &mb->ctrl_cred);
		else if (rc == -ESTALE)
			mbox_push_event(mb, MBOX_EV_STALE, MBOX_PORT_ANY, NULL);
		else if (mb->untrusted)
			mbox_push_event(mb, MBOX_EV_UNTRUSTED, MBOX_PORT_ANY, &mb->ctrl_cred);
		else
			arm_timer(mb);
		break;
	default:
		break;
	}
}

/* mbox_close: give back the ports we own. */
static void
pmd_close(struct mbox *mb)
{
	unsigned int i;

	if (mb->base == NULL)
		return;
	for (i = 0; i < mb->nb_ports; i++)
		if (mbox_port_claimed(mb, i))
			mbox_port_release(mb, i);
}

static const struct mbox_role_ops pmd_ops = {
	.fd_ready = pmd_fd_ready,
	.close = pmd_close,
};

struct mbox *
mbox_attach_trusted(const char *sock_path, const uid_t *ctrl_uids, unsigned int nb_uids,
		    unsigned int flags)
{
	struct mbox *mb;
	unsigned int i;
	int rc;

	if (sock_path == NULL || flags != 0 || nb_uids > MBOX_MAX_CTRL_UIDS ||
	    (nb_uids > 0 && ctrl_uids == NULL)) {
		errno = -mbox_setmsg(-EINVAL, "mbox_attach: bad arguments");
		return NULL;
	}
	for (i = 0; i < nb_uids; i++)
		if (ctrl_uids[i] == (uid_t)-1) {
			errno = -mbox_setmsg(-EINVAL, "mbox_attach: uid %u is no user's",
					     (unsigned int)ctrl_uids[i]);
			return NULL;
		}
	mb = mbox_alloc(MBOX_ROLE_PMD, &pmd_ops);
	if (mb == NULL)
		return NULL;
	for (i = 0; i < nb_uids; i++)
		mb->ctrl_uids[i] = ctrl_uids[i];
	mb->nb_ctrl_uids = nb_uids;
	rc = mbox_loop_init(mb);
	if (rc < 0)
		goto err;
	mb->sock_path = strdup(sock_path);
	/* A placeholder until ctrl's doorbell is dup3'd onto this number. */
	mb->peer_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	mb->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (mb->sock_path == NULL || mb->peer_efd < 0 || mb->tfd < 0) {
		rc = mbox_setmsg(-errno, "mbox_attach: %s", strerror(errno));
		goto err;
	}
	rc = mbox_ep_add(mb, mb->tfd, EPOLLIN, TAG(TAG_TIMER, 0));
	if (rc == 0)
		rc = pmd_connect(mb, sock_path, true);
	if (rc < 0)
		goto err;
	mb->seg_fd = -1;
	mbox_push_event(mb, MBOX_EV_PEER_UP, MBOX_PORT_ANY, &mb->ctrl_cred);
	return mb;
err:
	mbox_close(mb);
	errno = -rc;
	return NULL;
}

struct mbox *
mbox_attach(const char *sock_path, unsigned int flags)
{
	return mbox_attach_trusted(sock_path, NULL, 0, flags);
}
