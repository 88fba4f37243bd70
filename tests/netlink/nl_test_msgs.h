/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TESTS_NL_TEST_MSGS_H
#define MANA_TESTS_NL_TEST_MSGS_H

/*
 * Hand-built netlink messages for the decoder tests, made with libmnl's
 * nlmsg/attr helpers the way the kernel lays them out (see
 * ../shared/reference/netlink-facts.md for what real 6.1 / 6.12 kernels sent).
 * Header-only; every builder writes into a caller buffer of at least
 * MSG_BUF bytes and returns the message length.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "netlink/nl_uapi.h"

#define MSG_BUF 8192

static inline struct nlmsghdr *
msg_nldev(void *buf, uint16_t op, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, MSG_BUF);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLU_RDMA_NL_GET_TYPE(NLU_RDMA_NL_NLDEV, op);
	nlh->nlmsg_flags = flags;
	return nlh;
}

/* A GET reply / dump part: what `rdma dev` shows. */
static inline size_t
mk_nldev_dev(void *buf, uint32_t idx, const char *name, uint64_t guid, uint32_t ports)
{
	struct nlmsghdr *nlh = msg_nldev(buf, NLU_NLDEV_CMD_GET, NLM_F_MULTI);

	mnl_attr_put_u32(nlh, NLU_NLDEV_ATTR_DEV_INDEX, idx);
	mnl_attr_put_strz(nlh, NLU_NLDEV_ATTR_DEV_NAME, name);
	mnl_attr_put_u32(nlh, NLU_NLDEV_ATTR_PORT_INDEX, ports);
	mnl_attr_put_strz(nlh, NLU_NLDEV_ATTR_FW_VERSION, "");
	mnl_attr_put_u64(nlh, NLU_NLDEV_ATTR_NODE_GUID, guid);
	mnl_attr_put_strz(nlh, NLU_NLDEV_ATTR_DEV_PROTOCOL, "roce");
	return nlh->nlmsg_len;
}

/* A PORT_GET dump part with its netdev. */
static inline size_t
mk_nldev_port(void *buf, uint32_t idx, const char *name, uint32_t port, uint32_t ndev_idx,
	      const char *ndev)
{
	struct nlmsghdr *nlh = msg_nldev(buf, NLU_NLDEV_CMD_PORT_GET, NLM_F_MULTI);

	mnl_attr_put_u32(nlh, NLU_NLDEV_ATTR_DEV_INDEX, idx);
	mnl_attr_put_strz(nlh, NLU_NLDEV_ATTR_DEV_NAME, name);
	mnl_attr_put_u32(nlh, NLU_NLDEV_ATTR_PORT_INDEX, port);
	if (ndev != NULL) {
		mnl_attr_put_u32(nlh, NLU_NLDEV_ATTR_NDEV_INDEX, ndev_idx);
		mnl_attr_put_strz(nlh, NLU_NLDEV_ATTR_NDEV_NAME, ndev);
	}
	return nlh->nlmsg_len;
}

/* A 6.12 monitor notification (pid 0, seq 0), as rdma_nl_notify_event() builds it. */
static inline size_t
mk_nldev_mon(void *buf, uint8_t event, uint32_t idx, const char *name, uint32_t port,
	     uint32_t ndev_idx, const char *ndev)
{
	struct nlmsghdr *nlh = msg_nldev(buf, NLU_NLDEV_CMD_MONITOR, 0);

	mnl_attr_put_u32(nlh, NLU_NLDEV_ATTR_DEV_INDEX, idx);
	mnl_attr_put_strz(nlh, NLU_NLDEV_ATTR_DEV_NAME, name);
	if (ndev != NULL) {
		mnl_attr_put_u32(nlh, NLU_NLDEV_ATTR_PORT_INDEX, port);
		mnl_attr_put_u32(nlh, NLU_NLDEV_ATTR_NDEV_INDEX, ndev_idx);
		mnl_attr_put_strz(nlh, NLU_NLDEV_ATTR_NDEV_NAME, ndev);
	}
	mnl_attr_put_u8(nlh, NLU_NLDEV_ATTR_EVENT_TYPE, event);
	return nlh->nlmsg_len;
}

/* SYS_GET reply: 6.1 has no MONITOR_MODE, 6.12 has it = 1. */
static inline size_t
mk_nldev_sys(void *buf, bool with_monitor, uint8_t mode)
{
	struct nlmsghdr *nlh = msg_nldev(buf, NLU_NLDEV_CMD_SYS_GET, 0);

	mnl_attr_put_u8(nlh, 99 /* SYS_ATTR_NETNS_MODE */, 1);
	if (with_monitor)
		mnl_attr_put_u8(nlh, NLU_NLDEV_SYS_ATTR_MONITOR_MODE, mode);
	return nlh->nlmsg_len;
}

static inline struct nlmsghdr *
msg_genl(void *buf, uint16_t family, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(buf, 0, MSG_BUF);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = NLU_DEVLINK_GENL_VERSION;
	return nlh;
}

struct rep_spec {
	const char *bus, *dev;
	int port;			/* -1: device reporter */
	const char *name;
	uint8_t state;
	uint64_t err, rec;
	bool has_grace;
	uint64_t grace;
	bool has_auto_recover;
	uint8_t auto_recover;
	bool has_auto_dump;
	uint8_t auto_dump;
	bool has_ts_ns;
	uint64_t ts_ns;
};

/* A HEALTH_REPORTER_GET reply or RECOVER (54) notification. */
static inline size_t
mk_dl_reporter(void *buf, uint8_t cmd, const struct rep_spec *r)
{
	struct nlmsghdr *nlh = msg_genl(buf, 21, cmd, 0);
	struct nlattr *nest;

	mnl_attr_put_strz(nlh, NLU_DEVLINK_ATTR_BUS_NAME, r->bus);
	mnl_attr_put_strz(nlh, NLU_DEVLINK_ATTR_DEV_NAME, r->dev);
	if (r->port >= 0)
		mnl_attr_put_u32(nlh, NLU_DEVLINK_ATTR_PORT_INDEX, (uint32_t)r->port);
	nest = mnl_attr_nest_start(nlh, NLU_DEVLINK_ATTR_HEALTH_REPORTER);
	mnl_attr_put_strz(nlh, NLU_DEVLINK_ATTR_HEALTH_REPORTER_NAME, r->name);
	mnl_attr_put_u8(nlh, NLU_DEVLINK_ATTR_HEALTH_REPORTER_STATE, r->state);
	mnl_attr_put_u64(nlh, NLU_DEVLINK_ATTR_HEALTH_REPORTER_ERR_COUNT, r->err);
	mnl_attr_put_u64(nlh, NLU_DEVLINK_ATTR_HEALTH_REPORTER_RECOVER_COUNT, r->rec);
	if (r->has_ts_ns)
		mnl_attr_put_u64(nlh, NLU_DEVLINK_ATTR_HEALTH_REPORTER_DUMP_TS_NS, r->ts_ns);
	if (r->has_grace)
		mnl_attr_put_u64(nlh, NLU_DEVLINK_ATTR_HEALTH_REPORTER_GRACEFUL_PERIOD, r->grace);
	if (r->has_auto_recover)
		mnl_attr_put_u8(nlh, NLU_DEVLINK_ATTR_HEALTH_REPORTER_AUTO_RECOVER,
				r->auto_recover);
	if (r->has_auto_dump)
		mnl_attr_put_u8(nlh, NLU_DEVLINK_ATTR_HEALTH_REPORTER_AUTO_DUMP, r->auto_dump);
	mnl_attr_nest_end(nlh, nest);
	return nlh->nlmsg_len;
}

/* devlink dev new / del (cmd 3 / 4). */
static inline size_t
mk_dl_dev(void *buf, uint8_t cmd, const char *bus, const char *dev)
{
	struct nlmsghdr *nlh = msg_genl(buf, 21, cmd, 0);

	mnl_attr_put_strz(nlh, NLU_DEVLINK_ATTR_BUS_NAME, bus);
	mnl_attr_put_strz(nlh, NLU_DEVLINK_ATTR_DEV_NAME, dev);
	return nlh->nlmsg_len;
}

/* fmsg token helpers, inside an open DEVLINK_ATTR_FMSG nest. */
static inline void
fm_tok(struct nlmsghdr *nlh, uint16_t type)
{
	mnl_attr_put(nlh, type, 0, NULL);
}

static inline void
fm_name(struct nlmsghdr *nlh, const char *name)
{
	mnl_attr_put_strz(nlh, NLU_DEVLINK_ATTR_FMSG_OBJ_NAME, name);
}

static inline void
fm_val(struct nlmsghdr *nlh, uint8_t type, const void *data, uint16_t len)
{
	mnl_attr_put_u8(nlh, NLU_DEVLINK_ATTR_FMSG_OBJ_VALUE_TYPE, type);
	mnl_attr_put(nlh, NLU_DEVLINK_ATTR_FMSG_OBJ_VALUE_DATA, len, data);
}

static inline void
fm_pair_u8(struct nlmsghdr *nlh, const char *name, uint8_t type, uint8_t v)
{
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START);
	fm_name(nlh, name);
	fm_val(nlh, type, &v, 1);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
}

static inline void
fm_pair_u32(struct nlmsghdr *nlh, const char *name, uint32_t v)
{
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START);
	fm_name(nlh, name);
	fm_val(nlh, NLU_FMSG_TYPE_U32, &v, 4);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
}

static inline void
fm_pair_u64(struct nlmsghdr *nlh, const char *name, uint64_t v)
{
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START);
	fm_name(nlh, name);
	fm_val(nlh, NLU_FMSG_TYPE_U64, &v, 8);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
}

static inline void
fm_pair_str(struct nlmsghdr *nlh, const char *name, const char *s)
{
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START);
	fm_name(nlh, name);
	fm_val(nlh, NLU_FMSG_TYPE_NUL_STRING, s, (uint16_t)(strlen(s) + 1));
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
}

/* The 16 bytes of test_binary the 6.1 VM printed. */
static const uint8_t nsim_binary[16] = {
	0x3f, 0x18, 0x1a, 0xb2, 0xbb, 0xb0, 0x38, 0xbe,
	0x44, 0x5c, 0xff, 0x44, 0x86, 0x68, 0x4f, 0x87,
};

/*
 * netdevsim's dummy reporter dump (drivers/net/netdevsim/health.c): the
 * tokens of the observed 6.12 stream up to and including the extra NEST_END
 * after test_nest, then (modelled on the same file) a u32 array and an array
 * of objects, then the outer close. unbalanced = false leaves the extra
 * NEST_END out (a well-formed stream with the same content).
 */
static inline size_t
mk_fmsg_netdevsim(void *buf, bool unbalanced)
{
	struct nlmsghdr *nlh = msg_genl(buf, 21, NLU_DEVLINK_CMD_HEALTH_REPORTER_DUMP_GET,
					NLM_F_MULTI);
	struct nlattr *nest;
	uint32_t i;

	nest = mnl_attr_nest_start(nlh, NLU_DEVLINK_ATTR_FMSG);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_OBJ_NEST_START);
	fm_pair_str(nlh, "break_message", "injected-fault-1");
	fm_pair_u8(nlh, "test_bool", NLU_FMSG_TYPE_FLAG, 1);
	fm_pair_u8(nlh, "test_u8", NLU_FMSG_TYPE_U8, 1);
	fm_pair_u32(nlh, "test_u32", 3);
	fm_pair_u64(nlh, "test_u64", 4);
	fm_pair_str(nlh, "test_string", "somestring");
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START);
	fm_name(nlh, "test_binary");
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_ARR_NEST_START);
	fm_val(nlh, NLU_FMSG_TYPE_BINARY, nsim_binary, sizeof(nsim_binary));
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START);
	fm_name(nlh, "test_nest");
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_OBJ_NEST_START);
	fm_pair_u8(nlh, "nested_test_bool", NLU_FMSG_TYPE_FLAG, 0);
	fm_pair_u8(nlh, "nested_test_u8", NLU_FMSG_TYPE_U8, 0);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	if (unbalanced) {
		/* devlink_fmsg_arr_pair_nest_end() with no matching start */
		fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
		fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	}
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START);
	fm_name(nlh, "test_u32_array");
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_ARR_NEST_START);
	for (i = 0; i < 10; i++)
		fm_val(nlh, NLU_FMSG_TYPE_U32, &i, 4);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START);
	fm_name(nlh, "test_array_of_objects");
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_ARR_NEST_START);
	for (i = 0; i < 2; i++) {
		fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_OBJ_NEST_START);
		fm_pair_u8(nlh, "in_array_nested_test_bool", NLU_FMSG_TYPE_FLAG, 0);
		fm_pair_u8(nlh, "in_array_nested_test_u8", NLU_FMSG_TYPE_U8, (uint8_t)i);
		fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	}
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	fm_tok(nlh, NLU_DEVLINK_ATTR_FMSG_NEST_END);
	mnl_attr_nest_end(nlh, nest);
	return nlh->nlmsg_len;
}

#endif /* MANA_TESTS_NL_TEST_MSGS_H */
