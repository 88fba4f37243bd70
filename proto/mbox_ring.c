/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Event rings (lock-free SPSC, one per port and direction): posting and
 * consuming events. The per-port records and ownership are mbox_port.c.
 */
#include <errno.h>
#include <string.h>

#include "mbox_priv.h"

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
	if (rx->held && head > rx->hold_head) {
		/* Posted since our ctrl went: by nobody we authenticated yet. */
		if (tail >= rx->hold_head)
			return 0;
		head = rx->hold_head;
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

int
mbox_consume(struct mbox *mb, struct mbox_event *ev)
{
	bool c2p = mb->role == MBOX_ROLE_PMD;
	unsigned int i, p;
	int rc;

	for (i = 0; i < mb->nb_ports; i++) {
		p = (mb->rr + i) % mb->nb_ports;
		if (c2p && !mbox_port_claimed(mb, p))
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
	if (!c2p && !mbox_port_claimed(mb, ev->port))
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
		mbox_doorbell(c2p ? ctrl_peer_efd(mb, ev->port) : mb->peer_efd);
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
