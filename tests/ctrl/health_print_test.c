/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * manactl's health rendering against what iproute2 `devlink` 6.1 printed in
 * the VM (../shared/reference/netlink-facts.md §1b): `health show` text and
 * JSON, `health dump show` text and JSON of netdevsim's dummy reporter (whose
 * fmsg has an extra NEST_END: devlink stops after test_nest, manactl prints
 * the same prefix and goes on), and JSON validity under damage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ctrl/print/health_print.h"
#include "ctrl/print/print.h"
#include "netlink/nl_dlmsg.h"
#include "netlink/nl_fmsg.h"
#include "tests/ctrl/json_check.h"
#include "tests/lib/test_util.h"
#include "tests/netlink/nl_test_msgs.h"

struct cap {
	char *buf;
	size_t len;
	FILE *f;
};

static void
cap_begin(struct cap *c, bool json, bool pretty)
{
	c->f = open_memstream(&c->buf, &c->len);
	CHECK(c->f != NULL);
	CHECK(print_begin(c->f, json, pretty) == 0);
}

static void
cap_end(struct cap *c)
{
	print_end();
	fclose(c->f);
}

static void
expect(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "%s:\n--- got\n%s\n--- want\n%s\n---\n", what, got, want);
		test_failures++;
	}
}

/* The two reporters of a fresh netdevsim device, as GET dump parts. */
static void
health_show(bool json, bool pretty, struct cap *c)
{
	struct rep_spec empty = {
		.bus = "netdevsim", .dev = "netdevsim1", .port = -1, .name = "empty",
		.has_auto_dump = true, .auto_dump = 1,
	};
	struct rep_spec dummy = {
		.bus = "netdevsim", .dev = "netdevsim1", .port = -1, .name = "dummy",
		.has_grace = true, .has_auto_recover = true, .auto_recover = 1,
		.has_auto_dump = true, .auto_dump = 1,
	};
	char buf[MSG_BUF];
	struct health_print hp;
	struct nl_dl_msg m;

	cap_begin(c, json, pretty);
	health_print_begin(&hp);
	CHECK(nl_dl_msg_parse(&m, buf,
			      mk_dl_reporter(buf, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET, &empty)) == 0);
	CHECK(health_print_reporter(&hp, &m) == 1);
	CHECK(nl_dl_msg_parse(&m, buf,
			      mk_dl_reporter(buf, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET, &dummy)) == 0);
	CHECK(health_print_reporter(&hp, &m) == 1);
	health_print_end(&hp);
	cap_end(c);
}

static void
test_health_show(void)
{
	struct cap c;

	health_show(false, false, &c);
	expect("health show", c.buf,
	       "netdevsim/netdevsim1:\n"
	       "  reporter empty\n"
	       "    state healthy error 0 recover 0 auto_dump true\n"
	       "  reporter dummy\n"
	       "    state healthy error 0 recover 0 grace_period 0 auto_recover true auto_dump true\n");
	free(c.buf);

	health_show(true, false, &c);
	expect("health show -j", c.buf,
	       "{\"health\":{\"netdevsim/netdevsim1\":[{\"reporter\":\"empty\",\"state\":\"healthy\","
	       "\"error\":0,\"recover\":0,\"auto_dump\":true},{\"reporter\":\"dummy\","
	       "\"state\":\"healthy\",\"error\":0,\"recover\":0,\"grace_period\":0,"
	       "\"auto_recover\":true,\"auto_dump\":true}]}}\n");
	CHECK(json_valid(c.buf));
	free(c.buf);

	/* iproute2's json_writer pretty layout. */
	health_show(true, true, &c);
	expect("health show -jp", c.buf,
	       "{\n"
	       "    \"health\": {\n"
	       "        \"netdevsim/netdevsim1\": [ {\n"
	       "                \"reporter\": \"empty\",\n"
	       "                \"state\": \"healthy\",\n"
	       "                \"error\": 0,\n"
	       "                \"recover\": 0,\n"
	       "                \"auto_dump\": true\n"
	       "            },{\n"
	       "                \"reporter\": \"dummy\",\n"
	       "                \"state\": \"healthy\",\n"
	       "                \"error\": 0,\n"
	       "                \"recover\": 0,\n"
	       "                \"grace_period\": 0,\n"
	       "                \"auto_recover\": true,\n"
	       "                \"auto_dump\": true\n"
	       "            } ]\n"
	       "    }\n"
	       "}\n");
	CHECK(json_valid(c.buf));
	free(c.buf);
}

/* Port reporters get DEV/PORT handles; an empty listing is {"health":{}}. */
static void
test_health_ports(void)
{
	struct rep_spec tx = {
		.bus = "pci", .dev = "0000:03:00.0", .port = 1, .name = "tx", .state = 1,
		.err = 3, .rec = 2,
	};
	char buf[MSG_BUF];
	struct health_print hp;
	struct nl_dl_msg m;
	struct cap c;

	cap_begin(&c, false, false);
	health_print_begin(&hp);
	nl_dl_msg_parse(&m, buf, mk_dl_reporter(buf, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET, &tx));
	health_print_reporter(&hp, &m);
	health_print_end(&hp);
	cap_end(&c);
	expect("port reporter", c.buf,
	       "pci/0000:03:00.0/1:\n  reporter tx\n    state error error 3 recover 2\n");
	free(c.buf);

	cap_begin(&c, true, false);
	health_print_begin(&hp);
	health_print_end(&hp);
	cap_end(&c);
	expect("empty -j", c.buf, "{\"health\":{}}\n");
	free(c.buf);
}

static const char dump_text[] =
	" break_message: injected-fault-1 test_bool: true test_u8: 1 test_u32: 3 test_u64: 4"
	" test_string: somestring\n"
	"  test_binary:\n"
	"    3f 18 1a b2 bb b0 38 be 44 5c ff 44 86 68 4f 87 \n"
	"  test_nest:\n"
	"    nested_test_bool: false nested_test_u8: 0\n";

static const char dump_text_tail[] =
	"  test_u32_array:\n"
	"    0 1 2 3 4 5 6 7 8 9\n"
	"  test_array_of_objects:\n"
	"      in_array_nested_test_bool: false in_array_nested_test_u8: 0\n"
	"      in_array_nested_test_bool: false in_array_nested_test_u8: 1\n";

static const char dump_json[] =
	"{\"break_message\":\"injected-fault-1\",\"test_bool\":true,\"test_u8\":1,\"test_u32\":3,"
	"\"test_u64\":4,\"test_string\":\"somestring\",\"test_binary\":[63,24,26,178,187,176,56,"
	"190,68,92,255,68,134,104,79,135],\"test_nest\":{\"nested_test_bool\":false,"
	"\"nested_test_u8\":0}";

static const char dump_json_tail[] =
	",\"test_u32_array\":[0,1,2,3,4,5,6,7,8,9],\"test_array_of_objects\":["
	"{\"in_array_nested_test_bool\":false,\"in_array_nested_test_u8\":0},"
	"{\"in_array_nested_test_bool\":false,\"in_array_nested_test_u8\":1}]}\n";

static void
dump_show(bool unbalanced, bool json, bool pretty, struct cap *c)
{
	char buf[MSG_BUF];
	struct nl_dl_msg m;
	struct nl_fmsg f;

	CHECK(nl_dl_msg_parse(&m, buf, mk_fmsg_netdevsim(buf, unbalanced)) == 0);
	cap_begin(c, json, pretty);
	fmsg_print_begin();
	nl_fmsg_init(&f, fmsg_print_item, NULL);
	nl_fmsg_feed(&f, m.fmsg, m.fmsg_len);
	nl_fmsg_finish(&f);
	fmsg_print_end();
	cap_end(c);
}

static void
test_dump_show(void)
{
	char want[4096];
	struct cap c;

	for (int unbalanced = 0; unbalanced < 2; unbalanced++) {
		snprintf(want, sizeof(want), "%s%s", dump_text, dump_text_tail);
		dump_show(unbalanced, false, false, &c);
		expect(unbalanced ? "dump show (unbalanced)" : "dump show", c.buf, want);
		free(c.buf);

		snprintf(want, sizeof(want), "%s%s", dump_json, dump_json_tail);
		dump_show(unbalanced, true, false, &c);
		expect(unbalanced ? "dump show -j (unbalanced)" : "dump show -j", c.buf, want);
		CHECK(json_valid(c.buf));
		free(c.buf);

		dump_show(unbalanced, true, true, &c);
		CHECK(json_valid(c.buf));
		CHECK(strstr(c.buf, "\"test_binary\": [ 63,24,26,178,") != NULL);
		CHECK(strstr(c.buf, "    \"test_nest\": {\n        \"nested_test_bool\": false,\n")
		      != NULL);
		free(c.buf);
	}
}

/* Any cut of the stream, any byte flipped: JSON stays valid. */
static void
test_json_always_valid(void)
{
	char buf[MSG_BUF];
	struct nl_dl_msg m;
	struct cap c;

	CHECK(nl_dl_msg_parse(&m, buf, mk_fmsg_netdevsim(buf, true)) == 0);
	for (uint16_t l = 0; l <= m.fmsg_len; l += 3) {
		for (int flip = -1; flip < 4; flip++) {
			uint8_t copy[MSG_BUF];
			struct nl_fmsg f;

			memcpy(copy, m.fmsg, m.fmsg_len);
			if (flip >= 0 && l > 0)
				copy[(l * 7 + (uint16_t)flip * 13) % l] ^= (uint8_t)(1u << flip);
			cap_begin(&c, true, flip & 1);
			fmsg_print_begin();
			nl_fmsg_init(&f, fmsg_print_item, NULL);
			nl_fmsg_feed(&f, copy, l);
			nl_fmsg_finish(&f);
			fmsg_print_end();
			cap_end(&c);
			if (!json_valid(c.buf)) {
				fprintf(stderr, "invalid JSON at cut %u flip %d: %s\n", l, flip, c.buf);
				test_failures++;
			}
			free(c.buf);
		}
	}
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	test_health_show();
	test_health_ports();
	test_dump_show();
	test_json_always_valid();
	if (test_failures != 0) {
		fprintf(stderr, "health_print_test: %d failures\n", test_failures);
		return 1;
	}
	printf("health_print_test: ok\n");
	return 0;
}
