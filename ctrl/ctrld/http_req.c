/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The metrics endpoint's parsers (http_req.h): the listen address and a
 * request head. Strict and small; everything else is refused with a status.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrld/http_req.h"

/* The end of the head: "\r\n\r\n" or "\n\n"; 0 if not found. */
static size_t
head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool
is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* One header line "name: value" (without its line end). */
static bool
header_ok(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && is_tchar(p[i]))
		i++;
	if (i == 0 || i == n || p[i] != ':')
		return false;
	for (i++; i < n; i++)
		if ((unsigned char)p[i] < 0x20 && p[i] != '\t')
			return false;
	return true;
}

int
http_req_parse(const char *buf, size_t len, struct http_req *req)
{
	const char *p, *sp1, *sp2, *eol, *end;
	size_t head, mlen, plen;

	if (memchr(buf, '\0', len) != NULL)
		return -400;
	head = head_end(buf, len < HTTP_REQ_MAX ? len : HTTP_REQ_MAX);
	if (head == 0)
		return len >= HTTP_REQ_MAX ? -431 : 0;
	end = buf + head;
	/* Request line: METHOD SP TARGET SP HTTP/1.x CRLF */
	eol = memchr(buf, '\n', head);
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (sp1 == NULL || sp1 == buf)
		return -400;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (sp2 == NULL || sp2 == sp1 + 1)
		return -400;
	mlen = (size_t)(sp1 - buf);
	for (p = buf; p < sp1; p++)
		if (!is_tchar(*p))
			return -400;
	p = sp2 + 1;
	plen = (size_t)(eol - p);
	if (plen > 0 && p[plen - 1] == '\r')
		plen--;
	if (plen != 8 || strncmp(p, "HTTP/", 5) != 0 || p[6] != '.' || p[5] < '0' ||
	    p[5] > '9' || p[7] < '0' || p[7] > '9')
		return -400;
	if (p[5] != '1')
		return -505;
	/* The target: origin-form, printable, no spaces. */
	p = sp1 + 1;
	plen = (size_t)(sp2 - p);
	if (p[0] != '/')
		return -400;
	for (size_t i = 0; i < plen; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return -400;
	for (size_t i = 0; i < plen; i++) {
		if (p[i] == '?') {
			plen = i;
			break;
		}
	}
	if (plen >= HTTP_PATH_MAX)
		return -414;
	/* Headers: well-formed lines, skipped. */
	for (p = eol + 1; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		if (!header_ok(p, n))
			return -400;
		p = nl + 1;
	}
	if (mlen == 3 && strncmp(buf, "GET", 3) == 0)
		req->method = HTTP_GET;
	else if (mlen == 4 && strncmp(buf, "HEAD", 4) == 0)
		req->method = HTTP_HEAD;
	else
		return -405;
	memcpy(req->path, sp1 + 1, plen);
	req->path[plen] = '\0';
	return (int)head;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "";
	}
}

static int
parse_port(const char *s, unsigned int *port)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535)
		return -1;
	*port = (unsigned int)v;
	return 0;
}

int
http_listen_parse(const char *s, struct http_listen *out, char *err, size_t n)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(s, "unix:", 5) == 0) {
		if (s[5] != '/' || strlen(s + 5) >= sizeof(out->path)) {
			snprintf(err, n, "\"%s\": unix: needs an absolute path of less than %zu bytes",
				 s, sizeof(out->path));
			return -EINVAL;
		}
		out->family = AF_UNIX;
		snprintf(out->path, sizeof(out->path), "%s", s + 5);
		return 0;
	}
	if (strncmp(s, "127.0.0.1:", 10) == 0 && parse_port(s + 10, &out->port) == 0) {
		out->family = AF_INET;
		return 0;
	}
	if (strncmp(s, "localhost:", 10) == 0 && parse_port(s + 10, &out->port) == 0) {
		out->family = AF_INET;
		return 0;
	}
	if (strncmp(s, "[::1]:", 6) == 0 && parse_port(s + 6, &out->port) == 0) {
		out->family = AF_INET6;
		return 0;
	}
	snprintf(err, n, "\"%s\" is not 127.0.0.1:PORT, [::1]:PORT, localhost:PORT or "
		 "unix:PATH (the endpoint has no authentication: local addresses only)", s);
	return -EINVAL;
}
