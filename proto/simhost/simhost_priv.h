/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_PROTO_SIMHOST_PRIV_H
#define MANA_PROTO_SIMHOST_PRIV_H

/*
 * What simhost.c gives simhost_msg.c (never the other way): the thread-local
 * message and the key=value token helpers. Any thread.
 */
#include <stddef.h>
#include <stdint.h>

/* Set this thread's message; returns err (negative errno) for chaining. */
int simhost_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Decimal unsigned to max / hex with 0x: 0 or -EINVAL. */
int simhost_parse_u64(const char *s, uint64_t max, uint64_t *v);
int simhost_parse_hex64(const char *s, uint64_t *v);

/* Copy a value into a field of n bytes: 0 or -ENAMETOOLONG. */
int simhost_copy(char *dst, size_t n, const char *src);

#endif /* MANA_PROTO_SIMHOST_PRIV_H */
