#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mana-ctrld as a process: flags and config errors (exit 1, a message naming
# the file, line and key), --check-config, the error on a kernel without
# NETLINK_RDMA / devlink, and in uevent-only mode: sd_notify READY / STATUS /
# WATCHDOG / RELOADING / STOPPING over $NOTIFY_SOCKET, SIGHUP reloads (and a
# bad file keeps the old configuration), SIGTERM exits 0.
set -uo pipefail
daemon=$1
tmp=${TEST_TMPDIR:-$(mktemp -d)}
. tests/ctrl/ctrl_test_lib.sh

run() { # run EXPECTED_RC ARGS... -> $out (stdout+stderr)
	local want=$1 rc
	shift
	out=$("$daemon" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: mana-ctrld $* exited $rc, not $want: $out"
		fail=1
	fi
}

run 1 --bogus
check "unknown option named" grep -q 'unknown option "--bogus"' <<<"$out"
run 1 --gone-timeout abc
check "bad duration explained" grep -q 'gone_timeout: "abc" is not a positive duration' <<<"$out"
run 1 --pci-allow 00:02.0
check "bad PCI address explained" grep -q '"00:02.0" is not a PCI address like 0000:00:02.0' <<<"$out"
run 1 --rdma maybe
check "bad on/off explained" grep -q 'rdma: "maybe" is not on or off' <<<"$out"
printf 'driver = mana\n# comment\nthis is wrong\n' >"$tmp/bad.conf"
run 1 --config "$tmp/bad.conf"
check "config error names file and line" grep -q "$tmp/bad.conf:3: expected \"key = value\"" <<<"$out"
printf 'colour = blue\n' >"$tmp/bad2.conf"
run 1 --config "$tmp/bad2.conf"
check "unknown key named" grep -q 'bad.conf:1: unknown key "colour"\|bad2.conf:1: unknown key "colour"' <<<"$out"
run 1 --config "$tmp/missing.conf"
check "missing file" grep -q "missing.conf: No such file or directory" <<<"$out"

printf 'driver = mana\npci_allow = 7870:00:00.0\nreporters = fw, tx\ngone_timeout = 90s\n' >"$tmp/good.conf"
run 0 --check-config --config "$tmp/good.conf" --gone-timeout 30s
check "config file read" grep -q '^pci_allow = 7870:00:00.0$' <<<"$out"
check "reporters list" grep -q '^reporters = fw,tx$' <<<"$out"
check "flags win over the file" grep -q '^gone_timeout = 30000ms$' <<<"$out"
run 0 --help
check "help" grep -q 'Usage: mana-ctrld' <<<"$out"

# The kernel families: a clear error and exit 1 where they are missing.
out=$(timeout 5 "$daemon" --log-format kv 2>&1 </dev/null)
rc=$?
if grep -q "NETLINK_RDMA not supported by this kernel" <<<"$out"; then
	check "no NETLINK_RDMA: exit 1" [ "$rc" -eq 1 ]
else
	echo "note: this kernel has NETLINK_RDMA ($out)"
fi
out=$(timeout 5 "$daemon" --rdma off --log-format kv 2>&1 </dev/null)
rc=$?
if grep -q "devlink genl family not found: kernel without devlink?" <<<"$out"; then
	check "no devlink: exit 1" [ "$rc" -eq 1 ]
else
	echo "note: this kernel has devlink ($out)"
fi

# uevent-only mode under a fake systemd.
sock=@mana-ctrld-test-$$
python3 - "$sock" "$tmp/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1][1:])  # '@': the abstract namespace
open(sys.argv[2] + ".ready", "w").close()
s.settimeout(0.2)
end = time.time() + 8
with open(sys.argv[2], "w") as log:
    while time.time() < end:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            continue
        log.write(msg + "\n")
        log.flush()
        if msg == "STOPPING=1":
            break
PY
recv=$!
for _ in $(seq 100); do [ -e "$tmp/notify.log.ready" ] && break; sleep 0.05; done
# The file says kv, the flag json: a reload must re-apply the flags over the file.
printf 'gone_timeout = 60s\nlog_format = kv\n' >"$tmp/live.conf"
NOTIFY_SOCKET=$sock WATCHDOG_USEC=400000 "$daemon" --config "$tmp/live.conf" --rdma off \
	--devlink off --log-level debug --log-format json 2>"$tmp/daemon.log" &
pid=$!
sleep 1.5
printf 'gone_timeout = 30s\nlog_format = kv\n' >"$tmp/live.conf"
kill -HUP "$pid"
sleep 0.3
printf 'gone_timeout = soon\n' >"$tmp/live.conf"
kill -HUP "$pid"
sleep 0.3
kill -TERM "$pid"
wait "$pid"
rc=$?
wait "$recv"
check "SIGTERM: exit 0" [ "$rc" -eq 0 ]
check "READY=1 sent" grep -q '^READY=1$' "$tmp/notify.log"
check "STATUS sent" grep -q '^STATUS=watching: rdma off, devlink off, uevents on$' "$tmp/notify.log"
check "watchdog pinged" [ "$(grep -c '^WATCHDOG=1$' "$tmp/notify.log")" -ge 4 ]
check "RELOADING=1 on SIGHUP" grep -q '^RELOADING=1$' "$tmp/notify.log"
check "STOPPING=1 sent" grep -q '^STOPPING=1$' "$tmp/notify.log"
check "reload logged" grep -q '"msg":"configuration reloaded"' "$tmp/daemon.log"
check "bad reload keeps the config" \
	grep -q '"msg":"reload failed, keeping the configuration".*live.conf:1: gone_timeout' \
	"$tmp/daemon.log"
check "stopped logged" grep -q '"msg":"stopped"' "$tmp/daemon.log"
check "JSON log lines (flags outlive a reload)" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$tmp/daemon.log"
if [ "$fail" -ne 0 ]; then
	echo "--- daemon log"; cat "$tmp/daemon.log"; echo "--- notify log"; cat "$tmp/notify.log"
	exit 1
fi
echo "ctrld_test: ok"
