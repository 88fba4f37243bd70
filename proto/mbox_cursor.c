/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The readers' cursor (README, section 13): every event of every ring, both
 * directions, read without writing a byte of the segment, so a tool may
 * follow the mailbox without ever slowing or blocking a producer. The
 * producer does not know readers exist; it overwrites slots once their
 * consumer took them, and a reader that fell behind is told how many
 * events it missed. Calls only mbox_seg.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mbox_priv.h"

/* A cursor's position on one ring (port, direction). */
struct cur_ring {
	uint64_t idx;          /* the next ring index (head value) to read */
	uint64_t lost_seen;    /* producer losses accounted for so far */
	bool known;            /* lost_seen is set (else: the next event sets it) */
	bool has_ev;           /* ev is read and checked, waiting to be returned */
	bool has_gap;          /* a RESYNC to return before ev */
	uint64_t gap_missed;
	uint64_t gap_lost;
	struct mbox_event ev;
};

struct mbox_cursor {
	const struct mbox *mb;
	uint32_t nb_rings;     /* 2 per port: even c2p (to the PMD), odd p2c */
	struct cur_ring r[];
};

static struct mbox_ring *
ring_of(const struct mbox *mb, uint32_t i)
{
	return (i & 1) ? mbox_ring_p2c(mb, i / 2) : mbox_ring_c2p(mb, i / 2);
}

/*
 * Copy a slot the producer may be rewriting: 8-byte atomic loads (never a
 * torn word, no data race), each acquire so that the caller's second look
 * at head and tail comes after all of them (an acquire fence would do, but
 * TSan has none); that second look decides whether the copy is whole.
 */
static void
slot_copy(struct mbox_slot *dst, const struct mbox_slot *src)
{
	uint64_t w[sizeof(*src) / sizeof(uint64_t)];
	const uint64_t *s = (const uint64_t *)(const void *)src;

	static_assert(sizeof(*src) % sizeof(uint64_t) == 0, "slot of whole words");
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		w[i] = __atomic_load_n(&s[i], __ATOMIC_ACQUIRE);
	memcpy(dst, w, sizeof(*dst));
}

/*
 * The oldest index whose slot is whole: index j is rewritten by j + slots,
 * which the producer writes only when head = j + slots and the consumer has
 * taken j (tail > j). So head - slots is still whole while the ring is full
 * (tail = head - slots), head - slots + 1 otherwise.
 */
static uint64_t
oldest(const struct mbox *mb, uint64_t head, uint64_t tail)
{
	if (head < mb->slots)
		return 0;
	return head - mb->slots + (tail > head - mb->slots ? 1 : 0);
}

static void
gap(struct cur_ring *c, uint64_t missed, uint64_t lost)
{
	c->has_gap = true;
	c->gap_missed += missed;
	c->gap_lost += lost;
}

/* Read ring i's next event into c->ev, noting gaps; nothing if one is pending. */
static void
refill(const struct mbox *mb, struct cur_ring *c, uint32_t i)
{
	const struct mbox_ring *ring = ring_of(mb, i);
	const unsigned int port = i / 2;
	const bool c2p = (i & 1) == 0;
	struct mbox_slot s;
	uint64_t head, head2, tail, lost, lost_at, from;

	if (c->has_ev)
		return;
	/* Bounded: each turn moves idx forward or returns. */
	for (unsigned int tries = 0; tries < 8; tries++) {
		/* Acquire pairs with the producer's release store of lost; loaded
		 * before head, so an empty ring's count is exact (as a consumer's).
		 */
		lost = __atomic_load_n(&ring->lost, __ATOMIC_ACQUIRE);
		/* Acquire pairs with the producer's store of head: slots below are written. */
		head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
		/* Acquire pairs with the consumer's store of tail (loaded after head:
		 * a tail newer than head only makes us more careful).
		 */
		tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
		if (head < c->idx) {
			/* Indices went back: not the ring we followed (corrupted). */
			c->idx = head;
			c->known = false;
			gap(c, 0, 0);
			return;
		}
		from = oldest(mb, head, tail);
		if (c->idx < from) {
			/* Fell behind: slot idx is, or may be being, overwritten. */
			gap(c, from - c->idx, 0);
			c->idx = from;
			continue;
		}
		if (head == c->idx) {
			if (c->known && lost > c->lost_seen) {
				gap(c, 0, lost - c->lost_seen);
				c->lost_seen = lost;
			}
			return;
		}
		slot_copy(&s, &ring->slot[c->idx & (mb->slots - 1)]);
		/* The slot's acquire loads order this second look after them: if the
		 * producer had started rewriting the slot (index idx + slots), its
		 * store of head for index idx + slots - 1 and the consumer's store
		 * of tail past idx came before, and we see them. The crc32c of the
		 * copy is checked too.
		 */
		head2 = __atomic_load_n(&ring->head, __ATOMIC_RELAXED);
		tail = __atomic_load_n(&ring->tail, __ATOMIC_RELAXED);
		if (c->idx < oldest(mb, head2, tail))
			continue;	/* overwritten while we copied: skipped above */
		if (s.magic != MBOX_HELLO_MAGIC || s.crc != mbox_crc32c(0, &s.ev, sizeof(s.ev)) ||
		    mbox_ev_check(&s.ev, port, c2p) < 0 || s.ev.seq <= c->idx) {
			/* Malformed: skipped, counted as missed. */
			gap(c, 1, 0);
			c->idx++;
			continue;
		}
		/* seq = head + lost + 1 at the post: the producer's losses so far. */
		lost_at = s.ev.seq - c->idx - 1;
		if (c->known && lost_at > c->lost_seen)
			gap(c, 0, lost_at - c->lost_seen);
		c->lost_seen = lost_at;
		c->known = true;
		c->idx++;
		c->ev = s.ev;
		c->has_ev = true;
		return;
	}
}

struct mbox_cursor *
mbox_cursor_new(const struct mbox *mb, unsigned int flags)
{
	struct mbox_cursor *cur;

	if (mb == NULL || (flags & ~MBOX_CURSOR_OLDEST) != 0) {
		mbox_setmsg(-EINVAL, "mbox_cursor_new: %s",
			    mb == NULL ? "NULL mailbox" : "unknown flags");
		errno = EINVAL;
		return NULL;
	}
	cur = calloc(1, sizeof(*cur) + 2 * mb->nb_ports * sizeof(cur->r[0]));
	if (cur == NULL) {
		mbox_setmsg(-ENOMEM, "mbox_cursor_new: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	cur->mb = mb;
	cur->nb_rings = 2 * mb->nb_ports;
	for (uint32_t i = 0; i < cur->nb_rings; i++) {
		const struct mbox_ring *ring = ring_of(mb, i);
		struct cur_ring *c = &cur->r[i];
		/* As in refill: lost before head, both acquire. */
		uint64_t lost = __atomic_load_n(&ring->lost, __ATOMIC_ACQUIRE);
		uint64_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
		uint64_t tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);

		if (flags & MBOX_CURSOR_OLDEST) {
			c->idx = oldest(mb, head, tail);
			c->known = false;
		} else {
			c->idx = head;
			c->lost_seen = lost;
			c->known = true;
		}
	}
	return cur;
}

int
mbox_cursor_next(struct mbox_cursor *cur, struct mbox_cursor_ev *out)
{
	struct cur_ring *best = NULL, *c;
	uint64_t best_t = 0, t, now = 0;
	uint32_t best_i = 0;

	if (cur == NULL || out == NULL)
		return mbox_setmsg(-EINVAL, "mbox_cursor_next: NULL argument");
	for (uint32_t i = 0; i < cur->nb_rings; i++) {
		c = &cur->r[i];
		refill(cur->mb, c, i);
		if (!c->has_ev && !c->has_gap)
			continue;
		if (c->has_ev) {
			t = c->ev.time_ns;
		} else {
			if (now == 0)
				now = mbox_now_ns();
			t = now;
		}
		if (best == NULL || t < best_t) {
			best = c;
			best_t = t;
			best_i = i;
		}
	}
	if (best == NULL)
		return 0;
	memset(out, 0, sizeof(*out));
	out->dir = (best_i & 1) ? MBOX_DIR_TO_CTRL : MBOX_DIR_TO_PMD;
	if (best->has_gap) {
		out->ev.type = MBOX_EV_RESYNC;
		out->ev.port = (uint16_t)(best_i / 2);
		out->ev.time_ns = best_t;
		out->missed = best->gap_missed;
		out->lost = best->gap_lost;
		best->has_gap = false;
		best->gap_missed = 0;
		best->gap_lost = 0;
		return 1;
	}
	out->ev = best->ev;
	best->has_ev = false;
	return 1;
}

void
mbox_cursor_free(struct mbox_cursor *cur)
{
	free(cur);
}
