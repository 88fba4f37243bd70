#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/kernel/vm_test.sh --nlrec PATH [options]: boot each kernel with
# tests/kernel/run_vm, run the default scenario (plus extras) and assert on
# what came back. Fails, never skips, when something cannot run.
#
#   --nlrec PATH          the recorder (//tests/kernel:nlrec); also used on
#                         the host to list the recorded files
#   --kernels "S..."      kernel series (default "6.1 6.12")
#   --bin P[=VMPATH]      more programs for the VM (run_vm --bin)
#   --file P=VMPATH       more files for the VM (run_vm --file)
#   --scenario FILE       more scenario files (run_vm --scenario)
#   --check SCRIPT        a host-side check, run after the built-in ones as
#                         SCRIPT SERIES OUTDIR (OUTDIR: the VM's /out);
#                         non-zero fails the test
#   --keep DIR            leave the run directories in DIR/<series>
#
# Under Bazel the run directories go to $TEST_UNDECLARED_OUTPUTS_DIR (see
# bazel-testlogs/tests/kernel/vm_test/test.outputs/outputs.zip).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nlrec='' kernels="6.1 6.12" keep='' run_args=() checks=()
while [ $# -gt 0 ]; do
	case $1 in
	--nlrec) nlrec=$2; shift ;;
	--kernels) kernels=$2; shift ;;
	--bin | --file | --scenario) run_args+=("$1" "$2"); shift ;;
	--check) checks+=("$2"); shift ;;
	--keep) keep=$2; shift ;;
	-h | --help) sed -n '3,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "vm_test: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$nlrec" ] && [ -x "$nlrec" ] || { echo "vm_test: --nlrec PATH (an executable) is required" >&2; exit 2; }
nlrec=$(cd "$(dirname "$nlrec")" && pwd)/$(basename "$nlrec")
work=${keep:-${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/vm_test.XXXXXX")}}
mkdir -p "$work"
# fail, pass, rc_is (FAILS, K: the series, O: the VM's /out).
# shellcheck source=tests/kernel/vm_assert.sh
. "$HERE/vm_assert.sh"

# has FILE TEXT [WHAT]: FILE (relative to the VM's /out) contains TEXT.
has() {
	if grep -qF -- "$2" "$O/$1" 2>/dev/null; then
		pass "${3:-$1 has \"$2\"}"
	else
		fail "${3:-$1 lacks \"$2\"}: $(head -c 400 "$O/$1" 2>/dev/null || echo "(no such file)")"
	fi
}

lacks() {
	if grep -qF -- "$2" "$O/$1" 2>/dev/null; then
		fail "$1 has \"$2\""
	else
		pass "$1 has no \"$2\""
	fi
}

# events STEP: the recorder's listing between MARK STEP and the next MARK.
events() {
	awk -v s="$1" '$3 == "mark" { on = ($4 == s); next } on' "$O/monitor.txt"
}

# event_in STEP TEXT: the recorder saw TEXT during STEP.
event_in() {
	if events "$1" | grep -F -- "$2" >/dev/null; then
		pass "recorder: \"$2\" during $1"
	else
		fail "recorder: no \"$2\" during $1; saw: $(events "$1" | head -5 | tr -s ' \n' ' ')"
	fi
}

assert_common() {
	local f
	for f in "$O"/*.nlrec; do
		"$nlrec" print "$f" >"${f%.nlrec}.txt" || fail "nlrec print $(basename "$f") failed"
	done
	rc_is nlrec_monitor 0
	for f in nsim_new dl_health dl_health_show nlrec_health_get dl_break1 dl_dump dl_dump_jp \
		nlrec_dump_get dl_diagnose nlrec_diagnose dl_recover dl_set_auto_off dl_break3 \
		dl_dump_clear nsim_del nsim_new2 nlrec_rdma_sys rxe_add nlrec_rdma_dump rxe_rename \
		ip_rename rxe_del rxe_add2 nsim_del_under_rxe; do
		rc_is "$f" 0
	done
	# fail_recover=1: the recover error comes back through the write.
	rc_is dl_break2 nonzero
	rc_is dl_test nonzero
	# devlink health: reporter listed; counters move as the steps say.
	has dl_health.out "reporter dummy"
	has dl_health_j.out '"reporter":"dummy"'
	has dl_show_break1.out "state healthy error 1 recover 1"
	has dl_show_break2.out "state error error 2 recover 1"
	has dl_show_recovered.out "state healthy error 2 recover 2"
	has dl_show_break3.out "state error error 3 recover 2"
	has dl_show_break3.out "auto_recover false"
	has dl_show_new.out "state healthy error 0 recover 0"
	has dl_dump.out "break_message: injected-fault-1"
	has dl_dump.out "test_string: somestring"
	has dl_dump_jp.out '"test_string": "somestring"'
	has dl_diagnose.out "test_u32: 3"
	has devlink_monitor.out "[health,status]"
	has devlink_monitor.out "state error error 1 recover 0"
	event_in dl_break1 "devlink cmd 54 netdevsim/netdevsim1 reporter dummy state 1 error 1 recover 0"
	event_in dl_break1 "devlink cmd 54 netdevsim/netdevsim1 reporter dummy state 0 error 1 recover 1"
	event_in dl_break2 "state 1 error 2 recover 1"
	event_in dl_recover "state 0 error 2 recover 2"
	event_in dl_break3 "state 1 error 3 recover 2"
	event_in nsim_del "devlink cmd 4 netdevsim/netdevsim1"
	event_in nsim_new2 "devlink cmd 3 netdevsim/netdevsim1"
	has dump_get.txt "devlink cmd 56 fmsg"
	rc_is nlrec_dump_get_big 0
	if [ "$(grep -c 'recv devlink cmd 56 fmsg' "$O/dump_get_big.txt")" -ge 2 ]; then
		pass "a 32 KiB binary dump spans several DUMP_GET datagrams"
	else
		fail "dump_get_big.nlrec: want several DUMP_GET datagrams"
	fi
	has diagnose.txt "devlink cmd 55 fmsg"
	# rdma: rxe added, renamed, deleted; uevents on every kernel.
	has rdma_dev.out "rxe0"
	has rdma_dev_renamed.out "rxe9"
	lacks rdma_dev_deleted.out "rxe"
	has rdma_dev_rxe1.out "rxe1"
	lacks rdma_dev_end.out "rxe"
	has rdma_dump.txt "PORT_GET dev 0 rxe0 port 1 netdev"
	event_in rxe_add "uevent add@/devices/virtual/infiniband/rxe0"
	event_in rxe_rename "uevent move@/devices/virtual/infiniband/rxe9"
	event_in rxe_del "uevent remove@/devices/virtual/infiniband/rxe9"
	event_in nsim_del_under_rxe "uevent remove@/devices/virtual/infiniband/rxe1"
}

assert_6_12() {
	has nlrec_rdma_sys.out "monitor_mode=1"
	event_in rxe_add "rdma MONITOR REGISTER dev 0 rxe0"
	event_in rxe_add "rdma MONITOR NETDEV_ATTACH dev 0 rxe0 port 1"
	event_in rxe_del "rdma MONITOR UNREGISTER dev 0 rxe9"
	event_in rxe_add2 "rdma MONITOR REGISTER dev 1 rxe1"
	event_in nsim_del_under_rxe "rdma MONITOR UNREGISTER dev 1 rxe1"
}

assert_6_1() {
	has nlrec_rdma_sys.out "monitor_mode=0"
	lacks monitor.txt "rdma MONITOR"
}

total_start=$SECONDS
for K in $kernels; do
	run="$work/$K"
	echo "== vm_test: kernel $K"
	if ! "$HERE/run_vm" --kernel "$K" --out "$run" --bin "$nlrec" "${run_args[@]}"; then
		fail "run_vm failed (see above; files in $run)"
		continue
	fi
	O=$run/out
	sed 's/^/   /' "${MANA_KERNEL_CACHE:-/var/cache/mana-reset/kernel}/$K/MANIFEST"
	sed 's/^/   /' "$run/run.txt" "$O/vm.txt"
	assert_common
	case $K in
	6.1) assert_6_1 ;;
	6.12) assert_6_12 ;;
	esac
	for c in "${checks[@]}"; do
		if "$c" "$K" "$O"; then
			pass "check $(basename "$c")"
		else
			fail "check $(basename "$c") failed"
		fi
	done
done
echo "== vm_test: $FAILS failure(s), $((SECONDS - total_start)) s for kernels $kernels"
[ "$FAILS" -eq 0 ]
