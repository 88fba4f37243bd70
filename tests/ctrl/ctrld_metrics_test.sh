#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mana-ctrld's Prometheus metrics, as processes: the daemon on its fake
# kernel with the mailbox and a PMD-side client (as ctrld_mbox_test), the
# HTTP endpoint on 127.0.0.1 (port 0: the bound port is read from the status
# file) scraped and checked with promtool and for its values (per port,
# per device, the daemon), bad requests answered 400/404/405/431/505/503
# and counted, an idle client dropped; the node_exporter textfile written
# atomically on its interval; a unix-socket endpoint; an endpoint on [::1];
# addresses refused.
set -uo pipefail
daemon=$1
client=$2
. tests/ctrl/ctrl_test_lib.sh
ct_tmpdir ctrldmetrics

PROMTOOL=$(command -v promtool)
if [ -z "$PROMTOOL" ]; then
	echo "FAIL: promtool not found (Debian's prometheus package): run sudo tools/setup"
	exit 1
fi

# http METHOD-AND-PATH-OR-RAW: one request over TCP or a unix socket; prints
# the status line, then the body after a blank line.
cat >"$tmp/http.py" <<'EOF'
import socket, sys
addr, raw = sys.argv[1], sys.argv[2].encode().decode("unicode_escape").encode("latin-1")
if addr.startswith("unix:"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(addr[5:])
else:
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
s.settimeout(10)
s.sendall(raw)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
head, _, body = data.partition(b"\r\n\r\n")
lines = head.decode().split("\r\n")
print(lines[0])
for l in lines[1:]:
    print(l)
print()
sys.stdout.write(body.decode())
EOF
http() { python3 "$tmp/http.py" "$@"; }

pci=7870:00:00.0
S=$tmp/sys
ct_fake_sysfs "$S" "$pci" mana_0 mana_1
seg=$tmp/mbox
fifo=$tmp/kernel
prom=$tmp/textfile/mana.prom
mkdir -p "$tmp/textfile"
common=(--fake-kernel "$fifo" --sysfs "$S" --driver '*' --mbox-path "$seg" --gone-timeout 1s)

# ---- addresses that are not local, bad files: exit 1 with the key named ----
bad() { ct_bad "$daemon" "$@"; }
bad "all addresses refused" 'metrics_listen: "0.0.0.0:9477" is not 127.0.0.1:PORT' \
	--metrics-listen 0.0.0.0:9477 --check-config
bad "a LAN address refused" '(the endpoint has no authentication: local addresses only)' \
	--metrics-listen 10.1.2.3:9477 --check-config
bad "a port out of range refused" 'metrics_listen: "127.0.0.1:70000"' \
	--metrics-listen 127.0.0.1:70000 --check-config
bad "a relative unix path refused" 'unix: needs an absolute path' \
	--metrics-listen unix:m.sock --check-config
bad "a textfile not *.prom refused" 'metrics_textfile: "/tmp/x.txt" is not an absolute path ending in .prom' \
	--metrics-textfile /tmp/x.txt --check-config
# A port already taken: a message naming it, exit 1.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(30)' >"$tmp/busy.port" &
busy=$!
pids+=("$busy")
wait_for 5 test -s "$tmp/busy.port"
bad "a port in use: exit 1, named" 'cannot serve the metrics' --fake-kernel "$tmp/k0" \
	--sysfs "$S" --metrics-listen "127.0.0.1:$(cat "$tmp/busy.port")"
kill "$busy"

# ---- the endpoint and the textfile of a running daemon ----
"$daemon" "${common[@]}" --metrics-listen 127.0.0.1:0 --metrics-textfile "$prom" \
	--metrics-interval 1s 2>"$tmp/d.log" &
d=$!
pids+=("$d")
check "status file names the endpoint" wait_for 5 grep -q '^metrics_listen=127.0.0.1:[1-9]' "$seg.status"
addr=$(sed -n 's/^metrics_listen=//p' "$seg.status")
check "the endpoint is logged" grep -q "\"msg\":\"metrics endpoint\",\"listen\":\"$addr\"" "$tmp/d.log"
check "textfile written at start" wait_for 5 test -s "$prom"
exec 3<>"$fifo"
echo "add mana_0 1000 eth0" >&3
"$client" "$seg.sock" "$pci" 4 >"$tmp/client.out" 2>"$tmp/client.err" &
cl=$!
pids+=("$cl")
check "client claimed the port" wait_for 10 grep -q '^claimed port 0$' "$tmp/client.out"
echo "del mana_0" >&3
check "service event received" wait_for 5 grep -q 'SVC_START' "$tmp/client.out"
echo "add mana_1 1000 eth1" >&3
check "hardware back received" wait_for 5 grep -q 'HW_BACK' "$tmp/client.out"
rm "$S/bus/pci/devices/$pci"
echo "del mana_1" >&3
wait "$cl"
check "client got its 4 events" [ $? -eq 0 ]
check "gone for good" wait_for 5 grep -q '"msg":"gone_for_good"' "$tmp/d.log"

out=$(http "$addr" 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n')
check "GET /metrics: 200" grep -q '^HTTP/1.1 200 OK$' <<<"$out"
check "GET /metrics: the exposition's content type" \
	grep -q '^Content-Type: text/plain; version=0.0.4; charset=utf-8$' <<<"$out"
sed '1,/^$/d' <<<"$out" >"$tmp/scrape.prom"
check "promtool check metrics: the scrape" "$PROMTOOL" check metrics <"$tmp/scrape.prom"
val() { # val METRIC{LABELS}: its value in the scrape
	grep -v '^#' "$tmp/scrape.prom" | grep -F -- "$1 " | head -1 | awk '{print $NF}'
}
P='port="0",pci="7870:00:00.0"'
check "port: identity info" grep -qF "mana_port_info{$P,ibdev=\"mana_1\",netdev=\"eth1\",node_guid=\"0000:0000:0000:1000\",gen=\"2\"} 1" "$tmp/scrape.prom"
check "port: hw state gone" [ "$(val "mana_port_hw_state{$P,state=\"gone\"}")" = 1 ]
check "port: hw state not up" [ "$(val "mana_port_hw_state{$P,state=\"up\"}")" = 0 ]
check "port: pmd state removed" [ "$(val "mana_port_pmd_state{$P,state=\"removed\"}")" = 1 ]
check "port: resets requested 2" [ "$(val "mana_port_resets_total{$P}")" = 2 ]
check "port: succeeded 1" [ "$(val "mana_port_reset_successes_total{$P}")" = 1 ]
check "port: failed 1" [ "$(val "mana_port_reset_failures_total{$P}")" = 1 ]
check "port: removed 1" [ "$(val "mana_port_reset_removals_total{$P}")" = 1 ]
# The removal had nothing before it: a hot-remove, no service event (issue 14).
check "port: service events 1" [ "$(val "mana_port_service_events_total{$P}")" = 1 ]
check "port: hot-removes 1" [ "$(val "mana_port_hot_removes_total{$P}")" = 1 ]
check "port: events to the PMD 4" [ "$(val "mana_port_events_total{$P,dir=\"to_pmd\"}")" = 4 ]
check "reset histogram: 2 resets" [ "$(val "mana_reset_duration_seconds_count{$P}")" = 2 ]
check "reset histogram: 15 ms + 1 ms" [ "$(val "mana_reset_duration_seconds_sum{$P}")" = 0.016 ]
check "reset histogram: both <= 50 ms" [ "$(val "mana_reset_duration_seconds_bucket{$P,le=\"0.05\"}")" = 2 ]
check "reset histogram: one <= 10 ms" [ "$(val "mana_reset_duration_seconds_bucket{$P,le=\"0.01\"}")" = 1 ]
check "phase histogram: quiesce twice" [ "$(val "mana_reset_phase_duration_seconds_count{$P,phase=\"quiesce\"}")" = 2 ]
check "phase histogram: restore once, 5 ms" [ "$(val "mana_reset_phase_duration_seconds_sum{$P,phase=\"restore\"}")" = 0.005 ]
check "phase histogram: +Inf = count" [ "$(val "mana_reset_phase_duration_seconds_bucket{$P,phase=\"teardown\",le=\"+Inf\"}")" = 1 ]
check "device: service events by source" [ "$(val 'mana_device_service_events_total{dev="mana_0",source="rdma"}')" = 1 ]
check "device: none from uevents" [ "$(val 'mana_device_service_events_total{dev="mana_0",source="uevent"}')" = 0 ]
check "device: hardware back" [ "$(val 'mana_device_hw_back_total{dev="mana_1"}')" = 1 ]
check "device: hardware-back latency observed" [ "$(val 'mana_device_hw_back_seconds_count{dev="mana_1"}')" = 1 ]
check "device: gone for good" [ "$(val 'mana_device_gone_total{dev="mana_1"}')" = 1 ]
check "daemon: info" grep -qF 'mana_ctrld_info{version="0.1",rdma="fake",devlink="off",uevent="off"} 1' "$tmp/scrape.prom"
check "daemon: rdma events 4" [ "$(val 'mana_ctrld_events_total{source="rdma"}')" = 4 ]
check "daemon: 1 resync (start)" [ "$(val 'mana_ctrld_resyncs_total{source="rdma"}')" = 1 ]
check "daemon: overruns 0" [ "$(val 'mana_ctrld_overruns_total')" = 0 ]
check "daemon: mailbox peers 0" [ "$(val 'mana_ctrld_mbox_peers')" = 0 ]
check "daemon: no devlink families with devlink off" bash -c "! grep -q '^mana_devlink_' '$tmp/scrape.prom'"

# HEAD, a query string, and bad requests: each answered, the daemon unharmed.
out=$(http "$addr" 'HEAD /metrics HTTP/1.0\r\n\r\n')
check "HEAD: 200" grep -q '^HTTP/1.1 200 OK$' <<<"$out"
check "HEAD: no body" [ -z "$(sed '1,/^$/d' <<<"$out")" ]
check "a query string is ignored" grep -q '^HTTP/1.1 200 OK$' <<<"$(http "$addr" 'GET /metrics?x=1 HTTP/1.1\r\n\r\n')"
check "another path: 404" grep -q '^HTTP/1.1 404 Not Found$' <<<"$(http "$addr" 'GET /secret HTTP/1.1\r\n\r\n')"
out=$(http "$addr" 'POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc')
check "POST: 405" grep -q '^HTTP/1.1 405 Method Not Allowed$' <<<"$out"
check "POST: Allow named" grep -q '^Allow: GET, HEAD$' <<<"$out"
check "garbage: 400" grep -q '^HTTP/1.1 400 Bad Request$' <<<"$(http "$addr" 'garbage\r\n\r\n')"
check "a bad header: 400" grep -q '^HTTP/1.1 400 Bad Request$' <<<"$(http "$addr" 'GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n')"
check "a NUL byte: 400" grep -q '^HTTP/1.1 400 Bad Request$' <<<"$(http "$addr" 'GET /metrics\x00 HTTP/1.1\r\n\r\n')"
check "HTTP/2.0: 505" grep -q '^HTTP/1.1 505 HTTP Version Not Supported$' <<<"$(http "$addr" 'GET /metrics HTTP/2.0\r\n\r\n')"
long=$(printf 'X-Long: %05000d' 0)
check "a head past 4 KiB: 431" grep -q '^HTTP/1.1 431 Request Header Fields Too Large$' <<<"$(http "$addr" "GET /metrics HTTP/1.1\\r\\n$long")"
# Idle clients: the endpoint holds 4; the 5th gets 503 at once; they are
# dropped after 5 s without a request.
python3 - "$addr" >"$tmp/idle.out" <<'EOF'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
idle = [socket.create_connection((host, int(port))) for _ in range(4)]
time.sleep(0.3)
fifth = socket.create_connection((host, int(port)), timeout=5)
print("fifth:", fifth.recv(100).split(b"\r\n")[0].decode())
t0 = time.monotonic()
idle[0].settimeout(15)
print("idle closed:", idle[0].recv(100) == b"", "after %.1f s" % (time.monotonic() - t0))
EOF
check "a 5th client while 4 are open: 503" grep -q '^fifth: HTTP/1.1 503 Service Unavailable$' "$tmp/idle.out"
check "an idle client is closed after about 5 s" grep -qE '^idle closed: True after [4-6]\.' "$tmp/idle.out"
cat "$tmp/idle.out"
sed '1,/^$/d' <<<"$(http "$addr" 'GET /metrics HTTP/1.1\r\n\r\n')" >"$tmp/scrape.prom"
check "requests counted: 200" [ "$(val 'mana_ctrld_http_requests_total{code="200"}')" -ge 3 ]
check "requests counted: 400 x3" [ "$(val 'mana_ctrld_http_requests_total{code="400"}')" = 3 ]
check "requests counted: 404" [ "$(val 'mana_ctrld_http_requests_total{code="404"}')" = 1 ]
check "requests counted: 405" [ "$(val 'mana_ctrld_http_requests_total{code="405"}')" = 1 ]
check "requests counted: 431" [ "$(val 'mana_ctrld_http_requests_total{code="431"}')" = 1 ]
check "requests counted: 505 and 503 as other" [ "$(val 'mana_ctrld_http_requests_total{code="other"}')" = 2 ]
check "the daemon is still there" kill -0 "$d"

# The textfile: valid, rewritten on its interval, never a .tmp left behind.
check "promtool check metrics: the textfile" "$PROMTOOL" check metrics <"$prom"
check "textfile: counts the resets" grep -q "^mana_reset_duration_seconds_count{$P} 2$" "$prom"
ino1=$(stat -c %i "$prom")
check "textfile: rewritten within its interval (a new file each time)" \
	wait_for 3 bash -c "[ \$(stat -c %i '$prom') != $ino1 ]"
check "textfile: no temporary file left" bash -c "! ls '$tmp/textfile' | grep -v '^mana.prom$'"
kill -TERM "$d"
wait "$d"
check "SIGTERM: exit 0" [ $? -eq 0 ]
exec 3>&-

# ---- a unix-socket endpoint; its file goes with the daemon ----
rm -f "$seg" "$seg.status"
"$daemon" --fake-kernel "$tmp/k2" --sysfs "$S" --metrics-listen "unix:$tmp/m.sock" 2>"$tmp/d2.log" &
d2=$!
pids+=("$d2")
check "unix socket made" wait_for 5 test -S "$tmp/m.sock"
out=$(http "unix:$tmp/m.sock" 'GET /metrics HTTP/1.1\r\n\r\n')
check "unix socket: 200" grep -q '^HTTP/1.1 200 OK$' <<<"$out"
sed '1,/^$/d' <<<"$out" >"$tmp/scrape2.prom"
check "unix socket: promtool" "$PROMTOOL" check metrics <"$tmp/scrape2.prom"
check "no mailbox: no port families" bash -c "! grep -q '^mana_port_' '$tmp/scrape2.prom'"
kill -TERM "$d2"
wait "$d2"
check "SIGTERM: exit 0 (unix)" [ $? -eq 0 ]
check "the unix socket file removed" [ ! -e "$tmp/m.sock" ]

# ---- [::1]: the bound port from the log ----
"$daemon" --fake-kernel "$tmp/k3" --sysfs "$S" --metrics-listen '[::1]:0' 2>"$tmp/d3.log" &
d3=$!
pids+=("$d3")
check "[::1]: the endpoint logged" wait_for 5 grep -q '"msg":"metrics endpoint","listen":"\[::1\]:[1-9]' "$tmp/d3.log"
addr6=$(sed -n 's/.*"msg":"metrics endpoint","listen":"\([^"]*\)".*/\1/p' "$tmp/d3.log")
check "[::1]: 200" grep -q '^HTTP/1.1 200 OK$' <<<"$(http "$addr6" 'GET /metrics HTTP/1.1\r\n\r\n')"
kill -TERM "$d3"
wait "$d3"
check "SIGTERM: exit 0 ([::1])" [ $? -eq 0 ]

if [ "$fail" -ne 0 ]; then
	for f in d.log d2.log d3.log client.out client.err scrape.prom; do
		echo "--- $f"
		cat "$tmp/$f" 2>/dev/null
	done
	exit 1
fi
echo "ctrld_metrics_test: ok"
