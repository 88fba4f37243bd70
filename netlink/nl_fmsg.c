/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <string.h>

#include "nl_fmsg.h"
#include "nl_tlv.h"
#include "nl_uapi.h"

void
nl_fmsg_init(struct nl_fmsg *f, nl_fmsg_cb cb, void *arg)
{
	memset(f, 0, sizeof(*f));
	f->cb = cb;
	f->arg = arg;
}

static void
fmsg_emit(struct nl_fmsg *f, struct nl_fmsg_item *it)
{
	if (f->cb != NULL)
		f->cb(f->arg, it);
}

/* The pending pair name, consumed by the next start or value. */
static const char *
fmsg_take_name(struct nl_fmsg *f)
{
	if (!f->has_name)
		return NULL;
	f->has_name = 0;
	return f->name;
}

/* Content after a held-back outermost close goes back into that nest. */
static void
fmsg_reopen(struct nl_fmsg *f)
{
	if (f->deferred != 0 && f->depth == 0) {
		f->stack[f->depth++] = f->deferred;
		f->deferred = 0;
		f->st.early_root_close++;
	}
}

static void
fmsg_start(struct nl_fmsg *f, uint8_t kind)
{
	struct nl_fmsg_item it = { 0 };

	fmsg_reopen(f);
	if (f->skip != 0 || f->depth == NL_FMSG_DEPTH_MAX) {
		f->skip++;
		f->st.too_deep++;
		return;
	}
	f->stack[f->depth++] = kind;
	if (kind == NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START)
		return;
	it.kind = kind == NLU_DEVLINK_ATTR_FMSG_OBJ_NEST_START ? NL_FMSG_OBJ_START :
								  NL_FMSG_ARR_START;
	it.name = fmsg_take_name(f);
	fmsg_emit(f, &it);
}

static void
fmsg_close(struct nl_fmsg *f, uint8_t kind)
{
	struct nl_fmsg_item it = { 0 };

	if (kind == NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START)
		return;
	it.kind = kind == NLU_DEVLINK_ATTR_FMSG_OBJ_NEST_START ? NL_FMSG_OBJ_END :
								  NL_FMSG_ARR_END;
	fmsg_emit(f, &it);
}

static void
fmsg_end(struct nl_fmsg *f)
{
	uint8_t kind;

	if (f->skip != 0) {
		f->skip--;
		return;
	}
	if (f->depth == 0) {
		f->st.unbalanced++;
		return;
	}
	kind = f->stack[--f->depth];
	if (f->depth == 0 && kind != NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START) {
		/* Hold the outermost close back: more may follow. */
		f->deferred = kind;
		return;
	}
	fmsg_close(f, kind);
}

static void
fmsg_value(struct nl_fmsg *f, const void *payload, uint16_t len)
{
	struct nl_fmsg_item it = { 0 };
	const uint8_t *p = payload;
	size_t l = 0;

	fmsg_reopen(f);
	if (f->skip != 0) {
		fmsg_take_name(f);
		return;
	}
	it.kind = NL_FMSG_VALUE;
	it.name = fmsg_take_name(f);
	it.type = f->has_vtype ? f->vtype : NLU_FMSG_TYPE_BINARY;
	it.data = p;
	it.len = len;
	it.known = 1;
	switch (it.type) {
	case NLU_FMSG_TYPE_FLAG:
	case NLU_FMSG_TYPE_U8:
		if (len < 1)
			goto short_value;
		it.u = it.type == NLU_FMSG_TYPE_FLAG ? (p[0] != 0) : p[0];
		break;
	case NLU_FMSG_TYPE_U16: {
		uint16_t v;

		if (len < 2)
			goto short_value;
		memcpy(&v, p, 2);
		it.u = v;
		break;
	}
	case NLU_FMSG_TYPE_U32: {
		uint32_t v;

		if (len < 4)
			goto short_value;
		memcpy(&v, p, 4);
		it.u = v;
		break;
	}
	case NLU_FMSG_TYPE_U64:
		if (len < 8)
			goto short_value;
		memcpy(&it.u, p, 8);
		break;
	case NLU_FMSG_TYPE_STRING:
	case NLU_FMSG_TYPE_NUL_STRING:
		while (l < len && p[l] != '\0' && l < sizeof(f->str) - 1)
			l++;
		memcpy(f->str, p, l);
		f->str[l] = '\0';
		it.str = f->str;
		break;
	case NLU_FMSG_TYPE_BINARY:
		if (!f->has_vtype) {
			it.known = 0;
			f->st.malformed++;
		}
		break;
	default:
		it.known = 0;
		f->st.unknown++;
		break;
	}
	fmsg_emit(f, &it);
	return;

short_value:
	it.known = 0;
	f->st.malformed++;
	fmsg_emit(f, &it);
}

void
nl_fmsg_attr(struct nl_fmsg *f, uint16_t type, const void *payload, uint16_t len)
{
	struct nl_tlv t = { .type = type, .len = len, .payload = payload };

	f->st.tokens++;
	switch (type) {
	case NLU_DEVLINK_ATTR_FMSG_OBJ_NEST_START:
	case NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START:
	case NLU_DEVLINK_ATTR_FMSG_ARR_NEST_START:
		fmsg_start(f, (uint8_t)type);
		break;
	case NLU_DEVLINK_ATTR_FMSG_NEST_END:
		fmsg_end(f);
		break;
	case NLU_DEVLINK_ATTR_FMSG_OBJ_NAME:
		if (nl_tlv_str(&t, f->name, sizeof(f->name)))
			f->st.malformed++;
		f->has_name = 1;
		break;
	case NLU_DEVLINK_ATTR_FMSG_OBJ_VALUE_TYPE:
		if (nl_tlv_u8(&t, &f->vtype) == 0)
			f->has_vtype = 1;
		else
			f->st.malformed++;
		break;
	case NLU_DEVLINK_ATTR_FMSG_OBJ_VALUE_DATA:
		fmsg_value(f, payload, len);
		break;
	default:
		f->st.unknown++;
		break;
	}
}

void
nl_fmsg_feed(struct nl_fmsg *f, const void *buf, size_t len)
{
	struct nl_tlv_iter it;
	struct nl_tlv t;

	nl_tlv_iter_init(&it, buf, len);
	while (nl_tlv_next(&it, &t))
		nl_fmsg_attr(f, t.type, t.payload, t.len);
	if (it.truncated)
		f->st.truncated++;
}

void
nl_fmsg_finish(struct nl_fmsg *f)
{
	if (f->deferred != 0) {
		fmsg_close(f, f->deferred);
		f->deferred = 0;
	}
	f->skip = 0;
	while (f->depth > 0) {
		f->st.unclosed++;
		fmsg_close(f, f->stack[--f->depth]);
	}
}

int
nl_fmsg_anomalies(const struct nl_fmsg *f)
{
	const struct nl_fmsg_stats *s = &f->st;

	return s->unbalanced || s->early_root_close || s->unknown || s->malformed ||
	       s->truncated || s->unclosed || s->too_deep;
}
