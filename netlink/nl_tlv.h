/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_NL_TLV_H
#define MANA_NL_TLV_H

/*
 * Netlink attributes as plain (type, length, payload) tuples, walked over a
 * caller-owned byte buffer with every length checked. The decoders of this
 * library take tuples, so they are fed the same way from a kernel reply, a
 * recorded message or a fuzzer.
 *
 * Thread context: any; no state besides the caller's iterator.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct nl_tlv {
	uint16_t type;		/* nla_type without NLA_F_NESTED / NLA_F_NET_BYTEORDER */
	uint16_t len;		/* payload length */
	const void *payload;
};

struct nl_tlv_iter {
	const uint8_t *pos;
	const uint8_t *end;
	int truncated;		/* set when the buffer ended inside an attribute */
};

static inline void
nl_tlv_iter_init(struct nl_tlv_iter *it, const void *buf, size_t len)
{
	it->pos = buf;
	it->end = (const uint8_t *)buf + len;
	it->truncated = 0;
}

/*
 * Next attribute of the buffer into *t. Returns 1 when *t is valid, 0 at the
 * end (it->truncated says whether the tail was a partial attribute).
 */
static inline int
nl_tlv_next(struct nl_tlv_iter *it, struct nl_tlv *t)
{
	size_t left = (size_t)(it->end - it->pos);
	uint16_t nla_len, nla_type;
	size_t step;

	if (left < 4) {
		if (left != 0)
			it->truncated = 1;
		return 0;
	}
	memcpy(&nla_len, it->pos, 2);
	memcpy(&nla_type, it->pos + 2, 2);
	if (nla_len < 4 || nla_len > left) {
		it->truncated = 1;
		return 0;
	}
	t->type = nla_type & 0x3fff;
	t->len = (uint16_t)(nla_len - 4);
	t->payload = it->pos + 4;
	step = ((size_t)nla_len + 3u) & ~(size_t)3u;
	it->pos = step >= left ? it->end : it->pos + step;
	return 1;
}

/* Scalar getters: 0 on success, -1 if the payload is too short. */
static inline int
nl_tlv_u8(const struct nl_tlv *t, uint8_t *v)
{
	if (t->len < 1)
		return -1;
	*v = *(const uint8_t *)t->payload;
	return 0;
}

static inline int
nl_tlv_u32(const struct nl_tlv *t, uint32_t *v)
{
	if (t->len < 4)
		return -1;
	memcpy(v, t->payload, 4);
	return 0;
}

static inline int
nl_tlv_u64(const struct nl_tlv *t, uint64_t *v)
{
	if (t->len < 8)
		return -1;
	memcpy(v, t->payload, 8);
	return 0;
}

/*
 * Copy a string payload into dst (size n), always NUL-terminated, stopping
 * at the first NUL of the payload. Returns 0, or -1 if it did not fit.
 */
static inline int
nl_tlv_str(const struct nl_tlv *t, char *dst, size_t n)
{
	const char *s = t->payload;
	size_t l = 0;

	while (l < t->len && s[l] != '\0')
		l++;
	if (n == 0)
		return -1;
	if (l >= n) {
		memcpy(dst, s, n - 1);
		dst[n - 1] = '\0';
		return -1;
	}
	memcpy(dst, s, l);
	dst[l] = '\0';
	return 0;
}

#endif /* MANA_NL_TLV_H */
