#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/verbs/rxe_vm_test.sh --rxe-cycle PATH [--kernels "S..."] [--keep DIR]
# Boots each kernel with tests/kernel/run_vm (no default scenario), runs
# vm/50-verbs.sh there: rxe_cycle (the verbs backend's device code) through
# 24 open/close cycles and 4 incarnations of an rxe device, then a run that
# leaks a handle on purpose. Asserts on what came back; fails, never skips,
# when something cannot run (no kernel cache, qemu, rdma-core provider).
#
#   --rxe-cycle PATH   //tests/verbs:rxe_cycle
#   --kernels "S..."   kernel series (default "6.1 6.12")
#   --keep DIR         leave the run directories in DIR/<series>
#
# The VM gets the host's rxe provider of libibverbs (the sysroot's lock is
# checked against the host's packages, so it is the version the backend is
# built against). Under Bazel the run directories go to
# $TEST_UNDECLARED_OUTPUTS_DIR.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN_VM=$HERE/../kernel/run_vm
PROVIDER=/usr/lib/x86_64-linux-gnu/libibverbs/librxe-rdmav34.so
DRIVER_CONF=/etc/libibverbs.d/rxe.driver
CYCLES=24 INCARNATIONS=4

prog='' kernels="6.1 6.12" keep=''
while [ $# -gt 0 ]; do
	case $1 in
	--rxe-cycle) prog=$2; shift ;;
	--kernels) kernels=$2; shift ;;
	--keep) keep=$2; shift ;;
	-h | --help) sed -n '3,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "rxe_vm_test: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "$prog" ] || [ ! -x "$prog" ]; then
	echo "rxe_vm_test: --rxe-cycle PATH (an executable) is required" >&2
	exit 2
fi
for f in "$PROVIDER" "$DRIVER_CONF"; do
	[ -f "$f" ] || { echo "rxe_vm_test: $f is missing: install ibverbs-providers (tools/setup)" >&2; exit 1; }
done
work=${keep:-${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/rxe_vm_test.XXXXXX")}}
mkdir -p "$work"
K=''
# fail, pass, rc_is (FAILS, K: the series, O: the VM's /out).
# shellcheck source=tests/kernel/vm_assert.sh
. "$HERE/../kernel/vm_assert.sh"

check_kernel() {
	local out=$O/verbs_cycle.out n bad
	for s in verbs_netdev verbs_up verbs_rxe_add verbs_res_before verbs_cycle verbs_res_after; do
		rc_is "$s" 0
	done
	if grep -qx "rxe_cycle: $CYCLES cycles, $INCARNATIONS incarnations, 0 failures" "$out"; then
		pass "rxe_cycle: $CYCLES cycles, $INCARNATIONS incarnations, 0 failures"
	else
		fail "rxe_cycle's summary: $(tail -n 1 "$out" 2>/dev/null)"
	fi
	n=$(grep -c '^cycle [0-9]* ' "$out")
	if [ "$n" = "$CYCLES" ]; then pass "$n cycle lines"; else fail "$n cycle lines, want $CYCLES"; fi
	# Every cycle: the kernel counted one more context and PD and the
	# registrations while open, and none of them after the close; the
	# port's down/up came through the async fd.
	bad=$(awk '/^cycle / {
		split($9, o, "/"); split($12, c, "/"); split($14, b, "/")
		if (o[1] != b[1] + 1 || o[2] != b[2] + 1 || o[3] != b[3] + 4 ||
		    c[1] != b[1] || c[2] != b[2] || c[3] != b[3] || $16 != "PORT_ERR,PORT_ACTIVE")
			print
	}' "$out")
	if [ -z "$bad" ]; then
		pass "every cycle: ctx/pd/mr +1/+1/+4 while open, back to base after close, PORT_ERR and PORT_ACTIVE"
	else
		fail "cycles off: $bad"
	fi
	# Four incarnations, each under a new name, one node GUID.
	if [ "$(awk '/^cycle / { print $4 }' "$out" | sort -u | wc -l)" = "$INCARNATIONS" ] &&
		[ "$(awk '/^cycle / { print $6 }' "$out" | sort -u | wc -l)" = 1 ]; then
		pass "$INCARNATIONS ibdev names, one node GUID"
	else
		fail "ibdev names / GUIDs: $(awk '/^cycle / { print $4, $6 }' "$out" | sort -u | tr '\n' ' ')"
	fi
	if grep -q '"ctx":[1-9]' "$O/verbs_res_after.out" || ! grep -q '"ctx":0' "$O/verbs_res_after.out"; then
		fail "contexts left after the cycles: $(cat "$O/verbs_res_after.out")"
	else
		pass "no context left: $(cat "$O/verbs_res_after.out")"
	fi
	# The must-fail run: a handle left open is caught.
	rc_is verbs_cycle_leak 1
	if grep -q 'check failed: closed_r.pd == base->pd' "$O/verbs_cycle_leak.err" 2>/dev/null &&
		grep -q 'check failed: closed_r.ctx == base->ctx' "$O/verbs_cycle_leak.err"; then
		pass "a leaked handle fails the resource checks"
	else
		fail "the leak run did not fail its resource checks: $(head -c 600 "$O/verbs_cycle_leak.err" 2>/dev/null)"
	fi
	# Its process exit released everything (the kernel's own cleanup).
	if grep -q '"ctx":0' "$O/verbs_res_end.out" && grep -q '"mr":0' "$O/verbs_res_end.out"; then
		pass "after the leaking process exited: $(cat "$O/verbs_res_end.out")"
	else
		fail "resources after the leaking process exited: $(cat "$O/verbs_res_end.out" 2>/dev/null)"
	fi
	echo "summary [$K] $(head -n 1 "$out"); $(grep -m1 '^cycle 1 ' "$out"); $(tail -n 1 "$out")"
}

for K in $kernels; do
	D=$work/$K
	O=$D/out
	if ! "$RUN_VM" --kernel "$K" --out "$D" --no-default --bin "$prog" \
		--file "$PROVIDER=$PROVIDER" --file "$DRIVER_CONF=$DRIVER_CONF" \
		--scenario "$HERE/vm/50-verbs.sh"; then
		fail "run_vm failed"
		continue
	fi
	check_kernel
done
[ "$FAILS" -eq 0 ] && echo "rxe_vm_test: all checks passed on kernels $kernels" && exit 0
echo "rxe_vm_test: $FAILS check(s) failed"
exit 1
