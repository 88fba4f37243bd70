#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""registration_check.py PLUGIN: the net_mana PCI driver as the plugin holds it.

Reads, with the toolchain's nm and objdump, what RTE_PMD_REGISTER_PCI_TABLE,
_KMOD_DEP and _PARAM_STRING put into librte_net_mana.so (the strings DPDK's
pmdinfo tools read) and the PCI id table itself, and checks them against
the facts (shared/reference/verbs-facts.md): Microsoft's vendor 0x1414 with
MANA's VF 0x00ba and PF 0x00b9, nothing else; ib_uverbs and mana_ib; mac=
and the core's common devargs. Prints each mismatch; exit 1 on any.
"""
import struct
import subprocess
import sys

WANT_IDS = {(0x1414, 0x00BA), (0x1414, 0x00B9)}
WANT_KMOD = "* ib_uverbs & mana_ib"
WANT_PARAMS = ["mac=<xx:xx:xx:xx:xx:xx>", "reset_timeout_ms=<ms>", "quiesce_timeout_ms=<ms>",
               "hw_poll_ms=<ms>", "mp_timeout_ms=<ms>", "rmv_wait_ms=<ms>",
               "mbox=<control daemon socket path>", "mbox_port=<port identity>",
               "mbox_ctrl_user=<user name or uid>"]
ANY_ID = 0xFFFF          # RTE_PCI_ANY_ID
CLASS_ANY = 0xFFFFFF     # RTE_CLASS_ANY_ID


def symbols(so):
    out = subprocess.run(["nm", "-S", so], check=True, capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4:
            syms[f[3]] = (int(f[0], 16), int(f[1], 16))
    return syms


def read(so, addr, size):
    out = subprocess.run(["objdump", "-s", f"--start-address={addr:#x}",
                          f"--stop-address={addr + size:#x}", so],
                         check=True, capture_output=True, text=True).stdout
    data = b""
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and all(c in "0123456789abcdef" for c in f[0]) and line.startswith(" "):
            for word in f[1:5]:
                if all(c in "0123456789abcdef" for c in word):
                    data += bytes.fromhex(word)
    return data[:size]


def main(so):
    bad = []
    syms = symbols(so)

    def text(name):
        if name not in syms:
            bad.append(f"no symbol {name}: the registration macro is missing")
            return ""
        return read(so, *syms[name]).rstrip(b"\0").decode()

    table = text("__net_mana_pci_tbl_export")
    if table and table not in syms:
        bad.append(f"the PCI table export names {table!r}, not a symbol of the plugin")
    elif table:
        raw = read(so, *syms[table])
        ids, end = set(), False
        for off in range(0, len(raw) - len(raw) % 12, 12):
            cls, ven, dev, sven, sdev = struct.unpack_from("<IHHHH", raw, off)
            if ven == 0:
                end = True
                break
            if cls != CLASS_ANY or sven != ANY_ID or sdev != ANY_ID:
                bad.append(f"id {ven:#06x}:{dev:#06x} is not RTE_PCI_DEVICE (class {cls:#x})")
            ids.add((ven, dev))
        if not end:
            bad.append("the PCI id table has no terminating entry")
        if ids != WANT_IDS:
            bad.append("PCI ids " + ", ".join(f"{v:#06x}:{d:#06x}" for v, d in sorted(ids)) +
                       ", want 0x1414:0x00b9, 0x1414:0x00ba")
    kmod = text("__net_mana_kmod_dep_export")
    if kmod and kmod != WANT_KMOD:
        bad.append(f"kernel modules {kmod!r}, want {WANT_KMOD!r}")
    params = text("__net_mana_param_string_export")
    if params and params != " ".join(WANT_PARAMS):
        bad.append(f"devargs {params!r}, want {' '.join(WANT_PARAMS)!r}")
    for b in bad:
        print(f"registration_check: {b}")
    if not bad:
        print(f"registration_check: net_mana: PCI ids 0x1414:0x00ba, 0x1414:0x00b9; "
              f"{kmod}; {params}")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[0])
    sys.exit(main(sys.argv[1]))
