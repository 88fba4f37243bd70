# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the ctrl/ process tests (bash); source it from the test, whose
# working directory is the runfiles root: `. tests/ctrl/ctrl_test_lib.sh`.
# Every check prints "ok: ..." or "FAIL: ..." and a failure sets fail=1, so
# one run shows every failure; nothing here skips.
#
#   ct_tmpdir NAME                  tmp: a fresh /tmp/NAME.XXXXXX (short: socket
#                                   paths must fit sun_path), removed at exit
#                                   with every pid the test adds to pids
#   check DESCRIPTION COMMAND...    run COMMAND, ok if it succeeds
#   wait_for SECONDS COMMAND...     poll COMMAND every 50 ms until it succeeds
#   ct_bad DAEMON DESCRIPTION EXPECTED ARGS...
#                                   DAEMON ARGS exits 1 saying EXPECTED
#   ct_fake_sysfs ROOT PCI DEV...   a fake sysfs under ROOT: the IB devices
#                                   DEV... are auxiliary devices of PCI
#                                   function PCI, which is present
fail=0
pids=()

ct_cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	[ -z "${tmp:-}" ] || rm -rf "$tmp"
}

ct_tmpdir() {
	tmp=$(mktemp -d "/tmp/$1.XXXXXX") || { echo "FAIL: mktemp"; exit 1; }
	trap ct_cleanup EXIT
}

check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		fail=1
	fi
}

wait_for() {
	local n=$(($1 * 20))
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.05; done
	return 1
}

ct_bad() {
	local daemon=$1 what=$2 want=$3 out rc
	shift 3
	out=$(timeout 10 "$daemon" "$@" 2>&1 </dev/null)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF -- "$want" <<<"$out"; then
		echo "ok: $what"
	else
		echo "FAIL: $what: rc $rc, output: $out"
		fail=1
	fi
}

ct_fake_sysfs() {
	local root=$1 pci=$2 dev
	shift 2
	mkdir -p "$root/devices/pci0000:00/$pci/mana.rdma.0" "$root/bus/pci/devices"
	ln -s "../../../devices/pci0000:00/$pci" "$root/bus/pci/devices/$pci"
	for dev in "$@"; do
		mkdir -p "$root/class/infiniband/$dev"
		ln -s "../../../devices/pci0000:00/$pci/mana.rdma.0" \
			"$root/class/infiniband/$dev/device"
	done
}
