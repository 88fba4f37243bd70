/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * What the mailbox objects (reset, status, monitor) share, below them: the
 * segment's path ("mbox PATH", $MANA_MBOX, /run/mana/mbox), a port read
 * with its strings terminated, and the printing of a port and of one reset.
 * Calls only proto/, ctrl/print and ctrl/common: nothing above it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/common/mbox_names.h"
#include "ctrl/manactl/manactl.h"
#include "ctrl/print/print.h"

const char *
manactl_mbox_default_path(void)
{
	const char *p = getenv("MANA_MBOX");

	return p != NULL && p[0] != '\0' ? p : MANACTL_MBOX_DEFAULT;
}

int
manactl_mbox_arg(struct manactl *m, const char **path)
{
	manactl_next(m);
	if (manactl_no_arg(m)) {
		fprintf(stderr, "Mailbox path expected after \"mbox\".\n");
		return -EINVAL;
	}
	*path = manactl_arg(m);
	return 0;
}

int
manactl_mbox_port_read(const struct mbox *mb, unsigned int p, struct mbox_port *pt)
{
	int ret = mbox_port_read(mb, p, pt);

	if (ret < 0) {
		fprintf(stderr, "manactl: port %u: %s\n", p, mbox_errmsg());
		return ret;
	}
	pt->ctrl.ident.pci[sizeof(pt->ctrl.ident.pci) - 1] = '\0';
	pt->ctrl.ident.ibdev[sizeof(pt->ctrl.ident.ibdev) - 1] = '\0';
	pt->ctrl.ident.netdev[sizeof(pt->ctrl.ident.netdev) - 1] = '\0';
	return 0;
}

void
manactl_guid_str(uint64_t g, char *buf, size_t n)
{
	snprintf(buf, n, "%04" PRIx64 ":%04" PRIx64 ":%04" PRIx64 ":%04" PRIx64,
		 (g >> 48) & 0xffff, (g >> 32) & 0xffff, (g >> 16) & 0xffff, g & 0xffff);
}

void
manactl_print_reset(unsigned int p, const struct mbox_port *pt, unsigned int i, bool with_port)
{
	const struct mbox_reset_rec *r = &pt->pmd.timeline[i];
	const struct mbox_reset_wake *w = &pt->pmd.wake[i];
	char key[24];

	open_json_object(NULL);
	if (with_port) {
		print_uint(PRINT_ANY, "port", "port %u", p);
		print_string(PRINT_ANY, "pci", " pci %s", pt->ctrl.ident.pci);
		print_u64(PRINT_ANY, "reset", " reset %" PRIu64, r->seq);
	} else {
		print_u64(PRINT_ANY, "reset", "    reset %" PRIu64, r->seq);
	}
	print_string(PRINT_ANY, "outcome", " outcome %s", mbox_pmd_state_name(r->outcome));
	print_int(PRINT_ANY, "error", " error %d", r->error);
	print_u64(PRINT_ANY, "total_us", " total %" PRIu64 "us", r->total_ns / 1000);
	for (unsigned int ph = 0; ph < MBOX_PHASES; ph++) {
		char fmt[32];

		snprintf(key, sizeof(key), "%s_us", mbox_phase_label(ph));
		snprintf(fmt, sizeof(fmt), " %s %%" PRIu64 "us", mbox_phase_label(ph));
		print_u64(PRINT_ANY, key, fmt, r->phase_ns[ph] / 1000);
	}
	/* How the wait for the hardware ended (a 1.0 PMD: unknown, and no
	 * text), and how long after ctrl's HW_BACK.
	 */
	if (w->cause != MBOX_WAKE_NONE)
		print_string(PRINT_ANY, "wake", " wake %s", mbox_wake_name(w->cause));
	else
		print_string(PRINT_JSON, "wake", NULL, mbox_wake_name(w->cause));
	if (w->hint_ns != 0)
		print_u64(PRINT_ANY, "hint_us", " hint %" PRIu64 "us", w->hint_ns / 1000);
	else
		print_null(PRINT_JSON, "hint_us", NULL, NULL);
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();
}

void
manactl_print_port(unsigned int p, const struct mbox_port *pt)
{
	const struct mbox_ctrl_rec *c = &pt->ctrl;
	const struct mbox_pmd_rec *d = &pt->pmd;
	char guid[24];

	manactl_guid_str(c->ident.node_guid, guid, sizeof(guid));
	open_json_object(NULL);
	print_uint(PRINT_ANY, "port", "port %u", p);
	print_string(PRINT_ANY, "pci", " pci %s", c->ident.pci);
	print_string(PRINT_ANY, "ibdev", " ibdev %s", c->ident.ibdev);
	print_string(PRINT_ANY, "netdev", " netdev %s", c->ident.netdev);
	print_string(PRINT_ANY, "node_guid", " node_guid %s", guid);
	print_uint(PRINT_ANY, "gen", " gen %u", c->ident.gen);
	print_string(PRINT_FP, NULL, "%s", "\n");

	open_json_object("hw");
	print_string(PRINT_ANY, "state", "  hw %s", mbox_hw_state_name(c->hw_state));
	print_string(PRINT_ANY, "svc_source", " svc_source %s",
		     mbox_svc_source_name(c->svc_source));
	print_string(PRINT_ANY, "svc_reason", " svc_reason %s", svc_reason_name(c->svc_reason));
	print_u64(PRINT_ANY, "service", " service %" PRIu64, c->nb_service);
	print_u64(PRINT_ANY, "back", " back %" PRIu64, c->nb_hw_back);
	print_u64(PRINT_ANY, "removed", " removed %" PRIu64, c->nb_removed);
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();

	open_json_object("pmd");
	print_string(PRINT_ANY, "state", "  pmd %s", mbox_pmd_state_name(d->state));
	print_string(PRINT_ANY, "phase", " phase %s", mbox_phase_label(d->phase));
	print_uint(PRINT_ANY, "pid", " pid %u", d->pid);
	print_uint(PRINT_ANY, "owner", " owner %u", pt->owner);
	print_bool(PRINT_ANY, "owner_live", " owner_live %s", pt->owner_live != 0);
	print_u64(PRINT_ANY, "resets", " resets %" PRIu64, d->nb_reset);
	print_u64(PRINT_ANY, "success", " success %" PRIu64, d->nb_success);
	print_u64(PRINT_ANY, "failed", " failed %" PRIu64, d->nb_failed);
	print_u64(PRINT_ANY, "removed", " removed %" PRIu64, d->nb_removed);
	print_u64(PRINT_ANY, "merged", " merged %" PRIu64, d->nb_merged);
	print_u64(PRINT_ANY, "busy_ops", " busy_ops %" PRIu64, d->nb_busy_ops);
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();

	open_json_object("events");
	print_u64(PRINT_ANY, "to_pmd", "  events to_pmd %" PRIu64, pt->c2p_posted);
	print_u64(PRINT_ANY, "to_pmd_lost", " lost %" PRIu64, pt->c2p_lost);
	print_u64(PRINT_ANY, "from_pmd", " from_pmd %" PRIu64, pt->p2c_posted);
	print_u64(PRINT_ANY, "from_pmd_lost", " lost %" PRIu64, pt->p2c_lost);
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();

	open_json_array(PRINT_JSON, "timeline");
	for (unsigned int i = 0; i < d->nb_timeline && i < MBOX_TIMELINE; i++)
		manactl_print_reset(p, pt, i, false);
	close_json_array(PRINT_JSON, NULL);
	close_json_object();
}
