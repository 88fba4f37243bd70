/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * libFuzzer target: the metrics endpoint's parsers (ctrl/ctrld/http_req.c)
 * over arbitrary bytes: a request head, every prefix of it as the bytes
 * come in, and the metrics_listen address. What a valid parse returns is
 * checked; a crash, an out-of-bounds read or a broken promise aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrld/http_req.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void
check_req(const char *buf, size_t len)
{
	struct http_req req;
	int ret = http_req_parse(buf, len, &req);

	if (ret > 0) {
		if ((size_t)ret > len || (req.method != HTTP_GET && req.method != HTTP_HEAD) ||
		    req.path[0] != '/' || strlen(req.path) >= HTTP_PATH_MAX ||
		    strchr(req.path, '?') != NULL || strchr(req.path, ' ') != NULL)
			abort();
	} else if (ret < 0) {
		if (http_reason(-ret)[0] == '\0')
			abort();
	} else if (len >= HTTP_REQ_MAX) {
		abort();	/* more than a head's worth and still "need more" */
	}
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct http_listen l;
	char err[256], *buf, *s;
	size_t cut;

	/* Exactly size bytes: ASan sees any read past them. */
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	check_req(buf, size);
	cut = size > 0 ? data[0] % (size + 1) : 0;
	check_req(buf, cut);
	free(buf);

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (http_listen_parse(s, &l, err, sizeof(err)) == 0) {
		if (l.family == AF_UNIX ? l.path[0] != '/' :
		    (l.family != AF_INET && l.family != AF_INET6) || l.port > 65535)
			abort();
	} else if (err[0] == '\0') {
		abort();
	}
	free(s);
	return 0;
}
