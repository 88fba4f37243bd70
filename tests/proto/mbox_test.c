/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The mailbox's contract: create / attach / close, events both ways in
 * order, records, wrong direction and malformed events refused, overflow
 * flagged and resynced, a dead PMD noticed, ctrl restart re-adopting,
 * version mismatch, corrupted / truncated / foreign segments. The foreign
 * uid is mbox_uid_test.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "proto/mbox_priv.h"
#include "tests/proto/mbox_testlib.h"

static struct mbox_event
ev_make(unsigned int type, unsigned int port)
{
	struct mbox_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = (uint16_t)type;
	ev.port = (uint16_t)port;
	return ev;
}

/* Files, modes, info. */
static void
test_create(void)
{
	struct mbox_info info;
	struct mbox *ctrl, *ro;
	struct stat st;

	ctrl = test_ctrl(4, 8);
	CHECK(ctrl != NULL);
	CHECK(stat(SEG, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat(SOCK, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(mbox_fd(ctrl) >= 0);
	CHECK(mbox_info(ctrl, &info) == 0);
	CHECK(info.major == MBOX_MAJOR && info.nb_ports == 4 && info.ring_slots == 8);
	CHECK(info.key != 0 && info.ctrl_gen == 1 && info.ctrl_pid == (uint32_t)getpid());
	/* A second ctrl is refused while the first holds the segment. */
	CHECK(test_ctrl(4, 8) == NULL && errno == EBUSY);
	ro = mbox_open(SEG);
	CHECK(ro != NULL);
	CHECK(mbox_fd(ro) < 0);
	mbox_close(ro);
	mbox_close(ctrl);
	CHECK(access(SOCK, F_OK) < 0);
	unlink(SEG);
}

/* Events both ways, records, refusals. */
static void
test_events(void)
{
	struct mbox_ident id = test_ident(1, 1), id2 = test_ident(1, 2);
	struct mbox *ctrl, *pmd, *ro;
	struct mbox_ctrl_rec crec;
	struct mbox_pmd_rec prec;
	struct mbox_event ev;
	struct mbox_port pt;
	struct mbox_info info;
	int port, i;

	ctrl = test_ctrl(4, 8);
	port = mbox_port_add(ctrl, &id);
	CHECK(port == 0);
	CHECK(mbox_port_add(ctrl, &id) == 0);
	pmd = test_attach_pumped(ctrl, NULL);
	CHECK(pmd != NULL);
	if (pmd == NULL)
		return;
	CHECK(test_expect(pmd, MBOX_EV_PEER_UP, &ev, 1000));
	CHECK(ev.u.peer.pid == (uint32_t)getpid());
	CHECK(mbox_info(ctrl, &info) == 0 && info.nb_conns == 1);
	CHECK(mbox_port_find(pmd, id.pci) == 0);
	CHECK(mbox_port_find(pmd, "0000:00:00.0") == -ENOENT);
	CHECK(mbox_port_claim(pmd, 0) == 0);
	CHECK(mbox_port_claim(pmd, 0) == 0);

	/* ctrl -> PMD, in order, with payloads. */
	ev = ev_make(MBOX_EV_SVC_START, 0);
	ev.u.svc.source = MBOX_SRC_DEVLINK;
	ev.u.svc.reason = 7;
	CHECK(mbox_post(ctrl, &ev) == 0 && ev.seq == 1);
	ev = ev_make(MBOX_EV_HW_BACK, 0);
	ev.u.ident = id2;
	CHECK(mbox_post(ctrl, &ev) == 0 && ev.seq == 2);
	ev = ev_make(MBOX_EV_GONE, 0);
	CHECK(mbox_post(ctrl, &ev) == 0 && ev.seq == 3);
	CHECK(test_wait_fd(pmd, 1000) == 1);
	CHECK(test_next(pmd, &ev, 1000) == 1);
	CHECK(ev.type == MBOX_EV_SVC_START && ev.seq == 1 && ev.port == 0);
	CHECK(ev.u.svc.source == MBOX_SRC_DEVLINK && ev.u.svc.reason == 7);
	CHECK(test_next(pmd, &ev, 1000) == 1);
	CHECK(ev.type == MBOX_EV_HW_BACK && ev.seq == 2 && ev.u.ident.gen == 2);
	CHECK(strcmp(ev.u.ident.ibdev, "mana_1") == 0);
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.type == MBOX_EV_GONE && ev.seq == 3);
	CHECK(mbox_next(pmd, &ev) == 0);

	/* PMD -> ctrl. */
	ev = ev_make(MBOX_EV_RESET_ENTER, 0);
	ev.u.phase.reset_seq = 1;
	ev.u.phase.state = MBOX_PMD_RESET_ENTER;
	CHECK(mbox_post(pmd, &ev) == 0);
	for (i = 1; i < MBOX_PHASES; i++) {
		ev = ev_make(MBOX_EV_PHASE, 0);
		ev.u.phase.reset_seq = 1;
		ev.u.phase.phase = (uint32_t)i;
		CHECK(mbox_post(pmd, &ev) == 0);
	}
	ev = ev_make(MBOX_EV_RECOVERED, 0);
	ev.u.result.seq = 1;
	ev.u.result.phase_ns[0] = 1000;
	ev.u.result.total_ns = 5000;
	ev.u.result.outcome = MBOX_PMD_ACTIVE;
	CHECK(mbox_post(pmd, &ev) == 0 && ev.seq == 6);
	CHECK(test_expect(ctrl, MBOX_EV_RESET_ENTER, &ev, 1000) && ev.seq == 1);
	for (i = 1; i < MBOX_PHASES; i++)
		CHECK(test_next(ctrl, &ev, 1000) == 1 && ev.type == MBOX_EV_PHASE &&
		      ev.u.phase.phase == (uint32_t)i && ev.seq == (uint64_t)i + 1);
	CHECK(test_next(ctrl, &ev, 1000) == 1 && ev.type == MBOX_EV_RECOVERED &&
	      ev.u.result.total_ns == 5000);

	/* Refusals. */
	ev = ev_make(MBOX_EV_RESET_ENTER, 0);
	CHECK(mbox_post(ctrl, &ev) == -EINVAL);      /* wrong direction */
	ev = ev_make(MBOX_EV_SVC_START, 0);
	CHECK(mbox_post(pmd, &ev) == -EINVAL);
	ev = ev_make(MBOX_EV_PHASE, 0);
	ev.u.phase.phase = 9;
	CHECK(mbox_post(pmd, &ev) == -EINVAL);       /* malformed */
	CHECK(strstr(mbox_errmsg(), "malformed") != NULL);
	ev = ev_make(MBOX_EV_GONE, 9);
	CHECK(mbox_post(ctrl, &ev) == -EINVAL);      /* no such port */
	ev = ev_make(MBOX_EV_PHASE, 1);
	CHECK(mbox_post(pmd, &ev) == -EPERM);        /* not claimed */
	ev = ev_make(MBOX_EV_SVC_START, 0);
	ev.u.svc.source = 99;
	CHECK(mbox_post(ctrl, &ev) == -EINVAL);

	/* Records: each side writes its own, a reader sees both. */
	memset(&crec, 0, sizeof(crec));
	crec.ident = id2;
	crec.hw_state = MBOX_HW_SERVICE;
	crec.nb_service = 3;
	CHECK(mbox_port_set_ctrl(ctrl, 0, &crec) == 0);
	CHECK(mbox_port_set_ctrl(pmd, 0, &crec) == -EPERM);
	memset(&prec, 0, sizeof(prec));
	prec.state = MBOX_PMD_WAIT_HW;
	prec.nb_reset = 4;
	prec.nb_timeline = 1;
	prec.timeline[0].seq = 4;
	prec.timeline[0].total_ns = 123;
	CHECK(mbox_port_set_pmd(pmd, 0, &prec) == 0);
	CHECK(mbox_port_set_pmd(ctrl, 0, &prec) == -EPERM);
	CHECK(mbox_port_set_pmd(pmd, 1, &prec) == -EPERM);
	prec.state = 99;
	CHECK(mbox_port_set_pmd(pmd, 0, &prec) == -EINVAL);
	ro = mbox_open(SEG);
	CHECK(ro != NULL);
	CHECK(mbox_port_read(ro, 0, &pt) == 0);
	CHECK(pt.ctrl.hw_state == MBOX_HW_SERVICE && pt.ctrl.nb_service == 3);
	CHECK(pt.ctrl.ident.gen == 2 && strcmp(pt.ctrl.ident.pci, id.pci) == 0);
	CHECK(pt.pmd.state == MBOX_PMD_WAIT_HW && pt.pmd.nb_reset == 4);
	CHECK(pt.pmd.timeline[0].total_ns == 123);
	CHECK(pt.owner != 0 && pt.owner_live == 1);
	CHECK(pt.c2p_posted == 3 && pt.p2c_posted == 6 && pt.c2p_lost == 0);
	CHECK(mbox_port_read(ro, 1, &pt) == 0 && pt.ctrl.hw_state == MBOX_HW_NONE);
	CHECK(mbox_port_read(ro, 4, &pt) == -EINVAL);
	mbox_close(ro);

	/* Release: ctrl's post no longer wakes us, nor are we allowed to post. */
	CHECK(mbox_port_release(pmd, 0) == 0);
	ev = ev_make(MBOX_EV_PHASE, 0);
	CHECK(mbox_post(pmd, &ev) == -EPERM);
	mbox_close(pmd);
	CHECK(test_expect(ctrl, MBOX_EV_PEER_DOWN, &ev, 1000) && ev.port == MBOX_PORT_ANY);
	mbox_close(ctrl);
	unlink(SEG);
}

/* A full ring counts the event as lost; the reader gets RESYNC, then
 * the events after the gap, in order.
 */
static void
test_overflow(void)
{
	struct mbox_ident id = test_ident(2, 1);
	struct mbox *ctrl, *pmd;
	struct mbox_event ev;
	uint64_t s;
	int i, n;

	ctrl = test_ctrl(2, 8);
	CHECK(mbox_port_add(ctrl, &id) == 0);
	pmd = test_attach_pumped(ctrl, NULL);
	if (pmd == NULL)
		return;
	CHECK(mbox_port_claim(pmd, 0) == 0);
	CHECK(mbox_post_space(ctrl, 0) == 8);
	for (i = 0; i < 11; i++) {
		ev = ev_make(MBOX_EV_SVC_START, 0);
		ev.u.svc.detail = (uint64_t)i;
		CHECK(mbox_post(ctrl, &ev) == (i < 8 ? 0 : -ENOBUFS));
	}
	CHECK(mbox_post_space(ctrl, 0) == 0);
	/* Eight in order, then RESYNC: three were lost after them. */
	n = 0;
	while (test_next(pmd, &ev, 200) == 1 && ev.type != MBOX_EV_RESYNC)
		if (ev.type == MBOX_EV_SVC_START)
			CHECK(ev.u.svc.detail == (uint64_t)n++ && ev.seq == (uint64_t)n);
	CHECK(n == 8);
	CHECK(ev.type == MBOX_EV_RESYNC && ev.port == 0);
	CHECK(mbox_next(pmd, &ev) == 0);
	/* Overflow in the middle: the gap is reported before the next event. */
	for (i = 0; i < 10; i++) {
		ev = ev_make(MBOX_EV_HOT_REMOVE, 0);
		mbox_post(ctrl, &ev);
	}
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.type == MBOX_EV_HOT_REMOVE);
	s = ev.seq;
	CHECK(s == 12);
	ev = ev_make(MBOX_EV_GONE, 0);
	CHECK(mbox_post(ctrl, &ev) == 0 && ev.seq == 22);
	for (i = 0; i < 7; i++)
		CHECK(test_next(pmd, &ev, 1000) == 1 && ev.seq == ++s);
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.type == MBOX_EV_RESYNC);
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.type == MBOX_EV_GONE && ev.seq == 22);
	CHECK(mbox_next(pmd, &ev) == 0);
	mbox_close(pmd);
	mbox_close(ctrl);
	unlink(SEG);
}

/* A PMD killed while it owns a port, and a ctrl restart. */
static void
test_peers(void)
{
	struct mbox_ident id = test_ident(3, 1);
	struct mbox *ctrl, *pmd, *child;
	struct mbox_event ev;
	struct mbox_info info;
	struct mbox_port pt;
	uint64_t key;
	int st, pfd[2];
	pid_t pid;
	char c;

	ctrl = test_ctrl(2, 8);
	CHECK(mbox_port_add(ctrl, &id) == 0);
	CHECK(pipe(pfd) == 0);
	pid = fork();
	if (pid == 0) {
		child = mbox_attach(SOCK, 0);
		if (child == NULL || mbox_port_claim(child, 0) < 0)
			_exit(1);
		(void)!write(pfd[1], "x", 1);
		pause();
		_exit(0);
	}
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	while (read(pfd[0], &c, 1) != 1) {
		test_wait_fd(ctrl, 5);
		while (mbox_next(ctrl, &ev) == 1)
			;
	}
	CHECK(mbox_port_read(ctrl, 0, &pt) == 0 && pt.owner != 0 && pt.owner_live);
	/* A second PMD cannot take a port a live one owns. */
	pmd = test_attach_pumped(ctrl, NULL);
	CHECK(pmd != NULL);
	if (pmd != NULL) {
		CHECK(mbox_port_claim(pmd, 0) == -EBUSY);
		CHECK(strstr(mbox_errmsg(), "owned by a live PMD") != NULL);
		ev = ev_make(MBOX_EV_PHASE, 0);
		CHECK(mbox_post(pmd, &ev) == -EPERM);
		mbox_close(pmd);
		/* It owned nothing: one PEER_DOWN for no port. */
		CHECK(test_expect(ctrl, MBOX_EV_PEER_DOWN, &ev, 1000));
		CHECK(ev.port == MBOX_PORT_ANY && ev.u.peer.pid == (uint32_t)getpid());
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	CHECK(test_expect(ctrl, MBOX_EV_PEER_DOWN, &ev, 1000));
	CHECK(ev.port == 0 && ev.u.peer.pid == (uint32_t)pid);
	CHECK(mbox_port_read(ctrl, 0, &pt) == 0 && pt.owner == 0);
	close(pfd[0]);
	close(pfd[1]);

	/* ctrl restarts: same segment, same key, a new generation; the PMD
	 * reconnects by itself and keeps its port.
	 */
	pmd = test_attach_pumped(ctrl, NULL);
	if (pmd == NULL)
		return;
	CHECK(mbox_port_claim(pmd, 0) == 0);
	mbox_info(ctrl, &info);
	key = info.key;
	mbox_close(ctrl);
	CHECK(test_expect(pmd, MBOX_EV_PEER_DOWN, &ev, 1000));
	ctrl = test_ctrl(2, 8);
	CHECK(ctrl != NULL);
	mbox_info(ctrl, &info);
	CHECK(info.key == key && info.ctrl_gen == 2);
	CHECK(mbox_port_find(ctrl, id.pci) == 0);
	CHECK(test_pmd_up_pumped(ctrl, pmd));
	mbox_info(ctrl, &info);
	CHECK(info.nb_conns == 1);
	CHECK(mbox_port_read(ctrl, 0, &pt) == 0 && pt.owner_live);
	ev = ev_make(MBOX_EV_SVC_START, 0);
	CHECK(mbox_post(ctrl, &ev) == 0 && ev.seq == 1);
	CHECK(test_wait_fd(pmd, 1000) == 1);
	CHECK(test_expect(pmd, MBOX_EV_SVC_START, &ev, 1000) && ev.seq == 1);
	mbox_close(pmd);
	mbox_close(ctrl);
	unlink(SEG);
}

/* ctrl replaced the segment (MBOX_F_REPLACE after it became invalid): an
 * attached PMD is told STALE when it reconnects, and stays down.
 */
static void set_major2(struct mbox_hdr *h);
static void patch_hdr(void (*f)(struct mbox_hdr *), bool fix_crc);

static void
test_stale(void)
{
	struct mbox_cfg cfg = { .seg_path = SEG, .sock_path = SOCK, .nb_ports = 2,
				.ring_slots = 4, .uid = (uid_t)-1, .gid = (gid_t)-1,
				.flags = MBOX_F_REPLACE };
	struct mbox *ctrl, *pmd;
	struct mbox_event ev;
	struct mbox_info a, b;

	ctrl = mbox_create(&cfg);
	CHECK(ctrl != NULL);
	pmd = test_attach_pumped(ctrl, NULL);
	if (pmd == NULL)
		return;
	mbox_info(ctrl, &a);
	mbox_close(ctrl);
	CHECK(test_expect(pmd, MBOX_EV_PEER_DOWN, &ev, 1000));
	patch_hdr(set_major2, true);
	ctrl = mbox_create(&cfg);
	CHECK(ctrl != NULL);
	mbox_info(ctrl, &b);
	CHECK(b.key != a.key && b.ctrl_gen == 1);
	/* The PMD's loop in a thread (its reconnection waits for ctrl). */
	CHECK(test_pmd_event_pumped(ctrl, pmd, MBOX_EV_STALE));
	CHECK(mbox_info(pmd, &b) == 0 && b.key == a.key);
	mbox_close(pmd);
	mbox_close(ctrl);
	unlink(SEG);
}

/* Rewrite the segment file's header with f and fix its checksum. */
static void
patch_hdr(void (*f)(struct mbox_hdr *), bool fix_crc)
{
	int fd = open(SEG, O_RDWR);
	struct mbox_hdr *h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	f(h);
	if (fix_crc)
		h->hdr_crc = mbox_crc32c(0, h, offsetof(struct mbox_hdr, hdr_crc));
	munmap(h, sizeof(*h));
	close(fd);
}

static void set_major2(struct mbox_hdr *h) { h->major = 2; }
static void set_incompat(struct mbox_hdr *h) { h->incompat_features = 1ull << 40; }
static void set_magic(struct mbox_hdr *h) { h->magic[0] = 'X'; }
static void set_ports(struct mbox_hdr *h) { h->nb_ports = 1000; }
static void set_minor(struct mbox_hdr *h) { h->minor = 7; }
static void flip_key(struct mbox_hdr *h) { h->key ^= 1; }

static int
open_err(void)
{
	struct mbox *ro = mbox_open(SEG);

	if (ro != NULL) {
		mbox_close(ro);
		return 0;
	}
	return -errno;
}

static void
fresh_segment(void)
{
	struct mbox *ctrl;

	unlink(SEG);
	ctrl = test_ctrl(2, 4);
	CHECK(ctrl != NULL);
	mbox_close(ctrl);
}

/* Version mismatch, corrupted, truncated, foreign segments. */
static void
test_bad_segments(void)
{
	struct mbox_cfg cfg = { .seg_path = SEG, .sock_path = SOCK, .uid = (uid_t)-1,
				.gid = (gid_t)-1 };
	struct mbox *ctrl;
	struct mbox_info info;

	fresh_segment();
	patch_hdr(set_major2, true);
	CHECK(open_err() == -EPROTONOSUPPORT);
	CHECK(strstr(mbox_errmsg(), "version 2.") != NULL);
	CHECK(test_ctrl(2, 4) == NULL && errno == EPROTONOSUPPORT);
	/* ctrl may be told to replace what it cannot adopt. */
	cfg.flags = MBOX_F_REPLACE;
	ctrl = mbox_create(&cfg);
	CHECK(ctrl != NULL);
	mbox_close(ctrl);
	CHECK(open_err() == 0);

	/* A newer minor is fine; an unknown incompatible feature is not. */
	patch_hdr(set_minor, true);
	CHECK(open_err() == 0);
	patch_hdr(set_incompat, true);
	CHECK(open_err() == -EPROTONOSUPPORT);
	fresh_segment();
	patch_hdr(set_magic, true);
	CHECK(open_err() == -EBADMSG);
	fresh_segment();
	patch_hdr(set_ports, true);
	CHECK(open_err() == -EBADMSG);
	fresh_segment();
	patch_hdr(flip_key, false);
	CHECK(open_err() == -EBADMSG && strstr(mbox_errmsg(), "checksum") != NULL);

	/* Truncated: the file and a header alone. */
	fresh_segment();
	CHECK(truncate(SEG, 4096) == 0);
	CHECK(open_err() == -EBADMSG && strstr(mbox_errmsg(), "truncated") != NULL);
	CHECK(truncate(SEG, 100) == 0);
	CHECK(open_err() == -EBADMSG);
	CHECK(truncate(SEG, 0) == 0);
	CHECK(open_err() == -EBADMSG);

	/* Foreign: world-writable is refused. */
	fresh_segment();
	CHECK(chmod(SEG, 0666) == 0);
	CHECK(open_err() == -EACCES);
	CHECK(test_ctrl(2, 4) == NULL && errno == EACCES);
	CHECK(chmod(SEG, 0600) == 0);
	ctrl = test_ctrl(2, 4);
	CHECK(ctrl != NULL && mbox_info(ctrl, &info) == 0 && info.ctrl_gen == 2);
	mbox_close(ctrl);
	unlink(SEG);
}

/* Corruption inside a live segment: records and rings. */
static void
test_corruption(void)
{
	struct mbox_ident id = test_ident(4, 1);
	struct mbox_ctrl_rec crec;
	struct mbox *ctrl, *pmd, *ro;
	struct mbox_port_shm *ps;
	struct mbox_ring *ring;
	struct mbox_slot *slot;
	struct mbox_event ev;
	struct mbox_port pt;
	uint8_t *base;
	int fd, i;

	ctrl = test_ctrl(2, 8);
	CHECK(mbox_port_add(ctrl, &id) == 0);
	pmd = test_attach_pumped(ctrl, NULL);
	if (pmd == NULL)
		return;
	CHECK(mbox_port_claim(pmd, 0) == 0);
	CHECK(test_expect(pmd, MBOX_EV_PEER_UP, &ev, 1000));
	ro = mbox_open(SEG);
	fd = open(SEG, O_RDWR);
	base = mmap(NULL, mbox_seg_size(2, 8), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ps = (struct mbox_port_shm *)(base + sizeof(struct mbox_hdr));
	ring = (struct mbox_ring *)(ps + 1);

	/* A flipped bit in the record readers take: refused, never torn. */
	ps->ctrl.copy[ps->ctrl.active & 1].data[3] ^= 0x10;
	CHECK(mbox_port_read(ro, 0, &pt) == -EBADMSG);
	CHECK(strstr(mbox_errmsg(), "checksum") != NULL);
	/* The next write repairs it. */
	crec = (struct mbox_ctrl_rec){ .ident = id, .hw_state = MBOX_HW_UP };
	CHECK(mbox_port_set_ctrl(ctrl, 0, &crec) == 0);
	CHECK(mbox_port_read(ro, 0, &pt) == 0 && pt.ctrl.hw_state == MBOX_HW_UP);
	/* A writer killed mid-update (odd seq in the other copy). */
	ps->ctrl.copy[!(ps->ctrl.active & 1)].seq |= 1;
	CHECK(mbox_port_read(ro, 0, &pt) == 0 && pt.ctrl.hw_state == MBOX_HW_UP);
	crec.hw_state = MBOX_HW_SERVICE;
	CHECK(mbox_port_set_ctrl(ctrl, 0, &crec) == 0);
	CHECK(mbox_port_read(ro, 0, &pt) == 0 && pt.ctrl.hw_state == MBOX_HW_SERVICE);

	/* A malformed event (checksum right, type wrong for the direction):
	 * skipped with RESYNC, the next one delivered.
	 */
	ev = ev_make(MBOX_EV_SVC_START, 0);
	CHECK(mbox_post(ctrl, &ev) == 0);
	ev = ev_make(MBOX_EV_GONE, 0);
	CHECK(mbox_post(ctrl, &ev) == 0);
	slot = &ring->slot[0];
	slot->ev.type = MBOX_EV_RECOVERED;
	slot->crc = mbox_crc32c(0, &slot->ev, sizeof(slot->ev));
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.type == MBOX_EV_RESYNC);
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.type == MBOX_EV_GONE && ev.seq == 2);
	/* A bad checksum; a string without its NUL. */
	ev = ev_make(MBOX_EV_HW_BACK, 0);
	ev.u.ident = id;
	CHECK(mbox_post(ctrl, &ev) == 0);
	ring->slot[2].ev.u.raw[5] ^= 1;
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.type == MBOX_EV_RESYNC);
	ev = ev_make(MBOX_EV_HW_BACK, 0);
	ev.u.ident = id;
	CHECK(mbox_post(ctrl, &ev) == 0);
	memset(ring->slot[3].ev.u.ident.pci, 'A', sizeof(ring->slot[3].ev.u.ident.pci));
	ring->slot[3].crc = mbox_crc32c(0, &ring->slot[3].ev, sizeof(ring->slot[3].ev));
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.type == MBOX_EV_RESYNC);
	CHECK(mbox_next(pmd, &ev) == 0);

	/* Garbage ring indices: the consumer resyncs, the producer counts the
	 * event as lost, then both recover.
	 */
	ring->head = 1ull << 60;
	ev = ev_make(MBOX_EV_GONE, 0);
	CHECK(mbox_post(ctrl, &ev) == -ENOBUFS);
	CHECK(test_next(pmd, &ev, 1000) == 1 && ev.type == MBOX_EV_RESYNC);
	for (i = 0; i < 20; i++)
		mbox_next(pmd, &ev);
	ev = ev_make(MBOX_EV_HOT_REMOVE, 0);
	CHECK(mbox_post(ctrl, &ev) == 0);
	CHECK(test_expect(pmd, MBOX_EV_HOT_REMOVE, &ev, 1000));
	CHECK(mbox_next(pmd, &ev) == 0);

	munmap(base, mbox_seg_size(2, 8));
	close(fd);
	mbox_close(ro);
	mbox_close(pmd);
	mbox_close(ctrl);
	unlink(SEG);
}

/* A raw client: hello of another major, and garbage. */
static int
raw_hello(uint16_t major, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint32_t msg[64] = { MBOX_HELLO_MAGIC, major, (uint32_t)getpid(), 0 };
	int32_t answer[64];
	int fd, status = 1;

	msg[1] = major;  /* little endian: major in the low half */
	strcpy(sa.sun_path, SOCK);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    send(fd, msg, len, 0) == (ssize_t)len && recv(fd, answer, sizeof(answer), 0) >= 12)
		status = answer[2];
	close(fd);
	return status;
}

struct raw_arg {
	uint16_t major;
	size_t len;
	int status;
	int done;
};

static void *
raw_thread(void *arg)
{
	struct raw_arg *a = arg;

	a->status = raw_hello(a->major, a->len);
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int
pumped_raw(struct mbox *ctrl, uint16_t major, size_t len)
{
	struct raw_arg a = { major, len, 0, 0 };
	struct mbox_event ev;
	pthread_t t;

	pthread_create(&t, NULL, raw_thread, &a);
	while (!__atomic_load_n(&a.done, __ATOMIC_ACQUIRE)) {
		test_wait_fd(ctrl, 5);
		while (mbox_next(ctrl, &ev) == 1)
			;
	}
	pthread_join(t, NULL);
	return a.status;
}

static void
test_handshake(void)
{
	struct mbox *ctrl = test_ctrl(2, 4);
	struct mbox_info info;

	/* Hello of major 2 (and no doorbell): refused with EPROTONOSUPPORT. */
	CHECK(pumped_raw(ctrl, 2, 16) == -EPROTONOSUPPORT);
	/* Right major but no eventfd, and a short message: refused. */
	CHECK(pumped_raw(ctrl, MBOX_MAJOR, 16) == -EPROTO);
	CHECK(pumped_raw(ctrl, MBOX_MAJOR, 5) == -EPROTO);
	CHECK(mbox_info(ctrl, &info) == 0 && info.nb_conns == 0);
	mbox_close(ctrl);
	unlink(SEG);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_enter_dir();
	test_create();
	test_events();
	test_overflow();
	test_peers();
	test_stale();
	test_bad_segments();
	test_corruption();
	test_handshake();
	if (test_failures) {
		fprintf(stderr, "mbox_test: %d check(s) failed\n", test_failures);
		return 1;
	}
	printf("mbox_test: ok\n");
	return 0;
}
