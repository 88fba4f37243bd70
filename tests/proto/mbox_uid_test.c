/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Who may attach, across uids:
 *  - a child that dropped to uid 65534 is refused, by the socket's mode
 *    (0600) and, when the mode is wrong (0666), by ctrl's SO_PEERCRED check
 *    with a message naming the uid;
 *  - a ctrl running as uid 61234 (as systemd's DynamicUser= gives it, in a
 *    directory of its own as RuntimeDirectory= does): a root PMD refuses it,
 *    and so does one trusting another uid, both with a message naming 61234;
 *    one trusting 61234 attaches and gets its events; when ctrl comes back
 *    under another uid (systemd chowns the runtime directory to the new
 *    dynamic uid) that PMD gets MBOX_EV_UNTRUSTED and the library stops
 *    reconnecting; a new attach trusting the new uid gets the same segment;
 *  - PMDs not running as root (uid 61236, group 61300): the socket of a
 *    ctrl of another uid is out of their reach (0600), unless the ctrl is a
 *    member of their group and told it (mbox_cfg.gid): then it gives the
 *    files to the group (0660) and they attach.
 * Runs unsandboxed (tag local): the sandbox's user namespace maps no uid
 * but root.
 */
#include <grp.h>
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

#define DYN_UID 61234     /* in systemd's DynamicUser range 61184..65519 */
#define NEW_UID 61235     /* the same unit's uid after a restart */
#define DYN_DIR "dyn"     /* its RuntimeDirectory= */
#define DYN_SEG DYN_DIR "/mbox"
#define DYN_SOCK DYN_DIR "/mbox.sock"
#define PMD_UID 61236     /* a DPDK primary not running as root */
#define PMD_GID 61300     /* its group */

/*
 * A ctrl in a child running as uid (and gid) uid, and member of group
 * unless it is (gid_t)-1 (then the PMDs' group: mbox_cfg.gid): it makes or
 * re-adopts DYN_SEG, publishes port 0 and posts SVC_START to it at start
 * and at each PMD's PEER_UP, until killed. Returns its pid once it listens,
 * or -1.
 */
static pid_t
ctrl_as(uid_t uid, gid_t group)
{
	int pfd[2];
	pid_t pid;
	char b;

	CHECK(pipe(pfd) == 0);
	pid = fork();
	if (pid == 0) {
		struct mbox_cfg cfg = {
			.seg_path = DYN_SEG, .sock_path = DYN_SOCK, .nb_ports = 2,
			.ring_slots = 4, .uid = (uid_t)-1, .gid = group,
		};
		struct mbox_ident id = test_ident(0, 1);
		struct mbox_event ev;
		struct mbox *mb;

		close(pfd[0]);
		if (setgroups(group == (gid_t)-1 ? 0 : 1, &group) < 0 || setgid(uid) < 0 ||
		    setuid(uid) < 0) {
			perror("ctrl: setuid");
			_exit(2);
		}
		mb = mbox_create(&cfg);
		if (mb == NULL || mbox_port_add(mb, &id) != 0) {
			fprintf(stderr, "ctrl as uid %u: %s\n", (unsigned int)uid, mbox_errmsg());
			_exit(3);
		}
		/* One at start: the PMD that claims the port takes it. */
		ev = (struct mbox_event){ .type = MBOX_EV_SVC_START, .port = 0 };
		ev.u.svc.source = MBOX_SRC_OPERATOR;
		mbox_post(mb, &ev);
		if (write(pfd[1], "", 1) != 1)
			_exit(4);
		for (;;) {
			test_wait_fd(mb, 1000);
			while (mbox_next(mb, &ev) == 1) {
				if (ev.type != MBOX_EV_PEER_UP)
					continue;
				ev = (struct mbox_event){ .type = MBOX_EV_SVC_START, .port = 0 };
				ev.u.svc.source = MBOX_SRC_OPERATOR;
				mbox_post(mb, &ev);
			}
		}
	}
	close(pfd[1]);
	if (read(pfd[0], &b, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pfd[0]);
	return pid;
}

static void
ctrl_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A root PMD trusting nb_uids uids attaches: the errno, and the message. */
static struct mbox *
attach_as_root(const uid_t *uids, unsigned int nb_uids, char *msg, size_t len)
{
	struct mbox *mb = mbox_attach_trusted(DYN_SOCK, uids, nb_uids, 0);

	snprintf(msg, len, "%s", mb != NULL ? "attached" : mbox_errmsg());
	fprintf(stderr, "trusting %u uid(s) %u: %s\n", nb_uids, nb_uids ? (unsigned int)uids[0] : 0,
		msg);
	return mb;
}

/* The PMD claims port 0 and gets the SVC_START ctrl posted at its PEER_UP. */
static void
claim_and_expect(struct mbox *pmd)
{
	struct mbox_event ev;
	int port = mbox_port_find(pmd, test_ident(0, 1).pci);

	CHECK(port == 0);
	CHECK(mbox_port_claim(pmd, 0) == 0);
	CHECK(test_expect(pmd, MBOX_EV_SVC_START, &ev, 3000) && ev.port == 0 &&
	      ev.u.svc.source == MBOX_SRC_OPERATOR);
}

static void
test_ctrl_of_another_uid(void)
{
	const uid_t dyn[] = { DYN_UID };
	const uid_t fresh[] = { NEW_UID };
	struct mbox_info info;
	struct mbox_event ev;
	struct mbox *pmd;
	char msg[512];
	pid_t ctrl;

	CHECK(mkdir(DYN_DIR, 0755) == 0 && chown(DYN_DIR, DYN_UID, DYN_UID) == 0);
	ctrl = ctrl_as(DYN_UID, (gid_t)-1);
	CHECK(ctrl > 0);
	/* Root and itself only: refused, naming the uid. */
	errno = 0;
	CHECK(attach_as_root(NULL, 0, msg, sizeof(msg)) == NULL && errno == EACCES);
	CHECK(strstr(msg, "mbox.sock is served by uid 61234, neither root nor us: refused") != NULL);
	/* Trusting another uid: refused too. */
	errno = 0;
	CHECK(attach_as_root(fresh, 1, msg, sizeof(msg)) == NULL && errno == EACCES);
	CHECK(strstr(msg, "served by uid 61234, neither root, us nor a trusted uid (61235)") != NULL);
	/* Trusting it: attached, the segment is its own, events come. */
	pmd = attach_as_root(dyn, 1, msg, sizeof(msg));
	CHECK(pmd != NULL);
	if (pmd == NULL) {
		ctrl_kill(ctrl);
		return;
	}
	CHECK(test_expect(pmd, MBOX_EV_PEER_UP, &ev, 1000) && ev.u.peer.uid == DYN_UID);
	claim_and_expect(pmd);
	CHECK(mbox_info(pmd, &info) == 0 && info.ctrl_gen == 1);

	/* ctrl restarts under a new uid; systemd gives it the directory. */
	ctrl_kill(ctrl);
	CHECK(test_expect(pmd, MBOX_EV_PEER_DOWN, &ev, 3000));
	CHECK(chown(DYN_DIR, NEW_UID, NEW_UID) == 0 && chown(DYN_SEG, NEW_UID, NEW_UID) == 0);
	ctrl = ctrl_as(NEW_UID, (gid_t)-1);
	CHECK(ctrl > 0);
	/* Its SVC_START (posted at start) is not taken from an untrusted ctrl. */
	while (test_next(pmd, &ev, 3000) == 1 && ev.type != MBOX_EV_UNTRUSTED)
		CHECK(ev.type != MBOX_EV_SVC_START);
	CHECK(ev.type == MBOX_EV_UNTRUSTED);
	CHECK(ev.port == MBOX_PORT_ANY && ev.u.peer.uid == NEW_UID && ev.u.peer.pid == (uint32_t)ctrl);
	/* The library stopped reconnecting: nothing more. */
	CHECK(test_next(pmd, &ev, 500) == 0);
	mbox_close(pmd);
	/* Attached again, trusting the new uid: the same segment, re-adopted;
	 * the SVC_START of its start waited for us.
	 */
	pmd = attach_as_root(fresh, 1, msg, sizeof(msg));
	CHECK(pmd != NULL);
	if (pmd != NULL) {
		claim_and_expect(pmd);
		CHECK(test_expect(pmd, MBOX_EV_SVC_START, &ev, 3000));
		CHECK(mbox_info(pmd, &info) == 0 && info.ctrl_gen == 2);
		mbox_close(pmd);
	}
	ctrl_kill(ctrl);
	unlink(DYN_SEG);
	unlink(DYN_SOCK);
}

/* A PMD child of uid PMD_UID, group PMD_GID, trusting DYN_UID: attaches,
 * claims port 0, gets SVC_START. Its exit code: 0, or 1 with msg.
 */
static int
pmd_child(char *msg, size_t len)
{
	int pfd[2], st;
	pid_t pid;
	ssize_t n;

	CHECK(pipe(pfd) == 0);
	pid = fork();
	if (pid == 0) {
		const uid_t dyn[] = { DYN_UID };
		struct mbox_event ev;
		struct mbox *mb;

		close(pfd[0]);
		if (setgroups(0, NULL) < 0 || setgid(PMD_GID) < 0 || setuid(PMD_UID) < 0) {
			dprintf(pfd[1], "setuid: %s", strerror(errno));
			_exit(2);
		}
		mb = mbox_attach_trusted(DYN_SOCK, dyn, 1, 0);
		if (mb == NULL) {
			dprintf(pfd[1], "%s", mbox_errmsg());
			_exit(1);
		}
		if (mbox_port_claim(mb, 0) < 0 || !test_expect(mb, MBOX_EV_SVC_START, &ev, 3000)) {
			dprintf(pfd[1], "attached, but no SVC_START: %s", mbox_errmsg());
			_exit(3);
		}
		dprintf(pfd[1], "attached, got SVC_START");
		mbox_close(mb);
		_exit(0);
	}
	close(pfd[1]);
	waitpid(pid, &st, 0);
	n = read(pfd[0], msg, len - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	fprintf(stderr, "PMD uid %u gid %u: %s\n", PMD_UID, PMD_GID, msg);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * PMDs not running as root: a ctrl of another uid that is a member of the
 * PMDs' group (SupplementaryGroups= of a DynamicUser= unit) gives the socket
 * to that group (0660) and lets them in; without the group it cannot.
 */
static void
test_ctrl_with_the_pmds_group(void)
{
	char msg[512];
	pid_t ctrl;

	CHECK(chown(DYN_DIR, DYN_UID, DYN_UID) == 0);
	/* The socket is the daemon's alone (0600): the kernel refuses. */
	ctrl = ctrl_as(DYN_UID, (gid_t)-1);
	CHECK(ctrl > 0);
	CHECK(pmd_child(msg, sizeof(msg)) == 1 && strstr(msg, "Permission denied") != NULL);
	ctrl_kill(ctrl);
	unlink(DYN_SEG);
	/* Given to the PMDs' group, of which the daemon is a member. */
	ctrl = ctrl_as(DYN_UID, PMD_GID);
	CHECK(ctrl > 0);
	{
		struct stat st;

		CHECK(stat(DYN_SOCK, &st) == 0 && st.st_uid == DYN_UID && st.st_gid == PMD_GID &&
		      (st.st_mode & 0777) == 0660);
		CHECK(stat(DYN_SEG, &st) == 0 && st.st_uid == DYN_UID && st.st_gid == PMD_GID &&
		      (st.st_mode & 0777) == 0660);
	}
	CHECK(pmd_child(msg, sizeof(msg)) == 0);
	ctrl_kill(ctrl);
	unlink(DYN_SEG);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_enter_dir();
	test_foreign_uid();
	test_ctrl_of_another_uid();
	test_ctrl_with_the_pmds_group();
	if (test_failures) {
		fprintf(stderr, "mbox_uid_test: %d check(s) failed\n", test_failures);
		return 1;
	}
	printf("mbox_uid_test: ok\n");
	return 0;
}
