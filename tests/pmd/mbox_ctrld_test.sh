#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end: the real control daemon (mana-ctrld, driven by its fake kernel
# and a fake sysfs) and stock dpdk-testpmd with the plugin, a simulated port
# on the daemon's mailbox (mbox=, mbox_port=<the PCI address ctrl knows>):
#   - the RDMA device unregisters: the daemon's service event resets the
#     port (testpmd: recovering), which waits for the daemon's "hardware
#     back" (the simulated device never went down), then recovers; the
#     daemon logs the PMD's reset, phases and durations, manactl shows the
#     PMD record and that the daemon's word ended the wait;
#   - the daemon is killed (SIGKILL): testpmd goes on; a restarted daemon
#     re-adopts the segment and the port attaches again;
#   - the PCI function goes away and the device stays away: hot-remove, then
#     (after gone_timeout) gone: testpmd gets recovery failed and removal;
#   - testpmd quits cleanly.
# The port is started but testpmd does not forward, and no command reads the
# port from testpmd's main thread: testpmd detaches a removed port from its
# interrupt thread, unsynchronized with its main thread (a testpmd 22.11
# race ThreadSanitizer reports against whatever the main thread read last;
# see reset_storm_test).
#
#   mbox_ctrld_test.sh PLUGIN MANA_CTRLD MANACTL
set -uo pipefail
. tests/lib/dpdk_test.sh

so=$(dt_plugin "$1")
daemon=$2
manactl=$3
dt_require_hugepages 64
# Socket paths must fit sun_path: a short directory.
tmp=$(mktemp -d /tmp/mboxctrld.XXXXXX)
prefix=""
pids=()
fails=0
finished=0
cleanup() {
	local f
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	if [ "$fails" -ne 0 ] || [ "$finished" -eq 0 ]; then
		for f in d1.log d2.log testpmd.log; do
			echo "--- $f"
			cat "$tmp/$f" 2>/dev/null
		done
	fi
	dt_cleanup "$prefix"
	rm -rf "$tmp"
}
trap cleanup EXIT
# A testpmd that died must fail checks, not kill this script (SIGPIPE).
trap '' PIPE

# A fake sysfs: mana_0 / mana_1 are auxiliary devices of PCI function 7870:00:00.0.
pci=7870:00:00.0
S=$tmp/sys
mkdir -p "$S/devices/pci0000:00/$pci/mana.rdma.0" "$S/bus/pci/devices"
ln -s "../../../devices/pci0000:00/$pci" "$S/bus/pci/devices/$pci"
for dev in mana_0 mana_1; do
	mkdir -p "$S/class/infiniband/$dev"
	ln -s "../../../devices/pci0000:00/$pci/mana.rdma.0" "$S/class/infiniband/$dev/device"
done
seg=$tmp/mbox
fifo=$tmp/kernel
common=(--fake-kernel "$fifo" --sysfs "$S" --driver '*' --mbox-path "$seg")

# The first daemon gives the hardware 30 s before "gone": the port's reset
# must end on its own, however slow the machine (under ThreadSanitizer on a
# loaded machine its runtime stalls the reset thread for seconds now and
# then: a close() of 8 s was measured). The second says "gone" after 1 s.
"$daemon" "${common[@]}" --gone-timeout 30s 2>"$tmp/d1.log" &
d1=$!
pids+=("$d1")
check "daemon up" wait_for 5 test -p "$fifo"
exec 3<>"$fifo"
echo "add mana_0 1000 eth0" >&3
check "port published" wait_for 5 \
	grep -q "\"msg\":\"mailbox port added\".*\"pci\":\"$pci\"" "$tmp/d1.log"

prefix=$(dt_prefix mboxctrld)
log=$tmp/testpmd.log
dt_session_start "$log" "$prefix" "$so" \
	--vdev="net_mana_sim0,mbox=$seg.sock,mbox_port=$pci" \
	--log-level=pmd.net.mana.mbox:info -- --total-num-mbufs=2048 --print-event=all
# testpmd has configured and started the port (the daemon's events would
# otherwise reset it in the middle of its set-up: -EBUSY, a failed start).
check "testpmd up" dt_wait_count "$log" "^testpmd> " 1 60
check "PMD attached (daemon)" wait_for 10 grep -q '"msg":"pmd attached"' "$tmp/d1.log"
check "PMD attached (testpmd)" wait_for 5 grep -q "mailbox $seg.sock attached" "$log"

# The RDMA device unregisters: a service event. The simulated device never
# goes down (the same incarnation), so the port waits for the daemon's
# "hardware back": the RDMA device registers again.
echo "del mana_0" >&3
check "testpmd: recovering" dt_wait_count "$log" "Port 0: error recovering event" 1 10
sleep 0.3
check "testpmd: waits for the daemon's word" test \
	"$(count "Port 0: error recovery successful event" "$log")" -eq 0
echo "add mana_1 1000 eth1" >&3   # back: HW_BACK
check "testpmd: recovered" dt_wait_count "$log" "Port 0: error recovery successful event" 1 60
check "daemon: reset entered" wait_for 5 \
	grep -q "\"msg\":\"pmd reset entered\".*\"pci\":\"$pci\".*\"reset\":\"1\"" "$tmp/d1.log"
check "daemon: five phases" wait_for 5 \
	test "$(count '"msg":"pmd reset phase"' "$tmp/d1.log")" -eq 5
check "daemon: recovered, with durations" wait_for 5 \
	grep -q '"msg":"pmd recovery succeeded".*"reset":"1","outcome":"active","error":"0","total_ms":"[0-9.]*","quiesce_ms"' "$tmp/d1.log"
check "daemon: hardware back" wait_for 5 grep -q "mana_1" "$tmp/d1.log"
out=$("$manactl" reset show mbox "$seg")
check "manactl: the PMD record" grep -q "^  pmd active .* resets 1 success 1 failed 0" <<<"$out"
check "manactl: the daemon's word ended the wait" grep -q "^    reset 1 outcome active .* wake ctrl hint [0-9]*us$" <<<"$out"
echo "$out"

# The daemon dies; testpmd does not notice but in its log.
kill -9 "$d1"
wait "$d1" 2>/dev/null
check "testpmd: daemon gone, running on" wait_for 5 grep -q "is gone; running without it" "$log"
dt_cmd "show config cores"
check "testpmd answers" dt_wait_count "$log" "List of forwarding lcores" 1 10
"$daemon" "${common[@]}" --gone-timeout 1s 2>"$tmp/d2.log" &
d2=$!
pids+=("$d2")
check "daemon re-adopted the segment" wait_for 5 \
	grep -q '"msg":"mailbox re-adopted".*"ctrl_gen":"2"' "$tmp/d2.log"
check "PMD attached again" wait_for 10 grep -q '"msg":"pmd attached"' "$tmp/d2.log"
check "testpmd: daemon back" wait_for 5 grep -q "control daemon (pid [0-9]*) is back" "$log"

# The PCI function goes away and stays away: hot-remove, then gone.
rm "$S/bus/pci/devices/$pci"
echo "del mana_1" >&3
check "testpmd: recovery failed" dt_wait_count "$log" "Port 0: error recovery failed event" 1 60
check "testpmd: removal" dt_wait_count "$log" "Port 0: device removal event" 1 5
# testpmd closes and detaches the removed port itself; let it finish.
check "testpmd: port detached" dt_wait_count "$log" "Device is detached" 1 10
check "daemon: failure, removed" wait_for 5 \
	grep -q '"msg":"pmd recovery failed".*"outcome":"removed","error":"-19"' "$tmp/d2.log"
check "every recovering has one outcome" test \
	"$(count "Port 0: error recovering event" "$log")" -eq \
	"$(($(count "Port 0: error recovery successful event" "$log") + \
	$(count "Port 0: error recovery failed event" "$log")))"
out=$("$manactl" reset show mbox "$seg")
# testpmd closes a removed port by itself (closed) once it handled the event.
check "manactl: removed" grep -Eq "^  pmd (removed|closed) .* removed 1" <<<"$out"
echo "$out"

dt_session_quit
check "testpmd exits cleanly" test $? -eq 0
kill -TERM "$d2"
wait "$d2"
check "daemon: exit 0" test $? -eq 0
exec 3>&-
finished=1
[ "$fails" -eq 0 ] || exit 1
echo "mbox_ctrld_test: ok"
