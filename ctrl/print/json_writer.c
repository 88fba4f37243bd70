/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "ctrl/print/json_writer.h"

#define JW_DEPTH_MAX 128

struct jw {
	FILE *out;
	bool pretty;
	char sep;			/* ',' once the container has an element */
	bool name_pending;		/* a name was printed, its value not yet */
	unsigned int depth;
	char kind[JW_DEPTH_MAX];	/* '{' or '[' per open level */
	bool implicit[JW_DEPTH_MAX];	/* opened by the writer, not the caller */
	unsigned int overflow;		/* levels beyond JW_DEPTH_MAX, flattened */
};

struct jw *
jw_new(FILE *out, bool pretty)
{
	struct jw *jw = calloc(1, sizeof(*jw));

	if (jw == NULL)
		return NULL;
	jw->out = out;
	jw->pretty = pretty;
	return jw;
}

static void
jw_indent(struct jw *jw)
{
	unsigned int i;

	for (i = 0; i < jw->depth; i++)
		fputs("    ", jw->out);
}

static void
jw_eol(struct jw *jw)
{
	if (!jw->pretty)
		return;
	putc('\n', jw->out);
	jw_indent(jw);
}

static void
jw_eor(struct jw *jw)
{
	if (jw->sep != '\0')
		putc(jw->sep, jw->out);
	jw->sep = ',';
}

static void
jw_puts(struct jw *jw, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putc('"', jw->out);
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '\t':
			fputs("\\t", jw->out);
			break;
		case '\n':
			fputs("\\n", jw->out);
			break;
		case '\r':
			fputs("\\r", jw->out);
			break;
		case '\f':
			fputs("\\f", jw->out);
			break;
		case '\b':
			fputs("\\b", jw->out);
			break;
		case '\\':
			fputs("\\\\", jw->out);
			break;
		case '"':
			fputs("\\\"", jw->out);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(jw->out, "\\u%04x", *p);
			else
				putc(*p, jw->out);
		}
	}
	putc('"', jw->out);
}

static char
jw_top(const struct jw *jw)
{
	return jw->depth == 0 ? '\0' : jw->kind[jw->depth - 1];
}

static void jw_begin(struct jw *jw, char c, bool implicit);

/* Make the next value legal where it lands. */
static void
jw_value_prep(struct jw *jw)
{
	if (jw_top(jw) == '{' && !jw->name_pending)
		jw_name(jw, "");
	jw->name_pending = false;
}

static void
jw_begin(struct jw *jw, char c, bool implicit)
{
	if (!implicit)
		jw_value_prep(jw);
	if (jw->depth == JW_DEPTH_MAX) {
		jw->overflow++;
		return;
	}
	jw_eor(jw);
	putc(c, jw->out);
	jw->kind[jw->depth] = c;
	jw->implicit[jw->depth] = implicit;
	jw->depth++;
	jw->sep = '\0';
}

static void
jw_end(struct jw *jw)
{
	char c;

	if (jw->depth == 0)
		return;
	if (jw->name_pending) {
		jw->name_pending = false;
		fputs("null", jw->out);
	}
	c = jw->kind[jw->depth - 1] == '{' ? '}' : ']';
	if (c == ']' && jw->pretty && jw->sep != '\0')
		putc(' ', jw->out);
	if (c == ']')
		jw->sep = '\0';
	jw->depth--;
	if (jw->sep != '\0')
		jw_eol(jw);
	putc(c, jw->out);
	jw->sep = ',';
}

void
jw_name(struct jw *jw, const char *name)
{
	if (jw->name_pending) {
		jw->name_pending = false;
		fputs("null", jw->out);
	}
	if (jw_top(jw) != '{')
		jw_begin(jw, '{', true);
	jw_eor(jw);
	jw_eol(jw);
	jw->sep = '\0';
	jw_puts(jw, name);
	putc(':', jw->out);
	if (jw->pretty)
		putc(' ', jw->out);
	jw->name_pending = true;
}

void
jw_start_object(struct jw *jw)
{
	jw_begin(jw, '{', false);
}

void
jw_start_array(struct jw *jw)
{
	jw_begin(jw, '[', false);
	if (jw->pretty && jw->overflow == 0)
		putc(' ', jw->out);
}

static void
jw_end_kind(struct jw *jw)
{
	if (jw->overflow != 0) {
		jw->overflow--;
		return;
	}
	/* An implicit object inside the container being closed goes first. */
	if (jw->depth > 0 && jw->implicit[jw->depth - 1])
		jw_end(jw);
	jw_end(jw);
}

void
jw_end_object(struct jw *jw)
{
	jw_end_kind(jw);
}

void
jw_end_array(struct jw *jw)
{
	jw_end_kind(jw);
}

static void __attribute__((format(printf, 2, 3)))
jw_raw_value(struct jw *jw, const char *fmt, ...)
{
	va_list ap;

	jw_value_prep(jw);
	jw_eor(jw);
	va_start(ap, fmt);
	vfprintf(jw->out, fmt, ap);
	va_end(ap);
}

void
jw_string(struct jw *jw, const char *value)
{
	jw_value_prep(jw);
	jw_eor(jw);
	jw_puts(jw, value != NULL ? value : "");
}

void
jw_uint(struct jw *jw, uint64_t value)
{
	jw_raw_value(jw, "%" PRIu64, value);
}

void
jw_int(struct jw *jw, int64_t value)
{
	jw_raw_value(jw, "%" PRId64, value);
}

void
jw_bool(struct jw *jw, bool value)
{
	jw_raw_value(jw, "%s", value ? "true" : "false");
}

void
jw_null(struct jw *jw)
{
	jw_raw_value(jw, "%s", "null");
}

unsigned int
jw_depth(const struct jw *jw)
{
	return jw->depth;
}

void
jw_destroy(struct jw **p)
{
	struct jw *jw = *p;

	if (jw == NULL)
		return;
	jw->overflow = 0;
	while (jw->depth > 0)
		jw_end(jw);
	putc('\n', jw->out);
	fflush(jw->out);
	free(jw);
	*p = NULL;
}
