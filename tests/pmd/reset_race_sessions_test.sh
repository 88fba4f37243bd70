#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Two applications in two sessions on the same cores, each racing control
# calls against resets (reset_race_test), at once. Each session is its own
# scheduler task group (autogroup); a thread of the driver or of the
# simulated hardware that waits with sched_yield in a loop pushes its whole
# group back on its CPU under EEVDF, and its own pollers (lock holders and
# bursts the reset waits for) then got no CPU for seconds: bursts stuck over
# the quiescence bound, resets failed, control calls returned -EIO. Both
# must pass, and no burst may stay inside for 2 s.
#
#   reset_race_sessions_test.sh RACE_BINARY ITERATIONS
set -u
race=$1
iterations=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}

echo "autogroup: $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo absent)"
pids=()
for i in 1 2; do
	setsid -w "$race" "$iterations" >"$tmp/race.$i.out" 2>"$tmp/race.$i.err" &
	pids+=($!)
done
fail=0
start=$SECONDS
for i in 1 2; do
	wait "${pids[$((i - 1))]}"
	rc=$?
	line=$(tail -n 1 "$tmp/race.$i.out")
	echo "session $i: exit $rc: $line"
	if [ "$rc" != 0 ]; then
		echo "FAIL: session $i exited $rc; its errors:" >&2
		grep -av '^[0-9]*: \|rte_dump_stack' "$tmp/race.$i.err" | head -n 40 >&2
		fail=1
	fi
	case $line in
	*", 0 bursts seen in for over"*) ;;
	*)
		echo "FAIL: session $i: a burst stayed inside the driver for seconds:" >&2
		grep -a -A12 'stall watch' "$tmp/race.$i.err" | grep -av '^[0-9]*: \|rte_dump_stack' | head -n 60 >&2
		fail=1
		;;
	esac
done
echo "both sessions done in $((SECONDS - start)) s"
exit $fail
