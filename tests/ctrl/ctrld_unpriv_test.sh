#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mana-ctrld as systemd's unit runs it, short of systemd (this CI host's PID
# 1 is not systemd): an unprivileged uid from DynamicUser's range with no
# capability at all (setpriv: empty bounding and inheritable sets, no new
# privileges), its mailbox in a RuntimeDirectory-like directory it owns, the
# metrics endpoint on 127.0.0.1 and the textfile. A root PMD refuses that
# ctrl (PMDs trust root and their own uid), a PMD of the same user attaches
# and gets its events; manactl (root) and a scrape read everything. A root
# testpmd trusts it with the devarg mbox_ctrl_user=<its uid> (the unit's
# User= name in production): its port attaches and resets on the daemon's
# service event, while a port of the same testpmd trusting another uid is
# refused with a message naming the daemon's uid; a bad mbox_ctrl_user
# fails the probe with a message. A restart under the same uid re-adopts
# the segment (RuntimeDirectoryPreserve=restart) and the port attaches
# again; one under another uid is refused with a message, unless the
# directory is handed over as systemd does for a new dynamic uid: then the
# attached port learns that the daemon came back under a uid it does not
# trust and is refused, and the other port, which trusts that uid, attaches.
# PMDs not running as root attach when the daemon gives the socket to their
# group (mbox_gid, the daemon a member of it).
# Needs root to drop to those uids: tagged local (the sandbox maps no other
# uid).
#
#   ctrld_unpriv_test.sh MANA_CTRLD MANACTL MBOX_PMD_CLIENT PLUGIN
set -uo pipefail
daemon=$(realpath "$1")
manactl=$2
client=$3
. tests/ctrl/ctrl_test_lib.sh
. tests/lib/dpdk_test.sh
so=$(dt_plugin "$4")
dt_require_hugepages 64
ct_tmpdir ctrldunpriv
prefix=""
# The testpmd session and its hugepage files go with the rest.
trap 'ct_cleanup; dt_cleanup "$prefix"' EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: needs root to run mana-ctrld under another uid (tools/test runs it as root)"
	exit 1
fi
DYN_UID=61234	# in systemd's DynamicUser range 61184..65519
OTHER_UID=61235
chmod 0755 "$tmp"
run=$tmp/run/mana	# RuntimeDirectory=mana
tf=$tmp/textfile	# ReadWritePaths= the textfile collector's directory
mkdir -p "$run" "$tf"
chown "$DYN_UID:$DYN_UID" "$run" "$tf"
chmod 0755 "$tmp/run" "$run" "$tf"
pci=7870:00:00.0
ct_fake_sysfs "$tmp/sys" "$pci" mana_0 mana_1
cp "$daemon" "$tmp/mana-ctrld"	# reachable by the other uids
cp "$client" "$tmp/client"
chmod 0755 "$tmp/mana-ctrld" "$tmp/client"

as_dyn() { # as_dyn UID ARGS...: mana-ctrld as UID with no capability
	local uid=$1
	shift
	exec setpriv --reuid "$uid" --regid "$uid" --clear-groups --inh-caps=-all \
		--bounding-set=-all --no-new-privs "$tmp/mana-ctrld" "$@"
}
args=(--fake-kernel "$run/kernel" --sysfs "$tmp/sys" --driver '*' --mbox-path "$run/mbox"
	--metrics-listen 127.0.0.1:0 --metrics-textfile "$tf/mana.prom" --gone-timeout 120s)

as_dyn "$DYN_UID" "${args[@]}" 2>"$tmp/d1.log" &
d1=$!
pids+=("$d1")
check "started under uid $DYN_UID" wait_for 10 grep -q '"msg":"started"' "$tmp/d1.log"
check "no capability, that uid" bash -c "grep -q '^CapEff:	0000000000000000$' /proc/$d1/status &&
	grep -q '^Uid:	$DYN_UID	' /proc/$d1/status"
check "segment and socket its own, 0600" bash -c "[ \"\$(stat -c '%u %a' '$run/mbox')\" = '$DYN_UID 600' ] &&
	[ \"\$(stat -c '%u %a' '$run/mbox.sock')\" = '$DYN_UID 600' ]"
check "status file there" test -s "$run/mbox.status"
check "textfile written" test -s "$tf/mana.prom"
exec 3<>"$run/kernel"
echo "add mana_0 1000 eth0" >&3
# A PMD trusts a ctrl of root or of its own uid only (proto/README.md, 2):
# a root PMD refuses this one, a PMD of the same user attaches.
"$client" "$run/mbox.sock" "$pci" 2 >"$tmp/client_root.out" 2>"$tmp/client_root.err"
check "a root PMD refuses a ctrl of another uid" [ $? -eq 1 ]
check "and says so" grep -q "mbox.sock is served by uid $DYN_UID, neither root nor us: refused" \
	"$tmp/client_root.err"
setpriv --reuid "$DYN_UID" --regid "$DYN_UID" --clear-groups --inh-caps=-all \
	--bounding-set=-all --no-new-privs "$tmp/client" "$run/mbox.sock" "$pci" 2 \
	>"$tmp/client.out" 2>"$tmp/client.err" &
cl=$!
pids+=("$cl")
check "a PMD of the same user attached" wait_for 10 grep -q '^claimed port 0$' "$tmp/client.out"
echo "del mana_0" >&3
echo "add mana_1 1000 eth1" >&3
wait "$cl"
check "the PMD got SVC_START and HW_BACK" [ $? -eq 0 ]
out=$("$manactl" -j status mbox "$run/mbox")
check "manactl status: running, the port back" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["daemon"]["running"] is True and s["mailbox"]["ctrl_gen"] == 1, s
assert s["ports"][0]["hw"]["state"] == "up" and s["ports"][0]["gen"] == 2, s["ports"]' "$out"
addr=$(sed -n 's/^metrics_listen=//p' "$run/mbox.status")
scrape=$(python3 -c '
import sys, urllib.request
print(urllib.request.urlopen("http://%s/metrics" % sys.argv[1], timeout=10).read().decode())' "$addr")
check "scrape: the port's resets" grep -q '^mana_port_resets_total{port="0",pci="7870:00:00.0"} 1$' <<<"$scrape"
check "scrape: the device's service event" grep -q '^mana_device_service_events_total{dev="mana_0",source="rdma"} 1$' <<<"$scrape"

# A bad mbox_ctrl_user fails the probe with a message that names it.
bad_user() { # bad_user VALUE MESSAGE
	local p log
	p=$(dt_prefix unpriv)
	log=$tmp/bad_$p.log
	DT_TIMEOUT=60 dt_testpmd "$p" "$so" \
		--vdev="net_mana_sim0,mbox=$run/mbox.sock,mbox_port=$pci,mbox_ctrl_user=$1" \
		-- --total-num-mbufs=2048 </dev/null >"$log" 2>&1
	dt_cleanup "$p"
	check "mbox_ctrl_user=$1: the probe fails, saying why" \
		grep -q "failed to initialize net_mana_sim0 device" "$log"
	check "mbox_ctrl_user=$1: '$2'" grep -qF -- "$2" "$log"
	grep -F -- "mbox_ctrl_user=" "$log" | head -n 2
}
bad_user mana-no-such-user "mbox_ctrl_user='mana-no-such-user': no user 'mana-no-such-user'"
bad_user 61234x "mbox_ctrl_user='61234x': '61234x' is neither a uid (digits only) nor a user name"
bad_user 4294967295 "mbox_ctrl_user='4294967295': uid 4294967295 is out of range (0 to 4294967294)"

# A root testpmd, two ports on the daemon's port: port 0 trusts another
# uid, port 1 the daemon's (mbox_ctrl_user=mana-ctrld under systemd).
prefix=$(dt_prefix unpriv)
log=$tmp/testpmd.log
sock=$run/mbox.sock
DT_TIMEOUT=240 dt_session_start "$log" "$prefix" "$so" \
	--vdev="net_mana_sim0,mbox=$sock,mbox_port=$pci,mbox_ctrl_user=$OTHER_UID" \
	--vdev="net_mana_sim1,mbox=$sock,mbox_port=$pci,mbox_ctrl_user=$DYN_UID" \
	--log-level=pmd.net.mana.mbox:info -- --total-num-mbufs=4096 --print-event=all
pids+=("$DT_PID" "$DT_APP_PID")
check "testpmd up" dt_wait_count "$log" "^testpmd> " 1 120
check "port 1, trusting uid $DYN_UID: attached" wait_for 10 \
	grep -q "port 1: mailbox $sock attached" "$log"
check "port 0, trusting uid $OTHER_UID: refused, naming the daemon's uid" wait_for 10 \
	grep -qF "port 0: cannot use the mailbox at $sock: $sock is served by uid $DYN_UID, neither root, us nor a trusted uid ($OTHER_UID): refused" "$log"
check "the daemon: a root PMD attached" wait_for 10 \
	grep -q '"msg":"pmd attached".*"uid":"0"' "$tmp/d1.log"
echo "del mana_1" >&3
check "testpmd: port 1 recovering" dt_wait_count "$log" "Port 1: error recovering event" 1 30
check "testpmd: port 1 recovered" dt_wait_count "$log" "Port 1: error recovery successful event" 1 60
check "the daemon: the PMD's recovery" wait_for 10 \
	grep -q "\"msg\":\"pmd recovery succeeded\".*\"pci\":\"$pci\"" "$tmp/d1.log"
echo "add mana_0 1000 eth0" >&3
# (counted at each try: a $(...) argument of wait_for is counted once)
back_twice() { [ "$(grep -c '"msg":"hardware_back"' "$tmp/d1.log")" -eq 2 ]; }
check "the daemon: hardware back" wait_for 10 back_twice
check "no reset of port 0" [ "$(grep -c 'Port 0: error recovering event' "$log")" -eq 0 ]
kill -TERM "$d1"
wait "$d1"
check "SIGTERM: exit 0" [ $? -eq 0 ]
check "port 1: the daemon is gone" wait_for 10 grep -q "port 1: the control daemon (pid $d1) is gone" "$log"

# Restarted under the same uid: the segment is re-adopted, port 1 is back.
as_dyn "$DYN_UID" "${args[@]}" 2>"$tmp/d2.log" &
d2=$!
pids+=("$d2")
check "restart: re-adopted" wait_for 10 grep -q '"msg":"mailbox re-adopted".*"ctrl_gen":"2"' "$tmp/d2.log"
check "port 1: the daemon is back" wait_for 10 grep -q "port 1: the control daemon (pid $d2) is back" "$log"
# The fake kernel starts empty: the device is absent from the daemon's first
# dump, so it went while no daemon watched (SVC_START); port 1 resets, and
# the device is back.
# The simulated device never went down: the port waits for the daemon's
# "hardware back" (the same incarnation is not back before it).
check "port 1: reset at the restart" \
	dt_wait_count "$log" "Port 1: error recovering event" 2 60
echo "add mana_0 1000 eth0" >&3
check "restart: hardware back" wait_for 10 grep -q '"msg":"hardware_back"' "$tmp/d2.log"
check "port 1: recovered on it" \
	dt_wait_count "$log" "Port 1: error recovery successful event" 2 60
kill -TERM "$d2"
wait "$d2"
# Under another uid (the dynamic uid changed): refused, with a message.
out=$(timeout 10 setpriv --reuid "$OTHER_UID" --regid "$OTHER_UID" --clear-groups \
	--inh-caps=-all --bounding-set=-all --no-new-privs "$tmp/mana-ctrld" "${args[@]}" 2>&1)
check "another uid: exit 1" [ $? -eq 1 ]
check "another uid: said why" grep -q 'cannot publish through the mailbox' <<<"$out"
echo "--- $out"
# Unless the runtime directory is handed over, as systemd does for a new
# dynamic uid: the segment is re-adopted; port 1 does not trust the new uid
# and says so, port 0 (trusting it) attaches and takes the daemon's
# SVC_START (absent at restart again).
chown -R "$OTHER_UID:$OTHER_UID" "$run"
as_dyn "$OTHER_UID" "${args[@]}" 2>"$tmp/d3.log" &
d3=$!
pids+=("$d3")
check "new uid, directory handed over: re-adopted" wait_for 10 \
	grep -q '"msg":"mailbox re-adopted".*"ctrl_gen":"3"' "$tmp/d3.log"
check "port 1: the daemon came back under an untrusted uid" wait_for 10 \
	grep -q "port 1: the control daemon (pid $d3) came back as uid $OTHER_UID, not trusted by this attachment; attaching again" "$log"
check "port 1: refused, naming the new uid" wait_for 10 \
	grep -qF "port 1: cannot use the mailbox at $sock: $sock is served by uid $OTHER_UID, neither root, us nor a trusted uid ($DYN_UID): refused" "$log"
check "port 0, trusting the new uid: attached" wait_for 15 \
	grep -q "port 0: mailbox $sock attached" "$log"
check "port 0: reset at the restart" \
	dt_wait_count "$log" "Port 0: error recovering event" 1 60
echo "add mana_0 1000 eth0" >&3
check "new uid: hardware back" wait_for 10 grep -q '"msg":"hardware_back"' "$tmp/d3.log"
check "port 0: recovered on it" \
	dt_wait_count "$log" "Port 0: error recovery successful event" 1 60
check "port 1: no reset while refused" \
	[ "$(grep -c 'Port 1: error recovering event' "$log")" -eq 2 ]
dt_session_quit
check "testpmd exits cleanly" [ $? -eq 0 ]
check "every recovering has one outcome" [ "$(grep -c 'error recovering event' "$log")" -eq \
	"$(grep -c 'error recovery successful event' "$log")" ]
kill -TERM "$d3"
wait "$d3"
check "new uid: SIGTERM: exit 0" [ $? -eq 0 ]

# PMDs not running as root: the daemon, a member of their group
# (SupplementaryGroups= in the unit), gives the socket to the group
# (mbox_gid, mode 0660); a PMD of that group trusting the daemon's uid
# attaches and gets its events.
PMD_UID=61236
PMD_GID=61300
setpriv --reuid "$OTHER_UID" --regid "$OTHER_UID" --groups "$PMD_GID" --inh-caps=-all \
	--bounding-set=-all --no-new-privs "$tmp/mana-ctrld" "${args[@]}" --mbox-gid "$PMD_GID" \
	2>"$tmp/d4.log" &
d4=$!
pids+=("$d4")
check "the PMDs' group: re-adopted" wait_for 10 \
	grep -q '"msg":"mailbox re-adopted".*"ctrl_gen":"4"' "$tmp/d4.log"
check "the PMDs' group: the socket is theirs too, 0660" \
	[ "$(stat -c '%u %g %a' "$sock")" = "$OTHER_UID $PMD_GID 660" ]
MBOX_CTRL_USER=$OTHER_UID setpriv --reuid "$PMD_UID" --regid "$PMD_GID" --clear-groups \
	--inh-caps=-all --bounding-set=-all --no-new-privs "$tmp/client" "$sock" "$pci" 2 \
	>"$tmp/client_group.out" 2>"$tmp/client_group.err" &
cl=$!
pids+=("$cl")
check "a PMD of the group, trusting uid $OTHER_UID, attached" wait_for 10 \
	grep -q '^claimed port 0$' "$tmp/client_group.out"
# SVC_START: absent at restart; then the device is back.
echo "add mana_0 1000 eth0" >&3
wait "$cl"
check "that PMD got SVC_START and HW_BACK" [ $? -eq 0 ]
kill -TERM "$d4"
wait "$d4"
check "the PMDs' group: SIGTERM: exit 0" [ $? -eq 0 ]
exec 3>&-

if [ "$fail" -ne 0 ]; then
	for f in d1.log d2.log d3.log d4.log client.out client.err client_root.err \
		client_group.out client_group.err testpmd.log; do
		echo "--- $f"
		cat "$tmp/$f" 2>/dev/null
	done
	exit 1
fi
echo "ctrld_unpriv_test: ok"
