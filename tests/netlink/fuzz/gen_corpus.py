#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Regenerate the seed corpora from the recordings in ../data: every received
# devlink message (corpus/devlink), every FMSG payload (corpus/fmsg), every
# NETLINK_RDMA datagram and infiniband uevent (corpus/nldev). Run from here.
import os, struct, glob

def records(path):
    b = open(path, 'rb').read()
    assert b[:8] == b'NLREC01\n'
    off = 8
    while off < len(b):
        ln, src, d = struct.unpack_from('<IHB', b, off)
        yield src, d, b[off + 16: off + 16 + ln]
        off += 16 + ln

def msgs(dgram):
    off = 0
    while off + 16 <= len(dgram):
        ln, = struct.unpack_from('<I', dgram, off)
        if ln < 16 or off + ln > len(dgram):
            return
        yield dgram[off:off + ln]
        off += (ln + 3) & ~3

def attrs(buf):
    off = 0
    while off + 4 <= len(buf):
        ln, ty = struct.unpack_from('<HH', buf, off)
        if ln < 4 or off + ln > len(buf):
            return
        yield ty & 0x3fff, buf[off + 4:off + ln]
        off += (ln + 3) & ~3

seen = set()
def put(kind, data):
    if data in seen:
        return
    seen.add(data)
    os.makedirs('corpus/' + kind, exist_ok=True)
    n = len(os.listdir('corpus/' + kind))
    open('corpus/%s/seed%03d' % (kind, n), 'wb').write(data)

for path in sorted(glob.glob('../data/*/*.nlrec')):
    fam = None
    for src, d, p in records(path):
        if src == 0xff01 and b'devlink_family=' in p:
            fam = int(p.split(b'devlink_family=')[1].split()[0])
        if d != 0:
            continue
        if src == 20:
            put('nldev', p)
        elif src == 15 and b'infiniband' in p:
            put('nldev', p)
        elif src == 16 and fam is not None:
            for m in msgs(p):
                if struct.unpack_from('<H', m, 4)[0] != fam:
                    continue
                put('devlink', m)
                for ty, val in attrs(m[20:]):
                    if ty == 106:
                        put('fmsg', val)
