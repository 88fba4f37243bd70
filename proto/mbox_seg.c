/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The segment: layout (and where a port's blocks are), validation of an
 * untrusted image, checksums, the double-buffered seqlock records, event
 * checks, names, the error message. No syscalls but the clock; the lowest
 * file of proto/, it calls none of the others.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mbox_priv.h"

static __thread char errmsg[256];

int
mbox_setmsg(int err, const char *fmt, ...)
{
	char tmp[sizeof(errmsg)];
	va_list ap;

	/* Through tmp: the arguments may include mbox_errmsg() itself. */
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(errmsg, tmp, sizeof(errmsg));
	return err;
}

const char *
mbox_errmsg(void)
{
	return errmsg;
}

uint64_t
mbox_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* crc32c, reflected polynomial 0x82f63b78, table built at load time. */
static uint32_t crc_table[256];

__attribute__((constructor)) static void
crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ (c & 1 ? 0x82f63b78u : 0);
		crc_table[i] = c;
	}
}

#ifdef __SSE4_2__
#include <nmmintrin.h>
uint32_t
mbox_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t c = ~crc, w;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		c = _mm_crc32_u64(c, w);
	}
	for (; len > 0; len--, p++)
		c = _mm_crc32_u8((uint32_t)c, *p);
	return ~(uint32_t)c;
}
#else
uint32_t
mbox_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
#endif

uint32_t
mbox_port_stride(uint32_t ring_slots)
{
	if (ring_slots < 2 || ring_slots > MBOX_MAX_SLOTS || (ring_slots & (ring_slots - 1)))
		return 0;
	return sizeof(struct mbox_port_shm) +
		2 * (sizeof(struct mbox_ring) + ring_slots * MBOX_SLOT_SIZE);
}

size_t
mbox_seg_size(uint32_t nb_ports, uint32_t ring_slots)
{
	return sizeof(struct mbox_hdr) + (size_t)nb_ports * mbox_port_stride(ring_slots);
}

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

static uint32_t
hdr_crc(const struct mbox_hdr *h)
{
	return mbox_crc32c(0, h, offsetof(struct mbox_hdr, hdr_crc));
}

void
mbox_seg_format(void *buf, uint32_t nb_ports, uint32_t ring_slots, uint64_t key)
{
	struct mbox_hdr *h = buf;
	struct timespec ts;

	memset(h, 0, sizeof(*h));
	memcpy(h->magic, MBOX_MAGIC, sizeof(h->magic));
	h->major = MBOX_MAJOR;
	h->minor = MBOX_MINOR;
	h->hdr_size = sizeof(*h);
	h->compat_features = MBOX_COMPAT_KNOWN;
	h->incompat_features = MBOX_INCOMPAT_KNOWN;
	h->key = key;
	h->seg_size = mbox_seg_size(nb_ports, ring_slots);
	h->nb_ports = nb_ports;
	h->ring_slots = ring_slots;
	h->slot_size = MBOX_SLOT_SIZE;
	h->rec_size = sizeof(struct mbox_rec);
	h->port_stride = mbox_port_stride(ring_slots);
	h->ports_off = sizeof(*h);
	clock_gettime(CLOCK_REALTIME, &ts);
	h->t_created = (uint64_t)ts.tv_sec;
	h->hdr_crc = hdr_crc(h);
}

int
mbox_seg_check(const void *buf, size_t len)
{
	struct mbox_hdr h;
	uint32_t stride;

	if (len < sizeof(h))
		return mbox_setmsg(-EBADMSG, "segment truncated: %zu bytes, a header alone is %zu",
				  len, sizeof(h));
	/* One copy: the peer may change the segment while we look. */
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, MBOX_MAGIC, sizeof(h.magic)) != 0)
		return mbox_setmsg(-EBADMSG, "not a mailbox segment (bad magic)");
	if (h.major != MBOX_MAJOR)
		return mbox_setmsg(-EPROTONOSUPPORT,
				  "segment version %u.%u, this library speaks %u.x: upgrade the older side",
				  h.major, h.minor, MBOX_MAJOR);
	if (h.hdr_crc != hdr_crc(&h))
		return mbox_setmsg(-EBADMSG, "segment header checksum mismatch: corrupted segment");
	if (h.incompat_features & ~MBOX_INCOMPAT_KNOWN)
		return mbox_setmsg(-EPROTONOSUPPORT,
				  "segment needs features 0x%llx this library lacks",
				  (unsigned long long)(h.incompat_features & ~MBOX_INCOMPAT_KNOWN));
	stride = mbox_port_stride(h.ring_slots);
	if (h.hdr_size < sizeof(h) || h.ports_off < h.hdr_size || h.ports_off % MBOX_LINE ||
	    h.slot_size != MBOX_SLOT_SIZE || h.rec_size != sizeof(struct mbox_rec) ||
	    stride == 0 || h.port_stride != stride ||
	    h.nb_ports == 0 || h.nb_ports > MBOX_MAX_PORTS)
		return mbox_setmsg(-EBADMSG,
				  "segment geometry invalid (%u ports, %u slots, stride %u, ports at %u)",
				  h.nb_ports, h.ring_slots, h.port_stride, h.ports_off);
	if (h.seg_size != (uint64_t)h.ports_off + (uint64_t)h.nb_ports * stride)
		return mbox_setmsg(-EBADMSG, "segment size %llu does not match its geometry",
				  (unsigned long long)h.seg_size);
	if (h.seg_size > len)
		return mbox_setmsg(-EBADMSG, "segment truncated: %zu of %llu bytes", len,
				  (unsigned long long)h.seg_size);
	return 0;
}

/* Records: two copies, each a seqlock whose payload is read and written
 * word by word with atomics (TSan-clean, no torn words; plain moves on
 * x86), plus a crc32c. The payload stores are release and its loads
 * acquire, so a reader that saw any new word also sees the odd seq before
 * it, with no fence (TSan does not model fences). The single writer
 * always rewrites the copy readers do not take, then flips `active`: a
 * writer killed mid-update leaves the active copy intact, so readers never
 * wait for a dead writer.
 */
#define REC_TRIES 64

static uint32_t
rec_crc(uint64_t seq, uint32_t len, const uint64_t *data)
{
	uint32_t crc;

	crc = mbox_crc32c(0, &seq, sizeof(seq));
	crc = mbox_crc32c(crc, &len, sizeof(len));
	return mbox_crc32c(crc, data, MBOX_REC_WORDS * 8);
}

int
mbox_rec_read(const struct mbox_rec *r, void *out, size_t len)
{
	uint64_t data[MBOX_REC_WORDS];
	const struct mbox_rec_copy *c;
	uint64_t s1, s2;
	uint32_t a, l, crc;
	int i, try;

	for (try = 0; try < REC_TRIES; try++) {
		if (try > 8) {
			/* Let a preempted writer finish its copy. Sleep,
			 * never sched_yield: a yield loop pushes the
			 * caller's whole task group (its session) back on
			 * its CPU under EEVDF, writer included when it is
			 * one of ours.
			 */
			struct timespec ts = { 0, 20000 };

			nanosleep(&ts, NULL);
		}
		/* Pairs with the release store of active in mbox_rec_write. */
		a = __atomic_load_n(&r->active, __ATOMIC_ACQUIRE) & 1;
		c = &r->copy[a];
		/* Pairs with the writer's release store of the even seq. */
		s1 = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		l = __atomic_load_n(&c->len, __ATOMIC_ACQUIRE);
		crc = __atomic_load_n(&c->crc, __ATOMIC_ACQUIRE);
		/* Acquire: pairs with the writer's release stores of the
		 * payload, and keeps the load of s2 after them.
		 */
		for (i = 0; i < MBOX_REC_WORDS; i++)
			data[i] = __atomic_load_n(&c->data[i], __ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
		if (s1 != s2)
			continue;
		if (s1 == 0) {
			/* Never written. */
			memset(out, 0, len);
			return 0;
		}
		if (l != len)
			return mbox_setmsg(-EBADMSG, "record of %u bytes, expected %zu: corrupted segment",
					  l, len);
		if (crc != rec_crc(s1, l, data))
			return mbox_setmsg(-EBADMSG, "record checksum mismatch: corrupted segment");
		memcpy(out, data, len);
		return 0;
	}
	return mbox_setmsg(-EAGAIN, "record rewritten during %d reads in a row", REC_TRIES);
}

void
mbox_rec_write(struct mbox_rec *r, const void *in, size_t len)
{
	uint64_t data[MBOX_REC_WORDS] = { 0 };
	struct mbox_rec_copy *c;
	uint64_t s0, s1, s;
	uint32_t a;
	int i;

	memcpy(data, in, len);
	a = __atomic_load_n(&r->active, __ATOMIC_RELAXED) & 1;
	c = &r->copy[!a];
	/* Strictly above both copies, odd: also after a writer died mid-way. */
	s0 = __atomic_load_n(&r->copy[0].seq, __ATOMIC_RELAXED);
	s1 = __atomic_load_n(&r->copy[1].seq, __ATOMIC_RELAXED);
	s = ((s0 > s1 ? s0 : s1) + 1) | 1;
	__atomic_store_n(&c->seq, s, __ATOMIC_RELAXED);
	/* Release: pairs with the reader's acquire loads of the payload; a
	 * reader that sees a word stored here also sees the odd seq above.
	 */
	__atomic_store_n(&c->len, (uint32_t)len, __ATOMIC_RELEASE);
	__atomic_store_n(&c->crc, rec_crc(s + 1, (uint32_t)len, data), __ATOMIC_RELEASE);
	for (i = 0; i < MBOX_REC_WORDS; i++)
		__atomic_store_n(&c->data[i], data[i], __ATOMIC_RELEASE);
	/* Pairs with the reader's acquire load of seq. */
	__atomic_store_n(&c->seq, s + 1, __ATOMIC_RELEASE);
	/* Pairs with the reader's acquire load of active. */
	__atomic_store_n(&r->active, !a, __ATOMIC_RELEASE);
}

static const char *const ev_names[] = {
	[MBOX_EV_NONE] = "none",
	[MBOX_EV_SVC_START] = "svc_start",
	[MBOX_EV_HW_BACK] = "hw_back",
	[MBOX_EV_HOT_REMOVE] = "hot_remove",
	[MBOX_EV_GONE] = "gone",
	[MBOX_EV_RESET_ENTER] = "reset_enter",
	[MBOX_EV_PHASE] = "phase",
	[MBOX_EV_RECOVERED] = "recovered",
	[MBOX_EV_RECOVERY_FAILED] = "recovery_failed",
	[MBOX_EV_PEER_UP] = "peer_up",
	[MBOX_EV_PEER_DOWN] = "peer_down",
	[MBOX_EV_RESYNC] = "resync",
	[MBOX_EV_STALE] = "stale",
	[MBOX_EV_UNTRUSTED] = "untrusted",
};

static const char *const hw_names[] = {
	"none", "up", "service", "removed", "gone",
};

static const char *const pmd_names[] = {
	"none", "active", "reset_enter", "wait_hw", "reset_exit", "failed", "removed", "closed",
};

static const char *const rm_names[] = {
	"unsaid", "service", "surprise",
};

static const char *const src_names[] = {
	"unknown", "rdma_netlink", "devlink", "uevent", "operator",
};

#define NAME(tab, i) ((i) < sizeof(tab) / sizeof(tab[0]) && (tab)[i] != NULL ? (tab)[i] : "?")

const char *
mbox_ev_name(unsigned int type)
{
	return NAME(ev_names, type);
}

const char *
mbox_hw_state_name(unsigned int s)
{
	return NAME(hw_names, s);
}

const char *
mbox_pmd_state_name(unsigned int s)
{
	return NAME(pmd_names, s);
}

const char *
mbox_svc_source_name(unsigned int s)
{
	return NAME(src_names, s);
}

const char *
mbox_rm_cause_name(unsigned int c)
{
	return NAME(rm_names, c);
}

static bool
str_ok(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

int
mbox_ev_check(const struct mbox_event *ev, unsigned int port, bool c2p)
{
	const struct mbox_reset_rec *res = &ev->u.result;
	int i;

	if (ev->port != port || ev->flags != 0 || ev->seq == 0)
		return mbox_setmsg(-EBADMSG, "event for port %u (flags 0x%x, seq %llu) on port %u's ring",
				  ev->port, ev->flags, (unsigned long long)ev->seq, port);
	switch (ev->type) {
	case MBOX_EV_SVC_START:
		if (!c2p || ev->u.svc.source >= MBOX_SRC_NUM)
			goto bad;
		return 0;
	case MBOX_EV_HW_BACK:
		if (!c2p || !str_ok(ev->u.ident.pci, sizeof(ev->u.ident.pci)) ||
		    !str_ok(ev->u.ident.ibdev, sizeof(ev->u.ident.ibdev)) ||
		    !str_ok(ev->u.ident.netdev, sizeof(ev->u.ident.netdev)))
			goto bad;
		return 0;
	case MBOX_EV_HOT_REMOVE:
		if (!c2p || ev->u.rm.cause >= MBOX_RM_NUM || ev->u.rm.source >= MBOX_SRC_NUM)
			goto bad;
		return 0;
	case MBOX_EV_GONE:
		if (!c2p)
			goto bad;
		return 0;
	case MBOX_EV_RESET_ENTER:
	case MBOX_EV_PHASE:
		if (c2p || ev->u.phase.phase >= MBOX_PHASES || ev->u.phase.state >= MBOX_PMD_NUM)
			goto bad;
		return 0;
	case MBOX_EV_RECOVERED:
	case MBOX_EV_RECOVERY_FAILED:
		if (c2p || res->outcome >= MBOX_PMD_NUM || res->error > 0)
			goto bad;
		for (i = 0; i < MBOX_PHASES; i++)
			if (res->phase_ns[i] > res->total_ns)
				goto bad;
		return 0;
	default:
		break;
	}
bad:
	return mbox_setmsg(-EBADMSG, "malformed %s event (type %u) on port %u's %s ring",
			  mbox_ev_name(ev->type), ev->type, port, c2p ? "ctrl->pmd" : "pmd->ctrl");
}
