#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 11 with stock DPDK programs: a dpdk-testpmd primary whose two
# simulated ports reset every 100 ms (110 service events each), a
# dpdk-testpmd --proc-type=secondary polling the ports' second queues, both
# forwarding through the resets (at least 100); neither crashes, both print
# every recovery event, both exit cleanly. Meanwhile dpdk-proc-info attaches again and again, with the
# plugin (-d: it must return 0) and without it (a deaf secondary: the
# primary's resets must all succeed anyway).
# Usage: PLUGIN.
set -uo pipefail
. tests/lib/dpdk_test.sh

so=$(dt_plugin "$1")
prefix=$(dt_prefix mptestpmd)
out=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}
plog=$out/primary.log
slog=$out/secondary.log
ilog=$out/proc-info.log
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 1
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	dt_cleanup "$prefix"
}
trap cleanup EXIT
dt_require_hugepages 256
command -v dpdk-proc-info >/dev/null || dt_fail "dpdk-proc-info not installed: run tools/setup"
preload=$(dt_preload "$so")
export LD_PRELOAD="$preload" ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	TSAN_OPTIONS="${TSAN_OPTIONS:-}:suppressions=$dt_libdir/tsan.supp"
# Sanitizer builds: resets are slower and the programs slower still. The
# primary maps its memory (--base-virtaddr) where a secondary can map it
# under AddressSanitizer and ThreadSanitizer too (their shadows take most
# of the address space; mp_poll_test.c says which part is left).
secs=20
[ -n "$preload" ] && secs=45
# The programs' own bounds (hang guards only): the proc-info loop below may
# run 3 * secs, then finish its last two runs (30 s each at most) before
# it stops the secondary and then the primary.
# After our SIGINT, timeout(1) KILLs its program if it has not exited
# within -k: under tsan on a loaded machine a testpmd's close of its ports
# took 30 s (the runtime's stalls in close(2)), so 60 s.
guard=$((3 * secs + 2 + 60 + 10))

# The resets start once the secondary runs: testpmd reads its queues' state
# once, when it starts forwarding, and leaves alone a queue it found
# stopped (as every queue is, for a moment, in a reset).
vdev=reset_period_ms=100,recovery_ms=10,reset_delay_ms=5000,reset_count=110
# Four busy-polling lcores (two per testpmd) share the two CPUs with every
# control thread: under a sanitizer's 5-20x slowdown a reset thread or an
# rte_mp handler waited 10 s for a CPU (1 run in 20 under tsan: a reset
# FAILED at the 2 s quiesce bound, proc-info counted deaf at the 200 ms
# park bound). The bounds only cap waits for a process that does not
# answer, which none here should: with a sanitizer they are 30 s.
[ -n "$preload" ] && vdev=$vdev,quiesce_timeout_ms=30000,mp_timeout_ms=30000
timeout -s INT -k 60 $((guard + 10)) stdbuf -oL dpdk-testpmd -l 0-1 -n 1 --no-pci \
	--file-prefix "$prefix" -m 256 --no-telemetry -d "$so" --base-virtaddr=0x7ea000000000 \
	--vdev=net_mana_sim0,$vdev --vdev=net_mana_sim1,$vdev -- \
	--num-procs=2 --proc-id=0 --rxq=2 --txq=2 --forward-mode=io --auto-start \
	--tx-first --stats-period 2 --total-num-mbufs=8192 </dev/null >"$plog" 2>&1 &
ppid=$!
pids+=("$ppid")
for i in $(seq 200); do
	grep -q "Press enter to exit\|Port statistics" "$plog" && break
	kill -0 "$ppid" 2>/dev/null || break
	sleep 0.1
done
grep -q "Port statistics\|Press enter" "$plog" || { cat "$plog"; dt_fail "the primary did not start"; }

# Its own lcore ids (on the same two CPUs): processes sharing a mempool
# must not share an lcore id, whose mempool cache they would both use.
timeout -s INT -k 60 "$guard" stdbuf -oL dpdk-testpmd --lcores=2@0,3@1 -n 1 --no-pci \
	--file-prefix "$prefix" --proc-type=secondary --no-telemetry -d "$so" -- \
	--num-procs=2 --proc-id=1 --rxq=2 --txq=2 --forward-mode=flowgen --auto-start \
	--stats-period 2 </dev/null >"$slog" 2>&1 &
spid=$!
pids+=("$spid")

# proc-info attaching again and again while the resets go on: with the
# plugin, and deaf.
with=0 with_ok=0 deaf=0
sleep 2
end=$((SECONDS + 3 * secs))
after=0 last=-1
while [ $SECONDS -lt $end ] && [ $after -lt 3 ]; do
	# Before the resets, during them, and three times after the last
	# (the service events are over: reset_count; a few merge into a
	# reset still running, so there are fewer resets than events).
	n=$(grep -c "error recovery successful event" "$plog")
	if [ "$n" -eq "$last" ] && [ "$n" -ge 100 ]; then after=$((after + 1)); else after=0; fi
	last=$n
	timeout -k 5 30 dpdk-proc-info --no-pci --file-prefix "$prefix" --log-level=lib.eal:error \
		-d "$so" -- --stats --xstats >>"$ilog" 2>&1 </dev/null
	rc=$?
	with=$((with + 1))
	[ $rc -eq 0 ] && with_ok=$((with_ok + 1)) || echo "proc-info with -d: exit $rc" >>"$ilog"
	timeout -k 5 30 dpdk-proc-info --no-pci --file-prefix "$prefix" --log-level=lib.eal:error \
		-- --stats >>"$ilog.deaf" 2>&1 </dev/null
	deaf=$((deaf + 1))
done
# testpmd ends on SIGINT with its statistics and "Bye...": the secondary
# first, then the primary.
sleep 2
kill -INT "$spid"
wait "$spid"
src=$?
kill -INT "$ppid"
wait "$ppid"
prc=$?
pids=()

fails=0
check() {
	if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}
count() { grep -c "$1" "$2"; }
p_rec=$(count "error recovering event" "$plog")
p_ok=$(count "error recovery successful event" "$plog")
p_bad=$(count "error recovery failed event" "$plog")
s_rec=$(count "error recovering event" "$slog")
s_ok=$(count "error recovery successful event" "$slog")
s_bad=$(count "error recovery failed event" "$slog")
echo "primary: exit $prc, $p_rec recovering, $p_ok recovered, $p_bad failed"
echo "secondary: exit $src, $s_rec recovering, $s_ok recovered, $s_bad failed"
echo "proc-info: $with_ok of $with runs with -d returned 0; $deaf deaf runs"
check "primary exits 0" '[ $prc -eq 0 ]'
check "secondary exits 0" '[ $src -eq 0 ]'
check "primary says Bye" 'grep -q "^Bye" "$plog"'
check "secondary says Bye" 'grep -q "^Bye" "$slog"'
check "at least 100 resets, all recovered" '[ $p_ok -ge 100 ] && [ $p_ok -eq $p_rec ] && [ $p_bad -eq 0 ]'
check "no reset failed in the secondary" '[ $s_bad -eq 0 ]'
check "the secondary saw every reset, one outcome each" '[ $s_ok -eq $p_ok ] && [ $s_rec -eq $p_rec ]'
for p in 0 1; do
	prx=$(dt_fwd_stat "$plog" $p RX-packets)
	srx=$(dt_fwd_stat "$slog" $p RX-packets)
	stx=$(dt_fwd_stat "$slog" $p TX-packets)
	echo "port $p: primary received $prx; secondary received $srx, sent $stx"
	check "port $p: the primary forwarded" '[ "$prx" -gt 0 ]'
	check "port $p: the secondary sent and received" '[ "$stx" -gt 0 ] && [ "$srx" -gt 0 ]'
done
check "proc-info with -d returned 0 every time" '[ $with -ge 3 ] && [ $with_ok -eq $with ]'
check "deaf proc-info ran" '[ $deaf -ge 3 ]'
check "no crash" '! grep -qiE "segmentation|sigsegv|sigbus|core dumped|panic" "$plog" "$slog" "$ilog"'
check "no deaf secondary counted (proc-info never attached to the ports)" \
	'! grep -q "did not park" "$plog"'
if [ $fails -ne 0 ]; then
	for f in "$plog" "$slog" "$ilog"; do
		echo "---- $f (tail) ----"
		grep -v "^ *$\|####\|statistics\|-pps\|Throughput" "$f" | tail -n 30
	done
	exit 1
fi
