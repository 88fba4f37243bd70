/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl_dlmsg.h"
#include "nl_tlv.h"
#include "nl_uapi.h"

void
nl_dl_msg_init(struct nl_dl_msg *m, uint8_t cmd)
{
	memset(m, 0, sizeof(*m));
	m->cmd = cmd;
}

static void
dl_u64(struct nl_dl_msg *m, const struct nl_tlv *t, uint64_t *v, uint32_t bit)
{
	if (nl_tlv_u64(t, v) == 0)
		m->present |= bit;
	else
		m->malformed++;
}

static void
dl_u8(struct nl_dl_msg *m, const struct nl_tlv *t, uint8_t *v, uint32_t bit)
{
	if (nl_tlv_u8(t, v) == 0)
		m->present |= bit;
	else
		m->malformed++;
}

int
nl_dl_msg_reporter_attr(struct nl_dl_msg *m, uint16_t type, const void *payload, uint16_t len)
{
	struct nl_tlv t = { .type = type, .len = len, .payload = payload };

	switch (type) {
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER_NAME:
		if (nl_tlv_str(&t, m->reporter, sizeof(m->reporter)))
			m->malformed++;
		m->present |= NL_DL_HAS_NAME;
		break;
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER_STATE:
		dl_u8(m, &t, &m->state, NL_DL_HAS_STATE);
		break;
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER_ERR_COUNT:
		dl_u64(m, &t, &m->err_count, NL_DL_HAS_ERR);
		break;
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER_RECOVER_COUNT:
		dl_u64(m, &t, &m->recover_count, NL_DL_HAS_RECOVER);
		break;
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER_DUMP_TS:
		dl_u64(m, &t, &m->dump_ts, NL_DL_HAS_DUMP_TS);
		break;
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER_DUMP_TS_NS:
		dl_u64(m, &t, &m->dump_ts_ns, NL_DL_HAS_DUMP_TS_NS);
		break;
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER_GRACEFUL_PERIOD:
		dl_u64(m, &t, &m->grace_period, NL_DL_HAS_GRACE);
		break;
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER_BURST_PERIOD:
		dl_u64(m, &t, &m->burst_period, NL_DL_HAS_BURST);
		break;
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER_AUTO_RECOVER:
		dl_u8(m, &t, &m->auto_recover, NL_DL_HAS_AUTO_RECOVER);
		break;
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER_AUTO_DUMP:
		dl_u8(m, &t, &m->auto_dump, NL_DL_HAS_AUTO_DUMP);
		break;
	default:
		break;
	}
	return 0;
}

int
nl_dl_msg_attr(struct nl_dl_msg *m, uint16_t type, const void *payload, uint16_t len)
{
	struct nl_tlv t = { .type = type, .len = len, .payload = payload };
	struct nl_tlv_iter it;
	struct nl_tlv in;

	switch (type) {
	case NLU_DEVLINK_ATTR_BUS_NAME:
		if (nl_tlv_str(&t, m->bus, sizeof(m->bus)))
			m->malformed++;
		m->present |= NL_DL_HAS_BUS;
		break;
	case NLU_DEVLINK_ATTR_DEV_NAME:
		if (nl_tlv_str(&t, m->dev, sizeof(m->dev)))
			m->malformed++;
		m->present |= NL_DL_HAS_DEV;
		break;
	case NLU_DEVLINK_ATTR_PORT_INDEX:
		if (nl_tlv_u32(&t, &m->port) == 0)
			m->present |= NL_DL_HAS_PORT;
		else
			m->malformed++;
		break;
	case NLU_DEVLINK_ATTR_HEALTH_REPORTER:
		m->present |= NL_DL_HAS_REPORTER;
		nl_tlv_iter_init(&it, payload, len);
		while (nl_tlv_next(&it, &in))
			nl_dl_msg_reporter_attr(m, in.type, in.payload, in.len);
		if (it.truncated)
			m->malformed++;
		break;
	case NLU_DEVLINK_ATTR_FMSG:
		m->present |= NL_DL_HAS_FMSG;
		m->fmsg = payload;
		m->fmsg_len = len;
		break;
	default:
		break;
	}
	return 0;
}

int
nl_dl_msg_parse_genl(struct nl_dl_msg *m, const void *buf, size_t len)
{
	struct genlmsghdr g;
	struct nl_tlv_iter it;
	struct nl_tlv t;

	nl_dl_msg_init(m, 0);
	if (len < GENL_HDRLEN)
		return -EPROTO;
	memcpy(&g, buf, sizeof(g));
	m->cmd = g.cmd;
	nl_tlv_iter_init(&it, (const char *)buf + GENL_HDRLEN, len - GENL_HDRLEN);
	while (nl_tlv_next(&it, &t))
		nl_dl_msg_attr(m, t.type, t.payload, t.len);
	if (it.truncated)
		m->malformed++;
	return 0;
}

int
nl_dl_msg_parse(struct nl_dl_msg *m, const void *buf, size_t len)
{
	struct nlmsghdr nlh;

	nl_dl_msg_init(m, 0);
	if (len < sizeof(nlh))
		return -EPROTO;
	memcpy(&nlh, buf, sizeof(nlh));
	if (nlh.nlmsg_len < sizeof(nlh) || nlh.nlmsg_len > len)
		return -EPROTO;
	if (nlh.nlmsg_type == NLMSG_DONE || nlh.nlmsg_type == NLMSG_NOOP)
		return -ENODATA;
	if (nlh.nlmsg_type == NLMSG_ERROR) {
		int error;

		if (nlh.nlmsg_len < sizeof(nlh) + sizeof(error))
			return -EPROTO;
		memcpy(&error, (const char *)buf + sizeof(nlh), sizeof(error));
		return error == 0 ? -ENOMSG : (error < 0 ? error : -error);
	}
	if (nlh.nlmsg_len < NLMSG_HDRLEN)
		return -EPROTO;
	return nl_dl_msg_parse_genl(m, (const char *)buf + NLMSG_HDRLEN,
				    nlh.nlmsg_len - NLMSG_HDRLEN);
}

const char *
nl_dl_state_name(uint8_t state)
{
	switch (state) {
	case NLU_DEVLINK_HEALTH_REPORTER_STATE_HEALTHY:
		return "healthy";
	case NLU_DEVLINK_HEALTH_REPORTER_STATE_ERROR:
		return "error";
	default:
		return "<unknown state>";
	}
}
