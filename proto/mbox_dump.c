/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * mbox_dump SEGMENT: print a mailbox segment, read-only. Safe on a live
 * segment (records are read consistently) and on a bad one (it says why).
 * Exit status: 0, 1 for a bad segment, 2 for usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mbox.h"

static void
print_port(unsigned int p, const struct mbox_port *pt)
{
	const struct mbox_ident *id = &pt->ctrl.ident;
	unsigned int i, j;

	printf("port %u: pci %s ibdev %s guid 0x%016" PRIx64 " netdev %s gen %u\n", p,
	       id->pci, id->ibdev, id->node_guid, id->netdev, id->gen);
	printf("  ctrl: hw %s last service %s/%u service %" PRIu64 " back %" PRIu64
	       " removed %" PRIu64 "\n",
	       mbox_hw_state_name(pt->ctrl.hw_state), mbox_svc_source_name(pt->ctrl.svc_source),
	       pt->ctrl.svc_reason, pt->ctrl.nb_service, pt->ctrl.nb_hw_back, pt->ctrl.nb_removed);
	printf("  pmd: state %s phase %u owner %u%s resets %" PRIu64 " ok %" PRIu64
	       " failed %" PRIu64 " removed %" PRIu64 "\n",
	       mbox_pmd_state_name(pt->pmd.state), pt->pmd.phase, pt->owner,
	       pt->owner == 0 ? "" : pt->owner_live ? " (live)" : " (dead)", pt->pmd.nb_reset,
	       pt->pmd.nb_success, pt->pmd.nb_failed, pt->pmd.nb_removed);
	printf("  events: ctrl->pmd %" PRIu64 " (lost %" PRIu64 ") pmd->ctrl %" PRIu64
	       " (lost %" PRIu64 ")\n",
	       pt->c2p_posted, pt->c2p_lost, pt->p2c_posted, pt->p2c_lost);
	for (i = 0; i < pt->pmd.nb_timeline; i++) {
		const struct mbox_reset_rec *r = &pt->pmd.timeline[i];

		printf("  reset %" PRIu64 ": %s error %d total %" PRIu64 " us phases", r->seq,
		       mbox_pmd_state_name(r->outcome), r->error, r->total_ns / 1000);
		for (j = 0; j < MBOX_PHASES; j++)
			printf(" %" PRIu64, r->phase_ns[j] / 1000);
		printf(" wake %s", mbox_wake_name(pt->pmd.wake[i].cause));
		if (pt->pmd.wake[i].hint_ns != 0)
			printf(" hint %" PRIu64 " us", pt->pmd.wake[i].hint_ns / 1000);
		printf("\n");
	}
}

int
main(int argc, char **argv)
{
	struct mbox_info info;
	struct mbox_port pt;
	struct mbox *mb;
	unsigned int p;
	int rc, bad = 0;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: mbox_dump SEGMENT\n");
		return 2;
	}
	mb = mbox_open(argv[1]);
	if (mb == NULL) {
		fprintf(stderr, "mbox_dump: %s\n", mbox_errmsg());
		return 1;
	}
	mbox_info(mb, &info);
	printf("mailbox %s: version %u.%u features 0x%" PRIx64 "/0x%" PRIx64 " key %016" PRIx64
	       " size %" PRIu64 "\n",
	       argv[1], info.major, info.minor, info.compat_features, info.incompat_features,
	       info.key, info.size);
	printf("ctrl: pid %u generation %" PRIu64 ", %u PMD connection(s); %u ports, %u events per ring\n",
	       info.ctrl_pid, info.ctrl_gen, info.nb_conns, info.nb_ports, info.ring_slots);
	for (p = 0; p < info.nb_ports; p++) {
		rc = mbox_port_read(mb, p, &pt);
		if (rc < 0) {
			printf("port %u: unreadable: %s\n", p, mbox_errmsg());
			bad = 1;
			continue;
		}
		if (pt.ctrl.hw_state != MBOX_HW_NONE || pt.pmd.state != MBOX_PMD_NONE)
			print_port(p, &pt);
	}
	mbox_close(mb);
	return bad;
}
