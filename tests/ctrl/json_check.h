/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TESTS_JSON_CHECK_H
#define MANA_TESTS_JSON_CHECK_H

/*
 * A strict RFC 8259 validator for the tests (header-only, recursive descent):
 * json_valid(s) is 1 when s holds exactly one JSON value plus whitespace.
 */
#include <stddef.h>
#include <string.h>

struct jc {
	const char *p;
	int depth;
};

static int jc_value(struct jc *c);

static void
jc_ws(struct jc *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')
		c->p++;
}

static int
jc_string(struct jc *c)
{
	if (*c->p != '"')
		return 0;
	c->p++;
	for (;;) {
		unsigned char ch = (unsigned char)*c->p;

		if (ch == '\0' || ch < 0x20)
			return 0;
		c->p++;
		if (ch == '"')
			return 1;
		if (ch == '\\') {
			char e = *c->p++;

			if (e == 'u') {
				for (int i = 0; i < 4; i++, c->p++)
					if (!((*c->p >= '0' && *c->p <= '9') ||
					      (*c->p >= 'a' && *c->p <= 'f') ||
					      (*c->p >= 'A' && *c->p <= 'F')))
						return 0;
			} else if (!strchr("\"\\/bfnrt", e) || e == '\0') {
				return 0;
			}
		}
	}
}

static int
jc_number(struct jc *c)
{
	const char *s = c->p;

	if (*c->p == '-')
		c->p++;
	if (*c->p == '0')
		c->p++;
	else if (*c->p >= '1' && *c->p <= '9')
		while (*c->p >= '0' && *c->p <= '9')
			c->p++;
	else
		return 0;
	if (*c->p == '.') {
		c->p++;
		if (!(*c->p >= '0' && *c->p <= '9'))
			return 0;
		while (*c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	if (*c->p == 'e' || *c->p == 'E') {
		c->p++;
		if (*c->p == '+' || *c->p == '-')
			c->p++;
		if (!(*c->p >= '0' && *c->p <= '9'))
			return 0;
		while (*c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	return c->p > s;
}

static int
jc_lit(struct jc *c, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(c->p, lit, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

static int
jc_container(struct jc *c, char open, char close)
{
	c->p++;
	if (++c->depth > 512)
		return 0;
	jc_ws(c);
	if (*c->p == close) {
		c->p++;
		c->depth--;
		return 1;
	}
	for (;;) {
		jc_ws(c);
		if (open == '{') {
			if (!jc_string(c))
				return 0;
			jc_ws(c);
			if (*c->p++ != ':')
				return 0;
		}
		if (!jc_value(c))
			return 0;
		jc_ws(c);
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p == close) {
			c->p++;
			c->depth--;
			return 1;
		}
		return 0;
	}
}

static int
jc_value(struct jc *c)
{
	jc_ws(c);
	switch (*c->p) {
	case '{':
		return jc_container(c, '{', '}');
	case '[':
		return jc_container(c, '[', ']');
	case '"':
		return jc_string(c);
	case 't':
		return jc_lit(c, "true");
	case 'f':
		return jc_lit(c, "false");
	case 'n':
		return jc_lit(c, "null");
	default:
		return jc_number(c);
	}
}

static inline int
json_valid(const char *s)
{
	struct jc c = { .p = s, .depth = 0 };

	if (!jc_value(&c))
		return 0;
	jc_ws(&c);
	return *c.p == '\0';
}

#endif /* MANA_TESTS_JSON_CHECK_H */
