#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A reset storm under stock dpdk-testpmd: two simulated MANA ports forwarding
# (flowgen: traffic never dies out) while each device goes through a service
# event every few milliseconds. Checks:
#   - every "error recovering event" is followed by one "error recovery
#     successful event", per port, and at least MIN_RESETS resets happen;
#   - traffic flows after the last reset (restore re-applied promiscuous mode,
#     queues, RSS: without them nothing would be received);
#   - mbufs in use, file descriptors and DPDK heap use return to baseline;
#   - testpmd exits cleanly.
# Then the recovery=fail and recovery=remove variants: "error recovery failed
# event" (and "device removal event"), the other port unaffected, clean exit.
#
#   reset_storm_test.sh PLUGIN [RESETS_PER_PORT]
set -uo pipefail
. tests/lib/dpdk_test.sh

so=$(dt_plugin "$1")
per_port=${2:-110}
min_resets=200
dt_require_hugepages 256
out=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}
prefix=""
trap 'dt_cleanup "$prefix"' EXIT
fails=0
check() {
	if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}

# run_wait LOG CMD REGEX: send CMD and wait for one more line matching REGEX.
run_wait() {
	local n
	n=$(grep -Ec "$3" "$1")
	dt_cmd "$2"
	dt_wait_count "$1" "$3" $((n + 1)) 10 || echo "no output for '$2'"
}

# snapshot LOG FILE: dump mempools, heap and port stats, one command at a
# time (testpmd echoes queued input into its output), and keep the output.
snapshot() {
	local log=$1 file=$2 n
	n=$(wc -l <"$log")
	run_wait "$log" "dump_mempool" "common_pool_count="
	run_wait "$log" "dump_socket_mem" "Total +: size"
	run_wait "$log" "show port stats all" "NIC statistics for port 1"
	# The last block ends with its Tx-pps line.
	dt_wait_count "$log" "Tx-pps:" $(($(tail -n +"$((n + 1))" "$log" | grep -c "Tx-pps:") + \
		$(head -n "$n" "$log" | grep -c "Tx-pps:") + 0)) 10
	sleep 0.2
	tail -n +"$((n + 1))" "$log" >"$file"
}

# DPDK heap in use, from dump_socket_mem: "<MB allocated> <allocations>".
heap_alloc() {
	sed -n 's/^Total *: .* alloc: \([0-9.]*\)(.*count alloc: *\([0-9]*\).*/\1 \2/p' "$1"
}

# heap_delta BASE END: "<bytes> <allocations>" added between two snapshots.
heap_delta() {
	echo "$(heap_alloc "$1") $(heap_alloc "$2")" |
		awk 'NF == 4 { printf "%d %d\n", ($3 - $1) * 1048576, $4 - $2 }'
}

# The events of PORT, in order, as a string of R (recovering), S (success),
# F (failed), X (removal).
events() {
	grep -Eo "Port $2: (error recovering|error recovery successful|error recovery failed|device removal) event" "$1" |
		sed -e 's/.*error recovering.*/R/' -e 's/.*successful.*/S/' \
			-e 's/.*failed.*/F/' -e 's/.*removal.*/X/' | tr -d '\n'
}


# storm_wait LOG REGEX N SECS: wait until N lines match, or until the count
# stopped growing for 3 s; fails only at the SECS timeout or when the app died.
storm_wait() {
	local log=$1 re=$2 n=$3 end last=-1 cur since
	end=$(($(date +%s) + $4))
	since=$(date +%s)
	while :; do
		cur=$(grep -Ec "$re" "$log")
		[ "$cur" -ge "$n" ] && return 0
		if [ "$cur" -ne "$last" ]; then
			last=$cur
			since=$(date +%s)
		elif [ "$cur" -gt 0 ] && [ $(($(date +%s) - since)) -ge 3 ]; then
			return 0
		fi
		[ "$(date +%s)" -lt "$end" ] || return 1
		kill -0 "$DT_PID" 2>/dev/null || return 1
		sleep 0.2
	done
}

# session_delta NAME DEVARGS: start the two ports with DEVARGS, forward,
# wait for RESETS resets per port (0: one second), stop the ports; sets
# LOG, BASE and END (snapshot files), FD_BASE, FD_END, RC, SECS.
session() {
	local name=$1 devargs=$2 resets=$3 p t0
	prefix=$(dt_prefix "$name")
	LOG=$out/$name.log
	BASE=$out/$name.base.txt
	END=$out/$name.end.txt
	dt_session_start "$LOG" "$prefix" "$so" \
		--vdev="net_mana_sim0$devargs" --vdev="net_mana_sim1$devargs" \
		-- --total-num-mbufs=8192 --rxq=2 --txq=2 --forward-mode=flowgen \
		--print-event=all --disable-device-start
	dt_wait_count "$LOG" "^testpmd> " 1 30 || dt_fail "testpmd did not come up"
	snapshot "$LOG" "$BASE"
	FD_BASE=$(ls /proc/"$DT_APP_PID"/fd | wc -l)
	t0=$(date +%s)
	dt_cmd "port start all"
	dt_cmd "start"
	if [ "$resets" -eq 0 ]; then
		sleep 1
	else
		# Each port sees RESETS service events; a service event that
		# lands while the port is still being rebuilt from the one
		# before is merged into that reset (no new RECOVERING), so a
		# port may end with fewer outcomes: wait for RESETS, or for the
		# storm to end (no new outcome for 3 s).
		for p in 0 1; do
			storm_wait "$LOG" "Port $p: error recovery (successful|failed) event" \
				"$resets" 300 || echo "port $p: the storm did not finish in time"
		done
	fi
	SECS=$(($(date +%s) - t0))
	# Traffic after the last reset: received counters keep rising.
	sleep 1
	snapshot "$LOG" "$out/$name.after1.txt"
	sleep 1
	snapshot "$LOG" "$out/$name.after2.txt"
	dt_cmd "stop"
	dt_cmd "port stop all"
	dt_wait_count "$LOG" "Stopping ports" 1 30
	sleep 1
	snapshot "$LOG" "$END"
	FD_END=$(ls /proc/"$DT_APP_PID"/fd | wc -l)
	dt_cmd "show port xstats 0"
	sleep 0.5
	dt_session_quit
	RC=$?
	dt_cleanup "$prefix"
}

# ---- a control run without resets, then the storm -------------------------
session control "" 0
ctl_heap=$(heap_delta "$BASE" "$END")
echo "control run (no resets): DPDK heap grew by <bytes allocations> $ctl_heap"
check "control run: testpmd exits 0" '[ $RC -eq 0 ]'

# ---- the storm ----------------------------------------------------------
session storm ",reset_period_ms=15,recovery_ms=3,reset_count=$per_port" "$per_port"
log=$LOG
rc=$RC
storm_s=$SECS
fd_base=$FD_BASE
fd_end=$FD_END
base_mbufs=$(dt_mbufs_in_use "$BASE" mb_pool_0)
end_mbufs=$(dt_mbufs_in_use "$END" mb_pool_0)
storm_heap=$(heap_delta "$BASE" "$END")

total=0
for p in 0 1; do
	ev=$(events "$log" $p)
	n=$(printf '%s' "$ev" | tr -cd 'R' | wc -c)
	total=$((total + n))
	echo "port $p: $n resets in ${storm_s}s"
	check "port $p: every recovering event followed by one success" \
		'[ -n "$ev" ] && [ -z "$(printf "%s" "$ev" | sed "s/RS//g")" ]'
	r1=$(rx_packets "$out/storm.after1.txt" $p)
	r2=$(rx_packets "$out/storm.after2.txt" $p)
	echo "port $p: RX-packets $r1 then $r2 one second later"
	check "port $p: traffic flows after the last reset" '[ "$r2" -gt "$r1" ]'
done
check "at least $min_resets resets in all ($total)" '[ "$total" -ge "$min_resets" ]'
echo "mbufs in use $base_mbufs -> $end_mbufs, fds $fd_base -> $fd_end, DPDK heap grew by $storm_heap"
check "mbufs in use back to baseline" '[ "$end_mbufs" -eq "$base_mbufs" ]'
check "no file descriptor growth" '[ "$fd_end" -le "$fd_base" ]'
# The same start/stop without resets changes the heap the same way: a reset
# leaves nothing behind.
# (bytes within 8: dump_socket_mem prints MB with 6 decimals)
check "DPDK heap: the storm leaves what a run without resets leaves" \
	'[ -n "$storm_heap" ] && [ "${storm_heap#* }" = "${ctl_heap#* }" ] &&
	 [ $(( ${storm_heap% *} - ${ctl_heap% *} )) -le 8 ] &&
	 [ $(( ${ctl_heap% *} - ${storm_heap% *} )) -le 8 ]'
# Port 0's xstats (shown last) count exactly the successes it reported: a
# service event that lands during a rebuild is merged, so on a loaded machine
# there may be fewer than per_port.
succ0=$(events "$log" 0 | tr -cd 'S' | wc -c)
check "reset xstats count the resets ($succ0 successes on port 0)" \
	'[ "$succ0" -gt 0 ] && grep -Eq "reset_succeeded: $succ0\$" "$log"'
check "testpmd exits 0 and says Bye" '[ $rc -eq 0 ] && grep -q "^Bye" "$log"'

# ---- the hardware never comes back; then it is removed --------------------
# variant NAME DEVARGS EVENTS FORWARD
variant() {
	local name=$1 devargs=$2 want=$3 fwd=$4 log
	prefix=$(dt_prefix "$name")
	log=$out/$name.log
	dt_session_start "$log" "$prefix" "$so" --vdev="net_mana_sim0,$devargs" \
		--vdev=net_mana_sim1 -- --total-num-mbufs=4096 --forward-mode=flowgen --print-event=all
	dt_wait_count "$log" "^testpmd> " 1 30 || dt_fail "testpmd did not come up"
	[ "$fwd" = yes ] && dt_cmd "start"
	dt_wait_count "$log" "Port 0: error recovery failed event" 1 30
	# testpmd closes and detaches a removed port itself; let it finish.
	[ "$want" = RFX ] && dt_wait_count "$log" "Device is detached" 1 10
	[ "$fwd" = yes ] && dt_cmd "stop"
	dt_cmd "show port stats 1"
	sleep 0.5
	dt_session_quit
	rc=$?
	ev0=$(events "$log" 0)
	ev1=$(events "$log" 1)
	echo "$name: port 0 events $ev0, port 1 events '$ev1'"
	check "$name: port 0 reports $want" '[ "$ev0" = "$want" ]'
	check "$name: port 1 untouched" '[ -z "$ev1" ] && [ "$(rx_packets "$log" 1)" -ge 0 ]'
	check "$name: testpmd exits 0 and says Bye" '[ $rc -eq 0 ] && grep -q "^Bye" "$log"'
	dt_cleanup "$prefix"
}
variant fail "reset_period_ms=100,reset_count=1,recovery=fail,reset_timeout_ms=300" RF yes
# Not forwarding: on a removal event testpmd detaches the port itself and
# restarts forwarding, and its flowgen engine then crashes in testpmd's own
# code on the detached port (seen under asan/tsan builds: a testpmd 22.11
# fault, not the driver's).
variant remove "reset_period_ms=100,reset_count=1,recovery=remove,recovery_ms=50" RFX no

if [ $fails -ne 0 ]; then
	echo "---- storm log (tail) ----"
	tail -n 40 "$out/storm.log"
	exit 1
fi
