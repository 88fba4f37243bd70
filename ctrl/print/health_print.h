/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_HEALTH_PRINT_H
#define MANA_CTRL_HEALTH_PRINT_H

/*
 * Rendering of devlink health data through the print layer, field for field
 * as iproute2's devlink/devlink.c does it (pr_out_health, the fmsg printer),
 * so `manactl health ...` and `devlink health ...` print the same text and
 * the same JSON keys. Unlike devlink, an unbalanced or damaged fmsg stream
 * keeps printing and the JSON stays valid (see netlink/nl_fmsg.h).
 * Thread context: the CLI's main thread (the print layer is global).
 */
#include <stdbool.h>
#include <stdint.h>

#include "netlink/nl_dlmsg.h"
#include "netlink/nl_fmsg.h"

/* Handle grouping state of one `health show` listing. */
struct health_print {
	bool present;
	char bus[NL_DL_NAME_MAX];
	char dev[NL_DL_NAME_MAX];
	uint32_t port;
};

/* Open the "health" section (JSON: {"health":{ ). */
void health_print_begin(struct health_print *hp);
/*
 * One reporter of a GET reply or a RECOVER notification. Messages without
 * the attributes iproute2 requires are skipped. Returns 1 if printed.
 */
int health_print_reporter(struct health_print *hp, const struct nl_dl_msg *m);
/* Close the section. */
void health_print_end(struct health_print *hp);

/* fmsg output (dump show, diagnose): begin, feed items, end. */
void fmsg_print_begin(void);
/* An nl_fmsg_cb: arg unused. */
void fmsg_print_item(void *arg, const struct nl_fmsg_item *item);
/* After nl_fmsg_finish(): JSON gets {} for an empty stream. */
void fmsg_print_end(void);

#endif /* MANA_CTRL_HEALTH_PRINT_H */
