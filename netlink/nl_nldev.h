/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_NL_NLDEV_H
#define MANA_NL_NLDEV_H

/*
 * Decoder of RDMA netlink nldev messages (NETLINK_RDMA, client RDMA_NL_NLDEV):
 * GET and PORT_GET replies, SYS_GET replies and MONITOR notifications.
 * Pure functions over caller-owned buffers; no socket, no allocation.
 * Thread context: any.
 */
#include <stddef.h>
#include <stdint.h>

#define NL_NLDEV_NAME_MAX	64
#define NL_NLDEV_IFNAME_MAX	16

/* Bits of nl_nldev_msg.present. */
enum {
	NL_NLDEV_HAS_DEV_INDEX = 1u << 0,
	NL_NLDEV_HAS_DEV_NAME = 1u << 1,
	NL_NLDEV_HAS_PORT = 1u << 2,
	NL_NLDEV_HAS_NODE_GUID = 1u << 3,
	NL_NLDEV_HAS_NDEV_INDEX = 1u << 4,
	NL_NLDEV_HAS_NDEV_NAME = 1u << 5,
	NL_NLDEV_HAS_EVENT = 1u << 6,
	NL_NLDEV_HAS_MONITOR_MODE = 1u << 7,
	NL_NLDEV_HAS_FW = 1u << 8,
	NL_NLDEV_HAS_PROTOCOL = 1u << 9,
};

/* One decoded nldev message: whichever attributes it carried. */
struct nl_nldev_msg {
	uint16_t op;		/* NLU_NLDEV_CMD_* */
	uint32_t present;	/* NL_NLDEV_HAS_* */
	uint32_t malformed;	/* attributes with a bad length, skipped */
	uint32_t dev_index;
	char dev_name[NL_NLDEV_NAME_MAX];
	uint32_t port;		/* GET: number of ports; PORT_GET/MONITOR: port index */
	uint64_t node_guid;
	uint32_t ndev_index;
	char ndev_name[NL_NLDEV_IFNAME_MAX];
	uint8_t event;		/* NLU_RDMA_*_EVENT */
	uint8_t monitor_mode;
	char fw[NL_NLDEV_NAME_MAX];
	char protocol[16];
};

/* Reset *m for message op. */
void nl_nldev_msg_init(struct nl_nldev_msg *m, uint16_t op);

/*
 * Feed one top-level attribute tuple. Unknown types are ignored; a known type
 * with a bad length is counted in m->malformed. Returns 0.
 */
int nl_nldev_msg_attr(struct nl_nldev_msg *m, uint16_t type, const void *payload, uint16_t len);

/*
 * Decode a whole netlink message (struct nlmsghdr + attributes) of len bytes.
 * Returns 0, -EPROTO if it is not an nldev message or is truncated in its
 * header, -ENODATA for NLMSG_DONE / NLMSG_NOOP, or the negative errno of an
 * NLMSG_ERROR message (0 for an ACK, reported as -ENOMSG).
 */
int nl_nldev_msg_parse(struct nl_nldev_msg *m, const void *buf, size_t len);

/* "REGISTER", "UNREGISTER", "NETDEV_ATTACH", ...; "UNKNOWN" otherwise. */
const char *nl_nldev_event_name(uint8_t event);

#endif /* MANA_NL_NLDEV_H */
