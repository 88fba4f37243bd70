/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TESTS_NLREC_READ_H
#define MANA_TESTS_NLREC_READ_H

/*
 * Reader of the harness's nlrec recordings (tests/kernel/nlrec_file.h on the
 * kernel branch; copies of the 6.1 and 6.12 files live in data/): magic
 * "NLREC01\n", then records of a 16-byte little-endian header (u32 len, u16
 * source, u8 dir, u8 pad, u64 t_ns) and len payload bytes. Header-only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NLREC_SRC_GENERIC 16
#define NLREC_SRC_RDMA 20
#define NLREC_SRC_UEVENT 15
#define NLREC_SRC_MARK 0xff00
#define NLREC_SRC_META 0xff01
#define NLREC_DIR_RECV 0

struct nlrec_rec {
	uint32_t len;
	uint16_t source;
	uint8_t dir;
	const uint8_t *payload;
};

/* The whole file in a malloc'd buffer (caller frees), or NULL. */
static inline uint8_t *
nlrec_load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* 1 and *r filled, 0 at the end, -1 on a bad file. Start with *off = 0. */
static inline int
nlrec_iter(const uint8_t *buf, size_t size, size_t *off, struct nlrec_rec *r)
{
	if (*off == 0) {
		if (size < 8 || memcmp(buf, "NLREC01\n", 8) != 0)
			return -1;
		*off = 8;
	}
	if (*off == size)
		return 0;
	if (size - *off < 16)
		return -1;
	memcpy(&r->len, buf + *off, 4);
	memcpy(&r->source, buf + *off + 4, 2);
	r->dir = buf[*off + 6];
	if (size - *off - 16 < r->len)
		return -1;
	r->payload = buf + *off + 16;
	*off += 16 + r->len;
	return 1;
}

/* devlink_family=N of the META record, or -1. */
static inline int
nlrec_devlink_family(const uint8_t *buf, size_t size)
{
	struct nlrec_rec r;
	size_t off = 0;

	while (nlrec_iter(buf, size, &off, &r) == 1) {
		char meta[256];
		const char *p;

		if (r.source != NLREC_SRC_META)
			continue;
		snprintf(meta, sizeof(meta), "%.*s", (int)r.len, (const char *)r.payload);
		p = strstr(meta, "devlink_family=");
		if (p != NULL)
			return atoi(p + strlen("devlink_family="));
	}
	return -1;
}

#endif /* MANA_TESTS_NLREC_READ_H */
