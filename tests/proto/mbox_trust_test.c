/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Whom a PMD trusts, in one process: mbox_ctrl_check (root, ourselves, a
 * trusted uid; anyone else refused with a message naming the uid),
 * mbox_user_uid (uids, names, garbage, out of range, unknown users), and
 * mbox_attach_trusted's arguments and its attach to a ctrl of our own uid.
 * The same against a ctrl of another uid, across processes, is in
 * mbox_uid_test (it needs root).
 */
#include <pwd.h>
#include <signal.h>

#include "proto/mbox_priv.h"
#include "tests/proto/mbox_testlib.h"

/* mbox_ctrl_check(path, ctrl, self, trusted...) and its message. */
static void
test_ctrl_check(void)
{
	const uid_t one[] = { 61234 };
	const uid_t two[] = { 61234, 61240 };
	const uid_t all[MBOX_MAX_CTRL_UIDS] = { 1, 2, 3, 4, 5, 6, 7, 4294967294u };

	/* Root and ourselves always; nobody else without a list. */
	CHECK(mbox_ctrl_check("s", 0, 1000, NULL, 0) == 0);
	CHECK(mbox_ctrl_check("s", 1000, 1000, NULL, 0) == 0);
	CHECK(mbox_ctrl_check("s", 0, 0, NULL, 0) == 0);
	CHECK(mbox_ctrl_check("/run/mana/mbox.sock", 61234, 0, NULL, 0) == -EACCES);
	CHECK(strcmp(mbox_errmsg(),
		     "/run/mana/mbox.sock is served by uid 61234, neither root nor us: refused") == 0);
	/* A trusted uid, and only that one. */
	CHECK(mbox_ctrl_check("s", 61234, 0, one, 1) == 0);
	CHECK(mbox_ctrl_check("s", 61234, 1000, one, 1) == 0);
	CHECK(mbox_ctrl_check("s", 0, 1000, one, 1) == 0);
	CHECK(mbox_ctrl_check("s", 1000, 1000, one, 1) == 0);
	CHECK(mbox_ctrl_check("sock", 61235, 0, one, 1) == -EACCES);
	CHECK(strcmp(mbox_errmsg(),
		     "sock is served by uid 61235, neither root, us nor a trusted uid (61234): refused") == 0);
	/* Our own uid in another's list, a list of two, a full list. */
	CHECK(mbox_ctrl_check("s", 61240, 0, two, 2) == 0);
	CHECK(mbox_ctrl_check("s", 61241, 0, two, 2) == -EACCES);
	CHECK(strstr(mbox_errmsg(), "uid 61241, neither root, us nor a trusted uid (61234, 61240)") != NULL);
	CHECK(mbox_ctrl_check("s", 4294967294u, 0, all, MBOX_MAX_CTRL_UIDS) == 0);
	CHECK(mbox_ctrl_check("s", 8, 0, all, MBOX_MAX_CTRL_UIDS) == -EACCES);
	CHECK(strstr(mbox_errmsg(), "(1, 2, 3, 4, 5, 6, 7, 4294967294): refused") != NULL);
	/* Only the first n count. */
	CHECK(mbox_ctrl_check("s", 61240, 0, two, 1) == -EACCES);
}

/* user -> want (rc 0) or the errno and a piece of the message. */
static void
expect_user(const char *user, int want_rc, uid_t want_uid, const char *want_msg)
{
	uid_t uid = 12345;
	int rc = mbox_user_uid(user, &uid);

	fprintf(stderr, "'%s': %d %s\n", user != NULL ? user : "(null)", rc,
		rc == 0 ? "" : mbox_errmsg());
	CHECK(rc == want_rc);
	if (rc == 0)
		CHECK(uid == want_uid);
	else
		CHECK(uid == 12345);
	if (want_msg != NULL)
		CHECK(strstr(mbox_errmsg(), want_msg) != NULL);
}

static void
test_user_uid(void)
{
	struct passwd *pw;

	/* Decimal uids, the whole range but (uid_t)-1. */
	expect_user("0", 0, 0, NULL);
	expect_user("61234", 0, 61234, NULL);
	expect_user("007", 0, 7, NULL);
	expect_user("4294967294", 0, 4294967294u, NULL);
	expect_user("4294967295", -ERANGE, 0, "uid 4294967295 is out of range (0 to 4294967294)");
	expect_user("99999999999999999999999", -ERANGE, 0, "is out of range");
	/* Names, from the user database. */
	expect_user("root", 0, 0, NULL);
	pw = getpwuid(getuid());
	if (pw != NULL && strlen(pw->pw_name) <= MBOX_USER_MAX)
		expect_user(pw->pw_name, 0, getuid(), NULL);
	expect_user("mana-no-such-user", -ENOENT, 0, "no user 'mana-no-such-user'");
	expect_user("No_Such.User-1", -ENOENT, 0, "no user 'No_Such.User-1'");
	/* Garbage never reaches the database. */
	expect_user("", -EINVAL, 0, "no user given");
	expect_user(NULL, -EINVAL, 0, "no user given");
	expect_user("12ab", -EINVAL, 0, "'12ab' is neither a uid (digits only) nor a user name");
	expect_user("-1", -EINVAL, 0, "'-1' is neither a user name");
	expect_user("+5", -EINVAL, 0, "'+5' is neither a user name");
	expect_user(" 5", -EINVAL, 0, "neither");
	expect_user("5 ", -EINVAL, 0, "neither");
	expect_user("mana ctrld", -EINVAL, 0, "neither");
	expect_user("mana,ctrld", -EINVAL, 0, "neither");
	expect_user("mana/ctrld", -EINVAL, 0, "neither");
	expect_user(".hidden", -EINVAL, 0, "neither");
	expect_user("a23456789012345678901234567890123", -EINVAL, 0,
		    "longer than a user name (32 characters)");
	expect_user("a2345678901234567890123456789012", -ENOENT, 0, "no user");
}

/* mbox_attach_trusted: bad arguments, and a trusted list changes nothing
 * for a ctrl of our own uid.
 */
static void
test_attach_args(void)
{
	const uid_t nine[MBOX_MAX_CTRL_UIDS + 1] = { 1 };
	const uid_t none[] = { (uid_t)-1 };
	const uid_t other[] = { 61234 };
	struct mbox_ident ident;
	struct mbox_event ev;
	struct mbox *ctrl, *pmd;

	errno = 0;
	CHECK(mbox_attach_trusted(SOCK, nine, MBOX_MAX_CTRL_UIDS + 1, 0) == NULL && errno == EINVAL);
	CHECK(mbox_attach_trusted(SOCK, NULL, 1, 0) == NULL && errno == EINVAL);
	CHECK(mbox_attach_trusted(SOCK, none, 1, 0) == NULL && errno == EINVAL);
	CHECK(strstr(mbox_errmsg(), "uid 4294967295 is no user's") != NULL);
	CHECK(mbox_attach_trusted(NULL, other, 1, 0) == NULL && errno == EINVAL);
	CHECK(mbox_attach_trusted(SOCK, other, 1, 1) == NULL && errno == EINVAL);

	/* A ctrl of our own uid: a list of others changes nothing. */
	ctrl = test_ctrl(2, 4);
	CHECK(ctrl != NULL);
	if (ctrl == NULL)
		return;
	ident = test_ident(0, 1);
	CHECK(mbox_port_add(ctrl, &ident) == 0);
	pmd = test_attach_trusted_pumped(ctrl, other, 1, NULL, NULL, 0);
	CHECK(pmd != NULL);
	if (pmd != NULL) {
		CHECK(test_expect(pmd, MBOX_EV_PEER_UP, &ev, 1000));
		CHECK(mbox_port_claim(pmd, 0) == 0);
		ev = (struct mbox_event){ .type = MBOX_EV_GONE, .port = 0 };
		CHECK(mbox_post(ctrl, &ev) == 0);
		CHECK(test_expect(pmd, MBOX_EV_GONE, &ev, 1000) && ev.port == 0);
		mbox_close(pmd);
	}
	mbox_close(ctrl);
	unlink(SEG);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_enter_dir();
	test_ctrl_check();
	test_user_uid();
	test_attach_args();
	if (test_failures) {
		fprintf(stderr, "mbox_trust_test: %d check(s) failed\n", test_failures);
		return 1;
	}
	printf("mbox_trust_test: ok\n");
	return 0;
}
