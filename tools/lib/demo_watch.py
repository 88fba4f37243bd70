#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The demo's watcher: one service event, told as a timeline.

    demo_watch.py --telemetry SOCK --manactl PATH --mbox SEG [--port N]
                  [--before S] [--after S] [--limit S] --inject CMD...

It follows the mailbox SEG (`manactl -j monitor mbox SEG`: one JSON object
per event, each with the event's CLOCK_MONOTONIC time_ns) and polls the DPDK
application's port counters through its telemetry socket (SOCK:
/var/run/dpdk/PREFIX/dpdk_telemetry.v2) every POLL_MS. After --before
seconds of traffic it runs the inject command (the hypervisor's service
event) and waits for the port's recovery and its first packets received
after it, then --after seconds more. It prints the timeline and the packet
counts; it exits 1 with one line saying what did not happen when the event
was not seen, the reset failed or the traffic did not resume within
--limit seconds. Times are CLOCK_MONOTONIC, as the mailbox's.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time

POLL_MS = 5


class Telemetry:
    """A client of DPDK's telemetry socket (v2: SOCK_SEQPACKET, JSON)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(5)
        self.sock.connect(path)
        hello = json.loads(self.sock.recv(16384).decode())
        self.max_len = hello.get("max_output_len", 16384)

    def query(self, cmd):
        self.sock.send(cmd.encode())
        return json.loads(self.sock.recv(self.max_len).decode())

    def rx_tx(self, port):
        st = self.query("/ethdev/stats,%d" % port)["/ethdev/stats"]
        return st["ipackets"], st["opackets"]


class Monitor(threading.Thread):
    """The mailbox's events, as `manactl -j monitor mbox` prints them."""

    def __init__(self, cmd):
        super().__init__(daemon=True)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        self.events = []
        self.lock = threading.Lock()

    def run(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.events.append(ev)

    def first(self, port, name, after=0, **match):
        with self.lock:
            for ev in self.events:
                if ev.get("port") != port or ev.get("event") != name:
                    continue
                if ev.get("time_ns", 0) < after:
                    continue
                if all(ev.get(k) == v for k, v in match.items()):
                    return ev
        return None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


MONITOR = None


def wake_of(a, port, reset):
    """What ended the reset's wait for the hardware (its record), or None."""
    try:
        out = subprocess.run([a.manactl, "-j", "reset", "history", str(port), "mbox", a.mbox],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             timeout=10).stdout
        for r in json.loads(out):
            if r.get("reset") == reset:
                return r.get("wake")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        pass
    return None


def fail(msg):
    if MONITOR is not None:
        MONITOR.stop()
    print("demo: FAILED: " + msg, flush=True)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--telemetry", required=True)
    ap.add_argument("--port", type=int, default=0, help="the ethdev port (and mailbox port)")
    ap.add_argument("--mbox-port", type=int, default=None)
    ap.add_argument("--before", type=float, default=2.0)
    ap.add_argument("--after", type=float, default=2.0)
    ap.add_argument("--limit", type=float, default=20.0)
    ap.add_argument("--manactl", required=True)
    ap.add_argument("--mbox", required=True)
    ap.add_argument("--inject", nargs=argparse.REMAINDER, required=True)
    a = ap.parse_args()
    mport = a.port if a.mbox_port is None else a.mbox_port

    mon = Monitor([a.manactl, "-j", "monitor", "mbox", a.mbox])
    mon.start()
    global MONITOR
    MONITOR = mon
    try:
        tel = Telemetry(a.telemetry)
    except OSError as e:
        fail("cannot reach the application's telemetry at %s: %s" % (a.telemetry, e))
    samples = []  # (t_ns, rx, tx)

    def sample():
        rx, tx = tel.rx_tx(a.port)
        samples.append((time.monotonic_ns(), rx, tx))

    t_end = time.monotonic() + a.before
    while time.monotonic() < t_end:
        sample()
        time.sleep(POLL_MS / 1000)
    if samples[-1][1] == samples[0][1]:
        fail("port %d received nothing before the event: no traffic to interrupt" % a.port)
    t_inject = time.monotonic_ns()
    res = subprocess.run(a.inject, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        fail("the service event was not injected: %s" % res.stdout.strip())
    inject_out = res.stdout.strip()

    deadline = time.monotonic() + a.limit
    t_resumed = None
    outcome = None
    while time.monotonic() < deadline:
        sample()
        outcome = (mon.first(mport, "recovered", t_inject) or
                   mon.first(mport, "recovery_failed", t_inject))
        if outcome is not None and outcome["event"] == "recovery_failed":
            break
        if outcome is not None:
            base = [s for s in samples if s[0] <= outcome["time_ns"]]
            base_rx = base[-1][1] if base else samples[0][1]
            later = [s for s in samples if s[0] > outcome["time_ns"] and s[1] > base_rx]
            if later:
                t_resumed = later[0][0]
                break
        time.sleep(POLL_MS / 1000)
    if outcome is None:
        svc = mon.first(mport, "svc_start", t_inject)
        enter = mon.first(mport, "reset_enter", t_inject)
        if svc is None and enter is None:
            fail("no service event reached the control daemon or the port in %.0f s" % a.limit)
        fail("the port did not recover in %.0f s (%s)" %
             (a.limit, "reset entered" if enter else "the daemon saw the event, the port did not reset"))
    if outcome["event"] == "recovery_failed":
        fail("the port's recovery failed: error %s, outcome %s" %
             (outcome.get("error"), outcome.get("outcome")))
    if t_resumed is None:
        fail("the port recovered but received nothing in the %.0f s after" % a.limit)
    t_after_end = time.monotonic() + a.after
    while time.monotonic() < t_after_end:
        sample()
        time.sleep(POLL_MS / 1000)
    time.sleep(0.3)  # the monitor polls the mailbox every 100 ms
    mon.stop()

    svc = mon.first(mport, "svc_start", t_inject)
    enter = mon.first(mport, "reset_enter", t_inject)
    quiesced = mon.first(mport, "phase", t_inject, phase="teardown")
    hw_back = mon.first(mport, "hw_back", t_inject)
    reprobe = mon.first(mport, "phase", t_inject, phase="reprobe")

    def ms(t):
        return "%+10.1f ms" % ((t - t_inject) / 1e6)

    rows = [(t_inject, "hypervisor", "service event injected: " + inject_out)]
    if svc:
        rows.append((svc["time_ns"], "mana-ctrld", "service event seen (%s, %s)" %
                     (svc.get("svc_source"), svc.get("svc_reason"))))
    if enter:
        rows.append((enter["time_ns"], "PMD", "reset %s entered" % enter.get("reset")))
    if quiesced:
        rows.append((quiesced["time_ns"], "PMD", "quiesced: datapath stopped, queues torn down next"))
    if hw_back:
        rows.append((hw_back["time_ns"], "mana-ctrld", "hardware back (%s, generation %s)" %
                     (hw_back.get("ibdev"), hw_back.get("gen"))))
    if reprobe:
        woke = {"ctrl": "woken by mana-ctrld's hardware back", "poll": "found by its own poll",
                "device": "told by the device", "timeout": "at its timeout"}
        why = woke.get(wake_of(a, mport, outcome.get("reset")), "")
        rows.append((reprobe["time_ns"], "PMD", "hardware found again (%s), re-probing" % why
                     if why else "hardware found again, re-probing"))
    ph = " ".join("%s %.1f" % (k[:-3], outcome[k] / 1000) for k in
                  ("quiesce_us", "teardown_us", "wait_hw_us", "reprobe_us", "restore_us")
                  if k in outcome)
    rows.append((outcome["time_ns"], "PMD", "recovered, total %.1f ms (ms: %s)" %
                 (outcome.get("total_us", 0) / 1000, ph)))
    rows.append((t_resumed, "traffic", "resumed: first packets received on port %d" % a.port))
    rows.sort(key=lambda r: r[0])
    print("timeline (port %d; times from the injection, CLOCK_MONOTONIC):" % a.port)
    for t, who, what in rows:
        print("  %s  %-10s  %s" % (ms(t), who, what))
    print("(the PMD hears of the event from the device, mana-ctrld from the kernel: either may be first)")

    before = [s for s in samples if s[0] <= t_inject]
    after = [s for s in samples if s[0] >= t_resumed]
    rx_before = before[-1][1] - before[0][1]
    rx_after = after[-1][1] - after[0][1]
    dt_before = (before[-1][0] - before[0][0]) / 1e9
    dt_after = (after[-1][0] - after[0][0]) / 1e9
    print("packets received on port %d: %d in %.1f s before, %d in %.1f s after; "
          "traffic stopped for %.1f ms" %
          (a.port, rx_before, dt_before, rx_after, dt_after, (t_resumed - t_inject) / 1e6))
    if rx_after == 0:
        fail("no packets after the recovery")
    return 0


if __name__ == "__main__":
    sys.exit(main())
