/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * libFuzzer target: the input is a segment image. It goes through what a
 * PMD or ctrl does with a segment it did not write: validate the header,
 * read every record, find a port, consume every ring in both roles, follow
 * every ring with a reader's cursor (mbox_cursor.c). Then
 * the same again with every checksum made right, so that the mutations
 * reach the decoders behind the checksums. Built by clang with ASan
 * (tools/bazel/fuzz.bzl); a crash or an out-of-bounds read fails the test.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/mbox_priv.h"

/* Recompute header, record and slot checksums where the geometry is sane. */
static void
fix_crcs(uint8_t *buf, size_t len)
{
	struct mbox_hdr *h = (struct mbox_hdr *)buf;
	struct mbox_port_shm *ps;
	struct mbox_ring *r;
	struct mbox_rec *rec;
	uint32_t p, i, c, stride, crc;
	uint64_t seq;
	int dir;

	if (len < sizeof(*h))
		return;
	h->hdr_crc = mbox_crc32c(0, h, offsetof(struct mbox_hdr, hdr_crc));
	if (mbox_seg_check(buf, len) < 0)
		return;
	stride = h->port_stride;
	for (p = 0; p < h->nb_ports; p++) {
		ps = (struct mbox_port_shm *)(buf + h->ports_off + (size_t)p * stride);
		for (rec = &ps->ctrl; rec <= &ps->pmd; rec++) {
			for (c = 0; c < 2; c++) {
				struct mbox_rec_copy *cp = &rec->copy[c];

				seq = cp->seq & ~1ull;
				cp->seq = seq;
				crc = mbox_crc32c(0, &seq, sizeof(seq));
				crc = mbox_crc32c(crc, &cp->len, sizeof(cp->len));
				cp->crc = mbox_crc32c(crc, cp->data, sizeof(cp->data));
			}
		}
		r = (struct mbox_ring *)(ps + 1);
		for (dir = 0; dir < 2; dir++) {
			for (i = 0; i < h->ring_slots; i++) {
				r->slot[i].magic = MBOX_HELLO_MAGIC;
				r->slot[i].crc = mbox_crc32c(0, &r->slot[i].ev,
							     sizeof(r->slot[i].ev));
			}
			r = (struct mbox_ring *)((uint8_t *)r + sizeof(*r) +
						 (size_t)h->ring_slots * MBOX_SLOT_SIZE);
		}
	}
}

static void
run(uint8_t *buf, size_t len)
{
	static const enum mbox_role roles[] = { MBOX_ROLE_CTRL, MBOX_ROLE_PMD };
	struct mbox_cursor_ev cev;
	struct mbox_cursor *cur;
	struct mbox_event ev;
	struct mbox_port pt;
	struct mbox_info info;
	struct mbox *mb;
	unsigned int r, p, n;

	if (mbox_seg_check(buf, len) < 0)
		return;
	for (r = 0; r < 2; r++) {
		mb = mbox_mem_open(buf, len, roles[r]);
		if (mb == NULL)
			return;
		mbox_info(mb, &info);
		for (p = 0; p < info.nb_ports; p++)
			mbox_port_read(mb, p, &pt);
		mbox_port_find(mb, "7870:00:00.0");
		for (n = 0; n < info.nb_ports * (info.ring_slots + 4); n++)
			if (mbox_next(mb, &ev) <= 0)
				break;
		mbox_close(mb);
	}
	/* A reader's cursor over every ring, from the oldest slot. */
	mb = mbox_mem_open(buf, len, MBOX_ROLE_READER);
	if (mb == NULL)
		return;
	cur = mbox_cursor_new(mb, MBOX_CURSOR_OLDEST);
	if (cur != NULL) {
		mbox_info(mb, &info);
		for (n = 0; n < 2 * info.nb_ports * (info.ring_slots + 2) + 8; n++)
			if (mbox_cursor_next(cur, &cev) <= 0)
				break;
		mbox_cursor_free(cur);
	}
	mbox_close(mb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbox_event ev;
	uint8_t *buf;

	/* A single event, as a consumer would decode it. */
	if (size >= sizeof(ev)) {
		memcpy(&ev, data, sizeof(ev));
		mbox_ev_check(&ev, ev.port, true);
		mbox_ev_check(&ev, ev.port, false);
	}
	/* Exactly size bytes: ASan sees any read past the image. */
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	run(buf, size);
	memcpy(buf, data, size);
	fix_crcs(buf, size);
	run(buf, size);
	free(buf);
	return 0;
}
