/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The fmsg decoder: the event sequence of netdevsim's dump, balanced and with
 * its extra NEST_END; unknown types; every truncation point keeps the output
 * balanced; split across messages.
 */
#include <stdio.h>

#include "netlink/nl_dlmsg.h"
#include "netlink/nl_fmsg.h"
#include "netlink/nl_tlv.h"
#include "tests/lib/test_util.h"
#include "tests/netlink/nl_test_msgs.h"

struct trace {
	char s[8192];
	size_t n;
	int depth;
	int min_depth;
};

static void
tr_add(struct trace *t, const char *s)
{
	int w = snprintf(t->s + t->n, sizeof(t->s) - t->n, "%s", s);

	if (w > 0 && (size_t)w < sizeof(t->s) - t->n)
		t->n += (size_t)w;
}

static void
trace_cb(void *arg, const struct nl_fmsg_item *it)
{
	struct trace *t = arg;
	char b[512];

	switch (it->kind) {
	case NL_FMSG_OBJ_START:
		snprintf(b, sizeof(b), "%s%s{", it->name ? it->name : "", it->name ? ":" : "");
		t->depth++;
		break;
	case NL_FMSG_ARR_START:
		snprintf(b, sizeof(b), "%s%s[", it->name ? it->name : "", it->name ? ":" : "");
		t->depth++;
		break;
	case NL_FMSG_OBJ_END:
		snprintf(b, sizeof(b), "}");
		t->depth--;
		break;
	case NL_FMSG_ARR_END:
		snprintf(b, sizeof(b), "]");
		t->depth--;
		break;
	case NL_FMSG_VALUE:
		if (!it->known || it->type == NLU_FMSG_TYPE_BINARY)
			snprintf(b, sizeof(b), "%s%s<%u bytes>,", it->name ? it->name : "",
				 it->name ? ":" : "", it->len);
		else if (it->str != NULL)
			snprintf(b, sizeof(b), "%s%s\"%s\",", it->name ? it->name : "",
				 it->name ? ":" : "", it->str);
		else
			snprintf(b, sizeof(b), "%s%s%llu,", it->name ? it->name : "",
				 it->name ? ":" : "", (unsigned long long)it->u);
		break;
	}
	if (t->depth < t->min_depth)
		t->min_depth = t->depth;
	tr_add(t, b);
}

static const char nsim_trace[] =
	"{break_message:\"injected-fault-1\",test_bool:1,test_u8:1,test_u32:3,test_u64:4,"
	"test_string:\"somestring\",test_binary:[<16 bytes>,]test_nest:{nested_test_bool:0,"
	"nested_test_u8:0,}test_u32_array:[0,1,2,3,4,5,6,7,8,9,]test_array_of_objects:["
	"{in_array_nested_test_bool:0,in_array_nested_test_u8:0,}"
	"{in_array_nested_test_bool:0,in_array_nested_test_u8:1,}]}";

static void
decode_msg(struct nl_fmsg *f, const char *buf, size_t len)
{
	struct nl_dl_msg m;

	CHECK(nl_dl_msg_parse(&m, buf, len) == 0);
	CHECK(m.present & NL_DL_HAS_FMSG);
	nl_fmsg_feed(f, m.fmsg, m.fmsg_len);
}

static void
test_netdevsim(bool unbalanced)
{
	char buf[MSG_BUF];
	struct trace t = { 0 };
	struct nl_fmsg f;
	size_t len = mk_fmsg_netdevsim(buf, unbalanced);

	nl_fmsg_init(&f, trace_cb, &t);
	decode_msg(&f, buf, len);
	nl_fmsg_finish(&f);
	if (strcmp(t.s, nsim_trace) != 0)
		fprintf(stderr, "got  %s\nwant %s\n", t.s, nsim_trace);
	CHECK(strcmp(t.s, nsim_trace) == 0);
	CHECK(t.depth == 0 && t.min_depth >= 0);
	if (unbalanced) {
		CHECK(f.st.unbalanced == 1 && f.st.early_root_close == 1);
		CHECK(nl_fmsg_anomalies(&f));
	} else {
		CHECK(!nl_fmsg_anomalies(&f));
	}
}

/* The stream split over several messages (NLM_F_MULTI) decodes the same. */
static void
test_split(void)
{
	char buf[MSG_BUF];
	struct trace t = { 0 };
	struct nl_fmsg f;
	struct nl_dl_msg m;
	struct nl_tlv_iter it;
	struct nl_tlv tok;
	size_t len = mk_fmsg_netdevsim(buf, true);
	unsigned int n = 0;

	CHECK(nl_dl_msg_parse(&m, buf, len) == 0);
	nl_fmsg_init(&f, trace_cb, &t);
	nl_tlv_iter_init(&it, m.fmsg, m.fmsg_len);
	while (nl_tlv_next(&it, &tok)) {
		nl_fmsg_attr(&f, tok.type, tok.payload, tok.len);
		n++;
	}
	nl_fmsg_finish(&f);
	CHECK(strcmp(t.s, nsim_trace) == 0);
	CHECK(f.st.tokens == n);
}

/* Every cut of the FMSG payload: balanced callbacks, no crash. */
static void
test_truncation(void)
{
	char buf[MSG_BUF];
	struct nl_dl_msg m;
	size_t len = mk_fmsg_netdevsim(buf, true);

	CHECK(nl_dl_msg_parse(&m, buf, len) == 0);
	for (uint16_t l = 0; l <= m.fmsg_len; l++) {
		struct trace t = { 0 };
		struct nl_fmsg f;

		nl_fmsg_init(&f, trace_cb, &t);
		nl_fmsg_feed(&f, m.fmsg, l);
		nl_fmsg_finish(&f);
		CHECK(t.depth == 0 && t.min_depth >= 0);
	}
}

static void
test_odd_values(void)
{
	char buf[MSG_BUF];
	struct nlmsghdr *nlh = msg_genl(buf, 21, NLU_DEVLINK_CMD_HEALTH_REPORTER_DIAGNOSE, 0);
	struct trace t = { 0 };
	struct nl_fmsg f;
	uint8_t b = 7;
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, NLU_DEVLINK_ATTR_FMSG);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_OBJ_NEST_START);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START);
	fm_name(nlh, "weird");
	fm_val(nlh, 99, &b, 1);				/* unknown type */
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START);
	fm_name(nlh, "short");
	fm_val(nlh, NLU_FMSG_TYPE_U64, &b, 1);		/* u64 in one byte */
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	mnl_attr_put_u8(nlh, 200, 1);			/* unknown token */
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);	/* extra, at the end */
	mnl_attr_nest_end(nlh, nest);

	nl_fmsg_init(&f, trace_cb, &t);
	decode_msg(&f, buf, nlh->nlmsg_len);
	nl_fmsg_finish(&f);
	CHECK(strcmp(t.s, "{weird:<1 bytes>,short:<1 bytes>,}") == 0);
	CHECK(f.st.unknown == 2 && f.st.malformed == 1 && f.st.unbalanced == 1);
	CHECK(f.st.early_root_close == 0);
}

static void
test_deep(void)
{
	struct trace t = { 0 };
	struct nl_fmsg f;
	unsigned int i;

	nl_fmsg_init(&f, trace_cb, &t);
	for (i = 0; i < NL_FMSG_DEPTH_MAX + 10; i++)
		nl_fmsg_attr(&f, NLU_DEVLINK_ATTR_FMSG_ARR_NEST_START, NULL, 0);
	for (i = 0; i < 5; i++)
		nl_fmsg_attr(&f, NLU_DEVLINK_ATTR_FMSG_NEST_END, NULL, 0);
	nl_fmsg_finish(&f);
	CHECK(f.st.too_deep == 10 && t.depth == 0 && t.min_depth >= 0);
	CHECK(f.st.unclosed == NL_FMSG_DEPTH_MAX);
}

int
main(void)
{
	test_netdevsim(false);
	test_netdevsim(true);
	test_split();
	test_truncation();
	test_odd_values();
	test_deep();
	if (test_failures != 0) {
		fprintf(stderr, "fmsg_test: %d failures\n", test_failures);
		return 1;
	}
	printf("fmsg_test: ok\n");
	return 0;
}
