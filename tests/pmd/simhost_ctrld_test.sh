#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One service event seen by both halves (issue 14, deliverable 1): stock
# dpdk-testpmd forwarding on net_mana_sim0/1 with host=DIR and mbox=, the
# real mana-ctrld with its simulated kernel on DIR (--sim-kernel), and
# manactl sim as the hypervisor:
#   - the daemon finds both devices (mailbox ports by PCI address) and both
#     ports attach, identified by their PCI address (mbox_port's default);
#   - `manactl sim service-event net_mana_sim0 --down 1s`: the daemon sees
#     the service event and the hardware back, testpmd prints recovering
#     then successful, packets flow after;
#   - `--outcome rescan` (an FPGA reconfiguration: PCI remove, rescan): the
#     daemon calls the removal part of the service event, so the port
#     resets (recovering, successful: no removal), packets flow after;
#   - `--outcome remove` on net_mana_sim1 (a surprise hot-remove, testpmd
#     not forwarding: see reset_storm_test): the daemon calls it a
#     hot-remove, testpmd gets recovery failed and removal;
#   - manactl reset show: port 0 reset twice, both successes;
#   - testpmd and the daemon exit 0.
#
#   simhost_ctrld_test.sh PLUGIN MANA_CTRLD MANACTL
set -uo pipefail
. tests/lib/dpdk_test.sh

so=$(dt_plugin "$1")
daemon=$(realpath "$2")
manactl=$(realpath "$3")
dt_require_hugepages 64
export DT_TIMEOUT=180
# Socket paths must fit sun_path: a short directory.
tmp=$(mktemp -d /tmp/simctrld.XXXXXX)
H=$tmp/host
seg=$tmp/mbox
prefix=""
dpid=""
fails=0
finished=0
cleanup() {
	[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
	if [ "$fails" -ne 0 ] || [ "$finished" -eq 0 ]; then
		for f in d.log testpmd.log; do
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
count() { grep -Ec "$1" "$2"; }
count_ge() { [ "$(count "$1" "$2")" -ge "$3" ]; }
events() { # events LOG PORT: R recovering, S success, F failed, X removal
	grep -Eo "Port $2: (error recovering|error recovery successful|error recovery failed|device removal) event" "$1" |
		sed -e 's/.*error recovering.*/R/' -e 's/.*successful.*/S/' \
			-e 's/.*failed.*/F/' -e 's/.*removal.*/X/' | tr -d '\n'
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
# flows: port 0 and port 1 both receive within a second.
nstats=0
flows() {
	local r0 r1
	dt_cmd "clear port stats all"
	sleep 1
	dt_cmd "show port stats all"
	nstats=$((nstats + 1))
	dt_wait_count "$log" "NIC statistics for port 1" "$nstats" 10 || return 1
	sleep 0.3
	r0=$(rx_packets "$log" 0)
	r1=$(rx_packets "$log" 1)
	echo "  in 1 s: port 0 received $r0, port 1 $r1"
	[ "$r0" -gt 0 ] && [ "$r1" -gt 0 ]
}
export MANA_SIM_HOST=$H

mkdir "$H"
"$daemon" --sim-kernel "$H" --mbox-path "$seg" --reporters fw_fatal --gone-timeout 30s \
	2>"$tmp/d.log" &
dpid=$!
check "daemon up" wait_for 10 grep -qx state=running "$seg.status"

prefix=$(dt_prefix simctrld)
log=$tmp/testpmd.log
dt_session_start "$log" "$prefix" "$so" \
	--vdev="net_mana_sim0,host=$H,mbox=$seg.sock" --vdev="net_mana_sim1,host=$H,mbox=$seg.sock" \
	--log-level=pmd.net.mana.mbox:info \
	-- --total-num-mbufs=2048 --forward-mode=flowgen --print-event=all
check "testpmd up" dt_wait_count "$log" "^testpmd> " 1 60
check "daemon: both devices are mailbox ports" wait_for 10 \
	count_ge '"msg":"mailbox port added"' "$tmp/d.log" 2
check "both ports attached, by PCI address" wait_for 10 bash -c "
	grep -q \"port 0: mailbox $seg.sock, port '7870:00:00.0'\" '$log' &&
	grep -q \"port 1: mailbox $seg.sock, port '7870:00:01.0'\" '$log' &&
	[ \$(grep -c '\"msg\":\"pmd attached\"' '$tmp/d.log') -ge 2 ]"
dt_cmd "start tx_first"
sleep 1

# A service event of 1 s.
n_svc=$(count '"msg":"service_event_started".*"dev":"(mana_0|pci/7870:00:00\.0)"' "$tmp/d.log")
n_back=$(count '"msg":"hardware_back".*"dev":"mana_0"' "$tmp/d.log")
check "service event requested" bash -c \
	"'$manactl' sim service-event net_mana_sim0 --down 1s | grep -q 'service event 1: down 1000 ms, then ok'"
check "testpmd: recovering, successful" dt_wait_count "$log" "Port 0: error recovery successful event" 1 60
dev0='"dev":"(mana_0|pci/7870:00:00\.0)"'
check "daemon: the service event, first from the devlink reporter" wait_for 5 bash -c "
	grep -E '\"msg\":\"service_event_started\".*$dev0' '$tmp/d.log' | tail -n +$((n_svc + 1)) |
	head -n 1 | grep -q '\"source\":\"devlink\",\"reason\":\"reporter fw_fatal error'"
# (The daemon's down time counts from when it saw the unregister: a little
# under the second asked.)
check "daemon: the hardware back (the new registration, down about 1 s)" wait_for 5 bash -c "
	grep -E '\"msg\":\"hardware_back\".*\"dev\":\"mana_0\"' '$tmp/d.log' | tail -n +$((n_back + 1)) |
	grep -Eq '\"index\":\"3\".*\"downtime_ms\":\"(9[0-9]{2}|[1-9][0-9]{3})\"'"
check "daemon: the PMD recovered" wait_for 5 \
	count_ge '"msg":"pmd recovery succeeded"' "$tmp/d.log" 1
check "packets flow after the service event" flows

# An FPGA reconfiguration: the PCI function removed, rescanned after 1 s.
check "rescan requested" bash -c \
	"'$manactl' sim service-event mana_0 --down 1s --outcome rescan | grep -q 'service event 2: down 1000 ms, then rescan'"
check "testpmd: a second reset, successful" \
	dt_wait_count "$log" "Port 0: error recovery successful event" 2 60
check "daemon: the removal is part of the service event" wait_for 5 \
	grep -q '"msg":"removal in a service event: the PMD resets".*"pci":"7870:00:00.0"' "$tmp/d.log"
check "daemon: the PCI function removed, then back" wait_for 5 bash -c "
	grep -q '\"msg\":\"simulated kernel: PCI function removed\".*7870:00:00.0' '$tmp/d.log' &&
	[ \$(grep -c '\"msg\":\"simulated kernel: PCI function added\".*7870:00:00.0' '$tmp/d.log') -ge 2 ]"
check "port 0: two resets, no removal" test "$(events "$log" 0)" = RSRS
check "packets flow after the rescan" flows
out=$("$manactl" reset show mbox "$seg")
echo "$out" | grep -E "^  pmd" || true
check "manactl reset show: port 0 reset twice, both successes" \
	grep -Eq "^  pmd active .* resets 2 success 2 failed 0" <<<"$out"

# A surprise hot-remove of net_mana_sim1 (not forwarding).
dt_cmd "stop"
sleep 0.5
check "remove requested" bash -c \
	"'$manactl' sim service-event net_mana_sim1 --down 200ms --outcome remove >/dev/null"
check "testpmd: port 1 removal" dt_wait_count "$log" "Port 1: device removal event" 1 60
check "port 1: recovering, failed, removal" test "$(events "$log" 1)" = RFX
check "daemon: a hot-remove, not a service event" wait_for 5 bash -c "
	grep -q '\"msg\":\"hot-remove: no service event before it, the PMD removes the port\".*7870:00:01.0' '$tmp/d.log' &&
	! grep -q '\"msg\":\"removal in a service event.*7870:00:01.0' '$tmp/d.log'"
check "testpmd detached port 1" dt_wait_count "$log" "Device is detached" 1 20
check "port 0 unaffected" test "$(events "$log" 0)" = RSRS

dt_session_quit
check "testpmd exits 0" test $? -eq 0
kill -TERM "$dpid"
wait "$dpid"
check "daemon exits 0" test $? -eq 0
dpid=""
finished=1
[ "$fails" -eq 0 ] || exit 1
echo "simhost_ctrld_test: ok"
