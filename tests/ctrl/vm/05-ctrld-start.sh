# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# Sourced by the VM's /init after 00-setup.sh (netdevsim1 exists), before the
# default scenario's events: mana-ctrld watching every device (driver *) with
# netdevsim's "dummy" reporter counted as a service event, configured by a
# file (95-ctrld-stop.sh shortens gone_timeout with SIGHUP), and
# `manactl -j monitor` printing every event; and a second mana-ctrld with no
# reporter configured (reporter errors are no service events there). All run
# until 95-ctrld-stop.sh.
# Checked on the host by check.sh. POSIX sh (busybox).
CTRLD_CONF=/run/mana-ctrld.conf

# ctrld_conf GONE_TIMEOUT: (re)write the daemon's configuration file.
ctrld_conf() {
	printf '%s\n' 'driver = *' 'reporters = dummy' "gone_timeout = $1" \
		'poll_interval = 60s' 'log_format = json' >"$CTRLD_CONF"
}

# wait_grep FILE TEXT [S]: wait up to S (default 10) seconds for TEXT in FILE.
wait_grep() {
	_i=0
	until grep -qF -- "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -le $((${3:-10} * 10)) ] || { say "timeout waiting for \"$2\" in $1"; return 1; }
		sleep 0.1
	done
}

# 600 s: no outage of the run ends as gone for good before 95's SIGHUP.
ctrld_conf 600s
mana-ctrld --config "$CTRLD_CONF" >/out/ctrld.out 2>/out/ctrld.log &
CTRLD_PID=$!
mana-ctrld --driver '*' --gone-timeout 600s >/out/ctrld_norep.out 2>/out/ctrld_norep.log &
CTRLD_NOREP_PID=$!
manactl -j monitor >/out/monitor_j.out 2>/out/monitor_j.err &
MONITOR_PID=$!
# mana-ctrld logs "started" once its sockets are open and the first dumps
# read; manactl opens its signalfd after its sockets joined their groups.
wait_grep /out/ctrld.log '"msg":"started"' 20
wait_grep /out/ctrld_norep.log '"msg":"started"' 20
_i=0
until ls -l "/proc/$MONITOR_PID/fd" 2>/dev/null | grep -q signalfd; do
	_i=$((_i + 1))
	[ "$_i" -le 200 ] || { say "manactl monitor not ready"; break; }
	sleep 0.1
done
say "mana-ctrld pid $CTRLD_PID, manactl monitor pid $MONITOR_PID"
