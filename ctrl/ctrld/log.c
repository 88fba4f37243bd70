/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <stdarg.h>
#include <string.h>

#include "ctrl/ctrld/log.h"

static FILE *g_log_out;
static bool g_log_json = true;
static bool g_log_debug;

void
log_setup(FILE *out, bool json, bool debug)
{
	g_log_out = out;
	g_log_json = json;
	g_log_debug = debug;
}

static const char *
lvl_name(enum log_level lvl)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };

	return names[lvl];
}

static void
put_json_str(FILE *f, const char *s)
{
	putc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			putc(*p, f);
	}
	putc('"', f);
}

/* key=value: quote values with spaces, quotes or nothing in them. */
static void
put_kv_val(FILE *f, const char *s)
{
	if (*s != '\0' && strpbrk(s, " \t\"=\\") == NULL) {
		for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
			putc(*p < 0x20 ? '?' : *p, f);
		return;
	}
	put_json_str(f, s);
}

void
log_rec(enum log_level lvl, const char *msg, ...)
{
	FILE *f = g_log_out != NULL ? g_log_out : stderr;
	const char *k, *v;
	va_list ap;

	if (lvl == LOG_LVL_DEBUG && !g_log_debug)
		return;
	if (g_log_json) {
		fputs("{\"level\":", f);
		put_json_str(f, lvl_name(lvl));
		fputs(",\"msg\":", f);
		put_json_str(f, msg);
	} else {
		fprintf(f, "level=%s msg=", lvl_name(lvl));
		put_kv_val(f, msg);
	}
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v == NULL)
			v = "";
		if (g_log_json) {
			putc(',', f);
			put_json_str(f, k);
			putc(':', f);
			put_json_str(f, v);
		} else {
			fprintf(f, " %s=", k);
			put_kv_val(f, v);
		}
	}
	va_end(ap);
	fputs(g_log_json ? "}\n" : "\n", f);
	fflush(f);
}
