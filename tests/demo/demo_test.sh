#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tools/demo's run (tools/lib/demo_run.sh) on the built programs:
#   - outcome ok: exit 0; the timeline has every row a user is promised, in
#     order (injected, seen by the daemon, reset entered, quiesced, hardware
#     back, recovered, traffic resumed), the packet counts and the commands
#     to look further; the daemon saw it before the hardware came back and
#     the port resumed after;
#   - outcome fail (the device never comes back): exit 1 and one line
#     saying the recovery failed... within the demo's limit.
#
#   demo_test.sh PLUGIN MANA_CTRLD MANACTL
set -uo pipefail
run=tools/lib/demo_run.sh
fails=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

out=$(timeout -k 10 120 "$run" "$1" "$2" "$3" --down 1 2>&1)
rc=$?
echo "$out"
check "ok: exit 0" test "$rc" -eq 0
order=$(grep -E '^ +[+-][0-9.]+ ms ' <<<"$out" | sed -E 's/^ +[+-][0-9.]+ ms +//' |
	awk '{ print $1 }' | tr '\n' ' ')
echo "order: $order"
rows=("service event injected" "service event seen" "entered" "quiesced" "hardware back"
	"recovered, total" "resumed: first packets")
prev=0
for r in "${rows[@]}"; do
	n=$(grep -nE '^ +[+-][0-9.]+ ms ' <<<"$out" | grep -F "$r" | head -n1 | cut -d: -f1)
	check "row '$r'" test -n "$n"
	if [ -n "$n" ]; then
		check "row '$r' in order" test "$n" -gt "$prev"
		prev=$n
	fi
done
check "packet counts" grep -qE '^packets received on port 0: [1-9][0-9]* in .* before, [1-9][0-9]* in .* after' <<<"$out"
check "commands to look further" grep -q 'manactl status mbox' <<<"$out"
# The hardware is down 1 s: it came back (ctrl's hardware back) 1 s or more
# after the injection, and the traffic resumed after that.
hw=$(grep -E 'hardware back' <<<"$out" | awk '{ print $1 }' | tr -d +)
check "hardware back after the down time" awk -v t="$hw" 'BEGIN { exit !(t >= 1000) }'

out=$(timeout -k 10 120 "$run" "$1" "$2" "$3" --down 1 --outcome fail 2>&1)
rc=$?
echo "$out"
check "fail: exit 1" test "$rc" -eq 1
check "fail: one clear line" grep -qE '^demo: FAILED: the port.s recovery failed' <<<"$out"

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
