/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Golden vectors of MANA's queue formats (pmd/mana_gdma.h). Every expected
 * byte below was computed by hand from the documented fields (kernel
 * include/net/mana/gdma.h and mana.h; little-endian dwords, bitfields LSB
 * first) and written as a literal: none comes from the code under test.
 * Each vector's comment says which field makes which bytes. Both
 * directions are checked: the encoders must produce the bytes, the
 * decoders must read the fields back out of them. Plain C, no EAL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/lib/test_util.h"
#include "pmd/mana_gdma.h"

static void
expect_bytes(const char *what, const uint8_t *got, const uint8_t *want, size_t n)
{
	size_t i;

	if (memcmp(got, want, n) == 0)
		return;
	fprintf(stderr, "%s: bytes differ\n", what);
	for (i = 0; i < n; i++)
		if (got[i] != want[i])
			fprintf(stderr, "  byte %zu: got %02x, want %02x\n", i, got[i], want[i]);
	CHECK(!"golden bytes");
}

/* A TX WQE with one SGE and the short OOB, at the start of a 256-byte ring. */
static void
test_tx_wqe_one_sge(void)
{
	static const uint8_t want[32] = {
		/* DMA OOB header. dword 0: reserved:24 | last_vbytes:8 = 0. */
		0x00, 0x00, 0x00, 0x00,
		/* dword 1: num_sgl_entries 1 (bits 0-7) | inline OOB 2 dwords
		 * (bits 8-10: 2 << 8 = 0x200) = 0x00000201.
		 */
		0x01, 0x02, 0x00, 0x00,
		/* TX short OOB dword 0: format 0 (bits 0-1), is_outer_ipv4
		 * (bit 2: 0x04), compute IP csum (bit 4: 0x10), compute TCP
		 * csum (bit 5: 0x20) -> 0x34; VCQ 0x123456 (bits 8-31)
		 * -> 0x12345634.
		 */
		0x34, 0x56, 0x34, 0x12,
		/* dword 1: transport offset 34 = 0x22 (bits 0-9) | VSQ frame
		 * 0xabc << 10 = 0x2af000 | vport offset 0x5a << 24
		 * -> 0x5a2af022.
		 */
		0x22, 0xf0, 0x2a, 0x5a,
		/* SGE: address 0x00007f1234567890 (u64 LE), */
		0x90, 0x78, 0x56, 0x34, 0x12, 0x7f, 0x00, 0x00,
		/* memory key 0x00abcd01, */
		0x01, 0xcd, 0xab, 0x00,
		/* size 1514 = 0x5ea. 8 + 8 + 16 = 32 bytes: one BU. */
		0xea, 0x05, 0x00, 0x00,
	};
	uint8_t ring[256];
	struct mana_gdma_wq wq = { .buf = ring, .size = sizeof(ring) };
	struct mana_tx_oob oob = {
		.outer_ipv4 = true, .ip_csum = true, .tcp_csum = true,
		.vcq = 0x123456, .l4_offset = 34, .vsq_frame = 0xabc, .vport_offset = 0x5a,
	};
	struct mana_gdma_sge sge = { .addr = 0x00007f1234567890ull, .lkey = 0x00abcd01,
				     .size = 1514 };
	struct mana_gdma_wqe_view v;
	struct mana_tx_oob back;
	struct mana_gdma_sge sback;
	uint8_t ob[24];
	uint32_t len;

	memset(ring, 0xee, sizeof(ring));
	len = mana_tx_oob_encode(&oob, ob);
	CHECK(len == 8);
	CHECK(mana_gdma_wqe_post(&wq, ob, len, &sge, 1) == 1);
	CHECK(wq.head == 1);
	expect_bytes("tx wqe, 1 sge", ring, want, sizeof(want));
	CHECK(ring[32] == 0xee);           /* nothing past the WQE */

	/* The device's view of the same bytes. */
	CHECK(mana_gdma_wqe_parse(want, 32, 0, 32, &v) == 0);
	CHECK(v.hdr.num_sge == 1 && v.hdr.oob_dwords == 2 && v.oob_len == 8 && v.bu == 1);
	mana_tx_oob_decode(v.oob, v.oob_len, &back);
	CHECK(!back.long_format && back.outer_ipv4 && !back.outer_ipv6 && back.ip_csum &&
	      back.tcp_csum && !back.udp_csum && !back.suppress_cqe);
	CHECK(back.vcq == 0x123456 && back.l4_offset == 34 && back.vsq_frame == 0xabc &&
	      back.vport_offset == 0x5a);
	mana_gdma_wqe_sge(want, 32, &v, 0, &sback);
	CHECK(sback.addr == 0x00007f1234567890ull && sback.lkey == 0x00abcd01 &&
	      sback.size == 1514);
	/* The VSQ frame number is bits 10..23 of the SQ id. */
	CHECK(mana_tx_vsq_frame(0x2af3ff) == 0xabc);
	CHECK(mana_tx_vsq_frame(0xffffff) == 0x3fff);
	CHECK(mana_tx_vsq_frame(0x0003ff) == 0);
}

/* A TX WQE with three SGEs at the last BU of a 256-byte ring: the header and
 * OOB at 224, SGE 0 at 240, SGEs 1 and 2 wrapped to 0 and 16.
 */
static void
test_tx_wqe_three_sges_wrapping(void)
{
	static const uint8_t want_tail[32] = {   /* ring bytes 224..255 */
		/* header dword 0: 0; dword 1: 3 SGEs | 2 << 8 = 0x203. */
		0x00, 0x00, 0x00, 0x00, 0x03, 0x02, 0x00, 0x00,
		/* OOB dword 0: is_outer_ipv6 (bit 3: 0x08), compute UDP csum
		 * (bit 6: 0x40), suppress CQE (bit 7: 0x80) -> 0xc8; VCQ
		 * 0x000102 << 8 -> 0x000102c8.
		 */
		0xc8, 0x02, 0x01, 0x00,
		/* dword 1: transport offset 54 = 0x36 | VSQ frame 1 << 10 =
		 * 0x400 | vport 0x01 << 24 -> 0x01000436.
		 */
		0x36, 0x04, 0x00, 0x01,
		/* SGE 0 (240): address 0x1000, key 0x101, size 14. */
		0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x01, 0x01, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,
	};
	static const uint8_t want_head[32] = {   /* ring bytes 0..31 */
		/* SGE 1 (wrapped to 0): address 0x200000000040, key 0x202,
		 * size 40 = 0x28.
		 */
		0x40, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00,
		0x02, 0x02, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00,
		/* SGE 2 (16): address 0xfffffffffffffff0, key 0xffffffff,
		 * size 0x10000.
		 */
		0xf0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x01, 0x00,
	};
	uint8_t ring[256], untouched[256];
	/* head 7: byte 224; 8 BUs free. */
	struct mana_gdma_wq wq = { .buf = ring, .size = sizeof(ring), .head = 7, .tail = 7 };
	struct mana_tx_oob oob = {
		.outer_ipv6 = true, .udp_csum = true, .suppress_cqe = true,
		.vcq = 0x000102, .l4_offset = 54, .vsq_frame = 1, .vport_offset = 1,
	};
	const struct mana_gdma_sge sgl[3] = {
		{ .addr = 0x1000, .lkey = 0x101, .size = 14 },
		{ .addr = 0x200000000040ull, .lkey = 0x202, .size = 40 },
		{ .addr = 0xfffffffffffffff0ull, .lkey = 0xffffffffu, .size = 0x10000 },
	};
	struct mana_gdma_wqe_view v;
	struct mana_gdma_sge s;
	uint8_t ob[24];
	uint32_t i;

	memset(ring, 0xee, sizeof(ring));
	memset(untouched, 0xee, sizeof(untouched));
	CHECK(mana_tx_oob_encode(&oob, ob) == 8);
	CHECK(mana_gdma_wqe_post(&wq, ob, 8, sgl, 3) == 2);   /* 8 + 8 + 48 = 64 B */
	CHECK(wq.head == 9);
	expect_bytes("tx wqe, 3 sges: ring end", ring + 224, want_tail, 32);
	expect_bytes("tx wqe, 3 sges: wrapped", ring, want_head, 32);
	expect_bytes("tx wqe, 3 sges: the rest untouched", ring + 32, untouched, 192);

	/* The device reads it across the wrap. */
	CHECK(mana_gdma_wqe_parse(ring, 256, 224, 64, &v) == 0);
	CHECK(v.hdr.num_sge == 3 && v.bu == 2 && v.offset == 224);
	for (i = 0; i < 3; i++) {
		mana_gdma_wqe_sge(ring, 256, &v, i, &s);
		CHECK(s.addr == sgl[i].addr && s.lkey == sgl[i].lkey && s.size == sgl[i].size);
	}
	/* Posted bytes short of the WQE: malformed. */
	CHECK(mana_gdma_wqe_parse(ring, 256, 224, 32, &v) == -EINVAL);

	/* A full ring refuses, and writes nothing: 2 BUs with 1 free. */
	wq.tail = 2;                      /* head 9 - tail 2 = 7 of 8 used */
	memcpy(untouched, ring, sizeof(ring));
	CHECK(mana_gdma_wq_free_bu(&wq) == 1);
	CHECK(mana_gdma_wqe_post(&wq, ob, 8, sgl, 3) == -EBUSY);
	CHECK(wq.head == 9);
	expect_bytes("full ring untouched", ring, untouched, sizeof(ring));
	CHECK(mana_gdma_wqe_post(&wq, ob, 25, sgl, 1) == -EINVAL);
}

/* The long OOB (VLAN tag insertion) and a WQE without data: the dummy SGE. */
static void
test_tx_wqe_long_oob_dummy_sge(void)
{
	static const uint8_t want[48] = {
		/* header dword 1: 1 SGE (the dummy) | inline OOB 6 dwords
		 * (6 << 8 = 0x600) -> 0x601.
		 */
		0x00, 0x00, 0x00, 0x00, 0x01, 0x06, 0x00, 0x00,
		/* OOB dword 0: format 1 = long (bits 0-1) | is_outer_ipv4
		 * (bit 2) -> 0x05; VCQ 0xabcdef << 8 -> 0xabcdef05.
		 */
		0x05, 0xef, 0xcd, 0xab,
		/* dword 1: offset 0 | VSQ frame 0x3fff << 10 = 0xfffc00 |
		 * vport 0xff << 24 -> 0xfffffc00.
		 */
		0x00, 0xfc, 0xff, 0xff,
		/* dword 2 (long part's dword 0): inject VLAN tag (bit 3: 0x8)
		 * | PCP 5 << 16 = 0x50000 | DEI (bit 19: 0x80000) | VID
		 * 0x123 << 20 = 0x12300000 -> 0x123d0008.
		 */
		0x08, 0x00, 0x3d, 0x12,
		/* dwords 3..5: zero padding of the 24-byte OOB. */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		/* The dummy SGE: address 1, key 0, size 0. 48 B: 2 BUs. */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t pad[16] = {
		0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
		0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
	};
	uint8_t ring[256];
	struct mana_gdma_wq wq = { .buf = ring, .size = sizeof(ring) };
	struct mana_tx_oob oob = {
		.long_format = true, .outer_ipv4 = true, .vcq = 0xabcdef,
		.vsq_frame = 0x3fff, .vport_offset = 0xff,
		.vlan_inject = true, .pcp = 5, .dei = true, .vid = 0x123,
	};
	struct mana_gdma_wqe_view v;
	struct mana_tx_oob back;
	uint8_t ob[24];

	memset(ring, 0xee, sizeof(ring));
	CHECK(mana_tx_oob_encode(&oob, ob) == 24);
	CHECK(mana_gdma_wqe_post(&wq, ob, 24, NULL, 0) == 2);
	expect_bytes("tx wqe, long oob, dummy sge", ring, want, sizeof(want));
	/* The padding to the BU is not the device's to read: not written. */
	expect_bytes("tx wqe padding", ring + 48, pad, sizeof(pad));

	CHECK(mana_gdma_wqe_parse(want, 64, 0, 64, &v) == 0);
	CHECK(v.oob_len == 24 && v.bu == 2);
	mana_tx_oob_decode(v.oob, v.oob_len, &back);
	CHECK(back.long_format && back.vlan_inject && back.pcp == 5 && back.dei &&
	      back.vid == 0x123 && back.vcq == 0xabcdef && back.vsq_frame == 0x3fff &&
	      back.vport_offset == 0xff);
}

/* An RX WQE: one BU at byte 96 of a 128-byte ring. */
static void
test_rx_wqe(void)
{
	static const uint8_t want[32] = {
		/* header: 1 SGE | 2 OOB dwords -> 0x00000201. */
		0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00,
		/* the small client OOB: 8 zero bytes. */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		/* SGE: address 0x7f0000001080, key 0x00010203, size 2048. */
		0x80, 0x10, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00,
		0x03, 0x02, 0x01, 0x00, 0x00, 0x08, 0x00, 0x00,
	};
	uint8_t ring[128];
	struct mana_gdma_wq wq = { .buf = ring, .size = sizeof(ring), .head = 3, .tail = 0 };
	struct mana_gdma_sge sge = { .addr = 0x7f0000001080ull, .lkey = 0x00010203, .size = 2048 };
	struct mana_gdma_wqe_view v;
	uint8_t bad[32];

	memset(ring, 0xee, sizeof(ring));
	CHECK(mana_gdma_wqe_bu(0, 1) == 1);
	CHECK(mana_gdma_wqe_post(&wq, NULL, 0, &sge, 1) == 1);
	CHECK(wq.head == 4);
	expect_bytes("rx wqe", ring + 96, want, sizeof(want));
	CHECK(mana_gdma_wqe_post(&wq, NULL, 0, &sge, 1) == -EBUSY);   /* 4 of 4 used */

	/* Malformed headers the device refuses. */
	memcpy(bad, want, sizeof(bad));
	bad[5] = 0x03;                    /* 3 OOB dwords */
	CHECK(mana_gdma_wqe_parse(bad, 32, 0, 32, &v) == -EINVAL);
	memcpy(bad, want, sizeof(bad));
	bad[4] = 0x00;                    /* no SGE */
	CHECK(mana_gdma_wqe_parse(bad, 32, 0, 32, &v) == -EINVAL);
	memcpy(bad, want, sizeof(bad));
	bad[5] = 0x0a;                    /* client OOB in SGL (bit 11) */
	CHECK(mana_gdma_wqe_parse(bad, 32, 0, 32, &v) == -EINVAL);
}

/* Doorbell values: 64 bits, little-endian, at their page offsets. */
static void
test_doorbells(void)
{
	/* SQ: id 0x123456 (bits 0-23), reserved (24-31), tail 37 BUs * 32 =
	 * 1184 = 0x4a0 bytes (bits 32-63).
	 */
	static const uint8_t sq[8] = { 0x56, 0x34, 0x12, 0x00, 0xa0, 0x04, 0x00, 0x00 };
	/* RQ: id 0x000abc, wqe_cnt 1 (bits 24-31), tail 0x00010020. */
	static const uint8_t rq[8] = { 0xbc, 0x0a, 0x00, 0x01, 0x20, 0x00, 0x01, 0x00 };
	/* CQ: id 0x42, tail 0x80000005 keeps 31 bits (5), arm (bit 63). */
	static const uint8_t cq_arm[8] = { 0x42, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x80 };
	static const uint8_t cq[8] = { 0x42, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00 };
	static uint8_t page[4096];
	struct mana_db db;
	uint8_t b[8];

	mana_le64_put(b, mana_db_sq(0x123456, 37 * 32));
	expect_bytes("sq doorbell", b, sq, 8);
	/* Ids are 24 bits: a wider one does not spill into reserved bits. */
	mana_le64_put(b, mana_db_sq(0x7123456, 37 * 32));
	expect_bytes("sq doorbell, id masked", b, sq, 8);
	mana_le64_put(b, mana_db_rq(0xabc, 0x00010020, 1));
	expect_bytes("rq doorbell", b, rq, 8);
	mana_le64_put(b, mana_db_cq(0x42, 0x80000005u, true));
	expect_bytes("cq doorbell, armed", b, cq_arm, 8);
	mana_le64_put(b, mana_db_cq(0x42, 5, false));
	expect_bytes("cq doorbell", b, cq, 8);

	/* Written where the page has them: SQ 0x000, RQ 0x400, CQ 0x800. */
	CHECK(MANA_DB_SQ == 0x000 && MANA_DB_RQ == 0x400 && MANA_DB_CQ == 0x800);
	mana_gdma_db_write(page, MANA_DB_SQ, mana_db_sq(0x123456, 37 * 32));
	mana_gdma_db_write(page, MANA_DB_RQ, mana_db_rq(0xabc, 0x00010020, 1));
	mana_gdma_db_write(page, MANA_DB_CQ, mana_db_cq(0x42, 0x80000005u, true));
	expect_bytes("page at 0x000", page + 0x000, sq, 8);
	expect_bytes("page at 0x400", page + 0x400, rq, 8);
	expect_bytes("page at 0x800", page + 0x800, cq_arm, 8);

	/* The device's decoding of the literal bytes. */
	mana_db_decode(mana_le64_get(rq), &db);
	CHECK(db.id == 0xabc && db.wqe_cnt == 1 && db.tail == 0x00010020 && !db.arm);
	mana_db_decode(mana_le64_get(sq), &db);
	CHECK(db.id == 0x123456 && db.tail == 0x4a0);
	mana_db_decode(mana_le64_get(cq_arm), &db);
	CHECK(db.id == 0x42 && (db.tail & 0x7fffffffu) == 5 && db.arm);
}

/* Dword 15 of a CQE: wq_num (0-23), is_sq (24), owner bits (29-31). */
static void
cqe_set_info(uint8_t *cq, uint32_t slot, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	uint8_t *e = cq + slot * 64 + 60;

	e[0] = b0;
	e[1] = b1;
	e[2] = b2;
	e[3] = b3;
}

/* A 4-entry CQ over three laps, the owner bits wrapping, an overflow. */
static void
test_cqe_owner_bits(void)
{
	static uint8_t cq[4 * 64];
	struct mana_gdma_cqe c;
	uint8_t data[60];
	uint32_t i;

	for (i = 0; i < 60; i++)
		data[i] = (uint8_t)(0xa0 + i);
	/* Zeroed: empty (owner 0 is the lap before the first, head 4 = count). */
	CHECK(mana_gdma_cq_poll(cq, 4, 4, &c) == 0);

	/* Lap 1 (head 4..7, owner 1): wq 0x000123, is_sq -> 0x21000123:
	 * 23 01 00 21 (byte 3: owner 1 << 5 = 0x20 | is_sq 0x01).
	 */
	memcpy(cq, data, 60);
	cqe_set_info(cq, 0, 0x23, 0x01, 0x00, 0x21);
	CHECK(mana_gdma_cq_poll(cq, 4, 4, &c) == 1);
	CHECK(c.wq_id == 0x123 && c.is_sq && memcmp(c.data, data, 60) == 0);
	CHECK(mana_gdma_cq_poll(cq, 4, 5, &c) == 0);    /* slot 1: still zero */

	/* Lap 2 (head 8..11, owner 2): 0x41000123. At head 8 it is valid;
	 * at head 4 the producer is a lap ahead: overflow.
	 */
	cqe_set_info(cq, 0, 0x23, 0x01, 0x00, 0x41);
	CHECK(mana_gdma_cq_poll(cq, 4, 8, &c) == 1);
	CHECK(mana_gdma_cq_poll(cq, 4, 4, &c) == -EOVERFLOW);
	/* At head 12 (lap 3, owner 3), owner 2 is last lap's: empty. */
	CHECK(mana_gdma_cq_poll(cq, 4, 12, &c) == 0);

	/* Lap 3 (head 12..15, owner 3), an RX CQE: wq 0xabcdef, not SQ ->
	 * 0x60abcdef: ef cd ab 60.
	 */
	cqe_set_info(cq, 0, 0xef, 0xcd, 0xab, 0x60);
	CHECK(mana_gdma_cq_poll(cq, 4, 12, &c) == 1);
	CHECK(c.wq_id == 0xabcdef && !c.is_sq);
	CHECK(mana_gdma_cq_poll(cq, 4, 8, &c) == -EOVERFLOW);

	/* Lap 8 wraps the 3 bits: head 32 expects owner 0; 7 is empty. */
	cqe_set_info(cq, 0, 0x23, 0x01, 0x00, 0xe1);
	CHECK(mana_gdma_cq_poll(cq, 4, 32, &c) == 0);
	cqe_set_info(cq, 0, 0x23, 0x01, 0x00, 0x01);
	CHECK(mana_gdma_cq_poll(cq, 4, 32, &c) == 1);

	/* The producer writes the same bytes: data, then dword 15 with the
	 * owner bits of its position (starting at count).
	 */
	memset(cq, 0, sizeof(cq));
	mana_gdma_cqe_write(cq, 4, 4, 0x123, true, data);       /* slot 0, lap 1 */
	{
		static const uint8_t want[4] = { 0x23, 0x01, 0x00, 0x21 };

		expect_bytes("cqe write, lap 1", cq + 60, want, 4);
		CHECK(memcmp(cq, data, 60) == 0);
	}
	mana_gdma_cqe_write(cq, 4, 9, 0xabcdef, false, data);   /* slot 1, lap 2 */
	{
		static const uint8_t want[4] = { 0xef, 0xcd, 0xab, 0x40 };

		expect_bytes("cqe write, lap 2", cq + 64 + 60, want, 4);
	}
	mana_gdma_cqe_write(cq, 4, 14, 0x1, true, data);        /* slot 2, lap 3 */
	{
		static const uint8_t want[4] = { 0x01, 0x00, 0x00, 0x61 };

		expect_bytes("cqe write, lap 3", cq + 128 + 60, want, 4);
	}
}

/* TX completion OOBs. */
static void
test_tx_comp(void)
{
	/* dword 0: cqe_type 32 = CQE_TX_OKAY (bits 0-5: 0x20), client type
	 * 0, vendor error 0; dword 1: tx_data_offset 0x1234; dword 2:
	 * tx_sgl_offset 3 (bits 0-4) | tx_wqe_offset 7 << 5 = 0xe0 -> 0xe3.
	 */
	static const uint8_t ok[12] = {
		0x20, 0x00, 0x00, 0x00, 0x34, 0x12, 0x00, 0x00, 0xe3, 0x00, 0x00, 0x00,
	};
	/* dword 0: type 37 = HDR_PROCESSING_ERROR (0x25) | client type 2
	 * (bits 6-7: 0x80) -> 0xa5 | vendor error 0x5e01 << 8 -> 0x005e01a5.
	 */
	static const uint8_t err[4] = { 0xa5, 0x01, 0x5e, 0x00 };
	uint8_t data[60], zero[48] = { 0 };
	struct mana_tx_comp tc = {
		.hdr = { .type = MANA_CQE_TX_OKAY },
		.tx_data_offset = 0x1234, .tx_sgl_offset = 3, .tx_wqe_offset = 7,
	};
	struct mana_tx_comp back;

	mana_tx_comp_encode(&tc, data);
	expect_bytes("tx comp ok", data, ok, sizeof(ok));
	expect_bytes("tx comp reserved", data + 12, zero, 48);
	memcpy(data, ok, sizeof(ok));
	mana_tx_comp_decode(data, &back);
	CHECK(back.hdr.type == 32 && back.hdr.client_type == 0 && back.hdr.vendor_err == 0);
	CHECK(back.tx_data_offset == 0x1234 && back.tx_sgl_offset == 3 && back.tx_wqe_offset == 7);

	tc.hdr.type = MANA_CQE_TX_HDR_PROCESSING_ERROR;
	tc.hdr.client_type = 2;
	tc.hdr.vendor_err = 0x5e01;
	mana_tx_comp_encode(&tc, data);
	expect_bytes("tx comp error", data, err, sizeof(err));
	memcpy(data, err, sizeof(err));
	mana_tx_comp_decode(data, &back);
	CHECK(back.hdr.type == 37 && back.hdr.client_type == 2 && back.hdr.vendor_err == 0x5e01);
}

/* RX completion OOBs: one packet, and a coalesced CQE with three. */
static void
test_rx_comp(void)
{
	static const uint8_t one[60] = {
		/* dword 0: cqe_type 1 = CQE_RX_OKAY. */
		0x01, 0x00, 0x00, 0x00,
		/* dword 1: VLAN id 100 = 0x064 (bits 0-11) | tag present (bit
		 * 12: 0x1000) | hash type TCP_IPV4 0x2 << 16 = 0x20000 | IP
		 * csum ok (bit 25: 0x2000000) | TCP csum ok (bit 27:
		 * 0x8000000) -> 0x0a021064.
		 */
		0x64, 0x10, 0x02, 0x0a,
		/* packet 0: length 1514 (bits 0-15), reserved, hash 0xdeadbeef. */
		0xea, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xef, 0xbe, 0xad, 0xde,
		/* packets 1..3: none (length 0). */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		/* received_wqe_offset 0x40. */
		0x40, 0x00, 0x00, 0x00,
	};
	static const uint8_t coalesced[60] = {
		/* dword 0: cqe_type 2 = CQE_RX_COALESCED_4. */
		0x02, 0x00, 0x00, 0x00,
		/* dword 1: hash type UDP_IPV6 0x20 << 16 = 0x200000 | UDP
		 * csum failed (bit 30: 0x40000000) -> 0x40200000.
		 */
		0x00, 0x00, 0x20, 0x40,
		/* packets: 60 (hash 1), 61 (hash 2), 62 (hash 3), then 0. */
		0x3c, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x00,
		0x3d, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x02, 0x00, 0x00, 0x00,
		0x3e, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x03, 0x00, 0x00, 0x00,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0,
	};
	/* dword 1 with all 9 hash type bits (16-24) and nothing else. */
	static const uint8_t hash9[8] = { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x01 };
	struct mana_rx_comp rc = {
		.hdr = { .type = MANA_CQE_RX_OKAY },
		.vlan_id = 100, .vlan_present = true, .hash_type = MANA_HASH_TCP_IPV4,
		.ip_ok = true, .tcp_ok = true,
		.pkt = { { .len = 1514, .hash = 0xdeadbeef } },
		.wqe_offset = 0x40,
	};
	struct mana_rx_comp back;
	uint8_t data[60];
	unsigned int n;

	mana_rx_comp_encode(&rc, data);
	expect_bytes("rx comp", data, one, sizeof(one));
	mana_rx_comp_decode(one, &back);
	CHECK(back.hdr.type == MANA_CQE_RX_OKAY && back.vlan_id == 100 && back.vlan_present);
	CHECK(!back.outer_ip_ok && !back.outer_ip_bad && back.hash_type == MANA_HASH_TCP_IPV4);
	CHECK(back.ip_ok && !back.ip_bad && back.tcp_ok && !back.tcp_bad && !back.udp_ok &&
	      !back.udp_bad);
	CHECK(back.pkt[0].len == 1514 && back.pkt[0].hash == 0xdeadbeef && back.pkt[1].len == 0);
	CHECK(back.wqe_offset == 0x40);

	mana_rx_comp_decode(coalesced, &back);
	CHECK(back.hdr.type == MANA_CQE_RX_COALESCED_4 && back.hash_type == MANA_HASH_UDP_IPV6);
	CHECK(back.udp_bad && !back.udp_ok && !back.vlan_present);
	for (n = 0; n < MANA_RXC_PKTS && back.pkt[n].len != 0; n++)
		CHECK(back.pkt[n].len == 60 + n && back.pkt[n].hash == n + 1);
	CHECK(n == 3);
	memset(&rc, 0, sizeof(rc));
	rc.hdr.type = MANA_CQE_RX_COALESCED_4;
	rc.hash_type = MANA_HASH_UDP_IPV6;
	rc.udp_bad = true;
	for (n = 0; n < 3; n++) {
		rc.pkt[n].len = (uint16_t)(60 + n);
		rc.pkt[n].hash = n + 1;
	}
	mana_rx_comp_encode(&rc, data);
	expect_bytes("rx comp coalesced", data, coalesced, sizeof(coalesced));

	memset(data, 0, sizeof(data));
	memcpy(data, hash9, sizeof(hash9));
	mana_rx_comp_decode(data, &back);
	CHECK(back.hash_type == 0x1ff && back.vlan_id == 0 && !back.ip_ok && !back.ip_bad &&
	      !back.udp_bad && !back.outer_ip_bad);
}

int
main(void)
{
	test_tx_wqe_one_sge();
	test_tx_wqe_three_sges_wrapping();
	test_tx_wqe_long_oob_dummy_sge();
	test_rx_wqe();
	test_doorbells();
	test_cqe_owner_bits();
	test_tx_comp();
	test_rx_comp();
	if (test_failures != 0) {
		fprintf(stderr, "gdma_test: %d check(s) failed\n", test_failures);
		return 1;
	}
	printf("gdma_test: ok\n");
	return 0;
}
