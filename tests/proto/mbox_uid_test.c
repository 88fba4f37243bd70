/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Who may attach: a child that dropped to uid 65534 is refused, by the
 * socket's mode (0600) and, when the mode is wrong (0666), by ctrl's
 * SO_PEERCRED check with a message naming the uid. Runs unsandboxed (tag
 * local): the sandbox's user namespace maps no uid but root.
 */
#include <signal.h>
#include <sys/wait.h>

#include "tests/proto/mbox_testlib.h"

/* A child with uid 65534 tries to attach. */
static int
foreign_attach(struct mbox *ctrl, char *msg, size_t len)
{
	struct mbox_event ev;
	int pfd[2], st, rc = 0;
	pid_t pid;
	ssize_t n;

	CHECK(pipe(pfd) == 0);
	pid = fork();
	if (pid == 0) {
		struct mbox *mb;

		close(pfd[0]);
		if (setgid(65534) < 0 || setuid(65534) < 0) {
			dprintf(pfd[1], "setuid: %s", strerror(errno));
			_exit(2);
		}
		mb = mbox_attach(SOCK, 0);
		dprintf(pfd[1], "%s", mb ? "attached" : mbox_errmsg());
		_exit(mb ? 0 : errno == EACCES ? 1 : 3);
	}
	close(pfd[1]);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		test_wait_fd(ctrl, 5);
		while (mbox_next(ctrl, &ev) == 1)
			rc |= ev.type == MBOX_EV_PEER_UP;
	}
	n = read(pfd[0], msg, len - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	CHECK(rc == 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_foreign_uid(void)
{
	struct mbox *ctrl = test_ctrl(2, 4);
	char msg[512];
	int rc;

	/* The socket is 0600 root: the kernel refuses the connection. */
	rc = foreign_attach(ctrl, msg, sizeof(msg));
	fprintf(stderr, "uid 65534, socket 0600: %s\n", msg);
	CHECK(rc == 1);
	/* Misconfigured socket mode: ctrl's SO_PEERCRED check refuses. */
	CHECK(chmod(SOCK, 0666) == 0);
	rc = foreign_attach(ctrl, msg, sizeof(msg));
	fprintf(stderr, "uid 65534, socket 0666: %s\n", msg);
	CHECK(rc == 1);
	CHECK(strstr(msg, "uid 65534") != NULL && strstr(msg, "may not attach") != NULL);
	mbox_close(ctrl);
	unlink(SEG);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_enter_dir();
	test_foreign_uid();
	if (test_failures) {
		fprintf(stderr, "mbox_uid_test: %d check(s) failed\n", test_failures);
		return 1;
	}
	printf("mbox_uid_test: ok\n");
	return 0;
}
