#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tools/demo's run (tools/lib/demo_run.sh) on the built programs:
#   - outcome ok: exit 0; the timeline has every row a user is promised
#     (injected, seen by the daemon, reset entered, quiesced, hardware back,
#     found again, recovered, traffic resumed) in the order the design
#     gives them, the packet counts and the commands to look further;
#   - outcome fail (the device never comes back): exit 1 and one line
#     saying the recovery failed... within the demo's limit.
#
#   demo_test.sh PLUGIN MANA_CTRLD MANACTL
set -uo pipefail
run=tools/lib/demo_run.sh
. tests/lib/dpdk_test.sh
# Under asan / tsan the plugin needs its sanitizer's runtime in testpmd.
DEMO_PRELOAD=$(dt_preload "$(dt_plugin "$1")")
export DEMO_PRELOAD
export TSAN_OPTIONS="${TSAN_OPTIONS:-}:suppressions=$PWD/tests/lib/tsan.supp"
fails=0

out=$(timeout -k 10 120 "$run" "$1" "$2" "$3" --down 1 2>&1)
rc=$?
echo "$out"
check "ok: exit 0" test "$rc" -eq 0
# The time of the timeline's row saying $1 (empty: no such row).
at() { grep -E '^ +[+-][0-9.]+ ms ' <<<"$out" | grep -F "$1" | head -n1 | awk '{ print $1 }' | tr -d +; }
before() { # before ROW1 ROW2: both there, ROW1 no later than ROW2
	local a b
	a=$(at "$1") b=$(at "$2")
	[ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { exit !(a <= b) }'
}
rows=("service event injected" "service event seen" "entered" "quiesced" "hardware back"
	"hardware found again" "recovered, total" "resumed: first packets")
for r in "${rows[@]}"; do
	check "row '$r'" test -n "$(at "$r")"
done
# What the design orders (the daemon and the port learn of the event on two
# paths, the kernel's and the device's: either may be first).
check "injected, then seen by the daemon" before "service event injected" "service event seen"
check "injected, then the reset" before "service event injected" "entered"
check "reset entered, then quiesced" before "entered" "quiesced"
check "seen, then hardware back" before "service event seen" "hardware back"
check "quiesced, then hardware back" before "quiesced" "hardware back"
# The port never waited for its fallback: the daemon's word wakes it, or
# its poll (1 s with a daemon) happened to come first: either way within
# 100 ms of the daemon's word.
near() { # near ROW1 ROW2 MS: both there, at most MS apart
	local a b
	a=$(at "$1") b=$(at "$2")
	[ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" -v m="$3" \
		'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= m) }'
}
check "the port found the hardware within 100 ms of the daemon's hardware back" \
	near "hardware back" "hardware found again" 100
check "found, then recovered" before "hardware found again" "recovered, total"
check "recovered, then traffic" before "recovered, total" "resumed: first packets"
check "packet counts" grep -qE '^packets received on port 0: [1-9][0-9]* in .* before, [1-9][0-9]* in .* after' <<<"$out"
check "commands to look further" grep -q 'manactl status mbox' <<<"$out"
# The hardware is down 1 s: it came back (ctrl's hardware back) 1 s or more
# after the injection, and the traffic resumed after that.
hw=$(at "hardware back")
check "hardware back after the down time" awk -v t="$hw" 'BEGIN { exit !(t >= 1000) }'

out=$(timeout -k 10 120 "$run" "$1" "$2" "$3" --down 1 --outcome fail 2>&1)
rc=$?
echo "$out"
check "fail: exit 1" test "$rc" -eq 1
check "fail: one clear line" grep -qE '^demo: FAILED: the port.s recovery failed' <<<"$out"
# A failed demo keeps its files for the user ("logs: DIR/testpmd.log ..."):
# not for this test.
kept=$(sed -n 's|^logs: \(/tmp/mana-demo\.[A-Za-z0-9]*\)/testpmd\.log .*|\1|p' <<<"$out")
check "fail: the logs named" test -n "$kept"
[ -n "$kept" ] && rm -rf "$kept"

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
