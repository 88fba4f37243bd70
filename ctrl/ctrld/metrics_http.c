/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The metrics endpoint (metrics_http.h): accept, read one request head,
 * answer, close. The parsing is http_req.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctrl/ctrld/metrics_http.h"

struct client {
	int fd;			/* -1: free */
	uint64_t deadline;
	size_t len;
	char buf[HTTP_REQ_MAX];
};

struct metrics_http {
	struct nl_loop *loop;
	int lfd;
	struct http_listen addr;
	char name[sizeof(((struct sockaddr_un *)NULL)->sun_path) + 8];
	metrics_http_render_fn render;
	metrics_http_count_fn count;
	void *ctx;
	struct client c[METRICS_HTTP_CLIENTS];
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;	/* the peer went, or the send timeout: give up */
		p += w;
		len -= (size_t)w;
	}
}

/* Answer and forget: blocking send bounded by SO_SNDTIMEO. */
static void
answer(struct metrics_http *h, int fd, int status, bool head_only, const char *body, size_t len)
{
	struct timeval tv = { METRICS_HTTP_TIMEOUT_MS / 1000, 0 };
	char hdr[256];
	int n;

	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
		     "Connection: close\r\n\r\n", status, http_reason(status),
		     status == 200 ? "text/plain; version=0.0.4; charset=utf-8" :
		     "text/plain; charset=utf-8", len,
		     status == 405 ? "Allow: GET, HEAD\r\n" : "");
	/* Back to blocking, bounded by the send timeout. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	send_all(fd, hdr, (size_t)n);
	if (!head_only)
		send_all(fd, body, len);
	h->count(h->ctx, status);
}

/*
 * After an answer: what the client sent past its head (a body, the rest of
 * a head too long) is read away before close, else the kernel answers the
 * unread bytes with a reset that can destroy our answer in flight.
 */
static void
drain(int fd)
{
	char buf[4096];

	shutdown(fd, SHUT_WR);
	for (unsigned int i = 0; i < 16; i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
}

static void
client_close(struct metrics_http *h, struct client *c)
{
	nl_loop_del(h->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void
serve(struct metrics_http *h, struct client *c, const struct http_req *req)
{
	static const char not_found[] = "Not found: try /metrics\n";
	char *body = NULL;
	size_t len = 0;

	if (strcmp(req->path, "/metrics") != 0) {
		answer(h, c->fd, 404, req->method == HTTP_HEAD, not_found, sizeof(not_found) - 1);
		return;
	}
	if (h->render(h->ctx, &body, &len) < 0) {
		static const char failed[] = "Cannot render the metrics (out of memory)\n";

		answer(h, c->fd, 500, req->method == HTTP_HEAD, failed, sizeof(failed) - 1);
		return;
	}
	answer(h, c->fd, 200, req->method == HTTP_HEAD, body, len);
	free(body);
}

static void
on_client(void *arg, int fd, uint32_t events)
{
	struct metrics_http *h = arg;
	struct client *c = NULL;
	struct http_req req;
	ssize_t r;
	int ret;

	(void)events;
	for (unsigned int i = 0; i < METRICS_HTTP_CLIENTS; i++)
		if (h->c[i].fd == fd)
			c = &h->c[i];
	if (c == NULL)
		return;
	r = recv(fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		client_close(h, c);	/* gone before a whole request */
		return;
	}
	c->len += (size_t)r;
	ret = http_req_parse(c->buf, c->len, &req);
	if (ret == 0)
		return;
	if (ret < 0) {
		char msg[96];
		int n = snprintf(msg, sizeof(msg), "%s\n", http_reason(-ret));

		answer(h, fd, -ret, false, msg, (size_t)n);
	} else {
		serve(h, c, &req);
	}
	drain(fd);
	client_close(h, c);
}

static void
on_listen(void *arg, int fd, uint32_t events)
{
	struct metrics_http *h = arg;
	struct client *c;
	int cfd;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		c = NULL;
		for (unsigned int i = 0; i < METRICS_HTTP_CLIENTS && c == NULL; i++)
			if (h->c[i].fd < 0)
				c = &h->c[i];
		if (c == NULL || nl_loop_add(h->loop, cfd, on_client, h) < 0) {
			static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
				"Content-Length: 0\r\nConnection: close\r\n\r\n";

			send(cfd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
			close(cfd);
			h->count(h->ctx, 503);
			continue;
		}
		c->fd = cfd;
		c->len = 0;
		c->deadline = mono_ns() + METRICS_HTTP_TIMEOUT_MS * 1000000ull;
	}
}

static int
bind_addr(struct metrics_http *h, char *err, size_t n)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
	} a;
	socklen_t alen;
	struct stat st;
	int one = 1, ret;

	memset(&a, 0, sizeof(a));
	switch (h->addr.family) {
	case AF_INET:
		a.in.sin_family = AF_INET;
		a.in.sin_port = htons((uint16_t)h->addr.port);
		a.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		alen = sizeof(a.in);
		break;
	case AF_INET6:
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons((uint16_t)h->addr.port);
		a.in6.sin6_addr = in6addr_loopback;
		alen = sizeof(a.in6);
		break;
	default:
		a.un.sun_family = AF_UNIX;
		memcpy(a.un.sun_path, h->addr.path, sizeof(a.un.sun_path));
		alen = sizeof(a.un);
		/* A socket file left by an earlier run; anything else is not ours. */
		if (lstat(h->addr.path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(h->addr.path);
		break;
	}
	h->lfd = socket(h->addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0)
		goto err;
	if (h->addr.family == AF_INET6)
		setsockopt(h->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (h->addr.family != AF_UNIX)
		setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->lfd, &a.sa, alen) < 0 || listen(h->lfd, 16) < 0)
		goto err;
	alen = sizeof(a);
	if (getsockname(h->lfd, &a.sa, &alen) < 0)
		goto err;
	if (h->addr.family == AF_INET)
		snprintf(h->name, sizeof(h->name), "127.0.0.1:%u", ntohs(a.in.sin_port));
	else if (h->addr.family == AF_INET6)
		snprintf(h->name, sizeof(h->name), "[::1]:%u", ntohs(a.in6.sin6_port));
	else
		snprintf(h->name, sizeof(h->name), "unix:%s", h->addr.path);
	return 0;
err:
	ret = -errno;
	snprintf(err, n, "metrics endpoint: %s", strerror(errno));
	return ret;
}

struct metrics_http *
metrics_http_open(const struct http_listen *addr, struct nl_loop *loop,
		  metrics_http_render_fn render, metrics_http_count_fn count, void *ctx, char *err,
		  size_t n)
{
	struct metrics_http *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		snprintf(err, n, "metrics endpoint: out of memory");
		return NULL;
	}
	h->loop = loop;
	h->addr = *addr;
	h->render = render;
	h->count = count;
	h->ctx = ctx;
	h->lfd = -1;
	for (unsigned int i = 0; i < METRICS_HTTP_CLIENTS; i++)
		h->c[i].fd = -1;
	if (bind_addr(h, err, n) < 0)
		goto err_close_lfd;
	if (nl_loop_add(loop, h->lfd, on_listen, h) < 0) {
		snprintf(err, n, "metrics endpoint: too many fds in the loop");
		goto err_unlink;
	}
	return h;

err_unlink:
	if (h->addr.family == AF_UNIX)
		unlink(h->addr.path);
err_close_lfd:
	if (h->lfd >= 0)
		close(h->lfd);
	free(h);
	return NULL;
}

void
metrics_http_close(struct metrics_http *h)
{
	if (h == NULL)
		return;
	for (unsigned int i = 0; i < METRICS_HTTP_CLIENTS; i++)
		if (h->c[i].fd >= 0)
			client_close(h, &h->c[i]);
	nl_loop_del(h->loop, h->lfd);
	close(h->lfd);
	if (h->addr.family == AF_UNIX)
		unlink(h->addr.path);
	free(h);
}

const char *
metrics_http_addr(const struct metrics_http *h)
{
	return h->name;
}

uint64_t
metrics_http_deadline(const struct metrics_http *h)
{
	uint64_t due = 0;

	for (unsigned int i = 0; i < METRICS_HTTP_CLIENTS; i++)
		if (h->c[i].fd >= 0 && (due == 0 || h->c[i].deadline < due))
			due = h->c[i].deadline;
	return due;
}

void
metrics_http_tick(struct metrics_http *h, uint64_t now)
{
	for (unsigned int i = 0; i < METRICS_HTTP_CLIENTS; i++)
		if (h->c[i].fd >= 0 && now >= h->c[i].deadline)
			client_close(h, &h->c[i]);
}
