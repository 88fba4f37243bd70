#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Checks the SPIN model of the reset protocol (pmd/model/mana_reset.pml): the
# protocol must pass every safety assertion and the liveness claim, and each
# must-fail variant must violate the very property its removed step ensures,
# so that the model is shown not to be vacuous.
set -uo pipefail
model=$(realpath "$1")
command -v spin >/dev/null || { echo "FAIL: spin is not installed: run tools/setup"; exit 1; }
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/spin.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
fails=0

# build "VARIANTS" MODE: compile pan for safety (NOCLAIM) or liveness;
# VARIANTS: space-separated names to define (MP: with the secondary; BUS:
# with the bus's removal and the control daemon's word; CTRL: with the
# daemon's "hardware back" and its departure).
build() {
	local def="" v mode=$2
	for v in $1; do def="$def -D$v"; done
	spin $def -a "$model" >spin.log 2>&1 || { cat spin.log; return 1; }
	if [ "$mode" = safety ]; then
		gcc -O2 -DSAFETY -DNOCLAIM -o pan pan.c
	else
		gcc -O2 -DNFAIR=4 -o pan pan.c
	fi
}

run() {
	local mode=$1
	if [ "$mode" = safety ]; then
		./pan -E -m200000 >pan.log 2>&1
	else
		./pan -a -f -m500000 >pan.log 2>&1
	fi
	grep -Eq '^pan: (elapsed|rate)|errors:' pan.log || { echo "pan did not complete:"; cat pan.log; }
}

# expect_pass MODE [VARIANTS]
expect_pass() {
	local mode=$1 vars=${2:-}
	if build "$vars" "$mode" && run "$mode" && grep -q 'errors: 0' pan.log &&
		! grep -q 'search depth too small' pan.log; then
		echo "ok: protocol${vars:+ ($vars)} $mode: $(grep -Eo '[0-9]+ states, stored' pan.log | head -1)"
	else
		echo "FAIL: protocol${vars:+ ($vars)} $mode"
		tail -n 25 pan.log
		fails=$((fails + 1))
	fi
}

# expect_fail VARIANT MODE PATTERN
expect_fail() {
	local v=$1 mode=$2 pat=$3
	if build "$v" "$mode" && run "$mode" && grep -Eq "$pat" pan.log; then
		echo "ok: $v fails as it must: $(grep -Em1 "$pat" pan.log)"
	else
		echo "FAIL: $v was not caught (wanted /$pat/)"
		tail -n 15 pan.log
		fails=$((fails + 1))
	fi
}

expect_pass safety
expect_pass liveness
expect_fail BUG_NO_GATE safety 'assertion violated dev_alive'
expect_fail BUG_NO_WAIT_IDLE safety 'assertion violated dev_alive'
expect_fail BUG_NO_OPS_WAIT safety 'assertion violated \(in_op==0\)|assertion violated !\(reset_working\)'
expect_fail BUG_REMOVE_NOTIFIES safety 'assertion violated \(outcomes<=recovering\)|assertion violated \(\(outcomes\+1\)==recovering\)'
expect_fail BUG_REQUEST_ANY_STATE safety 'assertion violated \(state==7\)'
expect_fail BUG_NO_HW_TIMEOUT liveness 'acceptance cycle'
expect_fail BUG_NO_QUIESCE_TIMEOUT liveness 'acceptance cycle'
expect_fail BUG_STOPPED_QUEUES safety 'assertion violated +!\(app_queues\)'
expect_fail BUG_STOP_ANY_PHASE safety 'assertion violated( +!\(app_queues\)| dev_alive)'
expect_fail BUG_REMOVED_STICKY safety 'assertion violated \(\(hw==[A-Z_0-9]+\)\|\|removal_fresh\)'
expect_pass safety BUS
expect_pass liveness BUS
expect_fail "BUS BUG_REPROBE_PENDING" safety 'assertion violated \( ?!\(rmv_final\) ?&& ?!\(rmv_pending\)\)|assertion violated !\((rmv_final|reprobed_pending)\)'
expect_pass safety CTRL
expect_pass liveness CTRL
expect_fail "CTRL BUG_SAME_IS_BACK" safety 'assertion violated \( ?!\(\(svc_known ?&& ?ctrl_up\)\) ?\|\| ?hint\)'
expect_fail "CTRL BUG_CTRL_DOWN_WAITS" safety 'assertion violated +!\(\(\(hw==[0-9]+\) ?&& ?!\(ctrl_up\)\)\)'
expect_pass safety MP
expect_pass liveness MP
expect_fail "MP BUG_NO_PARK" safety 'assertion violated \(sec_deaf\|\|\(sec_map!=inc\)\)'
expect_fail "MP BUG_NO_GEN_CHECK" safety 'assertion violated \(dev_alive&&\(sec_map==inc\)\)'
[ $fails -eq 0 ]
