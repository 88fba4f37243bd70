#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One service event seen by both sides (issue 14): the real mana-ctrld on a
# simulated host (--sim-kernel DIR) and stock testpmd with two sim ports of
# that host (host=DIR) on the daemon's mailbox, events injected with
# `manactl sim service-event` as the hypervisor would:
#   - outcome ok: the daemon sees the devlink error first (SVC_START, source
#     devlink), the port resets (recovering, successful), HW_BACK once;
#   - outcome rescan (FPGA reconfiguration: devlink error, PCI remove, then
#     rescan): the daemon calls the removal part of the service event
#     (HOT_REMOVE cause service) and the port resets (recovering,
#     successful: no removal);
#   - outcome remove (nothing before it): the daemon calls it a hot-remove
#     (HOT_REMOVE cause surprise, no SVC_START) and the port is removed
#     (recovering, failed, removal).
# testpmd does not forward: it detaches a removed port from its interrupt
# thread (see reset_storm_test). Under ThreadSanitizer, testpmd's stdout
# written from several threads through EAL's log is suppressed
# (tests/lib/tsan.supp, rte_vlog: libc's stdio lock is invisible to TSan).
#
#   ctrld_sim_testpmd_test.sh MANA_CTRLD MANACTL PLUGIN
set -uo pipefail
daemon=$1
manactl=$(realpath "$2")
. tests/ctrl/ctrl_test_lib.sh
. tests/lib/dpdk_test.sh
so=$(dt_plugin "$3")
dt_require_hugepages 64
ct_tmpdir ctrldsimpmd
prefix=""
trap 'ct_cleanup; dt_cleanup "$prefix"' EXIT
# A testpmd that died must fail checks, not kill this script (SIGPIPE).
trap '' PIPE
export DT_TIMEOUT=180

H=$tmp/host
seg=$tmp/mbox
mkdir "$H"
export MANA_SIM_HOST=$H
"$daemon" --sim-kernel "$H" --mbox-path "$seg" --reporters fw_fatal --gone-timeout 30s \
	2>"$tmp/d.log" &
d=$!
pids+=("$d")
check "daemon up" wait_for 5 grep -q '"msg":"started","rdma":"sim"' "$tmp/d.log"

prefix=$(dt_prefix ctrldsim)
log=$tmp/testpmd.log
dt_session_start "$log" "$prefix" "$so" \
	--vdev="net_mana_sim0,host=$H,mbox=$seg.sock" --vdev="net_mana_sim1,host=$H,mbox=$seg.sock" \
	-- --total-num-mbufs=2048 --print-event=all
pids+=("$DT_PID" "$DT_APP_PID")
check "testpmd up" dt_wait_count "$log" "^testpmd> " 1 120
at_least() { [ "$(grep -c "$1" "$tmp/d.log")" -ge "$2" ]; }
check "the daemon published both ports" wait_for 10 at_least '"msg":"mailbox port added"' 2
check "both ports attached" wait_for 10 at_least '"msg":"pmd attached"' 2
"$manactl" -j monitor mbox "$seg" >"$tmp/mon.json" 2>"$tmp/mon.err" &
pids+=("$!")
sleep 0.3	# its cursor is made

# events PORT: R recovering, S successful, F failed, X removal
events() {
	grep -Eo "Port $1: (error recovering|error recovery successful|error recovery failed|device removal) event" "$log" |
		sed -e 's/.*error recovering.*/R/' -e 's/.*successful.*/S/' \
			-e 's/.*failed.*/F/' -e 's/.*removal.*/X/' | tr -d '\n'
}
events_are() { [ "$(events "$1")" = "$2" ]; }
# to_pmd PCI: the daemon's events to the port of that PCI address, as
# "event[:cause][:source]" words
to_pmd() {
	python3 -c '
import json, sys
out = []
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["dir"] == "to_pmd" and r["pci"] == sys.argv[2]:
        out.append(r["event"] + (":" + r["cause"] if "cause" in r else "") +
                   (":" + r["svc_source"] if r["event"] == "svc_start" else ""))
print(" ".join(out))' "$tmp/mon.json" "$1"
}
to_pmd_is() { [ "$(to_pmd "$1")" = "$2" ]; }

# net_mana_sim0 and 1: PCI functions 7870:00:00.0 and 7870:00:01.0 (the
# sim's defaults), testpmd's ports 0 and 1.
p0=7870:00:00.0
p1=7870:00:01.0
"$manactl" sim service-event net_mana_sim0 --down 1s >>"$tmp/manactl.out" 2>&1
check "ok: manactl sim accepted it" [ $? -eq 0 ]
check "ok: the port resets and recovers" wait_for 20 events_are 0 RS
check "ok: the daemon's events: SVC_START (devlink), HW_BACK" wait_for 10 \
	to_pmd_is $p0 "svc_start:devlink hw_back"

"$manactl" sim service-event net_mana_sim0 --down 1s --outcome rescan >>"$tmp/manactl.out" 2>&1
check "rescan: manactl sim accepted it" [ $? -eq 0 ]
check "rescan: the removal is part of the service event: a reset, recovered" \
	wait_for 20 events_are 0 RSRS
check "rescan: SVC_START, HOT_REMOVE cause service, HW_BACK" wait_for 10 \
	to_pmd_is $p0 "svc_start:devlink hw_back svc_start:devlink hot_remove:service hw_back"
check "rescan: the daemon said so" grep -q '"msg":"removal in a service event: the PMD resets","dev":"mana_0"' "$tmp/d.log"

"$manactl" sim service-event net_mana_sim1 --down 1s --outcome remove >>"$tmp/manactl.out" 2>&1
check "remove: manactl sim accepted it" [ $? -eq 0 ]
check "remove: the port is removed (recovering, failed, removal)" wait_for 20 events_are 1 RFX
check "remove: HOT_REMOVE cause surprise alone" wait_for 10 to_pmd_is $p1 "hot_remove:surprise"
check "remove: the daemon said so" \
	grep -q '"msg":"hot-remove: no service event before it, the PMD removes the port","dev":"mana_1"' "$tmp/d.log"
check "port 0 untouched by port 1's removal" events_are 0 RSRS
# testpmd closes and detaches the removed port itself, from its interrupt
# thread: let it finish before anything else touches the ports (quit).
check "remove: testpmd detached the removed port" dt_wait_count "$log" "Device is detached" 1 10

out=$("$manactl" reset show mbox "$seg")
check "records: port 0 up after 2 service events, 1 service removal" \
	grep -q '^  hw up svc_source devlink svc_reason reporter-error service 2 back 2 removed 1$' <<<"$out"
check "records: port 1 removed, no service event" \
	grep -q '^  hw removed svc_source rdma_netlink svc_reason unregister service 0 back 0 removed 1$' <<<"$out"
echo "$out"

dt_session_quit
check "testpmd exits cleanly" [ $? -eq 0 ]
kill -TERM "$d"
wait "$d"
check "daemon: SIGTERM, exit 0" [ $? -eq 0 ]
check "monitor: nothing on stderr" [ ! -s "$tmp/mon.err" ]
if [ "$fail" -ne 0 ]; then
	for f in d.log testpmd.log mon.json manactl.out; do
		echo "--- $f"
		cat "$tmp/$f"
	done
	exit 1
fi
echo "ctrld_sim_testpmd_test: ok"
