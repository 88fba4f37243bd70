#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Stock dpdk-testpmd's csum forwarding mode on two simulated MANA ports: the
# IPv4, UDP and TCP checksums set to hardware on both ports (testpmd refuses
# "csum set ... hw" on a port whose capabilities lack it: "not supported"),
# the receive checksum check on. Every forwarded frame then carries the
# offload flags to the driver (a driver refusing them drops the frame), and
# the receiving port's checksum flags are counted by testpmd (Bad-ipcsum,
# Bad-l4csum). The test fails when a command is refused, frames do not flow,
# or any frame is flagged bad. (testpmd leaves the valid IPv4 checksum of
# its frames in place when the port computes it, and its UDP frames have
# none: that the device computes checksums is offload_test's to show.)
set -uo pipefail
. tests/lib/dpdk_test.sh

so=$(dt_plugin "$1")
prefix=$(dt_prefix csum)
trap 'dt_cleanup "$prefix"' EXIT
dt_require_hugepages 128
log=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}/testpmd.log

{
	echo "port stop all"
	for p in 0 1; do
		for l in ip udp tcp; do
			echo "csum set $l hw $p"
		done
	done
	echo "port start all"
	echo "set fwd csum"
	echo "start tx_first"
	sleep 3
	echo "show port stats all"
	echo "stop"
	sleep 1
	echo "quit"
} | dt_testpmd "$prefix" "$so" --vdev=net_mana_sim0 --vdev=net_mana_sim1 \
	-- -i --total-num-mbufs=4096 --enable-rx-cksum >"$log" 2>&1
rc=$?
echo "testpmd exit code $rc; log: $log"

fails=0
check() {
	if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}
check "testpmd exits 0" '[ $rc -eq 0 ]'
check "testpmd says Bye" 'grep -q "^Bye\.\.\." "$log"'
check "csum forwarding ran" 'grep -q "csum packet forwarding" "$log"'
check "no csum command refused" '! grep -qiE "not supported|invalid|bad arguments" "$log"'
for p in 0 1; do
	rx=$(dt_fwd_stat "$log" $p RX-packets)
	tx=$(dt_fwd_stat "$log" $p TX-packets)
	badip=$(dt_fwd_stat "$log" $p Bad-ipcsum)
	badl4=$(dt_fwd_stat "$log" $p Bad-l4csum)
	echo "port $p: RX-packets $rx TX-packets $tx Bad-ipcsum $badip Bad-l4csum $badl4"
	check "port $p received over the wire" '[ "$rx" -ge 10000 ]'
	check "port $p sent" '[ "$tx" -ge 10000 ]'
	check "port $p: no bad IPv4 checksum" '[ "$badip" -eq 0 ]'
	check "port $p: no bad L4 checksum" '[ "$badl4" -eq 0 ]'
done
[ "$fails" -eq 0 ] && echo "PASS" || { echo "FAIL: $fails check(s)"; tail -40 "$log"; }
[ "$fails" -eq 0 ]
