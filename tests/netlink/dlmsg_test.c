/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* The devlink message decoder: reporter GET / RECOVER notifications, dev new/del. */
#include <errno.h>
#include <stdio.h>

#include "netlink/nl_dlmsg.h"
#include "tests/lib/test_util.h"
#include "tests/netlink/nl_test_msgs.h"

static void
test_reporter(void)
{
	char buf[MSG_BUF];
	struct nl_dl_msg m;
	struct rep_spec r = {
		.bus = "netdevsim", .dev = "netdevsim1", .port = -1, .name = "dummy",
		.state = 1, .err = 1, .rec = 0, .has_grace = true, .grace = 0,
		.has_auto_recover = true, .auto_recover = 1, .has_auto_dump = true,
		.auto_dump = 1,
	};
	size_t len = mk_dl_reporter(buf, NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER, &r);

	CHECK(nl_dl_msg_parse(&m, buf, len) == 0);
	CHECK(m.cmd == NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER);
	CHECK(strcmp(m.bus, "netdevsim") == 0 && strcmp(m.dev, "netdevsim1") == 0);
	CHECK(strcmp(m.reporter, "dummy") == 0);
	CHECK((m.present & NL_DL_REPORTER_COMPLETE) == NL_DL_REPORTER_COMPLETE);
	CHECK(m.state == 1 && m.err_count == 1 && m.recover_count == 0);
	CHECK(strcmp(nl_dl_state_name(m.state), "error") == 0);
	CHECK(!(m.present & NL_DL_HAS_PORT) && (m.present & NL_DL_HAS_GRACE));
	CHECK(m.auto_recover == 1 && m.auto_dump == 1 && m.malformed == 0);

	r.port = 2;
	r.has_ts_ns = true;
	r.ts_ns = 1795480460433813632ull;
	len = mk_dl_reporter(buf, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET, &r);
	CHECK(nl_dl_msg_parse(&m, buf, len) == 0);
	CHECK((m.present & NL_DL_HAS_PORT) && m.port == 2);
	CHECK((m.present & NL_DL_HAS_DUMP_TS_NS) && m.dump_ts_ns == r.ts_ns);
}

static void
test_dev(void)
{
	char buf[MSG_BUF];
	struct nl_dl_msg m;
	size_t len = mk_dl_dev(buf, NLU_DEVLINK_CMD_DEL, "netdevsim", "netdevsim1");

	CHECK(nl_dl_msg_parse(&m, buf, len) == 0);
	CHECK(m.cmd == NLU_DEVLINK_CMD_DEL && !(m.present & NL_DL_HAS_REPORTER));
	CHECK(strcmp(m.dev, "netdevsim1") == 0);
}

static void
test_bad(void)
{
	char buf[MSG_BUF];
	struct nl_dl_msg m;
	struct rep_spec r = { .bus = "pci", .dev = "0000:00:01.0", .port = -1, .name = "fw" };
	size_t len = mk_dl_reporter(buf, NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER, &r);
	struct nlmsghdr *nlh;

	for (size_t l = 0; l < len; l++) {
		/* Cut messages: headers fail, never a crash. */
		CHECK(nl_dl_msg_parse(&m, buf, l) == -EPROTO);
	}
	/* Cut inside the attributes, with a consistent nlmsg_len. */
	for (size_t l = NLMSG_HDRLEN + GENL_HDRLEN; l < len; l++) {
		((struct nlmsghdr *)buf)->nlmsg_len = (uint32_t)l;
		CHECK(nl_dl_msg_parse(&m, buf, l) == 0);
		CHECK((m.present & NL_DL_REPORTER_COMPLETE) != NL_DL_REPORTER_COMPLETE);
	}
	nlh = msg_genl(buf, 21, NLU_DEVLINK_CMD_HEALTH_REPORTER_GET, 0);
	mnl_attr_put_u32(nlh, NLU_DEVLINK_ATTR_HEALTH_REPORTER, 7);	/* not a nest */
	CHECK(nl_dl_msg_parse(&m, buf, nlh->nlmsg_len) == 0);
	CHECK(m.malformed == 1 && !(m.present & NL_DL_HAS_NAME));
}

int
main(void)
{
	test_reporter();
	test_dev();
	test_bad();
	if (test_failures != 0) {
		fprintf(stderr, "dlmsg_test: %d failures\n", test_failures);
		return 1;
	}
	printf("dlmsg_test: ok\n");
	return 0;
}
