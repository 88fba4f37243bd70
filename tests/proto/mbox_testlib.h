/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_MBOX_TESTLIB_H
#define MANA_MBOX_TESTLIB_H

/*
 * Helpers of the mailbox tests. Header-only. A test works in its own
 * directory (mode 0755, the cwd) with relative paths, so that socket paths
 * stay short and a child that drops to another uid can still reach them.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/mbox.h"
#include "tests/lib/test_util.h"

#define SEG "mbox.seg"
#define SOCK "mbox.sock"

static inline void
test_enter_dir(void)
{
	const char *base = getenv("TEST_TMPDIR");
	char path[4096];

	snprintf(path, sizeof(path), "%s/mboxXXXXXX", base ? base : "/tmp");
	if (mkdtemp(path) == NULL || chmod(path, 0755) < 0 || chdir(path) < 0) {
		perror(path);
		exit(1);
	}
}

static inline uint64_t
test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline struct mbox *
test_ctrl(uint32_t ports, uint32_t slots)
{
	struct mbox_cfg cfg = {
		.seg_path = SEG, .sock_path = SOCK, .nb_ports = ports, .ring_slots = slots,
		.uid = (uid_t)-1, .gid = (gid_t)-1,
	};
	struct mbox *mb = mbox_create(&cfg);

	if (mb == NULL)
		fprintf(stderr, "mbox_create: %s\n", mbox_errmsg());
	return mb;
}

/* Wait for mb's fd, at most ms. 1: readable. */
static inline int
test_wait_fd(const struct mbox *mb, int ms)
{
	struct pollfd pfd = { .fd = mbox_fd(mb), .events = POLLIN };

	return poll(&pfd, 1, ms);
}

/* The next event of mb within ms, or 0 (and ev->type MBOX_EV_NONE). */
static inline int
test_next(struct mbox *mb, struct mbox_event *ev, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;
	int rc;

	for (;;) {
		rc = mbox_next(mb, ev);
		if (rc != 0)
			return rc;
		if (test_now_ms() >= end)
			break;
		test_wait_fd(mb, (int)(end - test_now_ms()) + 1);
	}
	ev->type = MBOX_EV_NONE;
	return 0;
}

/* Skip events until one of type comes (within ms). 1: found. */
static inline int
test_expect(struct mbox *mb, unsigned int type, struct mbox_event *ev, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;

	while (test_now_ms() < end)
		if (test_next(mb, ev, (int)(end - test_now_ms()) + 1) == 1 && ev->type == type)
			return 1;
	return 0;
}

struct test_attach {
	const char *sock;
	const uid_t *uids;     /* ctrl uids trusted besides root and us */
	unsigned int nb_uids;
	struct mbox *mb;
	int err;
	char msg[256];
	int done;
};

static inline void *
test_attach_thread(void *arg)
{
	struct test_attach *a = arg;

	a->mb = mbox_attach_trusted(a->sock, a->uids, a->nb_uids, 0);
	a->err = a->mb ? 0 : errno;
	snprintf(a->msg, sizeof(a->msg), "%s", mbox_errmsg());
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Attach a PMD in this process while ctrl's loop runs here: the hello
 * needs ctrl to answer. What ctrl reports meanwhile (PEER_UP) is dropped.
 * On failure *err and msg (when not NULL) get the attach's errno and
 * mbox_errmsg() (thread-local: the attach runs in a thread of its own).
 * uids: trusted besides root and us (mbox_attach_trusted).
 */
static inline struct mbox *
test_attach_trusted_pumped(struct mbox *ctrl, const uid_t *uids, unsigned int nb_uids,
			   int *err, char *msg, size_t len)
{
	struct test_attach a = { .sock = SOCK, .uids = uids, .nb_uids = nb_uids };
	struct mbox_event ev;
	pthread_t t;
	int n = 0;

	pthread_create(&t, NULL, test_attach_thread, &a);
	while (!__atomic_load_n(&a.done, __ATOMIC_ACQUIRE)) {
		test_wait_fd(ctrl, 5);
		/* Only housekeeping: the events are read by the test later. */
		while (n < 16 && mbox_next(ctrl, &ev) == 1)
			n++;
	}
	pthread_join(t, NULL);
	if (a.mb == NULL)
		fprintf(stderr, "mbox_attach: %s\n", a.msg);
	if (err != NULL)
		*err = a.err;
	if (msg != NULL)
		snprintf(msg, len, "%s", a.msg);
	return a.mb;
}

static inline struct mbox *
test_attach_pumped_msg(struct mbox *ctrl, int *err, char *msg, size_t len)
{
	return test_attach_trusted_pumped(ctrl, NULL, 0, err, msg, len);
}

static inline struct mbox *
test_attach_pumped(struct mbox *ctrl, int *err)
{
	return test_attach_pumped_msg(ctrl, err, NULL, 0);
}

struct test_up {
	struct mbox *pmd;
	unsigned int type;
	int up;
	int done;
};

static inline void *
test_up_thread(void *arg)
{
	struct test_up *u = arg;
	struct mbox_event ev;

	u->up = test_expect(u->pmd, u->type, &ev, 3000);
	__atomic_store_n(&u->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Run pmd's loop in a thread until it reports an event of type (e.g.
 * PEER_UP: it reconnects by itself), ctrl's here. 1: it did.
 */
static inline int
test_pmd_event_pumped(struct mbox *ctrl, struct mbox *pmd, unsigned int type)
{
	struct test_up u = { .pmd = pmd, .type = type };
	struct mbox_event ev;
	pthread_t t;

	pthread_create(&t, NULL, test_up_thread, &u);
	while (!__atomic_load_n(&u.done, __ATOMIC_ACQUIRE)) {
		test_wait_fd(ctrl, 5);
		while (mbox_next(ctrl, &ev) == 1)
			;
	}
	pthread_join(t, NULL);
	return u.up;
}

static inline int
test_pmd_up_pumped(struct mbox *ctrl, struct mbox *pmd)
{
	return test_pmd_event_pumped(ctrl, pmd, MBOX_EV_PEER_UP);
}

static inline struct mbox_ident
test_ident(unsigned int i, uint32_t gen)
{
	struct mbox_ident id;

	memset(&id, 0, sizeof(id));
	snprintf(id.pci, sizeof(id.pci), "7870:00:%02x.0", i & 0xffu);
	snprintf(id.ibdev, sizeof(id.ibdev), "mana_%u", i);
	snprintf(id.netdev, sizeof(id.netdev), "eth%u", i);
	id.node_guid = 0x0200000000000000ull | i;
	id.gen = gen;
	id.ifindex = 10 + i;
	return id;
}

#endif /* MANA_MBOX_TESTLIB_H */
