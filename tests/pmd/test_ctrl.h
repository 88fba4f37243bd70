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
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

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

/* A control daemon played by a child process (so that a test can kill it):
 * fork, and run child_main(command pipe's read end, report pipe's write
 * end) in the child, which then exits 0. The parent gets the child's pid,
 * the command pipe's write end and the report pipe's read end. Exits the
 * test on a pipe or fork failure.
 */
static inline pid_t
test_ctrl_fork(void (*child_main)(int cmd, int report), int *cmd_wr, int *report_rd)
{
	int cmd[2], report[2];
	pid_t child;

	if (pipe(cmd) != 0 || pipe(report) != 0) {
		perror("pipe");
		exit(1);
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		exit(1);
	}
	if (child == 0) {
		close(cmd[1]);
		close(report[0]);
		child_main(cmd[0], report[1]);
		_exit(0);
	}
	close(cmd[0]);
	close(report[1]);
	*cmd_wr = cmd[1];
	*report_rd = report[0];
	return child;
}

#endif /* MANA_TESTS_PMD_TEST_CTRL_H */
