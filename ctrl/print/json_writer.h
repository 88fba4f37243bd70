/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_JSON_WRITER_H
#define MANA_CTRL_JSON_WRITER_H

/*
 * A streaming JSON writer that prints what iproute2's lib/json_writer.c
 * prints (same separators, same pretty layout: 4-space indent, "key": value,
 * "[ " ... " ]"), but whose output is always valid JSON:
 *  - strings escape every control character (\u00XX) besides \t \n ...;
 *  - a name inside an array opens an implicit object; a value without a name
 *    inside an object gets the name "";
 *  - a name with no value before the next name or close gets null;
 *  - jw_destroy() closes whatever is still open.
 * Ownership: the caller owns the FILE. Thread context: one thread per writer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jw;

/* Returns NULL on allocation failure. */
struct jw *jw_new(FILE *out, bool pretty);
/* Close everything open, print the final newline, free. *jw becomes NULL. */
void jw_destroy(struct jw **jw);

void jw_name(struct jw *jw, const char *name);
void jw_start_object(struct jw *jw);
void jw_end_object(struct jw *jw);
void jw_start_array(struct jw *jw);
void jw_end_array(struct jw *jw);
void jw_string(struct jw *jw, const char *value);
void jw_uint(struct jw *jw, uint64_t value);
void jw_int(struct jw *jw, int64_t value);
void jw_bool(struct jw *jw, bool value);
void jw_null(struct jw *jw);
unsigned int jw_depth(const struct jw *jw);

#endif /* MANA_CTRL_JSON_WRITER_H */
