/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Event rings (lock-free SPSC, one per port and direction), posting and
 * consuming events, and the per-port record calls.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mbox_priv.h"

struct mbox_port_shm *
mbox_port_shm(const struct mbox *mb, unsigned int port)
{
	return (struct mbox_port_shm *)(mb->base + mb->ports_off + (size_t)port * mb->stride);
}

struct mbox_ring *
mbox_ring_c2p(const struct mbox *mb, unsigned int port)
{
	return (struct mbox_ring *)((uint8_t *)mbox_port_shm(mb, port) +
				    sizeof(struct mbox_port_shm));
}

struct mbox_ring *
mbox_ring_p2c(const struct mbox *mb, unsigned int port)
{
	return (struct mbox_ring *)((uint8_t *)mbox_ring_c2p(mb, port) + sizeof(struct mbox_ring) +
				    (size_t)mb->slots * MBOX_SLOT_SIZE);
}

/*
 * Producer. Never blocks: a full ring (or one whose indices are garbage)
 * counts the event in `lost`, which the consumer turns into MBOX_EV_RESYNC.
 * *was_empty: the consumer had taken everything before this event and may
 * be asleep, so the caller rings its doorbell.
 */
int
mbox_ring_put(const struct mbox *mb, struct mbox_ring *ring, struct mbox_event *ev,
	      bool *was_empty)
{
	struct mbox_slot s;
	uint64_t head, tail, lost;

	*was_empty = false;
	head = __atomic_load_n(&ring->head, __ATOMIC_RELAXED);
	lost = __atomic_load_n(&ring->lost, __ATOMIC_RELAXED);
	/* Pairs with the consumer's release store of tail: the slot is free. */
	tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
	ev->seq = head + lost + 1;
	ev->time_ns = mbox_now_ns();
	ev->flags = 0;
	if (head - tail >= mb->slots) {
		/* Pairs with the consumer's acquire load of lost. */
		__atomic_store_n(&ring->lost, lost + 1, __ATOMIC_RELEASE);
		*was_empty = true;  /* wake the consumer: it must notice */
		return mbox_setmsg(-ENOBUFS, "port %u: event ring full, %s event counted as lost",
				  ev->port, mbox_ev_name(ev->type));
	}
	memset(&s, 0, sizeof(s));
	s.ev = *ev;
	s.crc = mbox_crc32c(0, &s.ev, sizeof(s.ev));
	s.magic = MBOX_HELLO_MAGIC;
	memcpy(&ring->slot[head & (mb->slots - 1)], &s, sizeof(s));
	/* Release: pairs with the consumer's load of head (the slot is
	 * written). Seq_cst, with the load of tail below: Dekker with the
	 * consumer's seq_cst store of tail and load of head, so either we see
	 * its final tail or it sees our head before it sleeps.
	 */
	__atomic_store_n(&ring->head, head + 1, __ATOMIC_SEQ_CST);
	*was_empty = __atomic_load_n(&ring->tail, __ATOMIC_SEQ_CST) == head;
	return 0;
}

static int
resync(struct mbox_event *ev, unsigned int port)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = MBOX_EV_RESYNC;
	ev->port = (uint16_t)port;
	ev->time_ns = mbox_now_ns();
	return 2;
}

/*
 * Consumer. 1: *ev is the next event; 2: *ev is MBOX_EV_RESYNC for port
 * (events were lost or a bad one was skipped: the event that revealed the
 * gap comes on the next call); 0: empty.
 */
int
mbox_ring_take(const struct mbox *mb, struct mbox_ring *ring, struct mbox_rx *rx,
	       unsigned int port, bool c2p, struct mbox_event *ev)
{
	struct mbox_slot s;
	uint64_t head, tail, lost, expect;

	if (rx->has_pending) {
		rx->has_pending = false;
		*ev = rx->pending;
		return 1;
	}
	tail = __atomic_load_n(&ring->tail, __ATOMIC_RELAXED);
	/* Pairs with the producer's release store of lost. Loaded before head:
	 * an empty ring cannot lose events, so lost is then exact.
	 */
	lost = __atomic_load_n(&ring->lost, __ATOMIC_ACQUIRE);
	/* Pairs with the producer's store of head (slot written); seq_cst for
	 * the Dekker with mbox_ring_put, see there.
	 */
	head = __atomic_load_n(&ring->head, __ATOMIC_SEQ_CST);
	if (head - tail > mb->slots) {
		/* Garbage indices: skip what we cannot trust. */
		mbox_setmsg(-EBADMSG, "port %u: ring indices %llu/%llu corrupted, resyncing", port,
			    (unsigned long long)head, (unsigned long long)tail);
		__atomic_store_n(&ring->tail, head, __ATOMIC_RELEASE);
		rx->next_seq = 0;
		return resync(ev, port);
	}
	if (head == tail) {
		expect = tail + lost + 1;
		if (rx->next_seq != 0 && rx->next_seq != expect) {
			rx->next_seq = expect;
			return resync(ev, port);
		}
		rx->next_seq = expect;
		return 0;
	}
	memcpy(&s, &ring->slot[tail & (mb->slots - 1)], sizeof(s));
	/* Pairs with the producer's acquire load of tail (slot reusable);
	 * seq_cst for the Dekker with mbox_ring_put.
	 */
	__atomic_store_n(&ring->tail, tail + 1, __ATOMIC_SEQ_CST);
	if (s.magic != MBOX_HELLO_MAGIC || s.crc != mbox_crc32c(0, &s.ev, sizeof(s.ev)) ||
	    mbox_ev_check(&s.ev, port, c2p) < 0 ||
	    (rx->next_seq != 0 && s.ev.seq < rx->next_seq)) {
		mbox_setmsg(-EBADMSG, "port %u: malformed event skipped, resyncing", port);
		rx->next_seq = 0;
		return resync(ev, port);
	}
	if (rx->next_seq != 0 && s.ev.seq != rx->next_seq) {
		rx->next_seq = s.ev.seq + 1;
		rx->pending = s.ev;
		rx->has_pending = true;
		return resync(ev, port);
	}
	rx->next_seq = s.ev.seq + 1;
	*ev = s.ev;
	return 1;
}

static bool
port_claimed(const struct mbox *mb, unsigned int port)
{
	return __atomic_load_n(&mb->claimed, __ATOMIC_ACQUIRE) & (1ull << port);
}

/* Take the next event of any port we consume, round robin. 1 or 0. */
int
mbox_consume(struct mbox *mb, struct mbox_event *ev)
{
	bool c2p = mb->role == MBOX_ROLE_PMD;
	unsigned int i, p;
	int rc;

	for (i = 0; i < mb->nb_ports; i++) {
		p = (mb->rr + i) % mb->nb_ports;
		if (c2p && !port_claimed(mb, p))
			continue;
		rc = mbox_ring_take(mb, c2p ? mbox_ring_c2p(mb, p) : mbox_ring_p2c(mb, p),
				    &mb->rx[p], p, c2p, ev);
		if (rc > 0) {
			mb->rr = p;
			return 1;
		}
	}
	return 0;
}

static void
doorbell(int efd)
{
	uint64_t one = 1;

	if (efd >= 0 && write(efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the peer is awake anyway. */
	}
}

static int
ctrl_peer_efd(const struct mbox *mb, unsigned int port)
{
	uint32_t owner = __atomic_load_n(&mbox_port_shm(mb, port)->owner, __ATOMIC_ACQUIRE);
	const struct mbox_conn *c;

	if (owner == 0)
		return -1;
	c = &mb->conns[owner % MBOX_MAX_CONNS];
	return c->fd >= 0 && c->token == owner ? c->efd : -1;
}

int
mbox_post(struct mbox *mb, struct mbox_event *ev)
{
	struct mbox_event tmp;
	bool c2p, wake;
	int rc;

	if (mb == NULL || ev == NULL)
		return mbox_setmsg(-EINVAL, "mbox_post: NULL argument");
	if (mb->role == MBOX_ROLE_READER)
		return mbox_setmsg(-EPERM, "mbox_post: a read-only mailbox cannot post");
	c2p = mb->role == MBOX_ROLE_CTRL;
	if (ev->port >= mb->nb_ports)
		return mbox_setmsg(-EINVAL, "mbox_post: port %u out of range (%u ports)",
				  ev->port, mb->nb_ports);
	if (!c2p && !port_claimed(mb, ev->port))
		return mbox_setmsg(-EPERM, "mbox_post: port %u is not claimed by this process",
				  ev->port);
	tmp = *ev;
	tmp.seq = 1;
	tmp.flags = 0;
	if (mbox_ev_check(&tmp, ev->port, c2p) < 0)
		return -EINVAL;
	rc = mbox_ring_put(mb, c2p ? mbox_ring_c2p(mb, ev->port) : mbox_ring_p2c(mb, ev->port),
			   ev, &wake);
	if (wake)
		doorbell(c2p ? ctrl_peer_efd(mb, ev->port) : mb->peer_efd);
	return rc;
}

int
mbox_post_space(const struct mbox *mb, unsigned int port)
{
	const struct mbox_ring *r;
	uint64_t used;

	if (mb == NULL || port >= mb->nb_ports || mb->role == MBOX_ROLE_READER)
		return -EINVAL;
	r = mb->role == MBOX_ROLE_CTRL ? mbox_ring_c2p(mb, port) : mbox_ring_p2c(mb, port);
	used = __atomic_load_n(&r->head, __ATOMIC_RELAXED) -
		__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	return used >= mb->slots ? 0 : (int)(mb->slots - used);
}

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
	int rc;

	rc = port_arg(mb, port, "mbox_port_read");
	if (rc < 0)
		return rc;
	ps = mbox_port_shm(mb, port);
	rc = mbox_rec_read(&ps->ctrl, &out->ctrl, sizeof(out->ctrl));
	if (rc == 0)
		rc = mbox_rec_read(&ps->pmd, &out->pmd, sizeof(out->pmd));
	if (rc < 0)
		return mbox_setmsg(rc, "port %u: %s", port, mbox_errmsg());
	/* Strings are NUL-terminated whatever the segment says. */
	out->ctrl.ident.pci[sizeof(out->ctrl.ident.pci) - 1] = '\0';
	out->ctrl.ident.ibdev[sizeof(out->ctrl.ident.ibdev) - 1] = '\0';
	out->ctrl.ident.netdev[sizeof(out->ctrl.ident.netdev) - 1] = '\0';
	if (out->pmd.nb_timeline > MBOX_TIMELINE)
		out->pmd.nb_timeline = MBOX_TIMELINE;
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
	mbox_rec_write(&mbox_port_shm(mb, port)->ctrl, rec, sizeof(*rec));
	return 0;
}

int
mbox_port_set_pmd(struct mbox *mb, unsigned int port, const struct mbox_pmd_rec *rec)
{
	int rc = port_arg(mb, port, "mbox_port_set_pmd");

	if (rc < 0)
		return rc;
	if (mb->role != MBOX_ROLE_PMD || !port_claimed(mb, port))
		return mbox_setmsg(-EPERM, "mbox_port_set_pmd: port %u is not claimed by this process",
				  port);
	if (rec == NULL || rec->state >= MBOX_PMD_NUM || rec->phase >= MBOX_PHASES ||
	    rec->nb_timeline > MBOX_TIMELINE)
		return mbox_setmsg(-EINVAL, "mbox_port_set_pmd: port %u: invalid record", port);
	mbox_rec_write(&mbox_port_shm(mb, port)->pmd, rec, sizeof(*rec));
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
		if (mbox_rec_read(&mbox_port_shm(mb, p)->ctrl, &rec, sizeof(rec)) < 0)
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
		if (mbox_rec_read(&mbox_port_shm(mb, i)->ctrl, &rec, sizeof(rec)) == 0 &&
		    rec.hw_state == MBOX_HW_NONE)
			free_port = (int)i;
	}
	if (free_port < 0)
		return mbox_setmsg(-ENOSPC, "mbox_port_add: all %u ports in use", mb->nb_ports);
	memset(&rec, 0, sizeof(rec));
	rec.ident = *id;
	rec.hw_state = MBOX_HW_UP;
	rec.t_changed = mbox_now_ns();
	mbox_rec_write(&mbox_port_shm(mb, (unsigned int)free_port)->ctrl, &rec, sizeof(rec));
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
	doorbell(mb->efd);
	return 0;
}

int
mbox_port_release(struct mbox *mb, unsigned int port)
{
	uint32_t token;
	int rc = port_arg(mb, port, "mbox_port_release");

	if (rc < 0)
		return rc;
	if (mb->role != MBOX_ROLE_PMD || !port_claimed(mb, port))
		return mbox_setmsg(-EPERM, "mbox_port_release: port %u is not claimed", port);
	__atomic_fetch_and(&mb->claimed, ~(1ull << port), __ATOMIC_RELEASE);
	token = __atomic_load_n(&mb->token, __ATOMIC_ACQUIRE);
	__atomic_compare_exchange_n(&mbox_port_shm(mb, port)->owner, &token, 0, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	return 0;
}
