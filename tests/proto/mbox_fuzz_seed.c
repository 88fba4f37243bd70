/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * mbox_fuzz_seed DIR: write the seed corpus of mbox_fuzz (small valid
 * segments with records and events both ways). Run by hand; the output is
 * checked in under tests/proto/corpus/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/mbox_priv.h"
#include "tests/proto/mbox_testlib.h"

static void
seed(const char *dir, const char *name, uint32_t ports, uint32_t slots, unsigned int events)
{
	size_t len = mbox_seg_size(ports, slots);
	uint8_t *buf = calloc(1, len);
	struct mbox_pmd_rec prec = { .state = MBOX_PMD_WAIT_HW, .nb_reset = 2, .nb_timeline = 1 };
	struct mbox_ctrl_rec crec = { .hw_state = MBOX_HW_SERVICE, .svc_source = MBOX_SRC_DEVLINK };
	struct mbox_event ev;
	struct mbox *ctrl, *pmd;
	char path[4096];
	unsigned int i;
	FILE *f;

	mbox_seg_format(buf, ports, slots, 0x1122334455667788ull);
	ctrl = mbox_mem_open(buf, len, MBOX_ROLE_CTRL);
	pmd = mbox_mem_open(buf, len, MBOX_ROLE_PMD);
	for (i = 0; i < ports; i++) {
		struct mbox_ident id = test_ident(i, 1);

		mbox_port_add(ctrl, &id);
		crec.ident = id;
		mbox_port_set_ctrl(ctrl, i, &crec);
		prec.timeline[0].seq = 2;
		prec.timeline[0].total_ns = 5000;
		prec.timeline[0].phase_ns[2] = 4000;
		prec.timeline[0].outcome = MBOX_PMD_ACTIVE;
		mbox_port_set_pmd(pmd, i, &prec);
	}
	for (i = 0; i < events; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.port = (uint16_t)(i % ports);
		ev.type = (uint16_t)(MBOX_EV_SVC_START + i % 4);
		if (ev.type == MBOX_EV_HW_BACK)
			ev.u.ident = test_ident(ev.port, 2);
		mbox_post(ctrl, &ev);
		memset(&ev, 0, sizeof(ev));
		ev.port = (uint16_t)(i % ports);
		ev.type = (uint16_t)(MBOX_EV_RESET_ENTER + i % 4);
		if (ev.type >= MBOX_EV_RECOVERED) {
			ev.u.result.seq = 1;
			ev.u.result.total_ns = 100;
			ev.u.result.phase_ns[1] = 50;
			ev.u.result.error = ev.type == MBOX_EV_RECOVERY_FAILED ? -5 : 0;
		}
		mbox_post(pmd, &ev);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
	mbox_close(pmd);
	mbox_close(ctrl);
	free(buf);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mbox_fuzz_seed DIR\n");
		return 2;
	}
	seed(argv[1], "seg_1port_2slots", 1, 2, 1);
	seed(argv[1], "seg_1port_4slots_full", 1, 4, 6);
	seed(argv[1], "seg_2ports_2slots", 2, 2, 3);
	return 0;
}
