#!/bin/busybox sh
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash
# /init of the test VM (tests/kernel/run_vm puts it there). Mounts the
# usual file systems, loads the modules of /lib/modules/mana/modules.load,
# sources /scenario/*.sh in name order, then sends /out as a gzip'd tar in
# base64 on the data serial port (ttyS1) between "### OUT BEGIN" and
# "### OUT END", writes "### END", and powers off.
#
# Helpers for scenario files (they share this shell, so variables and
# background jobs carry over from one file to the next):
#   step NAME CMD...   run CMD, stdout to /out/NAME.out, stderr to
#                      /out/NAME.err (dropped when empty); append
#                      "NAME rc=N" to /out/steps.log; first put a MARK
#                      NAME in the recorder's file when one runs
#   say TEXT...        a line on the console
#   wait_for PATH [S]  wait up to S (default 10) seconds for PATH to exist
/bin/busybox mkdir -p /usr/bin /usr/sbin /usr/local/bin
/bin/busybox --install -s /bin
export PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TZ=UTC
mkdir -p /proc /sys /dev /run /tmp /out /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
# Only emergencies on the console: the kernel's log goes to /out/dmesg.txt.
echo "1 4 1 7" >/proc/sys/kernel/printk

say() { echo "vm: $*"; }
BOOT_S=$(cut -d' ' -f1 /proc/uptime)
say "boot_to_init_s=$BOOT_S kernel=$(uname -r)"

NLREC_CTL=/run/nlrec.ctl
NLREC_ACK=/run/nlrec.ack
NLREC_PID=

nlrec_mark() {
	[ -n "$NLREC_PID" ] || return 0
	echo "$1" >"$NLREC_CTL"
	read -r _ <"$NLREC_ACK"
}

step() {
	_name=$1
	shift
	nlrec_mark "$_name"
	"$@" >"/out/$_name.out" 2>"/out/$_name.err"
	_rc=$?
	[ -s "/out/$_name.err" ] || rm -f "/out/$_name.err"
	echo "$_name rc=$_rc" >>/out/steps.log
	say "step $_name rc=$_rc"
	return 0
}

wait_for() {
	_i=0
	while [ ! -e "$1" ]; do
		_i=$((_i + 1))
		[ "$_i" -le $((${2:-10} * 10)) ] || { say "timeout waiting for $1"; return 1; }
		sleep 0.1
	done
}

# wait_pid PID SECONDS NAME: reap PID, waiting at most SECONDS; a process
# still running then is killed, and the console says which (busybox's wait
# has no bound: a stuck helper would otherwise hold the VM until qemu's
# wall-time limit, and say nothing).
wait_pid() {
	_i=0
	while kill -0 "$1" 2>/dev/null; do
		_i=$((_i + 1))
		if [ "$_i" -gt $(($2 * 10)) ]; then
			say "$3 (pid $1) still running after $2 s: killed"
			kill -KILL "$1" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$1"
}

: >/out/steps.log
for m in $(cat /lib/modules/mana/modules.load); do
	insmod "/lib/modules/mana/$m" || say "insmod $m failed"
done
say "modules loaded at $(cut -d' ' -f1 /proc/uptime) s"

for s in /scenario/*.sh; do
	[ -e "$s" ] || continue
	say "scenario $s"
	# shellcheck disable=SC1090 # the scenario files
	. "$s"
done

dmesg >/out/dmesg.txt
END_S=$(cut -d' ' -f1 /proc/uptime)
echo "boot_to_init_s=$BOOT_S end_s=$END_S kernel=$(uname -r)" >/out/vm.txt
say "scenario done at $END_S s"

stty -F /dev/ttyS1 raw -echo 2>/dev/null
{
	echo "### OUT BEGIN"
	tar -c -C /out . | gzip -1 | base64
	echo "### OUT END"
	echo "### END"
} >/dev/ttyS1
echo "### END"
sync
poweroff -f
