#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Host-side check of the end-to-end VM run (../pmd_vm_test.sh):
check.py SERIES OUTDIR, OUTDIR being the VM's /out.

Asserted:
  - every step of the scenario exited 0, testpmd too (quit);
  - testpmd forwarded: both ports' forward statistics count packets; the
    time from boot to forwarding is printed.
Times are CLOCK_MONOTONIC seconds in the VM: the scenario's marks
(marks.txt), testpmd's lines (testpmd.log, stamped by monostamp).
Prints every failure; exit status 1 when there was one.
"""
import os
import re
import sys

series, out = sys.argv[1], sys.argv[2]
fails = []


def say(msg):
    print("e2e_check [%s]: %s" % (series, msg))


def fail(msg):
    fails.append(msg)
    say("FAIL " + msg)


def ok(msg):
    say("ok   " + msg)


def read(name):
    try:
        with open(os.path.join(out, name), errors="replace") as f:
            return f.read()
    except OSError:
        fail("%s missing" % name)
        return ""


def steps():
    rc = {}
    for line in read("steps.log").splitlines():
        name, _, val = line.partition(" rc=")
        rc[name] = val
    return rc


def marks():
    m = {}
    for line in read("marks.txt").splitlines():
        name, _, t = line.partition(" ")
        m[name] = float(t)
    return m


def testpmd_lines():
    """[(t, text)] of testpmd's output."""
    lines = []
    for line in read("testpmd.log").splitlines():
        t, _, text = line.partition(" ")
        try:
            lines.append((float(t), text))
        except ValueError:
            fail("testpmd.log: unstamped line %r" % line)
    return lines


def fwd_stats(lines):
    """{port: (rx, tx)} from testpmd's last forward statistics."""
    stats, port = {}, None
    for _, text in lines:
        m = re.search(r"Forward statistics for port (\d+)", text)
        if m:
            port = int(m.group(1))
            continue
        if "Accumulated forward statistics" in text:
            port = None
        m = re.match(r"\s*RX-packets: (\d+).*", text)
        if m and port is not None:
            stats[port] = [int(m.group(1)), 0]
        m = re.match(r"\s*TX-packets: (\d+).*", text)
        if m and port is not None:
            stats[port][1] = int(m.group(1))
    return stats


def check_steps(rc):
    for name, val in rc.items():
        if val != "0":
            err = os.path.join(out, name + ".err")
            why = open(err, errors="replace").read()[:300] if os.path.exists(err) else ""
            fail("step %s rc=%s, want 0 %s" % (name, val, why))
    for name in ("nsim_new", "rxe_add", "testpmd"):
        if name not in rc:
            fail("step %s did not run" % name)


def check_forwarding(m, lines):
    st = fwd_stats(lines)
    for port in (0, 1):
        rx, tx = st.get(port, (0, 0))
        if rx > 0 and tx > 0:
            ok("port %d forwarded: RX %d TX %d" % (port, rx, tx))
        else:
            fail("port %d: forward statistics RX %d TX %d" % (port, rx, tx))
    if "forwarding" not in m:
        fail("testpmd never showed received packets (no mark forwarding)")
        return
    ok("boot to forwarding %.2f s (testpmd started at %.2f s, ports ready %.2f s, forwarding %.2f s after start tx_first)"
       % (m["forwarding"], m.get("testpmd_start", -1), m.get("testpmd_ready", -1),
          m["forwarding"] - m.get("testpmd_started", m["forwarding"])))


def main():
    rc = steps()
    check_steps(rc)
    m = marks()
    lines = testpmd_lines()
    check_forwarding(m, lines)
    if fails:
        say("%d failure(s)" % len(fails))
        return 1
    return 0


sys.exit(main())
