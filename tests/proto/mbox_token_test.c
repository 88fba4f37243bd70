/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Connection tokens are never reused for the life of a segment (README,
 * section 7): a restarted ctrl that re-adopts the segment continues after
 * the last token the earlier one issued, also at the end of what a 32-bit
 * token holds. There ctrl refuses the hello (ENOSPC) instead of handing a
 * token out again, and a restarted ctrl refuses the spent segment unless
 * told MBOX_F_REPLACE. The end is reached by fast-forwarding the segment's
 * generation counter in the file, as if the segment had served 2^27
 * connections.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>

#include "proto/mbox_priv.h"
#include "tests/proto/mbox_testlib.h"

/* The last generation a token (gen * MBOX_MAX_CONNS + slot) holds in 32 bits. */
#define LAST_GEN (UINT32_MAX / MBOX_MAX_CONNS)

static uint32_t seen[16];
static unsigned int nb_seen;

/* A token ctrl just issued: never one it issued before, on this segment. */
static void
issued(struct mbox *pmd, const char *when)
{
	struct mbox_info info;
	unsigned int i;

	CHECK(mbox_info(pmd, &info) == 0 && info.token != 0);
	for (i = 0; i < nb_seen && seen[i] != info.token; i++)
		;
	if (i < nb_seen)
		fprintf(stderr, "%s: token %u (generation %u, slot %u) reissued: "
			"it was token #%u of this segment\n", when, info.token,
			info.token / MBOX_MAX_CONNS, info.token % MBOX_MAX_CONNS, i + 1);
	CHECK(i == nb_seen);
	if (nb_seen < sizeof(seen) / sizeof(seen[0]))
		seen[nb_seen++] = info.token;
}

/* The segment file's generation counter, as the segment's last ctrl left it. */
static void
set_conn_gen(uint32_t gen)
{
	int fd = open(SEG, O_RDWR);
	struct mbox_hdr *h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	CHECK(fd >= 0 && h != MAP_FAILED);
	if (fd < 0 || h == MAP_FAILED)
		exit(1);
	h->conn_gen = gen;
	munmap(h, sizeof(*h));
	close(fd);
}

int
main(void)
{
	struct mbox_cfg cfg = { .seg_path = SEG, .sock_path = SOCK, .nb_ports = 2,
				.ring_slots = 4, .uid = (uid_t)-1, .gid = (gid_t)-1,
				.flags = MBOX_F_REPLACE };
	struct mbox_ident id = test_ident(1, 1);
	struct mbox *ctrl, *pmd, *late;
	struct mbox_event ev;
	struct mbox_info a, b;
	char msg[256] = "";
	uint64_t key;
	int err = 0;

	signal(SIGPIPE, SIG_IGN);
	test_enter_dir();

	/* A PMD attaches, ctrl restarts, the PMD reconnects: two tokens. */
	ctrl = test_ctrl(2, 4);
	CHECK(ctrl != NULL && mbox_port_add(ctrl, &id) == 0);
	pmd = test_attach_pumped(ctrl, NULL);
	if (ctrl == NULL || pmd == NULL)
		return 1;
	issued(pmd, "first attach");
	CHECK(mbox_info(ctrl, &a) == 0);
	key = a.key;
	CHECK(mbox_port_claim(pmd, 0) == 0);
	mbox_close(ctrl);
	/* Takes the attach's PEER_UP on the way. */
	CHECK(test_expect(pmd, MBOX_EV_PEER_DOWN, &ev, 1000));
	ctrl = test_ctrl(2, 4);
	CHECK(ctrl != NULL);
	if (ctrl == NULL)
		return 1;
	CHECK(test_pmd_up_pumped(ctrl, pmd));
	issued(pmd, "reconnection to a restarted ctrl");
	mbox_close(pmd);
	CHECK(test_expect(ctrl, MBOX_EV_PEER_DOWN, &ev, 1000));
	mbox_close(ctrl);

	/* The segment has served all but one generation; a restarted ctrl
	 * gives the last one, then refuses: never a token already used.
	 */
	set_conn_gen(LAST_GEN - 1);
	ctrl = test_ctrl(2, 4);
	CHECK(ctrl != NULL);
	if (ctrl == NULL)
		return 1;
	pmd = test_attach_pumped(ctrl, NULL);
	CHECK(pmd != NULL);
	if (pmd != NULL) {
		issued(pmd, "attach to a restarted ctrl, last generation");
		CHECK(mbox_info(pmd, &a) == 0 && a.token / MBOX_MAX_CONNS == LAST_GEN);
		CHECK(mbox_port_claim(pmd, 0) == 0);
	}
	late = test_attach_pumped_msg(ctrl, &err, msg, sizeof(msg));
	CHECK(late == NULL && err == ENOSPC && strstr(msg, "connection tokens") != NULL);
	if (late != NULL) {
		issued(late, "attach after the last generation");
		mbox_close(late);
	}
	mbox_close(pmd);
	mbox_close(ctrl);

	/* A restarted ctrl does not adopt the spent segment, but replaces it
	 * when told to: a new key, and tokens start again in the new segment.
	 */
	ctrl = test_ctrl(2, 4);
	CHECK(ctrl == NULL && errno == ENOSPC);
	if (ctrl != NULL) {
		pmd = test_attach_pumped(ctrl, NULL);
		if (pmd != NULL) {
			issued(pmd, "attach to a ctrl that adopted the spent segment");
			mbox_close(pmd);
		}
		mbox_close(ctrl);
	} else {
		CHECK(strstr(mbox_errmsg(), "connection tokens") != NULL);
	}
	ctrl = mbox_create(&cfg);
	CHECK(ctrl != NULL);
	if (ctrl == NULL)
		return 1;
	mbox_info(ctrl, &b);
	pmd = test_attach_pumped(ctrl, NULL);
	CHECK(b.key != key && b.ctrl_gen == 1);
	CHECK(pmd != NULL && mbox_info(pmd, &a) == 0 && a.key == b.key &&
	      a.token / MBOX_MAX_CONNS == 1);
	mbox_close(pmd);
	mbox_close(ctrl);
	unlink(SEG);
	if (test_failures) {
		fprintf(stderr, "mbox_token_test: %d check(s) failed\n", test_failures);
		return 1;
	}
	printf("mbox_token_test: ok\n");
	return 0;
}
