#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Host-side check of the ctrl/ VM steps (tests/kernel/vm_test.sh --check):
check.py SERIES OUTDIR, OUTDIR being the VM's /out.

05-ctrld-start.sh, 30-manactl.sh and 95-ctrld-stop.sh ran in the VM next to
the default scenario. Asserted here:
  - manactl next to devlink on the same kernel state: `health show` text,
    -j and -j -p byte for byte equal; `health dump show` and `diagnose`:
    devlink's output (which stops at netdevsim's extra NEST_END) is a prefix
    of manactl's, and manactl's JSON is valid; recover and dump clear did
    what devlink then shows; `rdma show` lists the rxe device;
  - mana-ctrld's detections, device by device, in order, with their sources
    (6.12: the RDMA monitor; 6.1: uevents + dump diffs), the new identity of
    a device that came back, gone for good after the configured timeout,
    CLOCK_MONOTONIC timestamps in order and after the step that caused them
    (the recorder's MARKs); a second mana-ctrld with no reporter configured
    reports the RDMA outages only;
  - `manactl -j monitor`: one valid JSON object per line, the events seen;
  - mana-ctrld idle with its sockets open: context switches and RSS;
  - 97-ctrld-flood.sh: a mana-ctrld stopped through a flood of a reporter's
    notifications overran, resynced, and its seen + missed errors and
    recoveries equal the kernel's counts (its metrics, scraped in the VM,
    pass promtool; a bad request got 405).
Prints every failure; exit status 1 when there was one.
"""
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys

series, out = sys.argv[1], sys.argv[2]
fails = []
IDLE_MAX_WAKEUPS = 2      # in the idle window (no poll, no deadline due)
RSS_MAX_KB = 4096         # issue 5's target
GONE_TIMEOUT_MS = 2000    # 95-ctrld-stop.sh's gone_timeout


def say(msg):
    print("ctrl_check [%s]: %s" % (series, msg))


def fail(msg):
    fails.append(msg)
    say("FAIL " + msg)


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


def check_steps(rc):
    want0 = [s for s in rc if s.startswith("mc_")] + [
        "ctrld_reload", "manactl_monitor", "ctrld", "ctrld_norep"]
    for s in want0:
        if rc.get(s) != "0":
            err = read(s + ".err")[:300] if os.path.exists(os.path.join(out, s + ".err")) else ""
            fail("step %s rc=%s, want 0 %s" % (s, rc.get(s, "(did not run)"), err))
    for s in ("mc_nsim_new", "mc_diagnose", "mc_recover", "mc_dump_clear", "mc_rdma_show_j"):
        if s not in rc:
            fail("step %s did not run" % s)


def check_manactl():
    for n in ("health_all", "health_show", "show_break", "show_break2", "show_recovered",
              "show_cleared"):
        for sfx in ("", "_j", "_jp"):
            dl, mc = read("mc_dl_%s%s.out" % (n, sfx)), read("mc_%s%s.out" % (n, sfx))
            if not dl or dl != mc:
                fail("manactl %s%s differs from devlink:\n--- devlink\n%s--- manactl\n%s"
                     % (n, sfx, dl, mc))
    for f in sorted(glob.glob(out + "/mc_*_j.out") + glob.glob(out + "/mc_*_jp.out")):
        b = os.path.basename(f)
        if b.startswith("mc_dl_"):
            continue
        try:
            json.load(open(f))
        except ValueError as e:
            fail("manactl %s: invalid JSON: %s" % (b, e))
        if b.endswith("_jp.out") and read(b).count("\n") < 3:
            fail("manactl %s: -p printed no indented JSON" % b)
    # dump show: devlink stopped at the extra NEST_END ("kernel answers:
    # Success"), leaving its JSON open; manactl printed the same first.
    for sfx, strip in (("", 0), ("_j", 2), ("_jp", 3)):
        dl, mc = read("mc_dl_dump%s.out" % sfx), read("mc_dump%s.out" % sfx)
        prefix = dl[:len(dl) - strip] if strip else dl
        if not prefix or not mc.startswith(prefix) or len(mc) <= len(dl):
            fail("mc_dump%s: devlink's output is not a proper prefix of manactl's" % sfx)
    if "test_u32_array" not in read("mc_dump.out"):
        fail("mc_dump.out stops early: no test_u32_array past the extra NEST_END")
    # diagnose: the same, once the random test_binary bytes are masked.
    hexline = re.compile(r"^\s*([0-9a-f]{2} )+\s*$")
    mask = lambda s: "\n".join("HEX" if hexline.match(l) else l for l in s.split("\n"))
    dl, mc = mask(read("mc_dl_diagnose.out")), mask(read("mc_diagnose.out"))
    if not dl or not mc.startswith(dl):
        fail("mc_diagnose: devlink's diagnose is not a prefix of manactl's")
    for f, text in (("mc_diagnose.out", "recovered_break_message: mc-fault-1"),
                    ("mc_diagnose.out", "test_array_of_objects"),
                    ("mc_show_break2.out", "state error error 2 recover 1"),
                    ("mc_show_recovered.out", "state healthy error 2 recover 2"),
                    ("mc_show_recovered.out", "last_dump_date"),
                    ("mc_rdma_show.out", "rxe7"),
                    ("mc_rdma_show_one.out", "rxe7"),
                    ("mc_rdma_dev.out", "rxe7")):
        if text not in read(f):
            fail("%s lacks \"%s\": %s" % (f, text, read(f)[:300]))
    if "last_dump" in read("mc_show_cleared.out"):
        fail("mc_show_cleared.out: dump clear left last_dump_*")
    try:
        devs = json.loads(read("mc_rdma_show_j.out"))
        rxe7 = [d for d in devs if d.get("ifname") == "rxe7"]
        if len(rxe7) != 1 or not rxe7[0].get("netdev") or rxe7[0].get("node_guid") in (None, ""):
            fail("manactl -j rdma show: rxe7 with its netdev and node_guid wanted: %s" % devs)
    except (ValueError, AttributeError) as e:
        fail("manactl -j rdma show: %s" % e)


def marks():
    """MARK name -> CLOCK_MONOTONIC ns, from the recorder's file."""
    try:
        data = open(os.path.join(out, "monitor.nlrec"), "rb").read()
    except OSError:
        fail("monitor.nlrec missing")
        return {}
    if not data.startswith(b"NLREC01\n"):
        fail("monitor.nlrec: bad magic")
        return {}
    pos, m = 8, {}
    while pos + 16 <= len(data):
        n, src, _, _, t = struct.unpack_from("<IHBBQ", data, pos)
        if src == 0xFF00:
            m.setdefault(data[pos + 16:pos + 16 + n].rstrip(b"\0").decode(), t)
        pos += 16 + n
    return m


def ctrld_records(name="ctrld.log"):
    recs = []
    for i, line in enumerate(read(name).splitlines()):
        try:
            recs.append(json.loads(line))
        except ValueError:
            fail("%s line %d is not JSON: %s" % (name, i + 1, line))
    return recs


def check_ctrld_norep(recs):
    """No reporter configured: the same run gives the RDMA outages only."""
    devs = [(r["event"], r["dev"]) for r in recs if "event" in r]
    want = [("service_event_started", "rxe9"), ("hardware_back", "rxe1"),
            ("service_event_started", "rxe1"), ("service_event_started", "rxe7")]
    if devs != want:
        fail("ctrld without reporters: want %s, got %s" % (want, devs))
    if not any(r.get("msg") == "stopped" for r in recs):
        fail("ctrld without reporters: no \"stopped\" record on SIGTERM")


def check_ctrld(recs, mk):
    started = [r for r in recs if r.get("msg") == "started"]
    mode = "monitor" if series != "6.1" else "dump-diff"
    want = {"rdma": mode, "devlink": "on", "uevent": "off" if mode == "monitor" else "on"}
    if len(started) != 1 or any(started[0].get(k) != v for k, v in want.items()):
        fail("ctrld: want one \"started\" record with %s, got %s" % (want, started))
    if not any(r.get("msg") == "configuration reloaded" for r in recs):
        fail("ctrld: SIGHUP did not reload the configuration")
    if not any(r.get("msg") == "stopped" for r in recs):
        fail("ctrld: no \"stopped\" record on SIGTERM")
    for r in recs:
        if r.get("level") in ("warn", "error") and r.get("event") != "gone_for_good":
            fail("ctrld logged %s" % r)
    evs = [r for r in recs if "event" in r]
    ts = [int(r["t_mono_ns"]) for r in evs]
    if ts != sorted(ts) or (ts and ts[0] <= 0):
        fail("ctrld: event timestamps not in order: %s" % ts)
    by_dev = {}
    for r in evs:
        by_dev.setdefault(r["dev"], []).append(r)
    rdma_src = "rdma-monitor" if mode == "monitor" else "uevent"
    rdma_why = "UNREGISTER" if mode == "monitor" else "remove"
    S, B, G = "service_event_started", "hardware_back", "gone_for_good"
    # dev -> [(event, source, reason substring, step whose MARK precedes it)]
    want = {
        "netdevsim/netdevsim1": [
            (S, "devlink", "reporter dummy error (error 1 recover 0)", "dl_break1"),
            (B, "devlink", "reporter dummy healthy (error 1 recover 1)", "dl_break1"),
            (S, "devlink", "reporter dummy error (error 2 recover 1)", "dl_break2"),
            (B, "devlink", "reporter dummy healthy (error 2 recover 2)", "dl_recover"),
            (S, "devlink", "reporter dummy error (error 3 recover 2)", "dl_break3"),
            # dev new: back once its reporters are read healthy (the new
            # device's reporter counts from 0).
            (B, "devlink", "reporter dummy healthy (error 0 recover 0)", "nsim_new2"),
            (S, "devlink", "dev del", "nsim_del_under_rxe"),
            (G, "devlink", "dev del", None)],
        "netdevsim/netdevsim7": [
            (S, "devlink", "reporter dummy error (error 1 recover 0)", "mc_break"),
            (B, "devlink", "reporter dummy healthy (error 1 recover 1)", "mc_break"),
            (S, "devlink", "reporter dummy error (error 2 recover 1)", "mc_break2"),
            (B, "devlink", "reporter dummy healthy (error 2 recover 2)", "mc_recover"),
            (S, "devlink", "dev del", "mc_nsim_del"),
            (G, "devlink", "dev del", None)],
        # rxe0, renamed rxe9 (6.12: no event; 6.1: uevent move), deleted;
        # rxe1 on the same (renamed) netdev is the same hardware back.
        "rxe9": [(S, rdma_src, rdma_why, "rxe_del")],
        "rxe1": [(B, rdma_src, rdma_why, "rxe_add2"),
                 (S, rdma_src, rdma_why, "nsim_del_under_rxe"),
                 (G, rdma_src, rdma_why, None)],
        "rxe7": [(S, rdma_src, rdma_why, "mc_rxe_del"),
                 (G, rdma_src, rdma_why, None)],
    }
    for dev, seq in want.items():
        got = by_dev.get(dev, [])
        brief = [(r["event"], r["source"], r["reason"]) for r in got]
        if len(got) != len(seq):
            fail("ctrld %s: want %d events, got %s" % (dev, len(seq), brief))
            continue
        for (ev, src, why, step), r in zip(seq, got):
            if r["event"] != ev or r["source"] != src or why not in r["reason"]:
                fail("ctrld %s: want %s %s \"%s\", got %s" % (dev, ev, src, why, brief))
                break
            if step is not None and (step not in mk or int(r["t_mono_ns"]) < mk[step]):
                fail("ctrld %s %s at %s ns, before step %s (%s ns)"
                     % (dev, ev, r["t_mono_ns"], step, mk.get(step)))
            if ev == G and int(r["downtime_ms"]) < GONE_TIMEOUT_MS:
                fail("ctrld %s gone for good after %s ms < gone_timeout %d ms"
                     % (dev, r["downtime_ms"], GONE_TIMEOUT_MS))
    extra = sorted(set(by_dev) - set(want))
    if extra:
        fail("ctrld: events of unexpected devices %s" % extra)
    # The new identity: another index, the same node GUID, the renamed netdev.
    if len(by_dev.get("rxe9", [])) == 1 and by_dev.get("rxe1"):
        lost, back = by_dev["rxe9"][0], by_dev["rxe1"][0]
        if not (back["index"] != lost["index"] and back["node_guid"] == lost["node_guid"]
                and back["node_guid"] != "0" * 16 and back["netdev"] == "ens9"):
            fail("ctrld: rxe1 is not rxe9's hardware back with a new identity: %s / %s"
                 % (lost, back))
        say("rxe9 (index %s) -> rxe1 (index %s, netdev %s, node_guid %s), down %s ms"
            % (lost["index"], back["index"], back["netdev"], back["node_guid"],
               back["downtime_ms"]))
    say("mana-ctrld: %d events on %d devices" % (len(evs), len(by_dev)))


def check_monitor():
    recs = []
    for i, line in enumerate(read("monitor_j.out").splitlines()):
        try:
            r = json.loads(line)
        except ValueError:
            fail("manactl -j monitor line %d is not one JSON object: %s" % (i + 1, line))
            continue
        if not isinstance(r, dict) or not {"source", "event", "dev"} <= set(r):
            fail("manactl -j monitor line %d lacks source/event/dev: %s" % (i + 1, line))
        recs.append(r)
    have = {(r.get("source"), r.get("event"), r.get("dev"), r.get("state")) for r in recs}
    want = [("health", "status", "netdevsim/netdevsim1", "error"),
            ("health", "status", "netdevsim/netdevsim1", "healthy"),
            ("health", "dev_del", "netdevsim/netdevsim1", None),
            ("health", "dev_new", "netdevsim/netdevsim1", None),
            ("health", "status", "netdevsim/netdevsim7", "error"),
            ("health", "dev_del", "netdevsim/netdevsim7", None)]
    if series == "6.1":
        want += [("uevent", "add", "rxe0", None), ("uevent", "move", "rxe9", None),
                 ("uevent", "remove", "rxe9", None), ("uevent", "add", "rxe1", None),
                 ("uevent", "remove", "rxe7", None)]
    else:
        want += [("rdma", "REGISTER", "rxe0", None), ("rdma", "NETDEV_ATTACH", "rxe0", None),
                 ("rdma", "UNREGISTER", "rxe9", None), ("rdma", "REGISTER", "rxe1", None),
                 ("rdma", "UNREGISTER", "rxe1", None), ("rdma", "UNREGISTER", "rxe7", None)]
    for w in want:
        if w not in have:
            fail("manactl -j monitor: no %s" % (w,))
    say("manactl -j monitor: %d JSON lines" % len(recs))


def check_idle():
    socks = read("ctrld_sockets.txt").split("\n")
    protos = sorted(int(m.group(1)) for m in
                    (re.match(r"proto=(\d+) ", l) for l in socks) if m)
    # RDMA request (+ monitor on 6.12), devlink request + events, uevent (6.1).
    want = [16, 16, 20, 20] if series != "6.1" else [15, 16, 16, 20]
    if protos != want:
        fail("ctrld sockets: protocols %s, want %s" % (protos, want))
    s = {}
    for line in read("ctrld_idle.txt").splitlines():
        tag, *kv = line.split()
        s[tag] = {k: float(v) for k, v in (x.split("=") for x in kv)}
    if set(s) != {"idle_begin", "idle_end"}:
        fail("ctrld_idle.txt: want idle_begin and idle_end: %s" % s)
        return
    a, b = s["idle_begin"], s["idle_end"]
    secs = b["uptime_s"] - a["uptime_s"]
    wake = b["vol"] - a["vol"] + b["nonvol"] - a["nonvol"]
    say("mana-ctrld idle %.1f s with sockets %s: %d wakeups (%.1f/min), RSS %d KiB, "
        "peak %d KiB" % (secs, protos, wake, wake * 60 / secs, b["rss_kb"], b["hwm_kb"]))
    if wake > IDLE_MAX_WAKEUPS:
        fail("ctrld woke %d times in %.1f idle seconds" % (wake, secs))
    if b["rss_kb"] > RSS_MAX_KB:
        fail("ctrld RSS %d KiB > %d KiB" % (b["rss_kb"], RSS_MAX_KB))


def check_flood(rc):
    """97-ctrld-flood.sh: the counts after an overrun equal the kernel's."""
    for st in ("ctrld_flood_live", "ctrld_flood", "ctrld_flood_devlink", "ctrld_flood_scrape", "ctrld_flood_bad",
               "ctrld_flood_stop"):
        if rc.get(st) != "0":
            fail("step %s rc=%s, want 0" % (st, rc.get(st, "(did not run)")))
    recs = ctrld_records("ctrld_flood.log")
    lost = [r for r in recs if r.get("msg") == "events lost, resyncing by dump"
            and r.get("socket") == "devlink"]
    missed = [r for r in recs if r.get("msg") == "devlink health events missed"
              and r.get("dev") == "netdevsim/netdevsim5"]
    if not lost:
        fail("flood: the devlink socket did not overrun (no \"events lost\" record)")
    if not missed:
        fail("flood: no \"devlink health events missed\" record for netdevsim5")
    try:
        rep = json.loads(read("ctrld_flood_devlink.out"))["health"]["netdevsim/netdevsim5"][0]
        k_err, k_rec = int(rep["error"]), int(rep["recover"])
    except (ValueError, KeyError, IndexError, TypeError) as e:
        fail("flood: devlink -j health show: %s: %s" % (e, read("ctrld_flood_devlink.out")))
        return
    scrape = read("ctrld_flood_scrape.out")
    val = {}
    for line in scrape.splitlines():
        if line and not line.startswith("#"):
            name, _, v = line.rpartition(" ")
            val[name] = float(v)
    lbl = 'dev="netdevsim/netdevsim5",reporter="dummy"'
    got = {}
    for kind in ("error", "recover"):
        got[kind] = [val.get('mana_devlink_health_events_%s_total{%s,kind="%s"}'
                             % (w, lbl, kind)) for w in ("seen", "missed")]
        if None in got[kind]:
            fail("flood: no seen/missed %s series for netdevsim5 in the scrape" % kind)
            return
    d_err, d_rec = sum(got["error"]), sum(got["recover"])
    say("flood: kernel error %d recover %d; mana-ctrld error %d (seen %d, missed %d) "
        "recover %d (seen %d, missed %d); %d overrun record(s), %d missed record(s)"
        % (k_err, k_rec, d_err, got["error"][0], got["error"][1], d_rec, got["recover"][0],
           got["recover"][1], len(lost), len(missed)))
    if (d_err, d_rec) != (k_err, k_rec):
        fail("flood: mana-ctrld counted error %d recover %d, the kernel %d and %d"
             % (d_err, d_rec, k_err, k_rec))
    if got["error"][1] < 1:
        fail("flood: nothing missed: the flood proved nothing")
    if got["error"][0] < 3 or got["recover"][0] < 3:
        fail("flood: the three live errors and recoveries were not seen")
    if val.get('mana_devlink_health_errors_total{%s}' % lbl) != k_err:
        fail("flood: mana_devlink_health_errors_total is not the kernel's error_count")
    if val.get("mana_ctrld_overruns_total", 0) < 1:
        fail("flood: mana_ctrld_overruns_total < 1")
    if "HTTP/1.1 405 Method Not Allowed" not in read("ctrld_flood_bad.out"):
        fail("flood: a BREW request was not answered 405: %s" % read("ctrld_flood_bad.out"))
    promtool = shutil.which("promtool")
    if promtool is None:
        fail("promtool not found (Debian's prometheus package): run tools/setup")
    else:
        p = subprocess.run([promtool, "check", "metrics"], input=scrape.encode(),
                           capture_output=True)
        if p.returncode != 0:
            fail("flood: promtool check metrics: %s" % (p.stdout + p.stderr).decode())


rc = steps()
check_steps(rc)
check_flood(rc)
check_manactl()
check_ctrld(ctrld_records(), marks())
check_ctrld_norep(ctrld_records("ctrld_norep.log"))
check_monitor()
check_idle()
say("%d failure(s)" % len(fails))
sys.exit(1 if fails else 0)
