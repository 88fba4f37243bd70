/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_HTTP_REQ_H
#define MANA_CTRL_HTTP_REQ_H

/*
 * The two pieces of the metrics endpoint that read untrusted text, as pure
 * functions (fuzzed by tests/ctrl/fuzz): the `metrics_listen` address and an
 * HTTP/1.x request head. Only what a Prometheus scrape needs: GET or HEAD
 * of a path, headers skipped, no body, one request per connection.
 *
 * No state, no allocation: any thread.
 */
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#define HTTP_REQ_MAX 4096	/* a request head longer than this: 431 */
#define HTTP_PATH_MAX 256

enum http_method {
	HTTP_GET = 1,
	HTTP_HEAD,
};

struct http_req {
	enum http_method method;
	char path[HTTP_PATH_MAX];	/* up to '?' (the query is ignored) */
};

/*
 * Parse the head of a request in buf[0, len). Returns 0 when more bytes are
 * needed (no blank line yet and len < HTTP_REQ_MAX), the length of the head
 * when it is complete and valid (*req filled), or the negative HTTP status
 * to answer: -400 (malformed request line or header, NUL byte, bad
 * version), -405 (a method other than GET or HEAD), -414 (path too long),
 * -431 (no end of the head within HTTP_REQ_MAX bytes), -505 (not HTTP/1.x).
 */
int http_req_parse(const char *buf, size_t len, struct http_req *req);

/* The reason phrase of a status code ("Bad Request"), "" if unknown. */
const char *http_reason(int status);

/* Where the metrics endpoint listens. */
struct http_listen {
	int family;			/* AF_INET, AF_INET6 or AF_UNIX */
	unsigned int port;		/* inet: 0..65535 (0: any free port) */
	char path[sizeof(((struct sockaddr_un *)NULL)->sun_path)];	/* AF_UNIX */
};

/*
 * "127.0.0.1:PORT", "[::1]:PORT", "localhost:PORT" (127.0.0.1) or
 * "unix:/ABSOLUTE/PATH"; nothing else (the endpoint has no authentication:
 * never another address). 0, or -EINVAL with a sentence in err (size n).
 */
int http_listen_parse(const char *s, struct http_listen *out, char *err, size_t n);

#endif /* MANA_CTRL_HTTP_REQ_H */
