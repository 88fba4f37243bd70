# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh
# testpmd: stop (forward statistics), quit; its exit status is a step. Then
# `manactl monitor` and mana-ctrld, when they run (SIGTERM), each bounded (init.sh's wait_pid).
tp "stop"
tp_wait "Done\.$" 1
tp "quit"
exec 7>&-
wait_pid "$TP_PID" 30 "testpmd"
wait_grep "$TP_LOG" 'exit rc=' 5
echo "testpmd rc=$(sed -n 's/^[0-9.]* exit rc=//p' "$TP_LOG")" >>/out/steps.log
mark testpmd_exit
if [ -n "${MON_PID:-}" ]; then
	kill -TERM "$MON_PID"
	wait_pid "$MON_PID" 20 "manactl monitor"
	echo "manactl_monitor rc=$?" >>/out/steps.log
fi
if [ -n "${CTRLD_PID:-}" ]; then
	kill -TERM "$CTRLD_PID"
	wait_pid "$CTRLD_PID" 20 "mana-ctrld"
	echo "ctrld rc=$?" >>/out/steps.log
fi
