/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_NL_DLMSG_H
#define MANA_NL_DLMSG_H

/*
 * Decoder of devlink generic netlink messages: health reporter GET replies
 * and RECOVER (54) notifications, device / port new and del. Works on the
 * attributes after the genlmsghdr, as tuples; no socket, no allocation.
 * Thread context: any.
 */
#include <stddef.h>
#include <stdint.h>

#define NL_DL_NAME_MAX	64

/* Bits of nl_dl_msg.present. */
enum {
	NL_DL_HAS_BUS = 1u << 0,
	NL_DL_HAS_DEV = 1u << 1,
	NL_DL_HAS_PORT = 1u << 2,
	NL_DL_HAS_REPORTER = 1u << 3,	/* the nest was there */
	NL_DL_HAS_NAME = 1u << 4,
	NL_DL_HAS_STATE = 1u << 5,
	NL_DL_HAS_ERR = 1u << 6,
	NL_DL_HAS_RECOVER = 1u << 7,
	NL_DL_HAS_DUMP_TS = 1u << 8,
	NL_DL_HAS_GRACE = 1u << 9,
	NL_DL_HAS_AUTO_RECOVER = 1u << 10,
	NL_DL_HAS_DUMP_TS_NS = 1u << 11,
	NL_DL_HAS_AUTO_DUMP = 1u << 12,
	NL_DL_HAS_BURST = 1u << 13,
	NL_DL_HAS_FMSG = 1u << 14,
};

/* What iproute2 requires before it prints a reporter. */
#define NL_DL_REPORTER_COMPLETE \
	(NL_DL_HAS_BUS | NL_DL_HAS_DEV | NL_DL_HAS_NAME | NL_DL_HAS_STATE | \
	 NL_DL_HAS_ERR | NL_DL_HAS_RECOVER)

struct nl_dl_msg {
	uint8_t cmd;		/* genlmsghdr.cmd */
	uint32_t present;	/* NL_DL_HAS_* */
	uint32_t malformed;
	char bus[NL_DL_NAME_MAX];
	char dev[NL_DL_NAME_MAX];
	uint32_t port;
	char reporter[NL_DL_NAME_MAX];
	uint8_t state;		/* NLU_DEVLINK_HEALTH_REPORTER_STATE_* */
	uint64_t err_count;
	uint64_t recover_count;
	uint64_t dump_ts;	/* ms since boot */
	uint64_t dump_ts_ns;	/* CLOCK_REALTIME ns */
	uint64_t grace_period;
	uint64_t burst_period;
	uint8_t auto_recover;
	uint8_t auto_dump;
	const void *fmsg;	/* DEVLINK_ATTR_FMSG payload, points into the input */
	uint16_t fmsg_len;
};

void nl_dl_msg_init(struct nl_dl_msg *m, uint8_t cmd);

/* Feed one top-level attribute tuple (the reporter nest is walked). Returns 0. */
int nl_dl_msg_attr(struct nl_dl_msg *m, uint16_t type, const void *payload, uint16_t len);

/* Feed one attribute of the DEVLINK_ATTR_HEALTH_REPORTER nest. Returns 0. */
int nl_dl_msg_reporter_attr(struct nl_dl_msg *m, uint16_t type, const void *payload,
			    uint16_t len);

/*
 * Decode a genl payload: genlmsghdr (4 bytes) + attributes, len bytes.
 * Returns 0 or -EPROTO when shorter than a genlmsghdr.
 */
int nl_dl_msg_parse_genl(struct nl_dl_msg *m, const void *buf, size_t len);

/*
 * Decode a whole netlink message (nlmsghdr + genlmsghdr + attributes).
 * Returns 0, -ENODATA for DONE/NOOP, -ENOMSG for an ACK, the negative errno
 * of an NLMSG_ERROR, or -EPROTO.
 */
int nl_dl_msg_parse(struct nl_dl_msg *m, const void *buf, size_t len);

/* "healthy", "error", or "<unknown state>" as iproute2 prints it. */
const char *nl_dl_state_name(uint8_t state);

#endif /* MANA_NL_DLMSG_H */
