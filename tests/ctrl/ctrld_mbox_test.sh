#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mana-ctrld publishing through the proto/ mailbox, as processes: the daemon
# driven by its fake kernel (--fake-kernel FIFO, a fake sysfs for the PCI
# addresses), a PMD-side client (tests/ctrl/mbox_pmd_client.c, the proto/ PMD
# API) that receives the events in order with the right identities and posts
# a reset's events back, which the daemon logs and `manactl reset show` /
# `reset history` print (text and JSON). Then a restarted daemon re-adopts
# the segment and its records, and bad mailbox configurations exit 1 with a
# message.
set -uo pipefail
daemon=$1
manactl=$2
client=$3
. tests/ctrl/ctrl_test_lib.sh
ct_tmpdir ctrldmbox

# A fake sysfs: mana_0 .. mana_2 are auxiliary devices of PCI function 7870:00:00.0.
pci=7870:00:00.0
S=$tmp/sys
ct_fake_sysfs "$S" "$pci" mana_0 mana_1 mana_2
seg=$tmp/mbox
fifo=$tmp/kernel
common=(--fake-kernel "$fifo" --sysfs "$S" --driver '*' --mbox-path "$seg" --gone-timeout 1s)

# ---- bad configurations: a message and exit 1 ----
bad() { ct_bad "$daemon" "$@"; }
bad "world-writable mode refused" 'mbox_mode: "0666" is not 0600 or 0660 (the mailbox is never accessible to others)' \
	--mbox-path "$seg" --mbox-mode 0666 --check-config
bad "mode 0660 needs a group" 'mbox_mode 0660 needs mbox_gid' --mbox-path "$seg" --mbox-mode 0660 \
	--check-config
printf 'mbox_path = relative/mbox\n' >"$tmp/rel.conf"
bad "relative path refused, file and line named" "rel.conf:1: mbox_path: \"relative/mbox\" is not an absolute path" \
	--config "$tmp/rel.conf"
bad "unknown group named" 'mbox_gid: "no-such-group-x" is not a group name or number' \
	--mbox-path "$seg" --mbox-gid no-such-group-x
bad "segment in a missing directory" "mailbox $tmp/missing/mbox:" \
	"${common[@]}" --mbox-path "$tmp/missing/mbox"
# A path nobody may create a file at (root included).
out=$(timeout 10 "$daemon" "${common[@]}" --mbox-path "/proc/mbox" 2>&1 </dev/null)
rc=$?
check "unwritable path: exit 1" [ "$rc" -eq 1 ]
check "unwritable path: the message names it" grep -q "mailbox /proc/mbox:" <<<"$out"
echo "--- $out"

# ---- publishing ----
"$daemon" "${common[@]}" 2>"$tmp/d1.log" &
d1=$!
pids+=("$d1")
check "segment created" wait_for 5 test -e "$seg"
check "fifo there" wait_for 5 test -p "$fifo"
exec 3<>"$fifo"
echo "add mana_0 1000 eth0" >&3
# manactl monitor on the mailbox, JSON and text, from before the first event.
check "port added" wait_for 5 grep -q '^rdma_events=1$' "$seg.status"
"$manactl" -j monitor mbox "$seg" >"$tmp/mon.json" 2>"$tmp/mon.err" &
mon_j=$!
MANA_MBOX=$seg "$manactl" monitor mbox >"$tmp/mon.txt" 2>>"$tmp/mon.err" &
mon_t=$!
pids+=("$mon_j" "$mon_t")
sleep 0.3	# both have made their cursors
"$client" "$seg.sock" "$pci" 4 >"$tmp/client.out" 2>"$tmp/client.err" &
cl=$!
pids+=("$cl")
check "client claimed the port" wait_for 10 grep -q '^claimed port 0$' "$tmp/client.out"
# manactl status while the PMD is attached: the daemon's status file and the segment.
status_attached() {
	python3 -c '
import json, subprocess, sys
s = json.loads(subprocess.run(sys.argv[1:6], capture_output=True, check=True).stdout)
pid = int(sys.argv[6])
d = s["daemon"]
assert d["pid"] == pid and d["state"] == "running" and d["running"] is True, d
assert isinstance(d["uptime_s"], int) and d["started_unix"] > 1700000000 and d["reloads"] == 0, d
assert d["sources"] == {"rdma": "fake", "devlink": False, "uevent": False}, d
assert d["kernel"] == {"rdma_monitor": True, "devlink": None}, d
x = d["detection"]
assert x["rdma_events"] == 1 and x["rdma_resyncs"] == 1 and x["overruns"] == 0, x
m = s["mailbox"]
assert m["ctrl_pid"] == pid and m["peers"] == 1 and m["version"] == "1.1", m
assert m["ctrl_gen"] == 1 and m["nb_ports"] == 16 and m["ring_slots"] == 64, m
p = s["ports"]
assert len(p) == 1 and p[0]["pci"] == "7870:00:00.0" and p[0]["hw"]["state"] == "up", p
assert p[0]["pmd"]["owner"] != 0 and p[0]["pmd"]["owner_live"] is True, p
' "$manactl" -j status mbox "$seg" "$d1" 2>/dev/null
}
check "status -j: daemon, mailbox (1 peer), the port owned by a live PMD" wait_for 5 status_attached
echo "del mana_0" >&3
check "service event received" wait_for 5 grep -q 'SVC_START' "$tmp/client.out"
echo "add mana_1 1000 eth1" >&3
check "hardware back received" wait_for 5 grep -q 'HW_BACK' "$tmp/client.out"
# The PCI function goes away with nothing before it: a hot-remove
# (HOT_REMOVE cause surprise, no SVC_START; issue 14).
rm "$S/bus/pci/devices/$pci"
echo "del mana_1" >&3
wait "$cl"
check "client got its 4 events" [ $? -eq 0 ]
# The monitors: every event both ways, once, in time order, one JSON object per line.
check "monitor: the last event shown" wait_for 5 grep -q '"event":"gone"' "$tmp/mon.json"
check "monitor (text): the last event shown" wait_for 5 grep -q '^\[mbox,gone\]' "$tmp/mon.txt"
kill -TERM "$mon_j" "$mon_t"
wait "$mon_j"
check "monitor: SIGTERM, exit 0" [ $? -eq 0 ]
wait "$mon_t"
check "monitor -j: the mailbox's events" python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
# Per direction in order (between directions, the time order: HOT_REMOVE
# may come before or after the PMD entered its second reset).
to_pmd = [(r["event"], r["seq"]) for r in recs if r["dir"] == "to_pmd"]
to_ctrl = [(r["event"], r["seq"]) for r in recs if r["dir"] == "to_ctrl"]
assert to_pmd == [("svc_start", 1), ("hw_back", 2), ("hot_remove", 3), ("gone", 4)], to_pmd
assert to_ctrl == [("reset_enter", 1), ("phase", 2), ("phase", 3), ("phase", 4), ("phase", 5),
                   ("phase", 6), ("recovered", 7), ("reset_enter", 8), ("phase", 9),
                   ("recovery_failed", 10)], to_ctrl
assert len(recs) == 14, recs
t = [r["time_ns"] for r in recs]
assert t == sorted(t), t
by = {(r["dir"], r["seq"]): r for r in recs}
for r in recs:
    assert r["source"] == "mbox" and r["port"] == 0 and r["pci"] == "7870:00:00.0", r
    assert r["dev"] in ("mana_0", "mana_1"), r
s = by[("to_pmd", 1)]
assert (s["svc_source"], s["svc_reason"], s["detail"]) == ("rdma_netlink", "unregister", 0), s
h = by[("to_pmd", 2)]
assert (h["ibdev"], h["netdev"], h["node_guid"], h["gen"]) == ("mana_1", "eth1", "0000:0000:0000:1000", 2), h
rm = by[("to_pmd", 3)]
assert (rm["cause"], rm["svc_source"], rm["svc_reason"]) == ("surprise", "rdma_netlink", "unregister"), rm
p, w = by[("to_ctrl", 2)], by[("to_ctrl", 4)]
assert (p["phase"], p["reset"], w["phase"], w["state"]) == ("quiesce", 1, "wait_hw", "wait_hw"), (p, w)
ok = by[("to_ctrl", 7)]
assert (ok["outcome"], ok["error"], ok["total_us"], ok["restore_us"]) == ("active", 0, 15000, 5000), ok
bad = by[("to_ctrl", 10)]
assert (bad["outcome"], bad["error"], bad["reset"]) == ("removed", -19, 2), bad' "$tmp/mon.json"
# The text lines, per direction (the device is the port's when the line is
# printed: mana_0 or mana_1 here).
grep -o '^\[mbox,[a-z_]*\] mana_[01] port 0 pci [0-9a-f:.]* to_[a-z]* seq [0-9]*' "$tmp/mon.txt" |
	sed 's/ mana_[01] / DEV /' >"$tmp/mon.lines"
check "monitor (text): the lines" diff -u - <(grep ' to_pmd ' "$tmp/mon.lines"; grep ' to_ctrl ' "$tmp/mon.lines") <<EOF2
[mbox,svc_start] DEV port 0 pci $pci to_pmd seq 1
[mbox,hw_back] DEV port 0 pci $pci to_pmd seq 2
[mbox,hot_remove] DEV port 0 pci $pci to_pmd seq 3
[mbox,gone] DEV port 0 pci $pci to_pmd seq 4
[mbox,reset_enter] DEV port 0 pci $pci to_ctrl seq 1
[mbox,phase] DEV port 0 pci $pci to_ctrl seq 2
[mbox,phase] DEV port 0 pci $pci to_ctrl seq 3
[mbox,phase] DEV port 0 pci $pci to_ctrl seq 4
[mbox,phase] DEV port 0 pci $pci to_ctrl seq 5
[mbox,phase] DEV port 0 pci $pci to_ctrl seq 6
[mbox,recovered] DEV port 0 pci $pci to_ctrl seq 7
[mbox,reset_enter] DEV port 0 pci $pci to_ctrl seq 8
[mbox,phase] DEV port 0 pci $pci to_ctrl seq 9
[mbox,recovery_failed] DEV port 0 pci $pci to_ctrl seq 10
EOF2
check "monitor (text): 14 lines" [ "$(wc -l <"$tmp/mon.txt")" -eq 14 ]
check "monitor (text): the hot-remove's cause" grep -q '^\[mbox,hot_remove\] .* cause surprise svc_source rdma_netlink svc_reason unregister' "$tmp/mon.txt"
check "monitor: nothing on stderr" [ ! -s "$tmp/mon.err" ]
err=$("$manactl" monitor mbox "$tmp/none" 2>&1 >/dev/null)
check "monitor mbox: no segment, exit 1" [ $? -eq 1 ]
check "monitor mbox: no segment, named" grep -q "manactl: mailbox $tmp/none:" <<<"$err"
err=$("$manactl" monitor rdma mbox "$seg" 2>&1 >/dev/null)
check "monitor: a mailbox path with rdma only refused" grep -q 'A mailbox path with a kernel-only monitor' <<<"$err"
err=$("$manactl" monitor mbox "$seg" extra 2>&1 >/dev/null)
check "monitor: extra argument refused" grep -q 'Unknown option "extra"' <<<"$err"
grep -v '^- ' "$tmp/client.out" >"$tmp/client.events"
cat >"$tmp/want.events" <<EOF2
claimed port 0
1 SVC_START source rdma_netlink reason 1 detail 0
2 HW_BACK pci $pci ibdev mana_1 netdev eth1 guid 1000 gen 2
3 HOT_REMOVE cause surprise source rdma_netlink reason 1
4 GONE
EOF2
check "events in order with the right identities" diff -u "$tmp/want.events" "$tmp/client.events"
check "PMD events logged: attached" wait_for 5 grep -q '"msg":"pmd attached"' "$tmp/d1.log"
# (The record's IB device when the daemon reads the event: mana_1 if it
# has published the hardware back by then.)
check "PMD events logged: reset entered" grep -Eq '"msg":"pmd reset entered".*"pci":"7870:00:00.0","ibdev":"mana_[01]".*"reset":"1"' "$tmp/d1.log"
check "PMD events logged: phases" [ "$(grep -c '"msg":"pmd reset phase"' "$tmp/d1.log")" -eq 6 ]
check "PMD events logged: recovered with durations" \
	grep -q '"msg":"pmd recovery succeeded".*"reset":"1","outcome":"active","error":"0","total_ms":"15.000","quiesce_ms":"1.000","teardown_ms":"2.000","wait_hw_ms":"3.000","reprobe_ms":"4.000","restore_ms":"5.000"' "$tmp/d1.log"
check "PMD events logged: failure" \
	grep -q '"msg":"pmd recovery failed".*"reset":"2","outcome":"removed","error":"-19"' "$tmp/d1.log"
check "PMD events logged: detached" wait_for 5 grep -q '"msg":"pmd detached"' "$tmp/d1.log"
check "daemon logs are JSON" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$tmp/d1.log"

# manactl, read-only.
out=$("$manactl" reset show mbox "$seg")
check "reset show: identity" grep -q "^port 0 pci $pci ibdev mana_1 netdev eth1 node_guid 0000:0000:0000:1000 gen 2$" <<<"$out"
check "reset show: hardware" grep -q "^  hw gone svc_source rdma_netlink svc_reason unregister service 1 back 1 removed 1$" <<<"$out"
check "reset show: pmd" grep -q "^  pmd removed .* resets 2 success 1 failed 1 removed 1 merged 0 busy_ops 0$" <<<"$out"
check "reset show: timeline" grep -q "^    reset 2 outcome removed error -19 total 1000us quiesce 1000us" <<<"$out"
check "reset show: timeline, older" grep -q "^    reset 1 outcome active error 0 total 15000us quiesce 1000us teardown 2000us wait_hw 3000us reprobe 4000us restore 5000us$" <<<"$out"
out=$(MANA_MBOX=$seg "$manactl" reset history mana_1)
check "reset history by IB device" [ "$(grep -c "^port 0 pci $pci reset" <<<"$out")" -eq 2 ]
out=$("$manactl" -j reset show "$pci" mbox "$seg")
check "reset show -j" python3 -c '
import json, sys
p = json.loads(sys.argv[1])
assert len(p) == 1 and p[0]["pci"] == "7870:00:00.0" and p[0]["gen"] == 2, p
assert p[0]["hw"]["state"] == "gone" and p[0]["pmd"]["resets"] == 2, p
t = p[0]["timeline"]
assert [r["reset"] for r in t] == [2, 1] and t[1]["total_us"] == 15000, t
assert t[0]["outcome"] == "removed" and t[0]["error"] == -19, t' "$out"
out=$("$manactl" -jp reset history mbox "$seg")
check "reset history -jp" python3 -c '
import json, sys
h = json.loads(sys.argv[1])
assert [(r["port"], r["reset"]) for r in h] == [(0, 2), (0, 1)], h' "$out"
# manactl status after the resets: every port, its last resets with per-phase timings.
out=$("$manactl" status mbox "$seg")
check "status: daemon line" grep -qE "^daemon pid $d1 state running running true uptime [0-9]+s started_unix [0-9]+ reloads 0$" <<<"$out"
check "status: sources" grep -q "^  sources rdma fake devlink false uevent false$" <<<"$out"
check "status: kernel features" grep -q "^  kernel rdma_monitor true devlink unknown$" <<<"$out"
check "status: detection counters" grep -q "^  detection rdma_events 4 uevents 0 devlink_events 0 rdma_resyncs 1 devlink_resyncs 0 overruns 0 errors 0 devlink_missed_errors 0 devlink_missed_recovers 0$" <<<"$out"
check "status: mailbox" grep -q "^mailbox $seg version 1.1 ctrl_gen 1 ctrl_pid $d1 peers 0 ports 16 ring_slots 64 size 583296$" <<<"$out"
check "status: the port" grep -q "^port 0 pci $pci ibdev mana_1 netdev eth1 node_guid 0000:0000:0000:1000 gen 2$" <<<"$out"
check "status: the resets with phases" grep -q "^    reset 1 outcome active error 0 total 15000us quiesce 1000us teardown 2000us wait_hw 3000us reprobe 4000us restore 5000us$" <<<"$out"
out=$("$manactl" -j status mbox "$seg")
check "status -j after the resets" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["daemon"]["detection"]["rdma_events"] == 4, s["daemon"]
p = s["ports"][0]
assert p["hw"]["state"] == "gone" and p["pmd"]["resets"] == 2 and p["pmd"]["owner_live"] is False, p
t = p["timeline"]
assert [r["reset"] for r in t] == [2, 1], t
assert [t[1][k] for k in ("quiesce_us", "teardown_us", "wait_hw_us", "reprobe_us", "restore_us")] == [1000, 2000, 3000, 4000, 5000], t' "$out"
err=$("$manactl" status frob 2>&1 >/dev/null)
check "status: unknown command" grep -q 'Command "frob" is unknown, try "manactl status help".' <<<"$err"
err=$("$manactl" status mbox 2>&1 >/dev/null)
check "status: mbox without a path" grep -q 'Mailbox path expected after "mbox".' <<<"$err"
err=$("$manactl" status mbox "$seg" extra 2>&1 >/dev/null)
check "status: extra argument" grep -q 'Unknown option "extra"' <<<"$err"
err=$("$manactl" status mbox "$tmp/none" 2>&1 >/dev/null)
check "status: no segment" grep -q "manactl: mailbox $tmp/none:" <<<"$err"
check "status help" "$manactl" status help
err=$("$manactl" reset show 3 mbox "$seg" 2>&1 >/dev/null)
check "reset show: unknown port" grep -q 'Wrong port "3"' <<<"$err"
err=$("$manactl" reset show mbox "$tmp/none" 2>&1 >/dev/null)
check "reset show: no segment" grep -q "manactl: mailbox $tmp/none:" <<<"$err"
err=$("$manactl" reset show mbox 2>&1 >/dev/null)
check "reset show: mbox without a path" grep -q 'Mailbox path expected after "mbox".' <<<"$err"
err=$("$manactl" reset frob 2>&1 >/dev/null)
check "reset: unknown command" grep -q 'Command "frob" is unknown, try "manactl reset help".' <<<"$err"
check "reset help" "$manactl" reset help

# A second ctrl on the same segment is refused.
out=$(timeout 10 "$daemon" "${common[@]}" --fake-kernel "$tmp/k2" 2>&1 </dev/null)
check "second ctrl refused" [ $? -eq 1 ]
echo "--- $out"

# ---- restart: the segment and its records are re-adopted ----
kill -TERM "$d1"
wait "$d1"
check "SIGTERM: exit 0" [ $? -eq 0 ]
out=$("$manactl" -j status mbox "$seg")
check "status -j: a stopped daemon" python3 -c '
import json, sys
d = json.loads(sys.argv[1])["daemon"]
assert d["state"] == "stopped" and d["running"] is False and d["uptime_s"] is None, d' "$out"
"$daemon" "${common[@]}" 2>"$tmp/d2.log" &
d2=$!
pids+=("$d2")
check "re-adopted, next generation" wait_for 5 grep -q '"msg":"mailbox re-adopted".*"ctrl_gen":"2"' "$tmp/d2.log"
out=$("$manactl" reset show mbox "$seg")
check "records kept across the restart" grep -q "^  hw gone .* service 1 back 1 removed 1$" <<<"$out"
check "PMD timeline kept across the restart" grep -q "^    reset 1 outcome active" <<<"$out"
# The device is back while no ctrl watched: the record was gone, so HW_BACK.
ln -s "../../../devices/pci0000:00/$pci" "$S/bus/pci/devices/$pci"
"$client" "$seg.sock" "$pci" 1 >"$tmp/client2.out" 2>"$tmp/client2.err" &
cl=$!
pids+=("$cl")
check "client re-claimed the port" wait_for 10 grep -q '^claimed port 0$' "$tmp/client2.out"
echo "add mana_2 1000 eth2" >&3
wait "$cl"
check "client got HW_BACK after the restart" [ $? -eq 0 ]
check "the new identity, next incarnation" \
	grep -q "^5 HW_BACK pci $pci ibdev mana_2 netdev eth2 guid 1000 gen 3$" "$tmp/client2.out"
out=$("$manactl" reset show mana_2 mbox "$seg")
check "record up again" grep -q "^  hw up .* service 1 back 2 removed 1$" <<<"$out"

# A monitor that falls behind (stopped while 40 outages go through a PMD that
# takes every event): it says how many it missed, and seen + missed + lost
# adds up to what ctrl posted meanwhile.
to_pmd() { "$manactl" -j reset show 0 mbox "$seg" | python3 -c '
import json, sys
e = json.load(sys.stdin)[0]["events"]
print(e["to_pmd"] + e["to_pmd_lost"])'; }
"$manactl" -j monitor mbox "$seg" >"$tmp/mon2.json" 2>"$tmp/mon2.err" &
mon_j=$!
pids+=("$mon_j")
sleep 0.3
before=$(to_pmd)
kill -STOP "$mon_j"
"$client" "$seg.sock" "$pci" 80 >"$tmp/client3.out" 2>"$tmp/client3.err" &
cl=$!
pids+=("$cl")
check "client 3 claimed the port" wait_for 10 grep -q '^claimed port 0$' "$tmp/client3.out"
for _ in $(seq 40); do
	echo "del mana_2" >&3
	echo "add mana_2 1000 eth2" >&3
	sleep 0.02
done
wait "$cl"
check "client 3 took its 80 events" [ $? -eq 0 ]
after=$(to_pmd)
check "80 more events to the PMD" [ $((after - before)) -eq 80 ]
kill -CONT "$mon_j"
check "monitor: caught up with the last one" wait_for 5 grep -q "\"dir\":\"to_pmd\",\"seq\":$after," "$tmp/mon2.json"
kill -TERM "$mon_j"
wait "$mon_j"
check "monitor fell behind: missed, and the counts add up" python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
to = [r for r in recs if r["dir"] == "to_pmd"]
seen = [r for r in to if r["event"] != "missed"]
gaps = [r for r in to if r["event"] == "missed"]
assert gaps and gaps[0]["missed"] > 0, gaps
assert len(seen) + sum(g["missed"] + g["lost"] for g in gaps) == n, (len(seen), gaps)
seqs = [r["seq"] for r in seen]
assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs
assert recs.index(gaps[0]) < recs.index(seen[0]) or seen[0]["seq"] == 1, recs[:3]' "$tmp/mon2.json" $((after - before))
echo "--- $(grep '"missed"' "$tmp/mon2.json" | head -3)"
kill -HUP "$d2"
check "status: a reload counted" wait_for 5 grep -q '^reloads=1$' "$seg.status"
out=$("$manactl" status mbox "$seg")
check "status: the restarted daemon, next generation" grep -q "^mailbox $seg version 1.1 ctrl_gen 2 ctrl_pid $d2 " <<<"$out"
kill -TERM "$d2"
wait "$d2"
check "SIGTERM: exit 0 (2)" [ $? -eq 0 ]
exec 3>&-

# A status file that is not what manactl reads: a message and exit 1; none: "unknown".
cp "$seg.status" "$tmp/status.good"
sed -i 's/^format=1$/format=2/' "$seg.status"
err=$("$manactl" status mbox "$seg" 2>&1 >/dev/null)
check "status: a newer format refused" [ $? -eq 1 ]
check "status: a newer format named" grep -q "status file $seg.status: format 2, this manactl reads format 1" <<<"$err"
cp "$tmp/status.good" "$seg.status"
echo "no equals sign" >>"$seg.status"
err=$("$manactl" status mbox "$seg" 2>&1 >/dev/null)
check "status: a malformed line refused" [ $? -eq 1 ]
check "status: the malformed line named" grep -q "status file $seg.status:22: malformed line" <<<"$err"
cp "$tmp/status.good" "$seg.status"
sed -i 's/^pid=.*/pid=12x/' "$seg.status"
err=$("$manactl" status mbox "$seg" 2>&1 >/dev/null)
check "status: a bad number refused" grep -q "status file $seg.status:3: malformed line" <<<"$err"
printf 'future_key=1\n' >>"$tmp/status.good"
cp "$tmp/status.good" "$seg.status"
check "status: unknown keys skipped" "$manactl" status mbox "$seg"
rm "$seg.status"
out=$("$manactl" status mbox "$seg")
check "status: no status file, the daemon unknown" grep -q "^daemon unknown (no status file $seg.status)$" <<<"$out"
check "status: no status file, the ports still shown" grep -q "^port 0 pci $pci ibdev mana_2" <<<"$out"

# ---- a monitor follows a segment replaced at its path ----
"$manactl" -j monitor mbox "$seg" >"$tmp/mon3.json" 2>"$tmp/mon3.err" &
mon=$!
pids+=("$mon")
sleep 0.3
mv "$seg" "$seg.old"
"$daemon" "${common[@]}" --fake-kernel "$tmp/k3" 2>"$tmp/d3.log" &
d3=$!
pids+=("$d3")
check "a new segment at the path" wait_for 5 test -e "$seg"
check "monitor: replaced" wait_for 5 grep -q "\"event\":\"replaced\",\"path\":\"$seg\"" "$tmp/mon3.json"
check "fifo of the new daemon" wait_for 5 test -p "$tmp/k3"
exec 4<>"$tmp/k3"
echo "add mana_0 1000 eth0" >&4
echo "del mana_0" >&4
check "monitor: the new segment's first event" \
	wait_for 5 grep -q '"event":"svc_start",.*"dir":"to_pmd","seq":1,' "$tmp/mon3.json"
kill -TERM "$mon" "$d3"
wait "$mon" "$d3"
exec 4>&-

if [ "$fail" -ne 0 ]; then
	for f in d1.log d2.log client.out client.err client2.out client2.err client3.out \
		client3.err mon.json mon.txt mon.err mon2.json mon2.err mon3.json d3.log; do
		echo "--- $f"
		cat "$tmp/$f" 2>/dev/null
	done
	exit 1
fi
echo "ctrld_mbox_test: ok"
