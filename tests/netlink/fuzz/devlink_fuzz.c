/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * libFuzzer target: one devlink genl message (nlmsghdr + genlmsghdr +
 * attributes) through the reporter decoder and manactl's `health show`
 * renderer (text and JSON; the JSON must parse), and any FMSG nest through
 * the fmsg decoder. Seeds: every devlink message of the recordings.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctrl/print/health_print.h"
#include "ctrl/print/print.h"
#include "netlink/nl_dlmsg.h"
#include "netlink/nl_fmsg.h"
#include "tests/ctrl/json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int depth;

static void
count_cb(void *arg, const struct nl_fmsg_item *it)
{
	(void)arg;
	if (it->kind == NL_FMSG_OBJ_START || it->kind == NL_FMSG_ARR_START)
		depth++;
	else if (it->kind == NL_FMSG_OBJ_END || it->kind == NL_FMSG_ARR_END)
		depth--;
	if (depth < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct health_print hp;
	struct nl_dl_msg m;
	struct nl_fmsg f;
	char *out = NULL;
	size_t len = 0;
	FILE *mf;

	if (nl_dl_msg_parse(&m, data, size) != 0)
		return 0;
	for (int json = 0; json < 2; json++) {
		mf = open_memstream(&out, &len);
		if (mf == NULL)
			return 0;
		print_begin(mf, json, json);
		health_print_begin(&hp);
		health_print_reporter(&hp, &m);
		health_print_end(&hp);
		print_end();
		fclose(mf);
		if (json && !json_valid(out))
			abort();
		free(out);
		out = NULL;
	}
	if (m.present & NL_DL_HAS_FMSG) {
		depth = 0;
		nl_fmsg_init(&f, count_cb, NULL);
		nl_fmsg_feed(&f, m.fmsg, m.fmsg_len);
		nl_fmsg_finish(&f);
		if (depth != 0)
			abort();
	}
	return 0;
}
