#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mana-ctrld --sim-kernel DIR (simulation only): the real daemon on a
# simulated host written with proto/simhost's helpers (tests/ctrl/
# simhost_drive.c, one kernel step per run; no DPDK), publishing through the
# mailbox, followed by `manactl monitor mbox`:
#   - a service event (devlink error, unregister, register, netdev attach,
#     healthy): SVC_START (devlink, reporter-error, the error count), then
#     HW_BACK (the new incarnation) once; log records; the status file
#     (rdma=sim, monitor mode, devlink on, the counters); no netlink socket;
#   - a rescan (devlink error, the PCI function removed, rescanned): the
#     removal is part of the service event (HOT_REMOVE cause service), then
#     HW_BACK;
#   - a plain removal: a hot-remove (HOT_REMOVE cause surprise, no
#     SVC_START), then GONE after gone_timeout;
#   - malformed datagrams: logged, counted as errors, skipped; the daemon
#     goes on and stops with exit 0;
#   - a missing, non-directory or unwritable DIR, a second daemon on the
#     same DIR, sim_kernel with fake_kernel, a relative path: exit 1 with a
#     message.
#
#   ctrld_sim_test.sh MANA_CTRLD SIMHOST_DRIVE MANACTL
set -uo pipefail
daemon=$1
drive=$2
manactl=$3
. tests/ctrl/ctrl_test_lib.sh
ct_tmpdir ctrldsim

H=$tmp/sim
seg=$tmp/mbox
pci=7870:00:00.0
dev=net_mana_sim0
mkdir "$H"
common=(--sim-kernel "$H" --mbox-path "$seg" --reporters fw_fatal --gone-timeout 2s)

# ---- bad directories and configurations: a message and exit 1 ----
bad() { ct_bad "$daemon" "$@"; }
bad "missing DIR" "simulated host $tmp/none: No such file or directory" \
	--sim-kernel "$tmp/none" --mbox-path "$seg"
touch "$tmp/file"
bad "DIR not a directory" "simulated host $tmp/file: not a directory" --sim-kernel "$tmp/file"
if [ "$(id -u)" -ne 0 ]; then
	mkdir -m 0555 "$tmp/ro"
	bad "DIR not writable" "simulated host $tmp/ro: not writable" --sim-kernel "$tmp/ro"
else
	# Root writes anywhere DAC says; /proc refuses new directories to root too.
	bad "DIR where nothing can be made" "simulated host /proc:" --sim-kernel /proc
fi
bad "relative DIR refused" 'sim_kernel: "sim" is not an absolute path' --sim-kernel sim
bad "not with the fake kernel" "sim_kernel and fake_kernel exclude each other" \
	--sim-kernel "$H" --fake-kernel "$tmp/fifo" --check-config
out=$("$daemon" --sim-kernel "$H" --check-config)
check "check-config: sim_kernel and the sysfs root" \
	bash -c "grep -qx 'sim_kernel = $H' <<<'$out' && grep -qx 'sysfs = $H/sys' <<<'$out'"
out=$("$daemon" --check-config)
check "check-config: off by default" bash -c "! grep -q '^sim_kernel' <<<'$out'"
check "help: simulation only" bash -c "'$daemon' --help | grep -q -- '--sim-kernel DIR *simulation only'"

# The device exists before the daemon (its notifications are lost then).
"$drive" "$H" add "$dev" "$pci" mana_0 eth1 1000 5 >"$tmp/drive.out"
check "no listener: notifications lost quietly" grep -q '^lost rdma register name=mana_0 index=1 ' \
	"$tmp/drive.out"

"$daemon" "${common[@]}" 2>"$tmp/d.log" &
d=$!
pids+=("$d")
st() { grep -qx "$1" "$seg.status"; }
check "status: running" wait_for 5 st state=running
check "status: rdma=sim, as in monitor mode" bash -c "grep -qx rdma=sim '$seg.status' &&
	grep -qx rdma_monitor_mode=1 '$seg.status'"
check "status: devlink on, uevent off" bash -c "grep -qx devlink=on '$seg.status' &&
	grep -qx uevent=off '$seg.status'"
check "logged: simulation only" grep -q '"msg":"simulated kernel in use: for simulation only"' "$tmp/d.log"
check "logged: started, rdma sim" grep -q '"msg":"started","rdma":"sim","devlink":"on"' "$tmp/d.log"
check "the device found by the first dump: port added" \
	grep -q '"msg":"mailbox port added","dev":"mana_0","pci":"7870:00:00.0"' "$tmp/d.log"
check "kernel.sock bound" test -S "$H/kernel.sock"
check "no netlink socket opened" bash -c "! awk -v p=$d '\$3 == p' /proc/net/netlink | grep -q ."
bad "a second daemon on the same DIR" "another mana-ctrld is bound to it" \
	--sim-kernel "$H" --mbox-path "$tmp/mbox2"

"$manactl" -j monitor mbox "$seg" >"$tmp/mon.json" 2>"$tmp/mon.err" &
mon=$!
pids+=("$mon")
sleep 0.3	# its cursor is made

# step WANT ARGS...: one kernel step, then wait until the status file says WANT.
step() {
	local want=$1
	shift
	"$drive" "$H" "$@" >>"$tmp/drive.out" || echo "FAIL: drive $*"
	check "$* -> $want" wait_for 5 st "$want"
}

# ---- a service event: error, unregister, register, attach, healthy ----
step devlink_events=1 health "$dev" error
step rdma_events=1 unregister "$dev"
step rdma_events=2 register "$dev"
step rdma_events=3 attach "$dev"
step devlink_events=2 health "$dev" healthy
check "logged: started by devlink's reporter" \
	grep -q '"msg":"service_event_started",.*"dev":"pci/7870:00:00.0","source":"devlink","reason":"reporter fw_fatal error (error 1 recover 0)"' "$tmp/d.log"
check "logged: the unregister" \
	grep -q '"msg":"service_event_started",.*"dev":"mana_0","source":"rdma-monitor","reason":"UNREGISTER"' "$tmp/d.log"
check "logged: back, the new index" \
	grep -q '"msg":"hardware_back",.*"dev":"mana_0",.*"index":"2","node_guid":"0000000000001000","netdev":"eth1","ifindex":"5"' "$tmp/d.log"

# ---- a rescan: error, the PCI function removed, rescanned, healthy ----
step devlink_events=3 health "$dev" error
step devlink_events=4 remove "$dev"
step rdma_events=6 rescan "$dev"
step devlink_events=6 health "$dev" healthy
check "logged: a removal in a service event" \
	grep -q '"msg":"removal in a service event: the PMD resets","dev":"mana_0","pci":"7870:00:00.0","cause":"service","source":"rdma_netlink","reason":"unregister"' "$tmp/d.log"

# ---- a plain removal: a hot-remove, then gone ----
step devlink_events=7 remove "$dev"
check "logged: a hot-remove" \
	grep -q '"msg":"hot-remove: no service event before it, the PMD removes the port","dev":"mana_0","pci":"7870:00:00.0","cause":"surprise"' "$tmp/d.log"
check "logged: the simulated pci remove" wait_for 5 \
	grep -q '"msg":"simulated kernel: PCI function removed","pci":"7870:00:00.0"' "$tmp/d.log"
check "gone for good after gone_timeout" wait_for 5 grep -q '"msg":"gone_for_good"' "$tmp/d.log"
check "monitor: the last event" wait_for 5 grep -q '"event":"gone"' "$tmp/mon.json"

check "the mailbox events, in order" python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
to = [r for r in recs if r["dir"] == "to_pmd"]
got = [r["event"] for r in to]
assert got == ["svc_start", "hw_back", "svc_start", "hot_remove", "hw_back", "hot_remove",
               "gone"], got
assert [r["seq"] for r in to] == list(range(1, 8)), to
for r in to:
    assert r["port"] == 0 and r["pci"] == "7870:00:00.0", r
s1, b1, s2, rm1, b2, rm2 = to[:6]
assert (s1["svc_source"], s1["svc_reason"], s1["detail"]) == ("devlink", "reporter-error", 1), s1
assert (b1["ibdev"], b1["netdev"], b1["node_guid"], b1["gen"], b1["ifindex"]) == \
    ("mana_0", "eth1", "0000:0000:0000:1000", 2, 5), b1
assert (s2["svc_source"], s2["svc_reason"], s2["detail"]) == ("devlink", "reporter-error", 2), s2
assert (rm1["cause"], rm1["svc_source"], rm1["svc_reason"]) == \
    ("service", "rdma_netlink", "unregister"), rm1
assert (b2["ibdev"], b2["gen"]) == ("mana_0", 3), b2
assert (rm2["cause"], rm2["svc_source"], rm2["svc_reason"]) == \
    ("surprise", "rdma_netlink", "unregister"), rm2
t = [r["time_ns"] for r in to]
assert t == sorted(t), t
' "$tmp/mon.json"
out=$("$manactl" reset show mbox "$seg")
check "the record: gone, 2 service events, 2 back, 2 removed" \
	grep -q '^  hw gone svc_source rdma_netlink svc_reason unregister service 2 back 2 removed 2$' <<<"$out"
echo "$out"

# ---- malformed datagrams: logged, counted, skipped ----
errors0=$(sed -n 's/^errors=//p' "$seg.status")
python3 - "$H/kernel.sock" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for d in [b"garbage", b"", b"rdma register name=mana_0", b"rdma explode name=x index=1",
          b"devlink health handle=pci/7870:00:00.0 reporter=fw_fatal state=maybe error_count=1 recover_count=0",
          b"pci remove bdf=not-a-bdf", b"rdma unregister name=mana\x00_0 index=3",
          b"x" * 600, bytes(range(256))]:
    s.sendto(d, sys.argv[1])
s.sendto(b"pci add bdf=7870:00:00.1", sys.argv[1])
EOF
# (a PCI address of its own: the rescan logged 7870:00:00.0's addition)
check "a good one after the bad ones is handled" wait_for 5 \
	grep -q '"msg":"simulated kernel: PCI function added","pci":"7870:00:00.1"' "$tmp/d.log"
check "nine logged as malformed, skipped" \
	[ "$(grep -c '"msg":"simulated kernel: malformed notification, skipped"' "$tmp/d.log")" -eq 9 ]
check "counted as errors in the status file" wait_for 5 st "errors=$((errors0 + 9))"
check "the daemon is alive" kill -0 "$d"

kill -TERM "$mon" "$d"
wait "$d"
check "SIGTERM: exit 0" [ $? -eq 0 ]
check "status: stopped" st state=stopped
check "kernel.sock removed at stop" [ ! -e "$H/kernel.sock" ]
check "monitor: nothing on stderr" [ ! -s "$tmp/mon.err" ]
if [ "$fail" -ne 0 ]; then
	echo "--- daemon log"
	cat "$tmp/d.log"
	echo "--- drive"
	cat "$tmp/drive.out"
	echo "--- monitor"
	cat "$tmp/mon.json"
	exit 1
fi
echo "ctrld_sim_test: ok"
