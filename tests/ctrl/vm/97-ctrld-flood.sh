# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh
# Sourced by the VM's /init after 95-ctrld-stop.sh (the other daemons are
# gone): counts that do not depend on seeing every notification (issue 13,
# deliverable 4). A mana-ctrld counting netdevsim's "dummy" reporter, with
# its metrics endpoint on 127.0.0.1:9477, sees three errors live, then is
# stopped (SIGSTOP) while
# FLOOD_N break_health writes on a new netdevsim5 make the kernel send
# 2 x FLOOD_N notifications (error, then the automatic recovery): far more
# than its socket holds. Resumed, it reads up to the overrun, resyncs by
# dump and takes what it missed from the reporter's counts. Then devlink's
# view of the reporter and a scrape of the endpoint (and one bad request)
# go to /out for check.py to compare.
FLOOD_N=${FLOOD_N:-1000}
FLOOD_DBG=/sys/kernel/debug/netdevsim/netdevsim5

ip link set lo up
echo "5 1" >/sys/bus/netdevsim/new_device
wait_for "$FLOOD_DBG/health/break_health" 10
mana-ctrld --driver '*' --reporters dummy --rdma off --uevent off \
	--metrics-listen 127.0.0.1:9477 >/out/ctrld_flood.out 2>/out/ctrld_flood.log &
CTRLD_FLOOD_PID=$!
wait_grep /out/ctrld_flood.log '"msg":"started"' 20
# Three errors (and their recoveries) seen live first.
step ctrld_flood_live sh -c "for i in 1 2 3; do echo live-\$i >$FLOOD_DBG/health/break_health; done; exit 0"
wait_grep /out/ctrld_flood.log '"reason":"reporter dummy healthy (error 3 recover 3)"' 20
kill -STOP "$CTRLD_FLOOD_PID"
step ctrld_flood sh -c "i=0; while [ \$i -lt $FLOOD_N ]; do
	echo flood-\$i >$FLOOD_DBG/health/break_health; i=\$((i + 1)); done; exit 0"
kill -CONT "$CTRLD_FLOOD_PID"
# It reads up to the overrun, then resyncs: the "missed" record, then quiet.
wait_grep /out/ctrld_flood.log '"msg":"devlink health events missed"' 30
sleep 1
step ctrld_flood_devlink devlink -j health show netdevsim/netdevsim5 reporter dummy
step ctrld_flood_scrape wget -q -O - http://127.0.0.1:9477/metrics
step ctrld_flood_bad sh -c '{ printf "BREW /pot HTTP/1.1\r\n\r\n"; sleep 1; } | nc 127.0.0.1 9477'
kill -TERM "$CTRLD_FLOOD_PID"
wait_pid "$CTRLD_FLOOD_PID" 20 "mana-ctrld (flood)"
echo "ctrld_flood_stop rc=$?" >>/out/steps.log
echo 5 >/sys/bus/netdevsim/del_device
