/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * A PMD-side mailbox client for the process tests (no DPDK): attaches to
 * mana-ctrld's socket with the proto/ PMD API, claims the port of a PCI
 * address, prints every ctrl -> PMD event as one line on stdout (flushed),
 * and plays a reset engine's part back:
 *
 *   1st SVC_START  -> RESET_ENTER (reset 1), PHASE quiesce, teardown, wait_hw
 *   HW_BACK        -> PHASE reprobe, restore, RECOVERED (reset 1, durations)
 *   2nd SVC_START  -> RESET_ENTER (reset 2), PHASE quiesce
 *   HOT_REMOVE     -> RECOVERY_FAILED (-ENODEV, outcome removed) of the
 *                     reset running, else (a hot-remove: no SVC_START
 *                     before it) of a new one: RESET_ENTER, PHASE quiesce
 *
 * with the PMD record (state, counters, timeline) written at each step.
 * Usage: mbox_pmd_client SOCKET PCI COUNT: exits 0 after COUNT ctrl -> PMD
 * events, 1 on an error or after 20 s. With MBOX_CTRL_USER=<user name or
 * uid> in the environment it also trusts a ctrl of that user (as the PMD's
 * devarg mbox_ctrl_user).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/mbox.h"

#define DEADLINE_MS 20000

static struct mbox *mb;
static unsigned int port;
static struct mbox_pmd_rec rec;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
post(uint16_t type, uint64_t reset, uint32_t phase, uint32_t state)
{
	struct mbox_event ev = { .type = type, .port = (uint16_t)port };

	ev.u.phase.reset_seq = reset;
	ev.u.phase.phase = phase;
	ev.u.phase.state = state;
	if (mbox_post(mb, &ev) < 0)
		fprintf(stderr, "client: post %s: %s\n", mbox_ev_name(type), mbox_errmsg());
}

/* Ends reset seq: the timeline (newest first), the counters, the event. */
static int in_reset;	/* entered, not finished */

static void
finish(uint64_t seq, uint32_t outcome, int32_t error)
{
	struct mbox_event ev = { .port = (uint16_t)port };
	struct mbox_reset_rec *r;

	memmove(&rec.timeline[1], &rec.timeline[0],
		sizeof(rec.timeline[0]) * (MBOX_TIMELINE - 1));
	r = &rec.timeline[0];
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->t_request = now_ms() * 1000000ull;	/* CLOCK_MONOTONIC, as the PMD's */
	for (unsigned int i = 0; i < MBOX_PHASES; i++)
		r->phase_ns[i] = outcome == MBOX_PMD_ACTIVE || i == 0 ? (i + 1) * 1000000ull : 0;
	for (unsigned int i = 0; i < MBOX_PHASES; i++)
		r->total_ns += r->phase_ns[i];
	r->outcome = outcome;
	r->error = error;
	if (rec.nb_timeline < MBOX_TIMELINE)
		rec.nb_timeline++;
	rec.state = outcome;
	rec.phase = 0;
	if (outcome == MBOX_PMD_ACTIVE)
		rec.nb_success++;
	else
		rec.nb_failed++;
	rec.nb_removed += outcome == MBOX_PMD_REMOVED;
	in_reset = 0;
	if (mbox_port_set_pmd(mb, port, &rec) < 0)
		fprintf(stderr, "client: set_pmd: %s\n", mbox_errmsg());
	ev.type = outcome == MBOX_PMD_ACTIVE ? MBOX_EV_RECOVERED : MBOX_EV_RECOVERY_FAILED;
	ev.u.result = *r;
	if (mbox_post(mb, &ev) < 0)
		fprintf(stderr, "client: post result: %s\n", mbox_errmsg());
}

static void
enter(uint64_t seq, unsigned int last_phase)
{
	in_reset = 1;
	rec.nb_reset++;
	rec.state = MBOX_PMD_RESET_ENTER;
	post(MBOX_EV_RESET_ENTER, seq, 0, MBOX_PMD_RESET_ENTER);
	for (unsigned int ph = 0; ph <= last_phase; ph++) {
		rec.phase = ph;
		rec.state = ph == 2 ? MBOX_PMD_WAIT_HW : MBOX_PMD_RESET_ENTER;
		post(MBOX_EV_PHASE, seq, ph, rec.state);
	}
	mbox_port_set_pmd(mb, port, &rec);
}

static void
on_event(const struct mbox_event *ev, unsigned int *svc)
{
	const struct mbox_ident *id = &ev->u.ident;

	switch (ev->type) {
	case MBOX_EV_SVC_START:
		printf("%" PRIu64 " SVC_START source %s reason %u detail %" PRIu64 "\n", ev->seq,
		       mbox_svc_source_name(ev->u.svc.source), ev->u.svc.reason,
		       ev->u.svc.detail);
		++*svc;
		enter(*svc, *svc == 1 ? 2 : 0);
		break;
	case MBOX_EV_HW_BACK:
		printf("%" PRIu64 " HW_BACK pci %s ibdev %s netdev %s guid %" PRIx64 " gen %u\n",
		       ev->seq, id->pci, id->ibdev, id->netdev, id->node_guid, id->gen);
		for (unsigned int ph = 3; ph < MBOX_PHASES; ph++)
			post(MBOX_EV_PHASE, *svc, ph, MBOX_PMD_RESET_EXIT);
		finish(*svc, MBOX_PMD_ACTIVE, 0);
		break;
	case MBOX_EV_HOT_REMOVE:
		printf("%" PRIu64 " HOT_REMOVE cause %s source %s reason %u\n", ev->seq,
		       mbox_rm_cause_name(ev->u.rm.cause), mbox_svc_source_name(ev->u.rm.source),
		       ev->u.rm.reason);
		if (!in_reset)
			enter(++*svc, 0);
		finish(*svc, MBOX_PMD_REMOVED, -ENODEV);
		break;
	case MBOX_EV_GONE:
		printf("%" PRIu64 " GONE\n", ev->seq);
		break;
	default:
		printf("%" PRIu64 " %s\n", ev->seq, mbox_ev_name(ev->type));
		break;
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	uint64_t end = now_ms() + DEADLINE_MS;
	unsigned int want, got = 0, svc = 0;
	const char *user = getenv("MBOX_CTRL_USER");
	unsigned int nb_uids = 0;
	struct mbox_event ev;
	int p = -1, rc;
	uid_t uid = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: [MBOX_CTRL_USER=USER] mbox_pmd_client SOCKET PCI COUNT\n");
		return 2;
	}
	if (user != NULL && user[0] != '\0') {
		if (mbox_user_uid(user, &uid) < 0) {
			fprintf(stderr, "client: MBOX_CTRL_USER: %s\n", mbox_errmsg());
			return 2;
		}
		nb_uids = 1;
	}
	want = (unsigned int)atoi(argv[3]);
	/* ctrl may still be starting, and adds the port when it sees the device. */
	while ((mb == NULL || p < 0) && now_ms() < end) {
		if (mb == NULL)
			mb = mbox_attach_trusted(argv[1], &uid, nb_uids, 0);
		if (mb != NULL)
			p = mbox_port_find(mb, argv[2]);
		if (mb == NULL || p < 0)
			usleep(20000);
	}
	if (mb == NULL || p < 0 || mbox_port_claim(mb, (unsigned int)p) < 0) {
		fprintf(stderr, "client: %s: %s\n", argv[2], mbox_errmsg());
		return 1;
	}
	port = (unsigned int)p;
	rec.state = MBOX_PMD_ACTIVE;
	rec.pid = (uint32_t)getpid();
	mbox_port_set_pmd(mb, port, &rec);
	printf("claimed port %u\n", port);
	fflush(stdout);
	while (got < want && now_ms() < end) {
		struct pollfd pfd = { .fd = mbox_fd(mb), .events = POLLIN };

		while ((rc = mbox_next(mb, &ev)) == 1) {
			if (ev.type >= MBOX_EV_PEER_UP) {
				printf("- %s\n", mbox_ev_name(ev.type));
				continue;
			}
			on_event(&ev, &svc);
			got++;
		}
		if (rc < 0) {
			fprintf(stderr, "client: mbox_next: %s\n", mbox_errmsg());
			break;
		}
		if (got < want)
			poll(&pfd, 1, 100);
	}
	mbox_close(mb);
	return got == want ? 0 : 1;
}
