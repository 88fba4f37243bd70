#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The demo itself, on built programs (tools/demo builds them and runs this;
# //tests/demo:demo_test runs it under Bazel):
#
#   tools/lib/demo_run.sh PLUGIN MANA_CTRLD MANACTL [--down SECONDS] [--outcome OUTCOME] [--keep DIR]
#
# mana-ctrld (its simulated kernel source on a simulated host directory) and
# stock dpdk-testpmd forwarding on two simulated MANA ports attached to its
# mailbox; after a few seconds of traffic the hypervisor (manactl sim) sends
# a service event to port 0's device; tools/lib/demo_watch.py prints what
# happened. Exit 0 when the port recovered and forwarded again; otherwise 1
# with a line saying what failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
	echo "demo: FAILED: $*"
	exit 1
}
[ $# -ge 3 ] || die "usage: $0 PLUGIN MANA_CTRLD MANACTL [--down SECONDS] [--outcome OUTCOME] [--keep DIR]"
so=$(realpath "$1") || die "plugin $1 not found"
ctrld=$(realpath "$2") || die "mana-ctrld $2 not found"
manactl=$(realpath "$3") || die "manactl $3 not found"
shift 3
down=2 outcome=ok keep=''
while [ $# -gt 0 ]; do
	case $1 in
	--down) down=$2; shift ;;
	--outcome) outcome=$2; shift ;;
	--keep) keep=$2; shift ;;
	*) die "unknown argument $1" ;;
	esac
	shift
done
case $down in '' | *[!0-9]*) die "--down takes whole seconds, not '$down'" ;; esac
command -v dpdk-testpmd >/dev/null || die "dpdk-testpmd is not installed: run tools/setup"
command -v python3 >/dev/null || die "python3 is not installed: run tools/setup"
free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 128 ] || die "need 128 free 2 MB hugepages, have ${free:-0}: run tools/setup"

# Unix socket paths must fit sun_path: a short directory.
if [ -n "$keep" ]; then
	mkdir -p "$keep" || die "cannot create $keep"
	dir=$(cd "$keep" && pwd)
else
	dir=$(mktemp -d /tmp/mana-demo.XXXXXX)
fi
host=$dir/sim
seg=$dir/mbox
prefix=mana_demo_$$
pids=()
cleanup() {
	local p
	[ -n "${tp_fd:-}" ] && exec 7>&- 2>/dev/null
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "/var/run/dpdk/$prefix"
	rm -f /dev/hugepages/"$prefix"map_* 2>/dev/null
	[ -n "$keep" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap '' PIPE
mkdir -p "$host"

wait_for() { # SECONDS COMMAND...
	local n=$(($1 * 10))
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}

echo "== mana-ctrld --sim-kernel $host --mbox-path $seg --reporters fw_fatal"
"$ctrld" --sim-kernel "$host" --mbox-path "$seg" --reporters fw_fatal --gone-timeout $((down + 5))s \
	--log-format json 2>"$dir/mana-ctrld.log" &
pids+=($!)
wait_for 30 test -S "$seg.sock" || {
	tail -n 5 "$dir/mana-ctrld.log"
	die "mana-ctrld did not start (its log: $dir/mana-ctrld.log)"
}

vdev="host=$host,mbox=$seg.sock"
echo "== dpdk-testpmd -d $(basename "$so") --vdev=net_mana_sim0,$vdev --vdev=net_mana_sim1,$vdev (flowgen: each port sends flows to the other)"
mkfifo "$dir/testpmd.in" || die "cannot create a fifo in $dir"
# A sanitizer build of the plugin (tests) needs its runtime first in the
# uninstrumented testpmd: DEMO_PRELOAD names it.
LD_PRELOAD="${DEMO_PRELOAD:-}" ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	stdbuf -oL dpdk-testpmd -l 0-1 -n 1 --no-pci --file-prefix "$prefix" -m 256 \
	-d "$so" --vdev="net_mana_sim0,$vdev" --vdev="net_mana_sim1,$vdev" \
	-- -i --total-num-mbufs=4096 --forward-mode=flowgen --print-event=all \
	<"$dir/testpmd.in" >"$dir/testpmd.log" 2>&1 &
pids+=($!)
tp=$!
exec 7>"$dir/testpmd.in"
tp_fd=7
wait_for 30 grep -q '^testpmd> ' "$dir/testpmd.log" || {
	tail -n 20 "$dir/testpmd.log"
	die "testpmd did not start (its log: $dir/testpmd.log)"
}
wait_for 30 grep -q '"msg":"pmd attached"' "$dir/mana-ctrld.log" ||
	die "the ports did not attach to mana-ctrld's mailbox (logs: $dir)"
echo "start" >&7

echo "== manactl sim service-event net_mana_sim0 --down ${down}s --outcome $outcome host $host"
python3 "$here/demo_watch.py" --telemetry "/var/run/dpdk/$prefix/dpdk_telemetry.v2" \
	--port 0 --before 2 --after 2 --limit $((down + 20)) \
	--manactl "$manactl" --mbox "$seg" \
	--inject "$manactl" sim service-event net_mana_sim0 --down "${down}s" \
	--outcome "$outcome" host "$host"
rc=$?
echo "stop" >&7
echo "quit" >&7
exec 7>&-
tp_fd=''
# After a failure testpmd may still be detaching a removed port: the exit
# trap ends it after a short wait.
wait_for $((rc == 0 ? 30 : 3)) bash -c "! kill -0 $tp 2>/dev/null" || rc=1
[ $rc -eq 0 ] || {
	echo "logs: $dir/testpmd.log $dir/mana-ctrld.log"
	[ -n "$keep" ] || keep=$dir # keep them to look at
	exit 1
}
cat <<EOF
look further (tools/demo --keep DIR keeps these files after the run; manactl is
$manactl):
  manactl status mbox $seg            the daemon, the mailbox, every port and its last resets
  manactl reset history mbox $seg     one line per reset with its phases and what woke it
  manactl sim show net_mana_sim0 host $host
  manactl monitor mbox $seg           the events as they come
  $dir/testpmd.log, $dir/mana-ctrld.log
EOF
