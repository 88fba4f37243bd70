/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The ctrl side: making or re-adopting the segment, the listening socket,
 * the PMDs' hellos (SO_PEERCRED, version, doorbell) and their deaths.
 * mbox_create gives the object ctrl's ops (ctrl_ops), through which
 * mbox_conn.c hands over ctrl's fds and its close; this file calls down into
 * mbox_conn.c, mbox_io.c and mbox_seg.c only.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mbox_priv.h"

/* Every token this segment can hold was issued: none is issued twice. */
static int
tokens_spent(const char *seg, const char *remedy)
{
	return mbox_setmsg(-ENOSPC, "%s has given out all its connection tokens (%u connections): %s",
			   seg, MBOX_CONN_GEN_MAX, remedy);
}

/* ctrl: adopt seg_path if it is valid. -ENOENT: there is none; -ENOSPC:
 * its connection tokens are spent.
 */
static int
ctrl_adopt(struct mbox *mb, const struct mbox_cfg *cfg, uid_t uid)
{
	struct stat st;
	struct timespec ts;
	unsigned int i;
	int rc;

	mb->seg_fd = open(cfg->seg_path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (mb->seg_fd < 0)
		return errno == ENOENT ? -ENOENT :
			mbox_setmsg(-errno, "%s: %s", cfg->seg_path, strerror(errno));
	if (flock(mb->seg_fd, LOCK_EX | LOCK_NB) < 0)
		return mbox_setmsg(errno == EWOULDBLOCK ? -EBUSY : -errno,
				  "%s is held by another control daemon", cfg->seg_path);
	rc = mbox_check_file(mb->seg_fd, cfg->seg_path, uid, &st);
	if (rc < 0)
		return rc;
	if (st.st_size < (off_t)sizeof(struct mbox_hdr))
		return mbox_setmsg(-EBADMSG, "%s: segment truncated (%lld bytes)", cfg->seg_path,
				  (long long)st.st_size);
	rc = mbox_map_fd(mb, mb->seg_fd, (size_t)st.st_size, true);
	if (rc < 0)
		return rc;
	rc = mbox_seg_check(mb->base, mb->size);
	if (rc < 0)
		return mbox_setmsg(rc, "%s: %s", cfg->seg_path, mbox_errmsg());
	mbox_set_geometry(mb, mb->base, mb->size);
	if (__atomic_load_n(&mb->hdr->conn_gen, __ATOMIC_RELAXED) >= MBOX_CONN_GEN_MAX)
		return tokens_spent(cfg->seg_path, "replace it (MBOX_F_REPLACE)");
	/* The connections of the dead ctrl are gone: PMDs reconnect. */
	for (i = 0; i < MBOX_MAX_CONNS; i++)
		__atomic_store_n(&mb->hdr->conns[i].token, 0, __ATOMIC_RELEASE);
	__atomic_fetch_add(&mb->hdr->ctrl_gen, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&mb->hdr->ctrl_pid, (uint32_t)getpid(), __ATOMIC_RELAXED);
	clock_gettime(CLOCK_REALTIME, &ts);
	__atomic_store_n(&mb->hdr->t_adopted, (uint64_t)ts.tv_sec, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Give our new file (fd, or path when fd is -1) to uid and gid. Root gives
 * it to anyone. Another user (e.g. a DynamicUser= daemon) keeps it but may
 * give it to a group it is a member of (SupplementaryGroups=): the PMDs'
 * group, mode 0660.
 */
static int
ctrl_chown(int fd, const char *path, uid_t uid, gid_t gid)
{
	uid_t owner = geteuid() == 0 ? uid : (uid_t)-1;

	if ((fd >= 0 ? fchown(fd, owner, gid) : chown(path, owner, gid)) == 0)
		return 0;
	if (errno == EPERM && owner == (uid_t)-1)
		return mbox_setmsg(-EPERM, "cannot give %s to group %u: a control daemon not running as root must be a member of it",
				   path, (unsigned int)gid);
	return mbox_setmsg(-errno, "%s: %s", path, strerror(errno));
}

/* ctrl: a new segment, formatted under a temporary name and renamed into
 * place, so that nobody ever sees a half-made one.
 */
static int
ctrl_new(struct mbox *mb, const struct mbox_cfg *cfg, uid_t uid, gid_t gid, mode_t mode)
{
	uint32_t ports = cfg->nb_ports ? cfg->nb_ports : MBOX_DEFAULT_PORTS;
	uint32_t slots = cfg->ring_slots ? cfg->ring_slots : MBOX_DEFAULT_SLOTS;
	char tmp[PATH_MAX];
	uint64_t key = 0;
	size_t size;
	int rc;

	if (ports > MBOX_MAX_PORTS || mbox_port_stride(slots) == 0)
		return mbox_setmsg(-EINVAL, "mbox_create: %u ports (max %u), %u slots (power of two, 2..%u)",
				  ports, MBOX_MAX_PORTS, slots, MBOX_MAX_SLOTS);
	size = mbox_seg_size(ports, slots);
	if (snprintf(tmp, sizeof(tmp), "%s.new.%d", cfg->seg_path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return mbox_setmsg(-ENAMETOOLONG, "segment path too long");
	while (key == 0)
		if (getrandom(&key, sizeof(key), 0) != sizeof(key))
			return mbox_setmsg(-errno, "getrandom: %s", strerror(errno));
	unlink(tmp);
	mb->seg_fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (mb->seg_fd < 0)
		return mbox_setmsg(-errno, "%s: %s", tmp, strerror(errno));
	if (flock(mb->seg_fd, LOCK_EX | LOCK_NB) < 0 || fchmod(mb->seg_fd, mode) < 0 ||
	    ftruncate(mb->seg_fd, (off_t)size) < 0) {
		rc = mbox_setmsg(-errno, "%s: %s", tmp, strerror(errno));
		goto err_unlink;
	}
	rc = ctrl_chown(mb->seg_fd, cfg->seg_path, uid, gid);
	if (rc < 0)
		goto err_unlink;
	rc = mbox_map_fd(mb, mb->seg_fd, size, true);
	if (rc < 0)
		goto err_unlink;
	mbox_seg_format(mb->base, ports, slots, key);
	mbox_set_geometry(mb, mb->base, size);
	__atomic_store_n(&mb->hdr->ctrl_gen, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&mb->hdr->ctrl_pid, (uint32_t)getpid(), __ATOMIC_RELAXED);
	if (rename(tmp, cfg->seg_path) < 0) {
		rc = mbox_setmsg(-errno, "rename to %s: %s", cfg->seg_path, strerror(errno));
		goto err_unlink;
	}
	return 0;

err_unlink:
	unlink(tmp);
	return rc;
}

/*
 * The fd PMDs get: another open file description of the segment. Not
 * seg_fd: its flock would live on in every PMD's mapping, and a restarted
 * ctrl could never take it.
 */
static int
open_pass_fd(struct mbox *mb)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", mb->seg_fd);
	mb->pass_fd = open(path, O_RDWR | O_CLOEXEC);
	if (mb->pass_fd < 0)
		return mbox_setmsg(-errno, "reopening the segment: %s", strerror(errno));
	return 0;
}

static int
ctrl_listen(struct mbox *mb, const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	struct sockaddr_un sa;
	int rc = mbox_sock_addr(&sa, path);

	if (rc < 0)
		return rc;
	mb->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (mb->lfd < 0)
		return mbox_setmsg(-errno, "socket: %s", strerror(errno));
	/* We hold the segment lock: a socket file there is a dead ctrl's. */
	unlink(path);
	if (bind(mb->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, mode) < 0)
		return mbox_setmsg(-errno, "socket %s: %s", path, strerror(errno));
	rc = ctrl_chown(-1, path, uid, gid);
	if (rc < 0)
		return rc;
	if (listen(mb->lfd, 16) < 0)
		return mbox_setmsg(-errno, "socket %s: %s", path, strerror(errno));
	mb->sock_path = strdup(path);
	if (mb->sock_path == NULL)
		return -ENOMEM;
	return mbox_ep_add(mb, mb->lfd, EPOLLIN, TAG(TAG_LISTEN, 0));
}

/* A PMD connection went away: its ports are orphaned. */
static void
conn_close(struct mbox *mb, struct mbox_conn *c)
{
	struct mbox_peer peer = { c->token, c->pid, c->uid, c->gid };
	uint32_t cur;
	unsigned int p, owned = 0;

	epoll_ctl(mb->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	mbox_closefd(&c->fd);
	mbox_closefd(&c->efd);
	if (c->token == 0)
		return;
	/* Pairs with the acquire load in mbox_token_live. */
	__atomic_store_n(&mb->hdr->conns[c->slot].token, 0, __ATOMIC_RELEASE);
	for (p = 0; p < mb->nb_ports; p++) {
		cur = c->token;
		if (__atomic_compare_exchange_n(&mbox_port_shm(mb, p)->owner, &cur, 0, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			mbox_push_event(mb, MBOX_EV_PEER_DOWN, (uint16_t)p, &peer);
			owned++;
		}
	}
	if (owned == 0)
		mbox_push_event(mb, MBOX_EV_PEER_DOWN, MBOX_PORT_ANY, &peer);
	c->token = 0;
}

static void
conn_refuse(struct mbox *mb, struct mbox_conn *c, int status)
{
	struct mbox_welcome w = {
		.magic = MBOX_HELLO_MAGIC, .major = MBOX_MAJOR, .minor = MBOX_MINOR,
		.status = status,
	};

	snprintf(w.msg, sizeof(w.msg), "%s", mbox_errmsg());
	mbox_send_fds(c->fd, &w, sizeof(w), NULL, 0);
	conn_close(mb, c);
}

/* The hello of a new connection. */
static void
conn_hello(struct mbox *mb, struct mbox_conn *c)
{
	struct mbox_welcome w = {
		.magic = MBOX_HELLO_MAGIC, .major = MBOX_MAJOR, .minor = MBOX_MINOR,
	};
	struct mbox_conn_slot *cs = &mb->hdr->conns[c->slot];
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct mbox_hello h;
	uint32_t gen;
	int fds[2], out[2];
	ssize_t n;

	n = mbox_recv_fds(c->fd, &h, sizeof(h), fds, 2, MSG_DONTWAIT);
	if (n == -EAGAIN)
		return;
	mbox_closefd(&fds[1]);
	c->efd = fds[0];
	if (n == 0 || (n < 0 && n != -EMSGSIZE)) {
		conn_close(mb, c);
		return;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0) {
		conn_refuse(mb, c, mbox_setmsg(-errno, "SO_PEERCRED: %s", strerror(errno)));
		return;
	}
	c->pid = (uint32_t)cred.pid;
	c->uid = cred.uid;
	c->gid = cred.gid;
	if (cred.uid != 0 && cred.uid != mb->allow_uid &&
	    (mb->allow_gid == (gid_t)-1 || cred.gid != mb->allow_gid)) {
		conn_refuse(mb, c, mbox_setmsg(-EACCES, "uid %u gid %u may not attach (allowed: uid %u%s)",
					       cred.uid, cred.gid, (unsigned int)mb->allow_uid,
					       mb->allow_gid == (gid_t)-1 ? "" : " and its group"));
		return;
	}
	if (n != sizeof(h) || h.magic != MBOX_HELLO_MAGIC) {
		conn_refuse(mb, c, mbox_setmsg(-EPROTO, "malformed hello (%zd bytes)", n));
		return;
	}
	if (h.major != MBOX_MAJOR) {
		conn_refuse(mb, c, mbox_setmsg(-EPROTONOSUPPORT,
					       "PMD speaks mailbox %u.%u, ctrl speaks %u.%u",
					       h.major, h.minor, MBOX_MAJOR, MBOX_MINOR));
		return;
	}
	if (c->efd < 0 || !mbox_is_eventfd(c->efd) || fcntl(c->efd, F_SETFL, O_NONBLOCK) < 0) {
		conn_refuse(mb, c, mbox_setmsg(-EPROTO, "hello without an eventfd"));
		return;
	}
	/* Stored before the token is published or sent: a restarted ctrl
	 * continues after it. Only this thread of the one ctrl writes it.
	 */
	gen = __atomic_load_n(&mb->hdr->conn_gen, __ATOMIC_RELAXED);
	if (gen >= MBOX_CONN_GEN_MAX) {
		conn_refuse(mb, c, tokens_spent("the segment",
						"restart the control daemon with MBOX_F_REPLACE"));
		return;
	}
	__atomic_store_n(&mb->hdr->conn_gen, ++gen, __ATOMIC_RELAXED);
	c->token = gen * MBOX_MAX_CONNS + c->slot;
	__atomic_store_n(&cs->pid, c->pid, __ATOMIC_RELAXED);
	__atomic_store_n(&cs->uid, c->uid, __ATOMIC_RELAXED);
	__atomic_store_n(&cs->gid, c->gid, __ATOMIC_RELAXED);
	/* Pairs with the acquire load in mbox_token_live. */
	__atomic_store_n(&cs->token, c->token, __ATOMIC_RELEASE);
	w.token = c->token;
	w.key = mb->key;
	w.size = mb->size;
	w.ctrl_gen = __atomic_load_n(&mb->hdr->ctrl_gen, __ATOMIC_RELAXED);
	out[0] = mb->pass_fd;
	out[1] = mb->efd;
	if (mbox_send_fds(c->fd, &w, sizeof(w), out, 2) < 0) {
		conn_close(mb, c);
		return;
	}
	mbox_push_event(mb, MBOX_EV_PEER_UP, MBOX_PORT_ANY,
		   &(struct mbox_peer){ c->token, c->pid, c->uid, c->gid });
}

static void
ctrl_accept(struct mbox *mb)
{
	struct mbox_conn *c;
	unsigned int i;
	int fd;

	while ((fd = accept4(mb->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (i = 0; i < MBOX_MAX_CONNS && mb->conns[i].fd >= 0; i++)
			;
		if (i == MBOX_MAX_CONNS) {
			close(fd);
			continue;
		}
		c = &mb->conns[i];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->efd = -1;
		c->slot = i;
		if (mbox_ep_add(mb, fd, EPOLLIN | EPOLLRDHUP, TAG(TAG_CONN, i)) < 0)
			mbox_closefd(&c->fd);
	}
}

/* ctrl's fds in mbox_fd: the listening socket and the PMD connections. */
static void
ctrl_fd_ready(struct mbox *mb, uint32_t kind, uint32_t idx, uint32_t events)
{
	struct mbox_conn *c;

	switch (kind) {
	case TAG_LISTEN:
		ctrl_accept(mb);
		break;
	case TAG_CONN:
		c = &mb->conns[idx % MBOX_MAX_CONNS];
		if (c->fd < 0)
			break;
		if (c->token == 0 && (events & EPOLLIN))
			conn_hello(mb, c);
		else
			conn_close(mb, c); /* EOF, error, or talk after the hello */
		break;
	default:
		break;
	}
}

/* mbox_close: the connections and their table entries, and the socket. */
static void
ctrl_close(struct mbox *mb)
{
	unsigned int i;

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

static const struct mbox_role_ops ctrl_ops = {
	.fd_ready = ctrl_fd_ready,
	.close = ctrl_close,
};

struct mbox *
mbox_create(const struct mbox_cfg *cfg)
{
	struct mbox *mb;
	uid_t uid;
	gid_t gid;
	mode_t mode;
	int rc;

	if (cfg == NULL || cfg->seg_path == NULL || cfg->sock_path == NULL) {
		errno = -mbox_setmsg(-EINVAL, "mbox_create: seg_path and sock_path are required");
		return NULL;
	}
	mb = mbox_alloc(MBOX_ROLE_CTRL, &ctrl_ops);
	if (mb == NULL)
		return NULL;
	uid = cfg->uid == (uid_t)-1 ? geteuid() : cfg->uid;
	gid = cfg->gid == (gid_t)-1 ? getegid() : cfg->gid;
	mode = cfg->gid == (gid_t)-1 ? 0600 : 0660;
	mb->allow_uid = uid;
	mb->allow_gid = cfg->gid;
	rc = ctrl_adopt(mb, cfg, uid);
	if (rc < 0 && rc != -ENOENT && rc != -EBUSY && (cfg->flags & MBOX_F_REPLACE)) {
		/* Invalid and we may replace it: start afresh. */
		if (mb->base != NULL)
			munmap(mb->base, mb->size);
		mb->base = NULL;
		mb->hdr = NULL;
		mbox_closefd(&mb->seg_fd);
		rc = -ENOENT;
	}
	if (rc == -ENOENT) {
		mbox_closefd(&mb->seg_fd);
		rc = ctrl_new(mb, cfg, uid, gid, mode);
	}
	if (rc == 0)
		rc = open_pass_fd(mb);
	if (rc == 0)
		rc = mbox_loop_init(mb);
	if (rc == 0)
		rc = ctrl_listen(mb, cfg->sock_path, uid, gid, mode);
	if (rc < 0) {
		mbox_close(mb);
		errno = -rc;
		return NULL;
	}
	return mb;
}
