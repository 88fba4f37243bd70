/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <string.h>

#include <linux/netlink.h>

#include "nl_nldev.h"
#include "nl_tlv.h"
#include "nl_uapi.h"

void
nl_nldev_msg_init(struct nl_nldev_msg *m, uint16_t op)
{
	memset(m, 0, sizeof(*m));
	m->op = op;
}

int
nl_nldev_msg_attr(struct nl_nldev_msg *m, uint16_t type, const void *payload, uint16_t len)
{
	struct nl_tlv t = { .type = type, .len = len, .payload = payload };
	int bad = 0;

	switch (type) {
	case NLU_NLDEV_ATTR_DEV_INDEX:
		bad = nl_tlv_u32(&t, &m->dev_index);
		m->present |= bad ? 0 : NL_NLDEV_HAS_DEV_INDEX;
		break;
	case NLU_NLDEV_ATTR_DEV_NAME:
		bad = nl_tlv_str(&t, m->dev_name, sizeof(m->dev_name));
		m->present |= NL_NLDEV_HAS_DEV_NAME;
		break;
	case NLU_NLDEV_ATTR_PORT_INDEX:
		bad = nl_tlv_u32(&t, &m->port);
		m->present |= bad ? 0 : NL_NLDEV_HAS_PORT;
		break;
	case NLU_NLDEV_ATTR_NODE_GUID:
		bad = nl_tlv_u64(&t, &m->node_guid);
		m->present |= bad ? 0 : NL_NLDEV_HAS_NODE_GUID;
		break;
	case NLU_NLDEV_ATTR_NDEV_INDEX:
		bad = nl_tlv_u32(&t, &m->ndev_index);
		m->present |= bad ? 0 : NL_NLDEV_HAS_NDEV_INDEX;
		break;
	case NLU_NLDEV_ATTR_NDEV_NAME:
		bad = nl_tlv_str(&t, m->ndev_name, sizeof(m->ndev_name));
		m->present |= NL_NLDEV_HAS_NDEV_NAME;
		break;
	case NLU_NLDEV_ATTR_EVENT_TYPE:
		bad = nl_tlv_u8(&t, &m->event);
		m->present |= bad ? 0 : NL_NLDEV_HAS_EVENT;
		break;
	case NLU_NLDEV_SYS_ATTR_MONITOR_MODE:
		bad = nl_tlv_u8(&t, &m->monitor_mode);
		m->present |= bad ? 0 : NL_NLDEV_HAS_MONITOR_MODE;
		break;
	case NLU_NLDEV_ATTR_FW_VERSION:
		bad = nl_tlv_str(&t, m->fw, sizeof(m->fw));
		m->present |= NL_NLDEV_HAS_FW;
		break;
	case NLU_NLDEV_ATTR_DEV_PROTOCOL:
		bad = nl_tlv_str(&t, m->protocol, sizeof(m->protocol));
		m->present |= NL_NLDEV_HAS_PROTOCOL;
		break;
	default:
		break;
	}
	if (bad)
		m->malformed++;
	return 0;
}

int
nl_nldev_msg_parse(struct nl_nldev_msg *m, const void *buf, size_t len)
{
	struct nlmsghdr nlh;
	struct nl_tlv_iter it;
	struct nl_tlv t;

	nl_nldev_msg_init(m, 0);
	if (len < sizeof(nlh))
		return -EPROTO;
	memcpy(&nlh, buf, sizeof(nlh));
	if (nlh.nlmsg_len < sizeof(nlh) || nlh.nlmsg_len > len)
		return -EPROTO;
	if (nlh.nlmsg_type == NLMSG_DONE || nlh.nlmsg_type == NLMSG_NOOP)
		return -ENODATA;
	if (nlh.nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr e;

		if (nlh.nlmsg_len < sizeof(nlh) + sizeof(e.error))
			return -EPROTO;
		memcpy(&e.error, (const char *)buf + sizeof(nlh), sizeof(e.error));
		return e.error == 0 ? -ENOMSG : (e.error < 0 ? e.error : -e.error);
	}
	if (NLU_RDMA_NL_GET_CLIENT(nlh.nlmsg_type) != NLU_RDMA_NL_NLDEV)
		return -EPROTO;
	m->op = NLU_RDMA_NL_GET_OP(nlh.nlmsg_type);
	nl_tlv_iter_init(&it, (const char *)buf + NLMSG_HDRLEN,
			 nlh.nlmsg_len > NLMSG_HDRLEN ? nlh.nlmsg_len - NLMSG_HDRLEN : 0);
	while (nl_tlv_next(&it, &t))
		nl_nldev_msg_attr(m, t.type, t.payload, t.len);
	if (it.truncated)
		m->malformed++;
	return 0;
}

const char *
nl_nldev_event_name(uint8_t event)
{
	switch (event) {
	case NLU_RDMA_REGISTER_EVENT:
		return "REGISTER";
	case NLU_RDMA_UNREGISTER_EVENT:
		return "UNREGISTER";
	case NLU_RDMA_NETDEV_ATTACH_EVENT:
		return "NETDEV_ATTACH";
	case NLU_RDMA_NETDEV_DETACH_EVENT:
		return "NETDEV_DETACH";
	case NLU_RDMA_RENAME_EVENT:
		return "RENAME";
	case NLU_RDMA_NETDEV_RENAME_EVENT:
		return "NETDEV_RENAME";
	default:
		return "UNKNOWN";
	}
}
