# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# Stop the monitors: devlink handles SIGINT and flushes; the recorder drains
# its sockets, writes its "end" mark and exits on "quit".
kill -INT "$DL_MON_PID" 2>/dev/null
wait "$DL_MON_PID"
if [ -n "$NLREC_PID" ]; then
	# No ack read: the recorder exits right after answering.
	echo quit >"$NLREC_CTL"
	wait "$NLREC_PID"
	echo "nlrec_monitor rc=$?" >>/out/steps.log
	NLREC_PID=
fi
