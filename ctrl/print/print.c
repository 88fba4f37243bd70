/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "ctrl/print/json_writer.h"
#include "ctrl/print/print.h"

#define INDENT_STEP 2
#define INDENT_MAX 32

static FILE *g_out;
static struct jw *g_jw;
static int g_new_line_count;
static int g_indent_level;
static bool g_indent_newline;
static char g_indent_str[INDENT_MAX + 1];

int
print_begin(FILE *out, bool json, bool pretty)
{
	g_out = out;
	g_new_line_count = 0;
	g_indent_level = 0;
	g_indent_newline = false;
	g_indent_str[0] = '\0';
	g_jw = NULL;
	if (json) {
		g_jw = jw_new(out, pretty);
		if (g_jw == NULL)
			return -ENOMEM;
	}
	return 0;
}

void
print_end(void)
{
	if (g_jw != NULL)
		jw_destroy(&g_jw);
	if (g_out != NULL)
		fflush(g_out);
}

bool
print_is_json(void)
{
	return g_jw != NULL;
}

FILE *
print_fp(void)
{
	return g_out != NULL ? g_out : stdout;
}

static bool
want_json(enum output_type type)
{
	return g_jw != NULL && (type & PRINT_JSON);
}

static bool
want_text(enum output_type type)
{
	return g_jw == NULL && (type & PRINT_FP);
}

void
open_json_object(const char *key)
{
	if (g_jw == NULL)
		return;
	if (key != NULL)
		jw_name(g_jw, key);
	jw_start_object(g_jw);
}

void
close_json_object(void)
{
	if (g_jw != NULL)
		jw_end_object(g_jw);
}

void
open_json_array(enum output_type type, const char *key)
{
	if (want_json(type)) {
		if (key != NULL)
			jw_name(g_jw, key);
		jw_start_array(g_jw);
	} else if (want_text(type) && key != NULL) {
		fprintf(print_fp(), "%s", key);
	}
}

void
close_json_array(enum output_type type, const char *text)
{
	if (want_json(type))
		jw_end_array(g_jw);
	else if (want_text(type) && text != NULL)
		fprintf(print_fp(), "%s", text);
}

void
print_string(enum output_type type, const char *key, const char *fmt, const char *value)
{
	if (want_json(type)) {
		if (key != NULL && value == NULL) {
			jw_name(g_jw, key);
			return;
		}
		if (key != NULL)
			jw_name(g_jw, key);
		jw_string(g_jw, value);
	} else if (want_text(type) && fmt != NULL) {
		fprintf(print_fp(), fmt, value);
	}
}

void
print_uint(enum output_type type, const char *key, const char *fmt, unsigned int value)
{
	if (want_json(type)) {
		if (key != NULL)
			jw_name(g_jw, key);
		jw_uint(g_jw, value);
	} else if (want_text(type) && fmt != NULL) {
		fprintf(print_fp(), fmt, value);
	}
}

void
print_u64(enum output_type type, const char *key, const char *fmt, uint64_t value)
{
	if (want_json(type)) {
		if (key != NULL)
			jw_name(g_jw, key);
		jw_uint(g_jw, value);
	} else if (want_text(type) && fmt != NULL) {
		fprintf(print_fp(), fmt, value);
	}
}

void
print_int(enum output_type type, const char *key, const char *fmt, int value)
{
	if (want_json(type)) {
		if (key != NULL)
			jw_name(g_jw, key);
		jw_int(g_jw, value);
	} else if (want_text(type) && fmt != NULL) {
		fprintf(print_fp(), fmt, value);
	}
}

void
print_bool(enum output_type type, const char *key, const char *fmt, bool value)
{
	if (want_json(type)) {
		if (key != NULL)
			jw_name(g_jw, key);
		jw_bool(g_jw, value);
	} else if (want_text(type) && fmt != NULL) {
		fprintf(print_fp(), fmt, value ? "true" : "false");
	}
}

void
print_null(enum output_type type, const char *key, const char *fmt, const char *text)
{
	if (want_json(type)) {
		if (key != NULL)
			jw_name(g_jw, key);
		jw_null(g_jw);
	} else if (want_text(type) && fmt != NULL) {
		fprintf(print_fp(), fmt, text);
	}
}

void
pr_out(const char *fmt, ...)
{
	va_list ap;

	if (g_indent_newline) {
		fputs(g_indent_str, print_fp());
		g_indent_newline = false;
	}
	va_start(ap, fmt);
	vfprintf(print_fp(), fmt, ap);
	va_end(ap);
	g_new_line_count = 0;
}

void
pr_out_indent_inc(void)
{
	if (g_indent_level + INDENT_STEP > INDENT_MAX)
		return;
	g_indent_level += INDENT_STEP;
	memset(g_indent_str, ' ', sizeof(g_indent_str));
	g_indent_str[g_indent_level] = '\0';
}

void
pr_out_indent_dec(void)
{
	if (g_indent_level - INDENT_STEP < 0)
		return;
	g_indent_level -= INDENT_STEP;
	g_indent_str[g_indent_level] = '\0';
}

void
pr_out_newline(void)
{
	if (g_new_line_count < 1) {
		pr_out("\n");
		g_indent_newline = true;
	}
	g_new_line_count++;
}

void
pr_out_indent_newline(void)
{
	if (!g_indent_newline && g_jw == NULL)
		pr_out(" ");
}

void
pr_check_indent_newline(void)
{
	pr_out_indent_newline();
	if (g_indent_newline && g_jw == NULL) {
		fputs(g_indent_str, print_fp());
		g_indent_newline = false;
	}
	g_new_line_count = 0;
}

void
pr_set_newline_count(int n)
{
	g_new_line_count = n;
}
