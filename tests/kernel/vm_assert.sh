# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Sourced by the VM tests' host-side scripts (vm_test.sh,
# ../verbs/rxe_vm_test.sh): the assertion helpers on a run's output. The
# caller sets K (the kernel series, for messages) and O (the VM's /out of
# that run); FAILS counts the failures.
FAILS=0

fail() {
	echo "FAIL [$K] $*"
	FAILS=$((FAILS + 1))
}
pass() { echo "ok   [$K] $*"; }

# rc_is STEP WANT: WANT is a number or "nonzero".
rc_is() {
	local got
	got=$(awk -v s="$1" '$1 == s { sub(/^rc=/, "", $2); print $2 }' "$O/steps.log")
	if [ -z "$got" ]; then
		fail "step $1 did not run"
	elif [ "$2" = nonzero ] && [ "$got" != 0 ]; then
		pass "step $1 failed as expected (rc=$got)"
	elif [ "$got" = "$2" ]; then
		pass "step $1 rc=$got"
	else
		fail "step $1 rc=$got, want $2$( [ ! -s "$O/$1.err" ] || printf ': %s' "$(head -c 300 "$O/$1.err")")"
	fi
}
