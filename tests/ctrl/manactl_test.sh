#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# manactl as a process: usage, dispatch errors, argument errors (before any
# socket), and the clear error + exit 1 on a kernel without devlink /
# NETLINK_RDMA (this CI host has neither; elsewhere the output must be valid).
set -uo pipefail
manactl=$1
fail=0

expect() { # expect RC STDERR_SUBSTRING ARGS...
	local want_rc=$1 want=$2 rc err
	shift 2
	err=$("$manactl" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne "$want_rc" ] || ! grep -qF -- "$want" <<<"$err"; then
		echo "FAIL: manactl $* -> rc $rc, stderr: $err (want rc $want_rc, \"$want\")"
		fail=1
	else
		echo "ok: manactl $*"
	fi
}

expect 0 "" help
expect 0 "" health help
expect 0 "" -V
expect 1 "Usage: manactl" 
expect 1 'Object "bogus" is unknown, try "manactl help".' bogus
expect 1 'Command "bogus" is unknown, try "manactl health help".' health bogus
expect 1 'Command "frob" is unknown, try "manactl health dump help".' health dump frob
expect 1 'Devlink identification ("bus_name/dev_name") expected' health dump show
expect 1 'Wrong devlink identification string format.' health recover foo reporter x
expect 1 'Reporter name expected.' health dump show netdevsim/netdevsim1
expect 1 'Reporter name expected.' health diagnose pci/0000:03:00.0/1 reporter
expect 1 'Port index "x" is not a number.' health recover pci/0000:03:00.0/x reporter tx
expect 1 'Unknown option "extra"' health dump clear netdevsim/netdevsim1 reporter dummy extra
expect 1 'Unknown object "frob", try "manactl monitor help".' monitor frob

# Kernel families.
err=$("$manactl" health show 2>&1 >/dev/null)
if grep -q "kernel without devlink" <<<"$err"; then
	expect 1 "manactl: devlink genl family not found: kernel without devlink?" health show
	expect 1 "manactl: devlink genl family not found: kernel without devlink?" \
		-j health dump show netdevsim/netdevsim1 reporter dummy
	expect 1 "manactl: devlink genl family not found: kernel without devlink?" monitor health
else
	out=$("$manactl" -j health show) && python3 -c 'import json,sys; json.loads(sys.argv[1])' "$out" \
		|| { echo "FAIL: health show -j"; fail=1; }
fi
err=$("$manactl" rdma show 2>&1 >/dev/null)
if grep -q "NETLINK_RDMA not supported" <<<"$err"; then
	expect 1 "manactl: NETLINK_RDMA not supported by this kernel" rdma show
	expect 1 "manactl: NETLINK_RDMA not supported by this kernel" -j monitor
else
	out=$("$manactl" -j rdma show) && python3 -c 'import json,sys; json.loads(sys.argv[1])' "$out" \
		|| { echo "FAIL: rdma show -j"; fail=1; }
fi
[ "$fail" -eq 0 ] && echo "manactl_test: ok"
exit "$fail"
