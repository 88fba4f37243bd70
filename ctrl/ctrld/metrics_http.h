/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_METRICS_HTTP_H
#define MANA_CTRL_METRICS_HTTP_H

/*
 * The metrics endpoint: a minimal HTTP/1.x server on a local address
 * (127.0.0.1, ::1 or a unix socket: http_req.h), in the daemon's epoll
 * loop. GET or HEAD /metrics gets the exposition; any other path 404, any
 * other method 405, a malformed head 400, one too long 431; one request
 * per connection (Connection: close). At most METRICS_HTTP_CLIENTS at once
 * (more: 503); a client that has not sent its whole head within
 * METRICS_HTTP_TIMEOUT_MS is closed. The answer is sent with a send
 * timeout of METRICS_HTTP_TIMEOUT_MS, the only time the loop may wait.
 *
 * Thread context: the daemon's loop thread, every call. The object owns
 * its sockets; the loop must outlive it.
 */
#include <stddef.h>
#include <stdint.h>

#include "ctrl/ctrld/http_req.h"
#include "netlink/nl_loop.h"

#define METRICS_HTTP_CLIENTS 4
#define METRICS_HTTP_TIMEOUT_MS 5000

/* The body of a 200 (malloc'd, the server frees it): 0 or a negative errno (500). */
typedef int (*metrics_http_render_fn)(void *ctx, char **body, size_t *len);
/* Told every status answered. */
typedef void (*metrics_http_count_fn)(void *ctx, int status);

struct metrics_http;

/*
 * Listen on addr and serve from loop. NULL with a sentence in err (size n)
 * naming the address (in use, permission, too many fds).
 */
struct metrics_http *metrics_http_open(const struct http_listen *addr, struct nl_loop *loop,
				       metrics_http_render_fn render, metrics_http_count_fn count,
				       void *ctx, char *err, size_t n);
/* Close every socket (a unix socket's file is removed). NULL: no-op. */
void metrics_http_close(struct metrics_http *h);

/*
 * The bound address: "127.0.0.1:PORT" (the real port when 0 was asked),
 * "[::1]:PORT", "unix:PATH".
 */
const char *metrics_http_addr(const struct metrics_http *h);

/* The nearest client deadline (CLOCK_MONOTONIC ns), 0 if none. */
uint64_t metrics_http_deadline(const struct metrics_http *h);
/* Close the clients whose deadline passed. */
void metrics_http_tick(struct metrics_http *h, uint64_t now);

#endif /* MANA_CTRL_METRICS_HTTP_H */
