#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mana-ctrld as systemd's unit runs it, short of systemd (this CI host's PID
# 1 is not systemd): an unprivileged uid from DynamicUser's range with no
# capability at all (setpriv: empty bounding and inheritable sets, no new
# privileges), its mailbox in a RuntimeDirectory-like directory it owns, the
# metrics endpoint on 127.0.0.1 and the textfile. A root PMD refuses that
# ctrl (PMDs trust root or their own uid), a PMD of the same user attaches
# and gets its events; manactl (root) and a scrape read everything; a
# restart under the same uid re-adopts the segment (RuntimeDirectoryPreserve
# =restart), one under another uid is refused with a message. Needs root to
# drop to those uids: tagged local (the sandbox maps no other uid).
set -uo pipefail
daemon=$(realpath "$1")
manactl=$2
client=$3
. tests/ctrl/ctrl_test_lib.sh
ct_tmpdir ctrldunpriv

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
	--metrics-listen 127.0.0.1:0 --metrics-textfile "$tf/mana.prom" --gone-timeout 1s)

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
kill -TERM "$d1"
wait "$d1"
check "SIGTERM: exit 0" [ $? -eq 0 ]

# Restarted under the same uid: the segment is re-adopted.
as_dyn "$DYN_UID" "${args[@]}" 2>"$tmp/d2.log" &
d2=$!
pids+=("$d2")
check "restart: re-adopted" wait_for 10 grep -q '"msg":"mailbox re-adopted".*"ctrl_gen":"2"' "$tmp/d2.log"
kill -TERM "$d2"
wait "$d2"
# Under another uid (the dynamic uid changed): refused, with a message.
out=$(timeout 10 setpriv --reuid "$OTHER_UID" --regid "$OTHER_UID" --clear-groups \
	--inh-caps=-all --bounding-set=-all --no-new-privs "$tmp/mana-ctrld" "${args[@]}" 2>&1)
check "another uid: exit 1" [ $? -eq 1 ]
check "another uid: said why" grep -q 'cannot publish through the mailbox' <<<"$out"
echo "--- $out"
exec 3>&-

if [ "$fail" -ne 0 ]; then
	for f in d1.log d2.log client.out client.err client_root.err; do
		echo "--- $f"
		cat "$tmp/$f" 2>/dev/null
	done
	exit 1
fi
echo "ctrld_unpriv_test: ok"
