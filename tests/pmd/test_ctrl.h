/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TESTS_PMD_TEST_CTRL_H
#define MANA_TESTS_PMD_TEST_CTRL_H

/*
 * For DPDK tests that play the control daemon in-process: its side of the
 * proto/ mailbox. The caller owns the mailbox (mbox_close). Any thread,
 * one at a time per mailbox (proto/mbox.h's rules for the ctrl role).
 */
#include <stdio.h>
#include <sys/types.h>

#include "proto/mbox.h"

/* Create the segment seg and listen on sock (relative paths are the
 * test's working directory): 4 ports, 64 ring slots, the process's own
 * uid and gid. NULL after a message on stderr.
 */
static inline struct mbox *
test_ctrl_open(const char *seg, const char *sock)
{
	struct mbox_cfg cfg = {
		.seg_path = seg, .sock_path = sock, .nb_ports = 4, .ring_slots = 64,
		.uid = (uid_t)-1, .gid = (gid_t)-1,
	};
	struct mbox *mb = mbox_create(&cfg);

	if (mb == NULL)
		fprintf(stderr, "mbox_create %s: %s\n", seg, mbox_errmsg());
	return mb;
}

#endif /* MANA_TESTS_PMD_TEST_CTRL_H */
