/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * libFuzzer target: the nldev decoder (and the uevent parser) on arbitrary
 * bytes, as one datagram of NETLINK_RDMA / NETLINK_KOBJECT_UEVENT. Seeds:
 * the 6.1 / 6.12 recordings (corpus/nldev).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "netlink/nl_nldev.h"
#include "netlink/nl_uevent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t left = size;
	struct nl_nldev_msg m;
	struct nl_uevent ev;

	/* A datagram holds whole messages, back to back. */
	while (left >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr nlh;
		size_t step;

		memcpy(&nlh, p, sizeof(nlh));
		if (nl_nldev_msg_parse(&m, p, left) == 0) {
			if ((m.present & NL_NLDEV_HAS_DEV_NAME) &&
			    strlen(m.dev_name) >= sizeof(m.dev_name))
				abort();
			(void)nl_nldev_event_name(m.event);
		}
		if (nlh.nlmsg_len < sizeof(nlh) || nlh.nlmsg_len > left)
			break;
		step = NLMSG_ALIGN(nlh.nlmsg_len);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
	if (nl_uevent_parse(&ev, data, size) == 0 &&
	    (strlen(ev.name) >= sizeof(ev.name) || strlen(ev.devpath) >= sizeof(ev.devpath)))
		abort();
	return 0;
}
