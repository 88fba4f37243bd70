/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The simulated host's sockets and messages: kernel notifications
 * (DIR/kernel.sock) and the hypervisor channel (DIR/hv/NAME.sock).
 * See simhost.h for the format.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto/simhost/simhost.h"
#include "proto/simhost/simhost_priv.h"

/* ---- notifications ---- */

enum { F_NAME = 1, F_INDEX = 2, F_GUID = 4, F_PORT = 8, F_NETDEV = 16, F_IFINDEX = 32,
       F_HANDLE = 64, F_REPORTER = 128, F_STATE = 256, F_ERRC = 512, F_RECC = 1024,
       F_BDF = 2048 };

static const struct {
	const char *kind, *verb;
	unsigned keys;
} ntf_types[] = {
	[SIMHOST_NTF_RDMA_REGISTER] = { "rdma", "register", F_NAME | F_INDEX | F_GUID },
	[SIMHOST_NTF_RDMA_NETDEV_ATTACH] = { "rdma", "netdev_attach",
					     F_NAME | F_INDEX | F_PORT | F_NETDEV | F_IFINDEX },
	[SIMHOST_NTF_RDMA_UNREGISTER] = { "rdma", "unregister", F_NAME | F_INDEX },
	[SIMHOST_NTF_DEVLINK_HEALTH] = { "devlink", "health",
					 F_HANDLE | F_REPORTER | F_STATE | F_ERRC | F_RECC },
	[SIMHOST_NTF_DEVLINK_DEL] = { "devlink", "del", F_HANDLE },
	[SIMHOST_NTF_DEVLINK_NEW] = { "devlink", "new", F_HANDLE },
	[SIMHOST_NTF_PCI_REMOVE] = { "pci", "remove", F_BDF },
	[SIMHOST_NTF_PCI_ADD] = { "pci", "add", F_BDF },
};
#define NB_NTF_TYPES (sizeof(ntf_types) / sizeof(ntf_types[0]))

static const char *const ntf_keys[] = { "name", "index", "guid", "port", "netdev", "ifindex",
					"handle", "reporter", "state", "error_count",
					"recover_count", "bdf" };
#define NB_NTF_KEYS (sizeof(ntf_keys) / sizeof(ntf_keys[0]))

const char *
simhost_ntf_type_name(enum simhost_ntf_type t)
{
	static const char *const names[] = {
		"rdma register", "rdma netdev_attach", "rdma unregister", "devlink health",
		"devlink del", "devlink new", "pci remove", "pci add",
	};

	return (unsigned)t < NB_NTF_TYPES ? names[t] : "?";
}

static int
handle_ok(const char *h)
{
	return strncmp(h, "pci/", 4) == 0 && simhost_bdf_ok(h + 4);
}

int
simhost_ntf_format(const struct simhost_ntf *n, char *buf, size_t len)
{
	unsigned keys;
	size_t off;
	int l;

	if ((unsigned)n->type >= NB_NTF_TYPES)
		return simhost_fail(-EINVAL, "unknown notification type %d", (int)n->type);
	keys = ntf_types[n->type].keys;
	if (((keys & F_NAME) && !simhost_name_ok(n->name, sizeof(n->name))) ||
	    ((keys & F_NETDEV) && !simhost_name_ok(n->netdev, sizeof(n->netdev))) ||
	    ((keys & F_HANDLE) && !handle_ok(n->handle)) ||
	    ((keys & F_REPORTER) && !simhost_name_ok(n->reporter, sizeof(n->reporter))) ||
	    ((keys & F_BDF) && !simhost_bdf_ok(n->bdf)))
		return simhost_fail(-EINVAL, "%s: a bad name, handle or PCI address",
				    simhost_ntf_type_name(n->type));
	l = snprintf(buf, len, "%s %s", ntf_types[n->type].kind, ntf_types[n->type].verb);
	for (size_t k = 0; l >= 0 && (size_t)l < len && k < NB_NTF_KEYS; k++) {
		off = (size_t)l;
		if (!(keys & (1u << k)))
			continue;
		switch (1u << k) {
		case F_NAME:
			l += snprintf(buf + off, len - off, " name=%s", n->name);
			break;
		case F_INDEX:
			l += snprintf(buf + off, len - off, " index=%" PRIu32, n->index);
			break;
		case F_GUID:
			l += snprintf(buf + off, len - off, " guid=0x%016" PRIx64, n->guid);
			break;
		case F_PORT:
			l += snprintf(buf + off, len - off, " port=%" PRIu32, n->port);
			break;
		case F_NETDEV:
			l += snprintf(buf + off, len - off, " netdev=%s", n->netdev);
			break;
		case F_IFINDEX:
			l += snprintf(buf + off, len - off, " ifindex=%" PRIu32, n->ifindex);
			break;
		case F_HANDLE:
			l += snprintf(buf + off, len - off, " handle=%s", n->handle);
			break;
		case F_REPORTER:
			l += snprintf(buf + off, len - off, " reporter=%s", n->reporter);
			break;
		case F_STATE:
			l += snprintf(buf + off, len - off, " state=%s",
				      n->health_error ? "error" : "healthy");
			break;
		case F_ERRC:
			l += snprintf(buf + off, len - off, " error_count=%" PRIu64,
				      n->error_count);
			break;
		case F_RECC:
			l += snprintf(buf + off, len - off, " recover_count=%" PRIu64,
				      n->recover_count);
			break;
		case F_BDF:
			l += snprintf(buf + off, len - off, " bdf=%s", n->bdf);
			break;
		}
	}
	if (l < 0 || (size_t)l >= len)
		return simhost_fail(-ENOSPC, "notification longer than %zu bytes", len);
	return l;
}

static int
ntf_value(struct simhost_ntf *n, unsigned key, const char *v)
{
	uint64_t x;

	switch (key) {
	case F_NAME:
		return simhost_name_ok(v, sizeof(n->name)) ?
			       simhost_copy(n->name, sizeof(n->name), v) : -EINVAL;
	case F_NETDEV:
		return simhost_name_ok(v, sizeof(n->netdev)) ?
			       simhost_copy(n->netdev, sizeof(n->netdev), v) : -EINVAL;
	case F_REPORTER:
		return simhost_name_ok(v, sizeof(n->reporter)) ?
			       simhost_copy(n->reporter, sizeof(n->reporter), v) : -EINVAL;
	case F_HANDLE:
		return handle_ok(v) ? simhost_copy(n->handle, sizeof(n->handle), v) : -EINVAL;
	case F_BDF:
		return simhost_bdf_ok(v) ? simhost_copy(n->bdf, sizeof(n->bdf), v) : -EINVAL;
	case F_GUID:
		return simhost_parse_hex64(v, &n->guid);
	case F_STATE:
		if (strcmp(v, "error") != 0 && strcmp(v, "healthy") != 0)
			return -EINVAL;
		n->health_error = v[0] == 'e';
		return 0;
	case F_ERRC:
		return simhost_parse_u64(v, UINT64_MAX, &n->error_count);
	case F_RECC:
		return simhost_parse_u64(v, UINT64_MAX, &n->recover_count);
	}
	if (simhost_parse_u64(v, UINT32_MAX, &x) < 0)
		return -EINVAL;
	if (key == F_INDEX)
		n->index = (uint32_t)x;
	else if (key == F_PORT)
		n->port = (uint32_t)x;
	else
		n->ifindex = (uint32_t)x;
	return 0;
}

int
simhost_ntf_parse(const char *buf, size_t len, struct simhost_ntf *n)
{
	char line[SIMHOST_NTF_MAX], *save = NULL, *kind, *verb, *tok;
	unsigned seen = 0, keys;
	size_t t;

	memset(n, 0, sizeof(*n));
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len >= sizeof(line))
		return simhost_fail(-EBADMSG, "notification longer than %zu bytes",
				    sizeof(line) - 1);
	if (memchr(buf, '\0', len) != NULL || memchr(buf, '\n', len) != NULL)
		return simhost_fail(-EBADMSG, "notification with a NUL or newline inside");
	memcpy(line, buf, len);
	line[len] = '\0';
	kind = strtok_r(line, " ", &save);
	verb = kind != NULL ? strtok_r(NULL, " ", &save) : NULL;
	if (verb == NULL)
		return simhost_fail(-EBADMSG, "notification without KIND VERB");
	for (t = 0; t < NB_NTF_TYPES; t++)
		if (strcmp(kind, ntf_types[t].kind) == 0 && strcmp(verb, ntf_types[t].verb) == 0)
			break;
	if (t == NB_NTF_TYPES)
		return simhost_fail(-EBADMSG, "unknown notification '%.16s %.24s'", kind, verb);
	n->type = (enum simhost_ntf_type)t;
	keys = ntf_types[t].keys;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		char *eq = strchr(tok, '=');

		if (eq == NULL || eq == tok)
			return simhost_fail(-EBADMSG, "%s: '%.32s' is not key=value",
					    simhost_ntf_type_name(n->type), tok);
		*eq = '\0';
		for (size_t k = 0; k < NB_NTF_KEYS; k++) {
			if (strcmp(tok, ntf_keys[k]) != 0 || !(keys & (1u << k)))
				continue;
			if (ntf_value(n, 1u << k, eq + 1) < 0)
				return simhost_fail(-EBADMSG, "%s: bad %s '%.40s'",
						    simhost_ntf_type_name(n->type), tok, eq + 1);
			seen |= 1u << k;
		}
	}
	for (size_t k = 0; k < NB_NTF_KEYS; k++)
		if ((keys & (1u << k)) && !(seen & (1u << k)))
			return simhost_fail(-EBADMSG, "%s: no %s", simhost_ntf_type_name(n->type),
					    ntf_keys[k]);
	return 0;
}

/* ---- unix socket addresses ---- */

/* path into a, through /proc/self/fd/N (N: *dirfd, opened here, the caller
 * closes it when >= 0) when it is longer than sun_path allows.
 */
static int
sock_addr(const char *path, struct sockaddr_un *a, int *dirfd)
{
	char copy[SIMHOST_PATH_MAX], base[SIMHOST_PATH_MAX];
	int l;

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	*dirfd = -1;
	if (strlen(path) < sizeof(a->sun_path)) {
		memcpy(a->sun_path, path, strlen(path) + 1);
		return 0;
	}
	if (simhost_copy(copy, sizeof(copy), path) < 0 ||
	    simhost_copy(base, sizeof(base), path) < 0)
		return simhost_fail(-ENAMETOOLONG, "path too long: %.64s...", path);
	*dirfd = open(dirname(copy), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return simhost_fail(-errno, "%s: %s", path, strerror(errno));
	l = snprintf(a->sun_path, sizeof(a->sun_path), "/proc/self/fd/%d/%s", *dirfd,
		     basename(base));
	if (l < 0 || (size_t)l >= sizeof(a->sun_path)) {
		close(*dirfd);
		*dirfd = -1;
		return simhost_fail(-ENAMETOOLONG, "socket name too long: %s", path);
	}
	return 0;
}

static void
close_dirfd(int dirfd)
{
	if (dirfd >= 0)
		close(dirfd);
}

static int
kernel_path(const char *dir, char *p, size_t n)
{
	int l = snprintf(p, n, "%s/kernel.sock", dir);

	if (l < 0 || (size_t)l >= n)
		return simhost_fail(-ENAMETOOLONG, "path too long: %s/kernel.sock", dir);
	return 0;
}

int
simhost_ntf_send(const char *dir, const struct simhost_ntf *n, int *lost)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	char line[SIMHOST_NTF_MAX], path[SIMHOST_PATH_MAX];
	struct sockaddr_un a;
	int l, fd, dirfd, ret = 0;

	if (lost != NULL)
		*lost = 0;
	l = simhost_ntf_format(n, line, sizeof(line));
	if (l < 0)
		return l;
	if ((ret = kernel_path(dir, path, sizeof(path))) < 0 ||
	    (ret = sock_addr(path, &a, &dirfd)) < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = simhost_fail(-errno, "socket: %s", strerror(errno));
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (sendto(fd, line, (size_t)l, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED) {
			if (lost != NULL)
				*lost = 1;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			ret = simhost_fail(-EAGAIN, "%s: receiver's queue full, '%s' dropped",
					   path, line);
		} else {
			ret = simhost_fail(-errno, "%s: %s", path, strerror(errno));
		}
	}
	close(fd);
out:
	close_dirfd(dirfd);
	return ret;
}

/* Bind a socket of type at path, replacing a stale socket file: the fd or
 * -EADDRINUSE when something live is there.
 */
static int
bind_fresh(const char *path, int type)
{
	struct sockaddr_un a;
	int fd, probe, dirfd, ret;

	ret = sock_addr(path, &a, &dirfd);
	if (ret < 0)
		return ret;
	probe = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (probe < 0) {
		ret = simhost_fail(-errno, "socket: %s", strerror(errno));
		goto out;
	}
	if (connect(probe, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EAGAIN ||
	    errno == EINPROGRESS) {
		close(probe);
		ret = simhost_fail(-EADDRINUSE, "%s is served by another live process", path);
		goto out;
	}
	close(probe);
	if (errno == ECONNREFUSED)
		unlink(path); /* a stale socket file: its server is gone */
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC | (type == SOCK_DGRAM ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0) {
		ret = simhost_fail(-errno, "socket: %s", strerror(errno));
		goto out;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		ret = simhost_fail(-errno, "cannot bind %s: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if (type == SOCK_SEQPACKET && listen(fd, 8) < 0) {
		ret = simhost_fail(-errno, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	ret = fd;
out:
	close_dirfd(dirfd);
	return ret;
}

int
simhost_kernel_bind(const char *dir)
{
	char path[SIMHOST_PATH_MAX];
	int ret = kernel_path(dir, path, sizeof(path));

	return ret < 0 ? ret : bind_fresh(path, SOCK_DGRAM);
}

void
simhost_kernel_unbind(const char *dir, int fd)
{
	char path[SIMHOST_PATH_MAX];

	if (fd < 0)
		return;
	if (kernel_path(dir, path, sizeof(path)) == 0)
		unlink(path);
	close(fd);
}

int
simhost_ntf_recv(int fd, struct simhost_ntf *n, char *raw, size_t rawlen)
{
	char buf[SIMHOST_NTF_MAX];
	ssize_t r;
	int ret;

	do
		r = recv(fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if (raw != NULL && rawlen > 0)
		snprintf(raw, rawlen, "%.*s", (int)((size_t)r < sizeof(buf) ? r : 0), buf);
	if ((size_t)r >= sizeof(buf))
		return simhost_fail(-EBADMSG, "notification of %zd bytes, longer than %zu", r,
				    sizeof(buf) - 1);
	ret = simhost_ntf_parse(buf, (size_t)r, n);
	return ret < 0 ? ret : 1;
}

/* ---- the hypervisor channel ---- */

const char *
simhost_outcome_name(enum simhost_outcome o)
{
	static const char *const names[] = { "ok", "fail", "remove", "rescan" };

	return (unsigned)o < 4 ? names[o] : "?";
}

int
simhost_outcome_parse(const char *s, enum simhost_outcome *o)
{
	for (int i = SIMHOST_OUTCOME_OK; i <= SIMHOST_OUTCOME_RESCAN; i++)
		if (strcmp(s, simhost_outcome_name((enum simhost_outcome)i)) == 0) {
			*o = (enum simhost_outcome)i;
			return 0;
		}
	return simhost_fail(-EINVAL, "outcome '%.16s': not ok, fail, remove or rescan", s);
}

int
simhost_hv_path(const char *dir, const char *name, char *buf, size_t n)
{
	int l;

	if (!simhost_name_ok(name, SIMHOST_NAME_MAX))
		return simhost_fail(-EINVAL, "bad device name '%.64s'", name);
	l = snprintf(buf, n, "%s/hv/%s.sock", dir, name);
	if (l < 0 || (size_t)l >= n)
		return simhost_fail(-ENAMETOOLONG, "path too long: %s/hv/%s.sock", dir, name);
	return 0;
}

int
simhost_hv_listen(const char *path)
{
	return bind_fresh(path, SOCK_SEQPACKET);
}

void
simhost_hv_unlisten(const char *path, int fd)
{
	if (fd < 0)
		return;
	unlink(path);
	close(fd);
}

#define HV_DOWN_MAX 3600000u

int
simhost_hv_req_format(const struct simhost_hv_req *r, char *buf, size_t n)
{
	int l;

	if (r->verb == SIMHOST_HV_SHOW)
		l = snprintf(buf, n, "show");
	else if (r->verb == SIMHOST_HV_SERVICE_EVENT && r->down_ms <= HV_DOWN_MAX &&
		 (unsigned)r->outcome <= SIMHOST_OUTCOME_RESCAN)
		l = snprintf(buf, n, "service-event down_ms=%" PRIu32 " outcome=%s", r->down_ms,
			     simhost_outcome_name(r->outcome));
	else
		return simhost_fail(-EINVAL, "bad request (verb %d, down %" PRIu32 " ms)",
				    (int)r->verb, r->down_ms);
	if (l < 0 || (size_t)l >= n)
		return simhost_fail(-ENOSPC, "request longer than %zu bytes", n);
	return l;
}

int
simhost_hv_req_parse(const char *buf, size_t len, struct simhost_hv_req *r)
{
	char line[256], *save = NULL, *tok;
	int have_down = 0, have_outcome = 0;
	uint64_t x;

	memset(r, 0, sizeof(*r));
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len >= sizeof(line))
		return simhost_fail(-EBADMSG, "request longer than %zu bytes", sizeof(line) - 1);
	if (memchr(buf, '\0', len) != NULL || memchr(buf, '\n', len) != NULL)
		return simhost_fail(-EBADMSG, "request with a NUL or newline inside");
	memcpy(line, buf, len);
	line[len] = '\0';
	tok = strtok_r(line, " ", &save);
	if (tok == NULL)
		return simhost_fail(-EBADMSG, "empty request");
	if (strcmp(tok, "show") == 0) {
		r->verb = SIMHOST_HV_SHOW;
		if (strtok_r(NULL, " ", &save) != NULL)
			return simhost_fail(-EBADMSG, "show takes no argument");
		return 0;
	}
	if (strcmp(tok, "service-event") != 0)
		return simhost_fail(-EBADMSG, "unknown request '%.32s' (show, service-event)",
				    tok);
	r->verb = SIMHOST_HV_SERVICE_EVENT;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		if (strncmp(tok, "down_ms=", 8) == 0) {
			if (simhost_parse_u64(tok + 8, HV_DOWN_MAX, &x) < 0)
				return simhost_fail(-EBADMSG, "down_ms '%.20s': not 0..%u", tok + 8,
						    HV_DOWN_MAX);
			r->down_ms = (uint32_t)x;
			have_down = 1;
		} else if (strncmp(tok, "outcome=", 8) == 0) {
			if (simhost_outcome_parse(tok + 8, &r->outcome) < 0)
				return simhost_fail(-EBADMSG, "outcome '%.16s': not ok, fail, "
							      "remove or rescan", tok + 8);
			have_outcome = 1;
		} else {
			return simhost_fail(-EBADMSG, "service-event: unknown argument '%.32s'",
					    tok);
		}
	}
	if (!have_down || !have_outcome)
		return simhost_fail(-EBADMSG, "service-event needs down_ms= and outcome=");
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
simhost_hv_call(const char *path, const char *req, char *reply, size_t n, int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	int64_t deadline = now_ms() + timeout_ms;
	struct sockaddr_un a;
	struct msghdr msg;
	struct iovec iov;
	struct pollfd p;
	int fd, dirfd, ret;
	ssize_t r;

	if (n == 0)
		return simhost_fail(-EINVAL, "no room for a reply");
	ret = sock_addr(path, &a, &dirfd);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = simhost_fail(-errno, "socket: %s", strerror(errno));
		goto out_dir;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		ret = simhost_fail(errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT : -errno,
				   "cannot reach %s: %s", path, strerror(errno));
		goto out;
	}
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		ret = simhost_fail(-errno, "cannot send to %s: %s", path, strerror(errno));
		goto out;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	for (;;) {
		int64_t left = deadline - now_ms();

		ret = poll(&p, 1, left > 0 ? (int)left : 0);
		if (ret > 0)
			break;
		if (ret == 0) {
			ret = simhost_fail(-ETIMEDOUT, "%s: no reply within %d ms", path,
					   timeout_ms);
			goto out;
		}
		if (errno != EINTR) {
			ret = simhost_fail(-errno, "poll: %s", strerror(errno));
			goto out;
		}
	}
	iov = (struct iovec){ .iov_base = reply, .iov_len = n - 1 };
	msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
	r = recvmsg(fd, &msg, 0);
	if (r >= 0 && (msg.msg_flags & MSG_TRUNC)) {
		ret = simhost_fail(-EMSGSIZE, "%s: reply longer than %zu bytes", path, n - 1);
	} else if (r < 0) {
		ret = simhost_fail(-errno, "cannot read from %s: %s", path, strerror(errno));
	} else if (r == 0) {
		ret = simhost_fail(-ECONNRESET, "%s closed without a reply", path);
	} else {
		reply[r] = '\0';
		ret = (int)r;
	}
out:
	close(fd);
out_dir:
	close_dirfd(dirfd);
	return ret;
}

static const struct {
	int err;
	const char *name;
} errnames[] = {
	{ EALREADY, "EALREADY" }, { EBUSY, "EBUSY" },	      { EINVAL, "EINVAL" },
	{ ENODEV, "ENODEV" },	  { ENOENT, "ENOENT" },	      { EAGAIN, "EAGAIN" },
	{ EIO, "EIO" },		  { ENOTSUP, "ENOTSUP" },     { EPERM, "EPERM" },
	{ ESRCH, "ESRCH" },	  { ETIMEDOUT, "ETIMEDOUT" }, { EBADMSG, "EBADMSG" },
	{ ENOMEM, "ENOMEM" },	  { ECANCELED, "ECANCELED" }, { EPROTO, "EPROTO" },
	{ ESHUTDOWN, "ESHUTDOWN" },
};

const char *
simhost_errno_name(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "EIO";
}

int
simhost_errno_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (strcmp(errnames[i].name, name) == 0)
			return errnames[i].err;
	return 0;
}

int
simhost_hv_reply_parse(const char *reply, const char **rest)
{
	const char *p;
	char name[24];
	size_t l;
	int err;

	if (strncmp(reply, "ok", 2) == 0 && (reply[2] == '\0' || reply[2] == ' ' ||
					     reply[2] == '\n')) {
		for (p = reply + 2; *p == ' ' || *p == '\n'; p++)
			;
		*rest = p;
		return 0;
	}
	if (strncmp(reply, "error ", 6) != 0)
		return simhost_fail(-EBADMSG, "reply neither ok nor error: '%.40s'", reply);
	p = reply + 6;
	l = strcspn(p, " \n");
	if (l == 0 || l >= sizeof(name))
		return simhost_fail(-EBADMSG, "error reply without a name: '%.40s'", reply);
	memcpy(name, p, l);
	name[l] = '\0';
	for (p += l; *p == ' '; p++)
		;
	*rest = p;
	err = simhost_errno_from_name(name);
	return err != 0 ? -err : -EIO;
}
