/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* The nldev decoder on hand-built GET / PORT_GET / SYS_GET / MONITOR messages. */
#include <errno.h>
#include <stdio.h>

#include "netlink/nl_nldev.h"
#include "tests/lib/test_util.h"
#include "tests/netlink/nl_test_msgs.h"

static void
test_get(void)
{
	char buf[MSG_BUF];
	struct nl_nldev_msg m;
	size_t len = mk_nldev_dev(buf, 0, "rxe0", 0x608efcfffe3124bfull, 1);

	CHECK(nl_nldev_msg_parse(&m, buf, len) == 0);
	CHECK(m.op == NLU_NLDEV_CMD_GET);
	CHECK(m.dev_index == 0 && strcmp(m.dev_name, "rxe0") == 0);
	CHECK(m.node_guid == 0x608efcfffe3124bfull);
	CHECK(m.port == 1 && strcmp(m.protocol, "roce") == 0);
	CHECK((m.present & (NL_NLDEV_HAS_DEV_INDEX | NL_NLDEV_HAS_DEV_NAME |
			    NL_NLDEV_HAS_NODE_GUID)) ==
	      (NL_NLDEV_HAS_DEV_INDEX | NL_NLDEV_HAS_DEV_NAME | NL_NLDEV_HAS_NODE_GUID));
	CHECK(m.malformed == 0);
}

static void
test_port(void)
{
	char buf[MSG_BUF];
	struct nl_nldev_msg m;
	size_t len = mk_nldev_port(buf, 0, "rxe0", 1, 3, "eth0");

	CHECK(nl_nldev_msg_parse(&m, buf, len) == 0);
	CHECK(m.op == NLU_NLDEV_CMD_PORT_GET);
	CHECK(m.port == 1 && m.ndev_index == 3 && strcmp(m.ndev_name, "eth0") == 0);
	len = mk_nldev_port(buf, 0, "mana_0", 1, 0, NULL);
	CHECK(nl_nldev_msg_parse(&m, buf, len) == 0);
	CHECK(!(m.present & NL_NLDEV_HAS_NDEV_NAME));
}

static void
test_sys(void)
{
	char buf[MSG_BUF];
	struct nl_nldev_msg m;
	size_t len;

	len = mk_nldev_sys(buf, false, 0);	/* 6.1 */
	CHECK(nl_nldev_msg_parse(&m, buf, len) == 0);
	CHECK(m.op == NLU_NLDEV_CMD_SYS_GET && !(m.present & NL_NLDEV_HAS_MONITOR_MODE));
	len = mk_nldev_sys(buf, true, 1);	/* 6.12 */
	CHECK(nl_nldev_msg_parse(&m, buf, len) == 0);
	CHECK((m.present & NL_NLDEV_HAS_MONITOR_MODE) && m.monitor_mode == 1);
}

/* The 6.12 sequence of netlink-facts.md §1a. */
static void
test_monitor(void)
{
	char buf[MSG_BUF];
	struct nl_nldev_msg m;
	size_t len;

	len = mk_nldev_mon(buf, NLU_RDMA_REGISTER_EVENT, 0, "rxe0", 0, 0, NULL);
	CHECK(nl_nldev_msg_parse(&m, buf, len) == 0);
	CHECK(m.op == NLU_NLDEV_CMD_MONITOR && m.event == NLU_RDMA_REGISTER_EVENT);
	CHECK(strcmp(nl_nldev_event_name(m.event), "REGISTER") == 0);
	len = mk_nldev_mon(buf, NLU_RDMA_NETDEV_ATTACH_EVENT, 0, "rxe0", 1, 3, "eth0");
	CHECK(nl_nldev_msg_parse(&m, buf, len) == 0);
	CHECK(m.event == NLU_RDMA_NETDEV_ATTACH_EVENT && m.port == 1 && m.ndev_index == 3);
	CHECK(strcmp(m.ndev_name, "eth0") == 0);
	len = mk_nldev_mon(buf, NLU_RDMA_UNREGISTER_EVENT, 1, "rxe1", 0, 0, NULL);
	CHECK(nl_nldev_msg_parse(&m, buf, len) == 0);
	CHECK(m.event == NLU_RDMA_UNREGISTER_EVENT && m.dev_index == 1);
	CHECK(strcmp(nl_nldev_event_name(42), "UNKNOWN") == 0);
}

static void
test_bad(void)
{
	char buf[MSG_BUF];
	struct nl_nldev_msg m;
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	size_t len = mk_nldev_dev(buf, 7, "mana_0", 1, 1);

	/* Truncated anywhere: never a crash, header cuts are -EPROTO. */
	for (size_t l = 0; l < len; l++) {
		int rc = nl_nldev_msg_parse(&m, buf, l);

		CHECK(rc == -EPROTO);
	}
	/* A DEV_INDEX attribute with a 2-byte payload is counted, not read. */
	nlh = msg_nldev(buf, NLU_NLDEV_CMD_GET, 0);
	mnl_attr_put_u16(nlh, NLU_NLDEV_ATTR_DEV_INDEX, 5);
	mnl_attr_put(nlh, NLU_NLDEV_ATTR_NODE_GUID, 3, "abc");
	CHECK(nl_nldev_msg_parse(&m, buf, nlh->nlmsg_len) == 0);
	CHECK(m.malformed == 2 && !(m.present & NL_NLDEV_HAS_DEV_INDEX));
	/* Attribute length beyond the message: truncated, counted. */
	nlh = msg_nldev(buf, NLU_NLDEV_CMD_GET, 0);
	mnl_attr_put_u32(nlh, NLU_NLDEV_ATTR_DEV_INDEX, 5);
	((struct nlattr *)((char *)buf + NLMSG_HDRLEN))->nla_len = 200;
	CHECK(nl_nldev_msg_parse(&m, buf, nlh->nlmsg_len) == 0);
	CHECK(m.malformed == 1);
	/* Another netlink client on the same bus. */
	nlh = msg_nldev(buf, NLU_NLDEV_CMD_GET, 0);
	nlh->nlmsg_type = NLU_RDMA_NL_GET_TYPE(3, 1);
	CHECK(nl_nldev_msg_parse(&m, buf, nlh->nlmsg_len) == -EPROTO);
	/* NLMSG_ERROR, ACK, DONE. */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EOPNOTSUPP;
	CHECK(nl_nldev_msg_parse(&m, buf, nlh->nlmsg_len) == -EOPNOTSUPP);
	e->error = 0;
	CHECK(nl_nldev_msg_parse(&m, buf, nlh->nlmsg_len) == -ENOMSG);
	nlh->nlmsg_type = NLMSG_DONE;
	CHECK(nl_nldev_msg_parse(&m, buf, nlh->nlmsg_len) == -ENODATA);
}

int
main(void)
{
	test_get();
	test_port();
	test_sys();
	test_monitor();
	test_bad();
	if (test_failures != 0) {
		fprintf(stderr, "nldev_test: %d failures\n", test_failures);
		return 1;
	}
	printf("nldev_test: ok\n");
	return 0;
}
