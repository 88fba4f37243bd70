# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# Stop the monitors: devlink handles SIGINT and flushes; the recorder drains
# its sockets, writes its "end" mark and exits on "quit".
# Each bounded (init.sh's wait_pid): a stuck one is named on the console.
kill -INT "$DL_MON_PID" 2>/dev/null
wait_pid "$DL_MON_PID" 20 "devlink monitor"
if [ -n "$NLREC_PID" ]; then
	# No ack read: the recorder exits right after answering. Opening the
	# FIFO blocks while nobody reads it: bounded too.
	timeout 20 sh -c "echo quit >'$NLREC_CTL'" || say "nlrec took no quit in 20 s"
	wait_pid "$NLREC_PID" 20 "nlrec monitor"
	echo "nlrec_monitor rc=$?" >>/out/steps.log
	NLREC_PID=
fi
