/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * libFuzzer target: arbitrary bytes as the payload of DEVLINK_ATTR_FMSG
 * (the token stream of dump / diagnose), split in two "messages" at the
 * first byte's offset, through the tolerant decoder and manactl's renderer.
 * Properties: callbacks stay balanced; the JSON (plain and pretty) always
 * parses; text never crashes. Seeds: the recorded dump / diagnose streams.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctrl/print/health_print.h"
#include "ctrl/print/print.h"
#include "netlink/nl_fmsg.h"
#include "tests/ctrl/json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
render(const uint8_t *data, size_t size, int json, int pretty)
{
	size_t cut = size > 0 ? (data[0] * 4u) % (size + 1) : 0;
	char *out = NULL;
	size_t len = 0;
	struct nl_fmsg f;
	FILE *mf = open_memstream(&out, &len);

	if (mf == NULL)
		return;
	print_begin(mf, json, pretty);
	fmsg_print_begin();
	nl_fmsg_init(&f, fmsg_print_item, NULL);
	nl_fmsg_feed(&f, data, cut);
	nl_fmsg_feed(&f, data + cut, size - cut);
	nl_fmsg_finish(&f);
	fmsg_print_end();
	print_end();
	fclose(mf);
	if (json && !json_valid(out)) {
		fprintf(stderr, "invalid JSON: %s\n", out);
		abort();
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	render(data, size, 0, 0);
	render(data, size, 1, 0);
	render(data, size, 1, 1);
	return 0;
}
