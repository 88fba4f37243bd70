/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_NL_UAPI_H
#define MANA_NL_UAPI_H

/*
 * The kernel UAPI numbers this library uses, from include/uapi/rdma/rdma_netlink.h
 * and include/uapi/linux/devlink.h of Linux 6.12 (see
 * ../shared/reference/netlink-facts.md). They are ABI and never change, so
 * they are spelled out here: the build host's linux-libc-dev (6.1) lacks the
 * RDMA monitor numbers, and the decoders must not depend on which kernel
 * headers the build machine has. Only <linux/netlink.h> and
 * <linux/genetlink.h> (stable since 2.6) come from the system.
 */

/* NETLINK_RDMA (20) and the nldev client. */
#define NLU_NETLINK_RDMA		20
#define NLU_RDMA_NL_NLDEV		5
#define NLU_RDMA_NL_GET_CLIENT(type)	(((type) & (((1 << 6) - 1) << 10)) >> 10)
#define NLU_RDMA_NL_GET_OP(type)	((type) & ((1 << 10) - 1))
#define NLU_RDMA_NL_GET_TYPE(client, op) (((client) << 10) + (op))
#define NLU_RDMA_NL_GROUP_NOTIFY	4	/* 6.12+ */

enum {
	NLU_NLDEV_CMD_GET = 1,
	NLU_NLDEV_CMD_PORT_GET = 5,
	NLU_NLDEV_CMD_SYS_GET = 6,
	NLU_NLDEV_CMD_MONITOR = 28,	/* 6.12+: type of every notification */
};

enum {
	NLU_NLDEV_ATTR_DEV_INDEX = 1,		/* u32 */
	NLU_NLDEV_ATTR_DEV_NAME = 2,		/* string */
	NLU_NLDEV_ATTR_PORT_INDEX = 3,		/* u32; in GET: number of ports */
	NLU_NLDEV_ATTR_FW_VERSION = 5,		/* string */
	NLU_NLDEV_ATTR_NODE_GUID = 6,		/* u64, host order */
	NLU_NLDEV_ATTR_NDEV_INDEX = 50,		/* u32 */
	NLU_NLDEV_ATTR_NDEV_NAME = 51,		/* string */
	NLU_NLDEV_ATTR_DEV_PROTOCOL = 67,	/* string */
	NLU_NLDEV_ATTR_EVENT_TYPE = 102,	/* u8, 6.12+ */
	NLU_NLDEV_SYS_ATTR_MONITOR_MODE = 103,	/* u8, 6.12+ */
};

/* RDMA_NLDEV_ATTR_EVENT_TYPE values. */
enum {
	NLU_RDMA_REGISTER_EVENT = 0,
	NLU_RDMA_UNREGISTER_EVENT = 1,
	NLU_RDMA_NETDEV_ATTACH_EVENT = 2,
	NLU_RDMA_NETDEV_DETACH_EVENT = 3,
	NLU_RDMA_RENAME_EVENT = 4,		/* 6.13+ */
	NLU_RDMA_NETDEV_RENAME_EVENT = 5,	/* 6.13+ */
};

/* devlink generic netlink family. */
#define NLU_DEVLINK_GENL_NAME		"devlink"
#define NLU_DEVLINK_GENL_VERSION	1
#define NLU_DEVLINK_GENL_MCGRP_CONFIG	"config"

enum {
	NLU_DEVLINK_CMD_NEW = 3,
	NLU_DEVLINK_CMD_DEL = 4,
	NLU_DEVLINK_CMD_PORT_NEW = 7,
	NLU_DEVLINK_CMD_PORT_DEL = 8,
	NLU_DEVLINK_CMD_HEALTH_REPORTER_GET = 52,
	NLU_DEVLINK_CMD_HEALTH_REPORTER_SET = 53,
	NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER = 54,	/* also the notification */
	NLU_DEVLINK_CMD_HEALTH_REPORTER_DIAGNOSE = 55,
	NLU_DEVLINK_CMD_HEALTH_REPORTER_DUMP_GET = 56,
	NLU_DEVLINK_CMD_HEALTH_REPORTER_DUMP_CLEAR = 57,
};

enum {
	NLU_DEVLINK_ATTR_BUS_NAME = 1,			/* string */
	NLU_DEVLINK_ATTR_DEV_NAME = 2,			/* string */
	NLU_DEVLINK_ATTR_PORT_INDEX = 3,		/* u32 */
	NLU_DEVLINK_ATTR_FMSG = 106,			/* nested */
	NLU_DEVLINK_ATTR_FMSG_OBJ_NEST_START = 107,	/* flag */
	NLU_DEVLINK_ATTR_FMSG_PAIR_NEST_START = 108,	/* flag */
	NLU_DEVLINK_ATTR_FMSG_ARR_NEST_START = 109,	/* flag */
	NLU_DEVLINK_ATTR_FMSG_NEST_END = 110,		/* flag */
	NLU_DEVLINK_ATTR_FMSG_OBJ_NAME = 111,		/* string */
	NLU_DEVLINK_ATTR_FMSG_OBJ_VALUE_TYPE = 112,	/* u8 */
	NLU_DEVLINK_ATTR_FMSG_OBJ_VALUE_DATA = 113,	/* dynamic */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER = 114,		/* nested */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER_NAME = 115,	/* string */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER_STATE = 116,	/* u8 */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER_ERR_COUNT = 117,	/* u64 */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER_RECOVER_COUNT = 118,	/* u64 */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER_DUMP_TS = 119,	/* u64, ms since boot */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER_GRACEFUL_PERIOD = 120,	/* u64 ms */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER_AUTO_RECOVER = 121,	/* u8 */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER_DUMP_TS_NS = 137,	/* u64, CLOCK_REALTIME */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER_AUTO_DUMP = 141,	/* u8 */
	NLU_DEVLINK_ATTR_HEALTH_REPORTER_BURST_PERIOD = 181,	/* u64 ms, ~6.18 */
};

/* Reporter state (include/net/devlink.h; not in the UAPI). */
enum {
	NLU_DEVLINK_HEALTH_REPORTER_STATE_HEALTHY = 0,
	NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR = 1,
};

/* fmsg value types: the kernel's NLA_* numbers (= libmnl MNL_TYPE_*). */
enum {
	NLU_FMSG_TYPE_U8 = 1,
	NLU_FMSG_TYPE_U16 = 2,
	NLU_FMSG_TYPE_U32 = 3,
	NLU_FMSG_TYPE_U64 = 4,
	NLU_FMSG_TYPE_STRING = 5,
	NLU_FMSG_TYPE_FLAG = 6,
	NLU_FMSG_TYPE_NUL_STRING = 10,
	NLU_FMSG_TYPE_BINARY = 11,
};

#endif /* MANA_NL_UAPI_H */
