/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Creating, attaching, closing; the unix socket (hello with SCM_RIGHTS,
 * SO_PEERCRED, liveness), doorbells and the loop fd; mbox_next.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mbox_priv.h"

/* epoll tags */
enum { TAG_EFD = 1, TAG_LISTEN, TAG_CONN, TAG_SOCK, TAG_TIMER };
#define TAG(kind, idx) ((uint64_t)(kind) << 32 | (uint32_t)(idx))

#define RETRY_MIN_MS 2
#define RETRY_MAX_MS 200

struct hello {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	uint32_t pid;
	uint32_t flags;
};

struct welcome {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	int32_t status;        /* 0 or a negative errno */
	uint32_t token;
	uint64_t key;
	uint64_t size;
	uint64_t ctrl_gen;
	char msg[160];
};

static struct mbox *
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

static void
set_geometry(struct mbox *mb, void *base, size_t size)
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

static void
closefd(int *fd)
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
			closefd(&mb->conns[i].fd);
			closefd(&mb->conns[i].efd);
			if (mb->hdr != NULL)
				__atomic_store_n(&mb->hdr->conns[i].token, 0, __ATOMIC_RELEASE);
		}
		/* Unlinked while we still hold the segment lock: it is ours. */
		if (mb->sock_path != NULL && mb->lfd >= 0)
			unlink(mb->sock_path);
	}
	if (mb->base != NULL && !mb->own_mem)
		munmap(mb->base, mb->size);
	closefd(&mb->lfd);
	closefd(&mb->sfd);
	closefd(&mb->peer_efd);
	closefd(&mb->tfd);
	closefd(&mb->efd);
	closefd(&mb->epfd);
	closefd(&mb->seg_fd);
	closefd(&mb->pass_fd);
	free(mb->sock_path);
	free(mb);
}

static int
ep_add(struct mbox *mb, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event e = { .events = events, .data.u64 = tag };

	if (epoll_ctl(mb->epfd, EPOLL_CTL_ADD, fd, &e) < 0)
		return mbox_setmsg(-errno, "epoll_ctl: %s", strerror(errno));
	return 0;
}

/* The loop fd and our doorbell. */
static int
loop_init(struct mbox *mb)
{
	mb->epfd = epoll_create1(EPOLL_CLOEXEC);
	mb->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mb->epfd < 0 || mb->efd < 0)
		return mbox_setmsg(-errno, "epoll/eventfd: %s", strerror(errno));
	return ep_add(mb, mb->efd, EPOLLIN, TAG(TAG_EFD, 0));
}

/* Is this segment file one we may trust: a regular file of uid, never
 * writable by others?
 */
static int
check_file(int fd, const char *what, uid_t uid, struct stat *st)
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

static int
map_fd(struct mbox *mb, int fd, size_t size, bool rw)
{
	void *p = mmap(NULL, size, PROT_READ | (rw ? PROT_WRITE : 0), MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return mbox_setmsg(-errno, "mmap of %zu bytes: %s", size, strerror(errno));
	mb->base = p;
	mb->size = size;
	return 0;
}

/* ctrl: adopt seg_path if it is valid. -ENOENT: there is none. */
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
	rc = check_file(mb->seg_fd, cfg->seg_path, uid, &st);
	if (rc < 0)
		return rc;
	if (st.st_size < (off_t)sizeof(struct mbox_hdr))
		return mbox_setmsg(-EBADMSG, "%s: segment truncated (%lld bytes)", cfg->seg_path,
				  (long long)st.st_size);
	rc = map_fd(mb, mb->seg_fd, (size_t)st.st_size, true);
	if (rc < 0)
		return rc;
	rc = mbox_seg_check(mb->base, mb->size);
	if (rc < 0)
		return mbox_setmsg(rc, "%s: %s", cfg->seg_path, mbox_errmsg());
	set_geometry(mb, mb->base, mb->size);
	/* The connections of the dead ctrl are gone: PMDs reconnect. */
	for (i = 0; i < MBOX_MAX_CONNS; i++)
		__atomic_store_n(&mb->hdr->conns[i].token, 0, __ATOMIC_RELEASE);
	__atomic_fetch_add(&mb->hdr->ctrl_gen, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&mb->hdr->ctrl_pid, (uint32_t)getpid(), __ATOMIC_RELAXED);
	clock_gettime(CLOCK_REALTIME, &ts);
	__atomic_store_n(&mb->hdr->t_adopted, (uint64_t)ts.tv_sec, __ATOMIC_RELAXED);
	return 0;
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
	if (snprintf(tmp, sizeof(tmp), "%s.new.%d", cfg->seg_path, (int)getpid()) >= (int)sizeof(tmp))
		return mbox_setmsg(-ENAMETOOLONG, "segment path too long");
	while (key == 0)
		if (getrandom(&key, sizeof(key), 0) != sizeof(key))
			return mbox_setmsg(-errno, "getrandom: %s", strerror(errno));
	unlink(tmp);
	mb->seg_fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (mb->seg_fd < 0)
		return mbox_setmsg(-errno, "%s: %s", tmp, strerror(errno));
	if (flock(mb->seg_fd, LOCK_EX | LOCK_NB) < 0 || fchmod(mb->seg_fd, mode) < 0 ||
	    (geteuid() == 0 && fchown(mb->seg_fd, uid, gid) < 0) ||
	    ftruncate(mb->seg_fd, (off_t)size) < 0) {
		rc = mbox_setmsg(-errno, "%s: %s", tmp, strerror(errno));
		goto err_unlink;
	}
	rc = map_fd(mb, mb->seg_fd, size, true);
	if (rc < 0)
		goto err_unlink;
	mbox_seg_format(mb->base, ports, slots, key);
	set_geometry(mb, mb->base, size);
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
sock_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return mbox_setmsg(-ENAMETOOLONG, "socket path %s longer than %zu bytes", path,
				  sizeof(sa->sun_path) - 1);
	strcpy(sa->sun_path, path);
	return 0;
}

static int
ctrl_listen(struct mbox *mb, const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	struct sockaddr_un sa;
	int rc = sock_addr(&sa, path);

	if (rc < 0)
		return rc;
	mb->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (mb->lfd < 0)
		return mbox_setmsg(-errno, "socket: %s", strerror(errno));
	/* We hold the segment lock: a socket file there is a dead ctrl's. */
	unlink(path);
	if (bind(mb->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, mode) < 0 ||
	    (geteuid() == 0 && chown(path, uid, gid) < 0) || listen(mb->lfd, 16) < 0)
		return mbox_setmsg(-errno, "socket %s: %s", path, strerror(errno));
	mb->sock_path = strdup(path);
	if (mb->sock_path == NULL)
		return -ENOMEM;
	return ep_add(mb, mb->lfd, EPOLLIN, TAG(TAG_LISTEN, 0));
}

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
	mb = mbox_alloc(MBOX_ROLE_CTRL);
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
		closefd(&mb->seg_fd);
		rc = -ENOENT;
	}
	if (rc == -ENOENT) {
		closefd(&mb->seg_fd);
		rc = ctrl_new(mb, cfg, uid, gid, mode);
	}
	if (rc == 0)
		rc = open_pass_fd(mb);
	if (rc == 0)
		rc = loop_init(mb);
	if (rc == 0)
		rc = ctrl_listen(mb, cfg->sock_path, uid, gid, mode);
	if (rc < 0) {
		mbox_close(mb);
		errno = -rc;
		return NULL;
	}
	return mb;
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
	rc = check_file(mb->seg_fd, seg_path, geteuid(), &st);
	if (rc == -EACCES && !(st.st_mode & S_IWOTH))
		rc = 0; /* a reader may look at a segment of another uid */
	if (rc < 0)
		goto err;
	if (st.st_size < (off_t)sizeof(struct mbox_hdr)) {
		rc = mbox_setmsg(-EBADMSG, "%s: segment truncated (%lld bytes)", seg_path,
				 (long long)st.st_size);
		goto err;
	}
	rc = map_fd(mb, mb->seg_fd, (size_t)st.st_size, false);
	if (rc == 0)
		rc = mbox_seg_check(mb->base, mb->size);
	if (rc < 0) {
		rc = mbox_setmsg(rc, "%s: %s", seg_path, mbox_errmsg());
		goto err;
	}
	set_geometry(mb, mb->base, mb->size);
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
	set_geometry(mb, buf, len);
	if (role == MBOX_ROLE_PMD)
		mb->claimed = mb->nb_ports == 64 ? ~0ull : (1ull << mb->nb_ports) - 1;
	return mb;
}

/* sendmsg/recvmsg with up to 2 fds. */
static int
send_fds(int fd, const void *buf, size_t len, const int *fds, unsigned int nfds)
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
static ssize_t
recv_fds(int fd, void *buf, size_t len, int *fds, unsigned int max, int flags)
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

static bool
is_eventfd(int fd)
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

static void
push_event(struct mbox *mb, uint16_t type, uint16_t port, const struct mbox_peer *peer)
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

/* ctrl: a PMD connection went away: its ports are orphaned. */
static void
conn_close(struct mbox *mb, struct mbox_conn *c)
{
	struct mbox_peer peer = { c->token, c->pid, c->uid, c->gid };
	uint32_t cur;
	unsigned int p, owned = 0;

	epoll_ctl(mb->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	closefd(&c->fd);
	closefd(&c->efd);
	if (c->token == 0)
		return;
	/* Pairs with the acquire load in mbox_token_live. */
	__atomic_store_n(&mb->hdr->conns[c->slot].token, 0, __ATOMIC_RELEASE);
	for (p = 0; p < mb->nb_ports; p++) {
		cur = c->token;
		if (__atomic_compare_exchange_n(&mbox_port_shm(mb, p)->owner, &cur, 0, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			push_event(mb, MBOX_EV_PEER_DOWN, (uint16_t)p, &peer);
			owned++;
		}
	}
	if (owned == 0)
		push_event(mb, MBOX_EV_PEER_DOWN, MBOX_PORT_ANY, &peer);
	c->token = 0;
}

static void
conn_refuse(struct mbox *mb, struct mbox_conn *c, int status)
{
	struct welcome w = { .magic = MBOX_HELLO_MAGIC, .major = MBOX_MAJOR, .minor = MBOX_MINOR,
			     .status = status };

	snprintf(w.msg, sizeof(w.msg), "%s", mbox_errmsg());
	send_fds(c->fd, &w, sizeof(w), NULL, 0);
	conn_close(mb, c);
}

/* ctrl: the hello of a new connection. */
static void
conn_hello(struct mbox *mb, struct mbox_conn *c)
{
	struct welcome w = { .magic = MBOX_HELLO_MAGIC, .major = MBOX_MAJOR, .minor = MBOX_MINOR };
	struct mbox_conn_slot *cs = &mb->hdr->conns[c->slot];
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct hello h;
	uint32_t gen;
	int fds[2], out[2];
	ssize_t n;

	n = recv_fds(c->fd, &h, sizeof(h), fds, 2, MSG_DONTWAIT);
	if (n == -EAGAIN)
		return;
	closefd(&fds[1]);
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
	if (c->efd < 0 || !is_eventfd(c->efd) || fcntl(c->efd, F_SETFL, O_NONBLOCK) < 0) {
		conn_refuse(mb, c, mbox_setmsg(-EPROTO, "hello without an eventfd"));
		return;
	}
	gen = __atomic_add_fetch(&mb->hdr->conn_gen, 1, __ATOMIC_RELAXED);
	if (gen >= UINT32_MAX / MBOX_MAX_CONNS)
		gen = 1;
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
	if (send_fds(c->fd, &w, sizeof(w), out, 2) < 0) {
		conn_close(mb, c);
		return;
	}
	push_event(mb, MBOX_EV_PEER_UP, MBOX_PORT_ANY,
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
		if (ep_add(mb, fd, EPOLLIN | EPOLLRDHUP, TAG(TAG_CONN, i)) < 0)
			closefd(&c->fd);
	}
}

static void
drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

/* PMD: (re)connect and authenticate. first: map the segment. */
static int
pmd_connect(struct mbox *mb, const char *path, bool first)
{
	struct timeval tv = { MBOX_IO_TIMEOUT_MS / 1000, (MBOX_IO_TIMEOUT_MS % 1000) * 1000 };
	struct hello h = { MBOX_HELLO_MAGIC, MBOX_MAJOR, MBOX_MINOR, (uint32_t)getpid(), 0 };
	struct sockaddr_un sa;
	struct welcome w;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct stat st;
	int fd, rc, fds[2] = { -1, -1 };
	unsigned int p;
	uint32_t old, cur;
	uint64_t claimed;
	ssize_t n;

	rc = sock_addr(&sa, path);
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
	if (cred.uid != 0 && cred.uid != geteuid()) {
		rc = mbox_setmsg(-EACCES, "%s is served by uid %u, neither root nor us: refused",
				 path, cred.uid);
		goto err;
	}
	rc = send_fds(fd, &h, sizeof(h), &mb->efd, 1);
	if (rc < 0) {
		rc = mbox_setmsg(rc, "hello to %s: %s", path, strerror(-rc));
		goto err;
	}
	memset(&w, 0, sizeof(w));
	n = recv_fds(fd, &w, sizeof(w), fds, 2, 0);
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
	if (fds[0] < 0 || fds[1] < 0 || !is_eventfd(fds[1])) {
		rc = mbox_setmsg(-EPROTO, "the control daemon sent no segment or doorbell");
		goto err;
	}
	if (first) {
		rc = check_file(fds[0], "the segment", cred.uid, &st);
		if (rc < 0)
			goto err;
		if (w.size < sizeof(struct mbox_hdr) || (uint64_t)st.st_size < w.size) {
			rc = mbox_setmsg(-EBADMSG, "segment truncated: %lld of %llu bytes",
					 (long long)st.st_size, (unsigned long long)w.size);
			goto err;
		}
		rc = map_fd(mb, fds[0], (size_t)w.size, true);
		if (rc == 0)
			rc = mbox_seg_check(mb->base, mb->size);
		if (rc == 0 && ((struct mbox_hdr *)mb->base)->key != w.key)
			rc = mbox_setmsg(-ESTALE, "segment key differs from the daemon's: stale segment");
		if (rc < 0)
			goto err;
		set_geometry(mb, mb->base, mb->size);
	} else if (w.key != mb->key) {
		mb->stale = true;
		rc = mbox_setmsg(-ESTALE, "the control daemon replaced the segment: attach again");
		goto err;
	}
	closefd(&fds[0]);
	if (dup3(fds[1], mb->peer_efd, O_CLOEXEC) < 0) {
		rc = mbox_setmsg(-errno, "dup3: %s", strerror(errno));
		goto err;
	}
	closefd(&fds[1]);
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
		push_event(mb, MBOX_EV_PEER_DOWN, (uint16_t)p, NULL);
	}
	mb->ctrl_cred = (struct mbox_peer){ 0, (uint32_t)cred.pid, cred.uid, cred.gid };
	mb->sfd = fd;
	rc = ep_add(mb, fd, EPOLLIN | EPOLLRDHUP, TAG(TAG_SOCK, 0));
	if (rc < 0) {
		mb->sfd = -1;
		goto err;
	}
	return 0;
err:
	closefd(&fds[0]);
	closefd(&fds[1]);
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

struct mbox *
mbox_attach(const char *sock_path, unsigned int flags)
{
	struct mbox *mb;
	int rc;

	if (sock_path == NULL || flags != 0) {
		errno = -mbox_setmsg(-EINVAL, "mbox_attach: bad arguments");
		return NULL;
	}
	mb = mbox_alloc(MBOX_ROLE_PMD);
	if (mb == NULL)
		return NULL;
	rc = loop_init(mb);
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
	rc = ep_add(mb, mb->tfd, EPOLLIN, TAG(TAG_TIMER, 0));
	if (rc == 0)
		rc = pmd_connect(mb, sock_path, true);
	if (rc < 0)
		goto err;
	mb->seg_fd = -1;
	push_event(mb, MBOX_EV_PEER_UP, MBOX_PORT_ANY, &mb->ctrl_cred);
	return mb;
err:
	mbox_close(mb);
	errno = -rc;
	return NULL;
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
			ctrl_accept(mb);
			break;
		case TAG_CONN:
			c = &mb->conns[idx];
			if (c->fd < 0)
				break;
			if (c->token == 0 && (evs[i].events & EPOLLIN))
				conn_hello(mb, c);
			else
				conn_close(mb, c); /* EOF, error, or talk after the hello */
			break;
		case TAG_SOCK:
			/* ctrl never writes after the welcome: EOF or error, it is gone. */
			if (recv(mb->sfd, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN)
				break;
			epoll_ctl(mb->epfd, EPOLL_CTL_DEL, mb->sfd, NULL);
			closefd(&mb->sfd);
			push_event(mb, MBOX_EV_PEER_DOWN, MBOX_PORT_ANY, &mb->ctrl_cred);
			mb->retry_ms = RETRY_MIN_MS;
			arm_timer(mb);
			break;
		case TAG_TIMER:
			drain(mb->tfd);
			if (mb->sfd >= 0 || mb->stale)
				break;
			rc = pmd_connect(mb, mb->sock_path, false);
			if (rc == 0)
				push_event(mb, MBOX_EV_PEER_UP, MBOX_PORT_ANY, &mb->ctrl_cred);
			else if (rc == -ESTALE)
				push_event(mb, MBOX_EV_STALE, MBOX_PORT_ANY, NULL);
			else
				arm_timer(mb);
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
