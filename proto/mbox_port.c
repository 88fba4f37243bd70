/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The per-port calls: reading both records of a port, writing ctrl's or the
 * owning PMD's record, finding and adding ports, and ownership (claim,
 * release, is a token live). The records' seqlock is mbox_seg.c, the rings
 * mbox_ring.c.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mbox_priv.h"

/* Is token a connection ctrl holds open right now (as far as we can tell)? */
bool
mbox_token_live(const struct mbox *mb, uint32_t token)
{
	const struct mbox_conn_slot *c;
	uint32_t pid;

	if (token == 0)
		return false;
	c = &mb->hdr->conns[token % MBOX_MAX_CONNS];
	if (__atomic_load_n(&c->token, __ATOMIC_ACQUIRE) != token)
		return false;
	if (mb->role == MBOX_ROLE_CTRL)
		return true;
	/* ctrl may not have seen the HUP yet: a PMD that died is not live. */
	pid = __atomic_load_n(&c->pid, __ATOMIC_RELAXED);
	if (pid == 0 || (mb->role == MBOX_ROLE_PMD && (uint32_t)getpid() == pid))
		return false; /* an earlier attachment of this very process */
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

static int
port_arg(const struct mbox *mb, unsigned int port, const char *fn)
{
	if (mb == NULL)
		return mbox_setmsg(-EINVAL, "%s: NULL mailbox", fn);
	if (port >= mb->nb_ports)
		return mbox_setmsg(-EINVAL, "%s: port %u out of range (%u ports)", fn, port,
				  mb->nb_ports);
	return 0;
}

int
mbox_port_read(const struct mbox *mb, unsigned int port, struct mbox_port *out)
{
	struct mbox_port_shm *ps;
	struct mbox_ring *r;
	unsigned int i;
	int rc;

	rc = port_arg(mb, port, "mbox_port_read");
	if (rc < 0)
		return rc;
	ps = mbox_port_shm(mb, port);
	rc = mbox_rec_read(&ps->ctrl, &out->ctrl, sizeof(out->ctrl), sizeof(out->ctrl));
	if (rc == 0)
		rc = mbox_rec_read(&ps->pmd, &out->pmd, MBOX_PMD_REC_LEN_1_0, sizeof(out->pmd));
	if (rc < 0)
		return mbox_setmsg(rc, "port %u: %s", port, mbox_errmsg());
	/* Strings are NUL-terminated whatever the segment says. */
	out->ctrl.ident.pci[sizeof(out->ctrl.ident.pci) - 1] = '\0';
	out->ctrl.ident.ibdev[sizeof(out->ctrl.ident.ibdev) - 1] = '\0';
	out->ctrl.ident.netdev[sizeof(out->ctrl.ident.netdev) - 1] = '\0';
	if (out->pmd.nb_timeline > MBOX_TIMELINE)
		out->pmd.nb_timeline = MBOX_TIMELINE;
	for (i = 0; i < MBOX_TIMELINE; i++)
		if (out->pmd.wake[i].cause >= MBOX_WAKE_NUM)
			out->pmd.wake[i].cause = MBOX_WAKE_NONE;   /* a later minor's */
	out->owner = __atomic_load_n(&ps->owner, __ATOMIC_ACQUIRE);
	out->owner_live = mbox_token_live(mb, out->owner);
	r = mbox_ring_c2p(mb, port);
	out->c2p_posted = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	out->c2p_lost = __atomic_load_n(&r->lost, __ATOMIC_RELAXED);
	r = mbox_ring_p2c(mb, port);
	out->p2c_posted = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	out->p2c_lost = __atomic_load_n(&r->lost, __ATOMIC_RELAXED);
	return 0;
}

static bool
ident_ok(const struct mbox_ident *id)
{
	return memchr(id->pci, '\0', sizeof(id->pci)) != NULL &&
		memchr(id->ibdev, '\0', sizeof(id->ibdev)) != NULL &&
		memchr(id->netdev, '\0', sizeof(id->netdev)) != NULL;
}

static bool
wake_ok(const struct mbox_pmd_rec *rec)
{
	unsigned int i;

	for (i = 0; i < MBOX_TIMELINE; i++)
		if (rec->wake[i].cause >= MBOX_WAKE_NUM || rec->wake[i].pad != 0)
			return false;
	return true;
}

int
mbox_port_set_ctrl(struct mbox *mb, unsigned int port, const struct mbox_ctrl_rec *rec)
{
	int rc = port_arg(mb, port, "mbox_port_set_ctrl");

	if (rc < 0)
		return rc;
	if (mb->role != MBOX_ROLE_CTRL)
		return mbox_setmsg(-EPERM, "mbox_port_set_ctrl: only ctrl writes ctrl records");
	if (rec == NULL || !ident_ok(&rec->ident) || rec->hw_state >= MBOX_HW_NUM ||
	    rec->svc_source >= MBOX_SRC_NUM)
		return mbox_setmsg(-EINVAL, "mbox_port_set_ctrl: port %u: invalid record", port);
	mbox_rec_write(&mbox_port_shm(mb, port)->ctrl, rec, sizeof(*rec), sizeof(*rec));
	return 0;
}

int
mbox_port_set_pmd(struct mbox *mb, unsigned int port, const struct mbox_pmd_rec *rec)
{
	int rc = port_arg(mb, port, "mbox_port_set_pmd");

	if (rc < 0)
		return rc;
	if (mb->role != MBOX_ROLE_PMD || !mbox_port_claimed(mb, port))
		return mbox_setmsg(-EPERM, "mbox_port_set_pmd: port %u is not claimed by this process",
				  port);
	if (rec == NULL || rec->state >= MBOX_PMD_NUM || rec->phase >= MBOX_PHASES ||
	    rec->nb_timeline > MBOX_TIMELINE || !wake_ok(rec))
		return mbox_setmsg(-EINVAL, "mbox_port_set_pmd: port %u: invalid record", port);
	mbox_rec_write(&mbox_port_shm(mb, port)->pmd, rec, MBOX_PMD_REC_LEN_1_0, sizeof(*rec));
	return 0;
}

int
mbox_port_find(const struct mbox *mb, const char *pci)
{
	struct mbox_ctrl_rec rec;
	unsigned int p;

	if (mb == NULL || pci == NULL)
		return mbox_setmsg(-EINVAL, "mbox_port_find: NULL argument");
	for (p = 0; p < mb->nb_ports; p++) {
		if (mbox_rec_read(&mbox_port_shm(mb, p)->ctrl, &rec, sizeof(rec), sizeof(rec)) < 0)
			continue;
		rec.ident.pci[sizeof(rec.ident.pci) - 1] = '\0';
		if (rec.hw_state != MBOX_HW_NONE && strcmp(rec.ident.pci, pci) == 0)
			return (int)p;
	}
	return mbox_setmsg(-ENOENT, "no port for PCI address %s in the mailbox", pci);
}

int
mbox_port_add(struct mbox *mb, const struct mbox_ident *id)
{
	struct mbox_ctrl_rec rec;
	int p, free_port = -1;
	unsigned int i;

	if (mb == NULL || id == NULL || !ident_ok(id) || id->pci[0] == '\0')
		return mbox_setmsg(-EINVAL, "mbox_port_add: invalid identity");
	if (mb->role != MBOX_ROLE_CTRL)
		return mbox_setmsg(-EPERM, "mbox_port_add: only ctrl adds ports");
	p = mbox_port_find(mb, id->pci);
	if (p >= 0)
		return p;
	for (i = 0; i < mb->nb_ports && free_port < 0; i++) {
		/* A record we cannot read is not reused: it may be a live port. */
		if (mbox_rec_read(&mbox_port_shm(mb, i)->ctrl, &rec, sizeof(rec), sizeof(rec)) == 0 &&
		    rec.hw_state == MBOX_HW_NONE)
			free_port = (int)i;
	}
	if (free_port < 0)
		return mbox_setmsg(-ENOSPC, "mbox_port_add: all %u ports in use", mb->nb_ports);
	memset(&rec, 0, sizeof(rec));
	rec.ident = *id;
	rec.hw_state = MBOX_HW_UP;
	rec.t_changed = mbox_now_ns();
	mbox_rec_write(&mbox_port_shm(mb, (unsigned int)free_port)->ctrl, &rec, sizeof(rec),
		       sizeof(rec));
	return free_port;
}

int
mbox_port_claim(struct mbox *mb, unsigned int port)
{
	uint32_t *owner, cur, token;
	int rc = port_arg(mb, port, "mbox_port_claim");

	if (rc < 0)
		return rc;
	if (mb->role != MBOX_ROLE_PMD)
		return mbox_setmsg(-EPERM, "mbox_port_claim: only a PMD claims ports");
	token = __atomic_load_n(&mb->token, __ATOMIC_ACQUIRE);
	owner = &mbox_port_shm(mb, port)->owner;
	cur = __atomic_load_n(owner, __ATOMIC_ACQUIRE);
	if (cur != token && cur != 0 && mbox_token_live(mb, cur))
		return mbox_setmsg(-EBUSY, "port %u is owned by a live PMD (pid %u)", port,
				  mb->hdr->conns[cur % MBOX_MAX_CONNS].pid);
	/* Pairs with the acquire loads of owner in ctrl (ctrl_peer_efd). */
	if (cur != token &&
	    !__atomic_compare_exchange_n(owner, &cur, token, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return mbox_setmsg(-EBUSY, "port %u was claimed by another PMD meanwhile", port);
	__atomic_fetch_or(&mb->claimed, 1ull << port, __ATOMIC_RELEASE);
	/* Let the loop thread take what ctrl posted before the claim. */
	mbox_doorbell(mb->efd);
	return 0;
}

int
mbox_port_release(struct mbox *mb, unsigned int port)
{
	uint32_t token;
	int rc = port_arg(mb, port, "mbox_port_release");

	if (rc < 0)
		return rc;
	if (mb->role != MBOX_ROLE_PMD || !mbox_port_claimed(mb, port))
		return mbox_setmsg(-EPERM, "mbox_port_release: port %u is not claimed", port);
	__atomic_fetch_and(&mb->claimed, ~(1ull << port), __ATOMIC_RELEASE);
	token = __atomic_load_n(&mb->token, __ATOMIC_ACQUIRE);
	__atomic_compare_exchange_n(&mbox_port_shm(mb, port)->owner, &token, 0, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	return 0;
}
