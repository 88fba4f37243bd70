/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <inttypes.h>
#include <stdio.h>

#include "ctrl/ctrld/log.h"
#include "ctrl/ctrld/sink_log.h"

static int
sink_log_publish(void *ctx, const struct ctrl_event *ev)
{
	char t[24], idx[16], guid[24], ifi[16], down[24];

	(void)ctx;
	snprintf(t, sizeof(t), "%" PRIu64, ev->t_ns);
	snprintf(idx, sizeof(idx), "%u", ev->ident->index);
	snprintf(guid, sizeof(guid), "%016" PRIx64, ev->ident->node_guid);
	snprintf(ifi, sizeof(ifi), "%u", ev->ident->ifindex);
	snprintf(down, sizeof(down), "%" PRIu64,
		 ev->kind == CTRL_EV_SERVICE_STARTED ? 0 : (ev->t_ns - ev->started_ns) / 1000000);
	log_rec(ev->kind == CTRL_EV_GONE_FOR_GOOD ? LOG_LVL_ERR : LOG_LVL_INFO,
		ctrl_event_kind_name(ev->kind), "event", ctrl_event_kind_name(ev->kind), "dev",
		ev->key, "source", ev->source, "reason", ev->reason, "t_mono_ns", t, "index", idx,
		"node_guid", guid, "netdev", ev->ident->netdev, "ifindex", ifi, "downtime_ms", down,
		NULL);
	return 0;
}

const struct ctrl_sink sink_log = {
	.publish = sink_log_publish,
	.ctx = NULL,
};
