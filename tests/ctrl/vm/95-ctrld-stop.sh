# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh
# Sourced by the VM's /init after 90-finish.sh. The outages still open
# (rxe1 and netdevsim1 from the default scenario, rxe7 and netdevsim7 from
# 30-manactl.sh) end as "gone for good" once gone_timeout is cut from 600 s to
# 2 s by SIGHUP. Then mana-ctrld idles with its sockets open for
# CTRLD_IDLE_S seconds: context switches and RSS from /proc go to
# /out/ctrld_idle.txt, its netlink sockets (protocol, groups) to
# /out/ctrld_sockets.txt. Then both programs get SIGTERM.
CTRLD_IDLE_S=${CTRLD_IDLE_S:-5}

ctrld_conf 2s
step ctrld_reload kill -HUP "$CTRLD_PID"
wait_grep /out/ctrld.log '"msg":"configuration reloaded"'
# Four outages: wait for the fourth "gone for good" (2 s after the newest).
_i=0
while [ "$(grep -c '"event":"gone_for_good"' /out/ctrld.log)" -lt 4 ]; do
	_i=$((_i + 1))
	[ "$_i" -le 150 ] || { say "timeout waiting for 4 gone_for_good"; break; }
	sleep 0.1
done
kill -TERM "$MONITOR_PID"
wait_pid "$MONITOR_PID" 20 "manactl monitor"
echo "manactl_monitor rc=$?" >>/out/steps.log
kill -TERM "$CTRLD_NOREP_PID"
wait_pid "$CTRLD_NOREP_PID" 20 "mana-ctrld (no reporters)"
echo "ctrld_norep rc=$?" >>/out/steps.log

# ctrld_sample TAG: one line of /proc/PID/status numbers and the uptime.
ctrld_sample() {
	awk -v tag="$1" -v up="$(cut -d' ' -f1 /proc/uptime)" '
		/^voluntary_ctxt_switches/ { v = $2 }
		/^nonvoluntary_ctxt_switches/ { n = $2 }
		/^VmRSS/ { r = $2 }
		/^VmHWM/ { h = $2 }
		END { print tag, "uptime_s=" up, "vol=" v, "nonvol=" n, "rss_kb=" r, "hwm_kb=" h }
	' "/proc/$CTRLD_PID/status" >>/out/ctrld_idle.txt
}
# Every netlink socket of the daemon: /proc/net/netlink's line (Eth is the
# protocol: 15 uevent, 16 generic, 20 RDMA; Groups the first 32 groups).
for _fd in /proc/"$CTRLD_PID"/fd/*; do
	_ino=$(readlink "$_fd" | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
	[ -n "$_ino" ] || continue
	awk -v ino="$_ino" '$NF == ino { print "proto=" $2, "groups=" $4, "inode=" $NF }' \
		/proc/net/netlink >>/out/ctrld_sockets.txt
done
sleep 1
ctrld_sample idle_begin
sleep "$CTRLD_IDLE_S"
ctrld_sample idle_end
kill -TERM "$CTRLD_PID"
wait_pid "$CTRLD_PID" 20 "mana-ctrld"
echo "ctrld rc=$?" >>/out/steps.log
