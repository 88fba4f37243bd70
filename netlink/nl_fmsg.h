/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_NL_FMSG_H
#define MANA_NL_FMSG_H

/*
 * Decoder of the devlink "fmsg" token stream carried by HEALTH_REPORTER
 * DUMP_GET and DIAGNOSE replies (one DEVLINK_ATTR_FMSG nest per message, the
 * stream continuing across the messages of a multipart reply).
 *
 * The stream is flat: OBJ/PAIR/ARR_NEST_START, NEST_END, OBJ_NAME,
 * OBJ_VALUE_TYPE + OBJ_VALUE_DATA. The decoder turns it into balanced
 * callbacks (object and array start/end, named or unnamed values) and is
 * tolerant where iproute2 stops:
 *  - a NEST_END with nothing open is counted and ignored;
 *  - a NEST_END that closes the outermost object is held back until the end
 *    of the stream, so content after an early close (netdevsim's dummy
 *    reporter sends one NEST_END too many) lands in the same root object;
 *  - unknown value types, values shorter than their type and data without a
 *    type are delivered with known = 0 (render them as bytes);
 *  - a truncated buffer ends the walk; nl_fmsg_finish() closes whatever is
 *    open; nesting deeper than NL_FMSG_DEPTH_MAX is skipped.
 *
 * Ownership: items point into the caller's buffer or into the decoder; they
 * are valid only during the callback. Thread context: any, one thread per
 * decoder. No allocation.
 */
#include <stddef.h>
#include <stdint.h>

#define NL_FMSG_DEPTH_MAX	64
#define NL_FMSG_STR_MAX		4096

enum nl_fmsg_kind {
	NL_FMSG_OBJ_START,
	NL_FMSG_OBJ_END,
	NL_FMSG_ARR_START,
	NL_FMSG_ARR_END,
	NL_FMSG_VALUE,
};

struct nl_fmsg_item {
	enum nl_fmsg_kind kind;
	const char *name;	/* starts and values: the pair name, or NULL */
	uint8_t type;		/* VALUE: NLU_FMSG_TYPE_* as sent */
	int known;		/* VALUE: type known and payload long enough */
	uint64_t u;		/* VALUE: FLAG (0/1), U8..U64 */
	const char *str;	/* VALUE: STRING / NUL_STRING, NUL-terminated */
	const uint8_t *data;	/* VALUE: raw payload (BINARY, or unknown) */
	uint16_t len;
};

typedef void (*nl_fmsg_cb)(void *arg, const struct nl_fmsg_item *item);

struct nl_fmsg_stats {
	uint32_t tokens;
	uint32_t unbalanced;	/* NEST_END with nothing open */
	uint32_t early_root_close; /* outermost object closed before the end */
	uint32_t unknown;	/* unknown value types or attributes */
	uint32_t malformed;	/* values shorter than their type, bad names */
	uint32_t truncated;	/* buffers that ended inside an attribute */
	uint32_t unclosed;	/* nests still open at nl_fmsg_finish() */
	uint32_t too_deep;	/* nests skipped beyond NL_FMSG_DEPTH_MAX */
};

struct nl_fmsg {
	nl_fmsg_cb cb;
	void *arg;
	uint8_t stack[NL_FMSG_DEPTH_MAX];
	unsigned int depth;
	unsigned int skip;	/* levels beyond the stack being skipped */
	uint8_t deferred;	/* kind of a held-back outermost close, or 0 */
	uint8_t vtype;
	int has_vtype;
	int has_name;
	char name[256];
	char str[NL_FMSG_STR_MAX];
	struct nl_fmsg_stats st;
};

void nl_fmsg_init(struct nl_fmsg *f, nl_fmsg_cb cb, void *arg);

/* Feed one token tuple (type = DEVLINK_ATTR_FMSG_*). */
void nl_fmsg_attr(struct nl_fmsg *f, uint16_t type, const void *payload, uint16_t len);

/* Feed the payload of one DEVLINK_ATTR_FMSG nest. */
void nl_fmsg_feed(struct nl_fmsg *f, const void *buf, size_t len);

/* End of stream: deliver the held-back close and close what is still open. */
void nl_fmsg_finish(struct nl_fmsg *f);

/* Any of the tolerance counters non-zero. */
int nl_fmsg_anomalies(const struct nl_fmsg *f);

#endif /* MANA_NL_FMSG_H */
