#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The simulated host end to end (issue 14, deliverable 1, the device's side):
# stock dpdk-testpmd with the plugin on net_mana_sim0/1 with host=DIR, a
# listener bound to DIR/kernel.sock in mana-ctrld's place (simhost_listen:
# each notification with a timestamp), and manactl sim as the hypervisor.
#   Session 1, forwarding (flowgen, start tx_first):
#   - the devices appear: state files, sys/, pci add / devlink new /
#     register / netdev_attach for each; with mbox=, the port's mailbox
#     identity defaults to its PCI address;
#   - `manactl sim service-event net_mana_sim0 --down 1s`: testpmd prints
#     recovering then successful; while down the state file and sys/ say so
#     and a second request is refused (device not up, exit 4); the
#     notifications come in the kernel's order (health error, unregister,
#     register of a new index at least 1 s later, netdev_attach, healthy);
#     packets flow both ways after;
#   - outcome fail on net_mana_sim1: recovery failed, never registered again;
#   - manactl sim's errors: no such device, bad duration / outcome, no
#     device given, no host (exit codes 2, 1, 1, 1, 2); JSON output parses;
#   - after testpmd quits: the state files stay (pid 0), the hv sockets go,
#     a request says the process is gone (exit 3).
#   Session 2, not forwarding (testpmd's own detach of a removed port
#   crashes its forwarding engine; see reset_storm_test):
#   - the state files are adopted: net_mana_sim0 (up) silently, keeping its
#     index; net_mana_sim1 (left down) registers anew and is healthy again;
#   - a second process for the same device is refused at probe;
#   - a scheduled service event (reset_delay_ms) gives the same sequence as
#     the hypervisor's;
#   - outcome remove on net_mana_sim1: removal (no devlink error; unregister,
#     devlink del, pci remove; hw removed, bus/pci/devices/BDF gone);
#   - outcome rescan on net_mana_sim0: devlink error, then the removal
#     (unregister, devlink del, pci remove) and, if the device is still
#     there to come back, pci add, devlink new, register, attach, healthy.
#     Without mana-ctrld nobody calls the removal part of a service event,
#     so the driver takes it as a hot-remove (recovery failed, removal).
#
#   simhost_testpmd_test.sh PLUGIN MANACTL SIMHOST_LISTEN
set -uo pipefail
. tests/lib/dpdk_test.sh

so=$(dt_plugin "$1")
manactl=$(realpath "$2")
listen=$(realpath "$3")
dt_require_hugepages 64
export DT_TIMEOUT=180
tmp=$(mktemp -d /tmp/simhost.XXXXXX)
H=$tmp/host
ntf=$tmp/ntf.log
prefix=""
lpid=""
fails=0
finished=0
cleanup() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	if [ "$fails" -ne 0 ] || [ "$finished" -eq 0 ]; then
		for f in ntf.log s1.log s2.log dup.log; do
			echo "--- $f"
			cat "$tmp/$f" 2>/dev/null
		done
	fi
	dt_cleanup "$prefix"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap '' PIPE
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
wait_for() { # wait_for SECONDS COMMAND...
	local n=$(($1 * 20))
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.05; done
	return 1
}
# rc_is WANT COMMAND...: the command exits WANT (its output to the log).
rc_is() {
	local want=$1 rc
	shift
	"$@" >>"$tmp/manactl.out" 2>&1
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "  exit $rc, not $want: $*"; return 1; }
}
key() { sed -n "s/^$2=//p" "$H/dev/$1"; }
key_is() { [ "$(key "$1" "$2")" = "$3" ]; }
marks() { wc -l <"$ntf"; }
dev0='(name=mana_0 |pci/7870:00:00\.0|bdf=7870:00:00\.0)'
dev1='(name=mana_1 |pci/7870:00:01\.0|bdf=7870:00:01\.0)'
# since MARK DEVRE: the notifications of a device after line MARK, without
# their timestamps.
since() { tail -n +"$(($1 + 1))" "$ntf" | grep -E "$2" | cut -d' ' -f2-; }
nb_since() { [ "$(since "$1" "$2" | wc -l)" -ge "$3" ]; }
# seq_is MARK DEVRE RE...: exactly these notifications, each matching its RE.
seq_is() {
	local mark=$1 dre=$2 i=0 line
	shift 2
	mapfile -t got < <(since "$mark" "$dre")
	if [ "${#got[@]}" -ne "$#" ]; then
		echo "  ${#got[@]} notifications, not $#:"
		printf '    %s\n' "${got[@]}"
		return 1
	fi
	for re in "$@"; do
		line=${got[$i]}
		if ! grep -Eq "^$re\$" <<<"$line"; then
			echo "  notification $((i + 1)) '$line' is not '$re'"
			return 1
		fi
		i=$((i + 1))
	done
}
# ms_between MARK DEVRE RE1 RE2: milliseconds from the first RE1 to the
# first RE2 after MARK.
ms_between() {
	tail -n +"$(($1 + 1))" "$ntf" | grep -E "$2" |
		awk -v a="$3" -v b="$4" '$0 ~ a && !ta { ta = $1 } $0 ~ b && !tb { tb = $1 }
			END { print tb - ta }'
}
rx_packets() { # rx_packets LOG PORT: the last RX-packets of that port
	awk -v port="$2" '
		match($0, /NIC statistics for port [0-9]+/) {
			n = split(substr($0, RSTART, RLENGTH), a, " ")
			p = a[n]
		}
		match($0, /RX-packets: *[0-9]+/) && p == port {
			n = split(substr($0, RSTART, RLENGTH), a, " ")
			v = a[n]
		}
		END { print v + 0 }' "$1"
}
events() { # events LOG PORT: R recovering, S success, F failed, X removal
	grep -Eo "Port $2: (error recovering|error recovery successful|error recovery failed|device removal) event" "$1" |
		sed -e 's/.*error recovering.*/R/' -e 's/.*successful.*/S/' \
			-e 's/.*failed.*/F/' -e 's/.*removal.*/X/' | tr -d '\n'
}
export MANA_SIM_HOST=$H

"$listen" "$H" >"$ntf" 2>&1 &
lpid=$!
check "listener bound" wait_for 5 grep -q '^ready$' "$ntf"

# ---- session 1: forwarding ------------------------------------------------
m=$(marks)
prefix=$(dt_prefix simhost1)
log=$tmp/s1.log
# net_mana_sim0 names a mailbox nobody serves: its port identity defaults
# to its PCI address on the host (mana-ctrld's absence changes nothing else).
dt_session_start "$log" "$prefix" "$so" \
	--vdev="net_mana_sim0,host=$H,mbox=$tmp/mbox.sock" \
	--vdev="net_mana_sim1,host=$H,reset_timeout_ms=2000" \
	--log-level=pmd.net.mana.mbox:info \
	-- --total-num-mbufs=2048 --forward-mode=flowgen --print-event=all
check "testpmd up" dt_wait_count "$log" "^testpmd> " 1 60
check "with host=, mbox_port defaults to the PCI address" \
	grep -q "port 0: mailbox $tmp/mbox.sock, port '7870:00:00.0'" "$log"
check "devices appear (kernel's notifications)" wait_for 5 nb_since "$m" "$dev1" 4
check "net_mana_sim0 appears: pci add, devlink new, register, attach" seq_is "$m" "$dev0" \
	"pci add bdf=7870:00:00\.0" "devlink new handle=pci/7870:00:00\.0" \
	"rdma register name=mana_0 index=1 guid=0x[0-9a-f]{16}" \
	"rdma netdev_attach name=mana_0 index=1 port=1 netdev=eth1 ifindex=100"
check "state file: up, registered, served by testpmd" \
	eval 'key_is net_mana_sim0 hw up && key_is net_mana_sim0 registered 1 &&
	      key_is net_mana_sim0 pid "$DT_APP_PID" && key_is net_mana_sim1 pci 7870:00:01.0'
check "sys/: PCI function, IB device, netdev" test -L "$H/sys/bus/pci/devices/7870:00:00.0" -a \
	-L "$H/sys/class/infiniband/mana_0/device" -a -L "$H/sys/class/net/eth1/device"
check "hv sockets" test -S "$H/hv/net_mana_sim0.sock" -a -S "$H/hv/net_mana_sim1.sock"
check "manactl sim list: two devices, running" \
	eval '[ "$("$manactl" sim list | grep -c "hw up health healthy pid $DT_APP_PID (running)")" -eq 2 ]'
check "manactl -j sim list parses" eval '"$manactl" -j sim list | python3 -m json.tool >/dev/null'
check "manactl -j sim show mana_1 parses" \
	eval '"$manactl" -j sim show mana_1 | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(d[\"name\"] != \"net_mana_sim1\")"'
dt_cmd "start tx_first"
sleep 1

# A service event of 1 s from the hypervisor.
m=$(marks)
out=$("$manactl" sim service-event net_mana_sim0 --down 1s)
check "manactl sim service-event: done" grep -q "^net_mana_sim0: service event 1: down 1000 ms, then ok$" <<<"$out"
check "while down: state file says down, unregistered, health error" \
	eval 'key_is net_mana_sim0 hw down && key_is net_mana_sim0 registered 0 &&
	      key_is net_mana_sim0 health error && key_is net_mana_sim0 error_count 1'
check "while down: no class/infiniband/mana_0" test ! -e "$H/sys/class/infiniband/mana_0"
check "while down: a second request is refused, device not up (exit 4)" \
	rc_is 4 "$manactl" sim service-event mana_0
check "testpmd: recovering" dt_wait_count "$log" "Port 0: error recovering event" 1 10
check "testpmd: successful" dt_wait_count "$log" "Port 0: error recovery successful event" 1 60
check "notifications complete" wait_for 10 nb_since "$m" "$dev0" 5
check "the kernel's order" seq_is "$m" "$dev0" \
	"devlink health handle=pci/7870:00:00\.0 reporter=fw_fatal state=error error_count=1 recover_count=0" \
	"rdma unregister name=mana_0 index=1" \
	"rdma register name=mana_0 index=3 guid=0x[0-9a-f]{16}" \
	"rdma netdev_attach name=mana_0 index=3 port=1 netdev=eth1 ifindex=100" \
	"devlink health handle=pci/7870:00:00\.0 reporter=fw_fatal state=healthy error_count=1 recover_count=1"
down=$(ms_between "$m" "$dev0" "rdma unregister" "rdma register")
echo "down for $down ms"
check "down at least the 1 s asked ($down ms)" test "$down" -ge 990
check "state file after: up, new index, counters" \
	eval 'key_is net_mana_sim0 hw up && key_is net_mana_sim0 ib_index 3 &&
	      key_is net_mana_sim0 recover_count 1 && key_is net_mana_sim0 service_events 1'
check "class/infiniband/mana_0 back" test -L "$H/sys/class/infiniband/mana_0/device"
check "net_mana_sim1 untouched" eval '[ -z "$(since "$m" "$dev1")" ] && [ -z "$(events "$log" 1)" ]'
# Packets flow both ways again.
sleep 0.5
dt_cmd "clear port stats all"
sleep 1
dt_cmd "show port stats all"
check "port stats shown" dt_wait_count "$log" "NIC statistics for port 1" 1 10
sleep 0.3
r0=$(rx_packets "$log" 0)
r1=$(rx_packets "$log" 1)
echo "after the reset, in 1 s: port 0 received $r0, port 1 $r1"
check "packets flow again after the reset" test "$r0" -gt 0 -a "$r1" -gt 0

# Outcome fail on net_mana_sim1: never back.
m=$(marks)
check "fail: requested" rc_is 0 "$manactl" sim service-event mana_1 --down 0 --outcome fail
check "fail: testpmd recovering, then recovery failed" \
	dt_wait_count "$log" "Port 1: error recovery failed event" 1 60
check "fail: the order, and never registered again" seq_is "$m" "$dev1" \
	"devlink health handle=pci/7870:00:01\.0 reporter=fw_fatal state=error error_count=1 recover_count=0" \
	"rdma unregister name=mana_1 index=2"
check "fail: state file down" eval 'key_is net_mana_sim1 hw down && key_is net_mana_sim1 registered 0'

# manactl sim's errors.
check "no such device: exit 2" rc_is 2 "$manactl" sim service-event nope
check "bad duration: exit 1" rc_is 1 "$manactl" sim service-event mana_0 --down 2x
check "negative duration: exit 1" rc_is 1 "$manactl" sim service-event mana_0 --down -1s
check "too long: exit 1" rc_is 1 "$manactl" sim service-event mana_0 --down 2h
check "bad outcome: exit 1" rc_is 1 "$manactl" sim service-event mana_0 --outcome maybe
check "--down without a value: exit 1" rc_is 1 "$manactl" sim service-event mana_0 --down
check "no device given: exit 1" rc_is 1 "$manactl" sim service-event
check "two devices given: exit 1" rc_is 1 "$manactl" sim service-event mana_0 mana_1
check "no host there: exit 2" rc_is 2 "$manactl" sim list host "$tmp/none"
check "show of no device: exit 2" rc_is 2 "$manactl" sim show 7870:00:07.0
check "unknown command: exit 1" rc_is 1 "$manactl" sim frobnicate
check "the errors say why" eval 'grep -q "no device nope" "$tmp/manactl.out" &&
	grep -q "not a duration" "$tmp/manactl.out" && grep -q "not ok, fail, remove or rescan" "$tmp/manactl.out"'

dt_cmd "stop"
dt_session_quit
check "session 1: testpmd exits 0" test $? -eq 0
dt_cleanup "$prefix"
check "state files stay, pid 0" eval 'key_is net_mana_sim0 pid 0 && key_is net_mana_sim1 pid 0'
check "hv sockets removed" test ! -e "$H/hv/net_mana_sim0.sock" -a ! -e "$H/hv/net_mana_sim1.sock"
check "its process is gone: exit 3" rc_is 3 "$manactl" sim service-event net_mana_sim0
check "list says no process" eval '"$manactl" sim list | grep -q "net_mana_sim0 .* pid 0 (none)"'

# ---- session 2: adoption, the schedule, remove, rescan --------------------
m=$(marks)
prefix=$(dt_prefix simhost2)
log=$tmp/s2.log
dt_session_start "$log" "$prefix" "$so" \
	--vdev="net_mana_sim0,host=$H,reset_delay_ms=1500,reset_period_ms=3600000,reset_count=1,recovery_ms=300" \
	--vdev="net_mana_sim1,host=$H" \
	-- --total-num-mbufs=2048 --print-event=all
check "session 2: testpmd up" dt_wait_count "$log" "^testpmd> " 1 60
check "net_mana_sim1 (left down) registers anew, healthy again" wait_for 5 seq_is "$m" "$dev1" \
	"rdma register name=mana_1 index=4 guid=0x[0-9a-f]{16}" \
	"rdma netdev_attach name=mana_1 index=4 port=1 netdev=eth2 ifindex=101" \
	"devlink health handle=pci/7870:00:01\.0 reporter=fw_fatal state=healthy error_count=1 recover_count=1"
check "adopted: served by the new process" key_is net_mana_sim1 pid "$DT_APP_PID"

# A second process for the same device is refused.
dup=$(dt_prefix simhostdup)
DT_TIMEOUT=30 dt_testpmd "$dup" "$so" --vdev="net_mana_sim1,host=$H" -- \
	--total-num-mbufs=2048 -i >"$tmp/dup.log" 2>&1 </dev/null
dt_cleanup "$dup"
check "a second process for net_mana_sim1 is refused at probe" \
	grep -q "net_mana_sim1: simulated host .*: the device is served by another live process (pid $DT_APP_PID)" \
	"$tmp/dup.log"
check "... and the device is still served" key_is net_mana_sim1 pid "$DT_APP_PID"

# The schedule's service event (reset_delay_ms) on net_mana_sim0 (adopted
# up: no notification before it).
check "scheduled: recovery successful" dt_wait_count "$log" "Port 0: error recovery successful event" 1 60
check "scheduled: notifications complete" wait_for 10 nb_since "$m" "$dev0" 5
check "scheduled: the same order as the hypervisor's" seq_is "$m" "$dev0" \
	"devlink health handle=pci/7870:00:00\.0 reporter=fw_fatal state=error error_count=2 recover_count=1" \
	"rdma unregister name=mana_0 index=3" \
	"rdma register name=mana_0 index=5 guid=0x[0-9a-f]{16}" \
	"rdma netdev_attach name=mana_0 index=5 port=1 netdev=eth1 ifindex=100" \
	"devlink health handle=pci/7870:00:00\.0 reporter=fw_fatal state=healthy error_count=2 recover_count=2"

# A surprise removal of net_mana_sim1.
m=$(marks)
check "remove: requested" rc_is 0 "$manactl" sim service-event net_mana_sim1 --down 300ms --outcome remove
check "remove: testpmd removal" dt_wait_count "$log" "Port 1: device removal event" 1 60
check "remove: events recovering, failed, removal" test "$(events "$log" 1)" = RFX
check "remove: notifications complete" wait_for 10 nb_since "$m" "$dev1" 3
check "remove: no devlink error; unregister, devlink del, pci remove" seq_is "$m" "$dev1" \
	"rdma unregister name=mana_1 index=4" "devlink del handle=pci/7870:00:01\.0" \
	"pci remove bdf=7870:00:01\.0"
check "remove: state file removed, no PCI function" \
	eval 'key_is net_mana_sim1 hw removed && key_is net_mana_sim1 pci_present 0'
check "remove: sys/ entries gone" test ! -e "$H/sys/bus/pci/devices/7870:00:01.0" -a \
	! -e "$H/sys/class/net/eth2" -a ! -e "$H/sys/class/infiniband/mana_1"
check "testpmd detached port 1" dt_wait_count "$log" "Device is detached" 1 20

# An FPGA reconfiguration of net_mana_sim0: PCI remove, rescan after 2 s.
m=$(marks)
check "rescan: requested" rc_is 0 "$manactl" sim service-event mana_0 --down 2s --outcome rescan
check "rescan: testpmd recovering" dt_wait_count "$log" "Port 0: error recovering event" 2 10
check "rescan: the removal notified" wait_for 10 nb_since "$m" "$dev0" 4
mapfile -t head4 < <(since "$m" "$dev0" | head -n 4)
check "rescan: devlink error, then unregister, devlink del, pci remove" eval '
	[[ "${head4[0]}" =~ ^devlink\ health\ .*state=error\ error_count=3 ]] &&
	[ "${head4[1]}" = "rdma unregister name=mana_0 index=5" ] &&
	[ "${head4[2]}" = "devlink del handle=pci/7870:00:00.0" ] &&
	[ "${head4[3]}" = "pci remove bdf=7870:00:00.0" ]'
check "rescan without mana-ctrld: a hot-remove for the driver" \
	dt_wait_count "$log" "Port 0: device removal event" 1 60
dt_wait_count "$log" "Device is detached" 2 20
sleep 2.5
n=$(since "$m" "$dev0" | wc -l)
if [ "$n" -gt 4 ]; then
	# The device was back before testpmd closed the port.
	check "rescan: back in order" seq_is "$m" "$dev0" \
		"devlink health .*state=error error_count=3 recover_count=2" \
		"rdma unregister name=mana_0 index=5" "devlink del handle=pci/7870:00:00\.0" \
		"pci remove bdf=7870:00:00\.0" "pci add bdf=7870:00:00\.0" \
		"devlink new handle=pci/7870:00:00\.0" "rdma register name=mana_0 index=6 .*" \
		"rdma netdev_attach name=mana_0 index=6 .*" "devlink health .*state=healthy.*"
else
	check "rescan: the port closed before the rescan, the device stays removed" \
		eval 'key_is net_mana_sim0 pci_present 0 && key_is net_mana_sim0 pid 0'
fi
check "a closed port's device: its process is gone (exit 3)" rc_is 3 "$manactl" sim service-event mana_0
dt_session_quit
check "session 2: testpmd exits 0" test $? -eq 0
dt_cleanup "$prefix"
check "no notification was malformed" eval '! grep -q " BAD " "$ntf"'

finished=1
[ "$fails" -eq 0 ] || exit 1
echo "simhost_testpmd_test: ok"
