/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_PRINT_H
#define MANA_CTRL_PRINT_H

/*
 * manactl's print layer, after iproute2's lib/json_print.c: one call per
 * field prints it in text (with fmt) or in JSON (with key), so text and JSON
 * never drift apart; plus devlink's text layout helpers (indent, "one
 * newline at most", the leading space of a field) so health output matches
 * `devlink` byte for byte.
 *
 * State is global to the process (one output at a time), like iproute2.
 * Thread context: the CLI's main thread only.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = 3,
};

/* Start output to out; json selects JSON, pretty its layout. Returns 0 or -ENOMEM. */
int print_begin(FILE *out, bool json, bool pretty);
/* Close open JSON containers and print the final newline (JSON only). */
void print_end(void);
bool print_is_json(void);
FILE *print_fp(void);

void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(enum output_type type, const char *key);
void close_json_array(enum output_type type, const char *text);

/* key NULL: a bare value (array element) or, with value NULL, just the key. */
void print_string(enum output_type type, const char *key, const char *fmt, const char *value);
void print_uint(enum output_type type, const char *key, const char *fmt, unsigned int value);
void print_u64(enum output_type type, const char *key, const char *fmt, uint64_t value);
void print_int(enum output_type type, const char *key, const char *fmt, int value);
void print_bool(enum output_type type, const char *key, const char *fmt, bool value);
/* A JSON null, or text. */
void print_null(enum output_type type, const char *key, const char *fmt, const char *text);

/* devlink's text layout (no-ops or harmless in JSON, as in iproute2). */
void pr_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_out_indent_inc(void);
void pr_out_indent_dec(void);
void pr_out_newline(void);		/* at most one newline in a row */
void pr_out_indent_newline(void);	/* " " unless at the start of a line (text) */
void pr_check_indent_newline(void);	/* the above, then the indent if due */
void pr_set_newline_count(int n);	/* fmsg output starts with 1: no leading newline */

#endif /* MANA_CTRL_PRINT_H */
