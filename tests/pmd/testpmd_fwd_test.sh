#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Stock dpdk-testpmd loads the PMD, forwards between two simulated MANA ports
# joined by the simulated wire, and exits cleanly. Usage: PLUGIN [io|csum].
#
# csum (testpmd_csum_test): testpmd's csum forwarding mode, the IPv4, UDP
# and TCP checksums set to hardware on both ports (testpmd refuses
# "csum set ... hw" on a port whose capabilities lack it: "not supported"),
# the receive checksum check on. Every forwarded frame then carries the
# offload flags to the driver (a driver refusing them drops the frame), and
# the receiving port's checksum flags are counted by testpmd (Bad-ipcsum,
# Bad-l4csum): none may be bad. (testpmd leaves the valid IPv4 checksum of
# its frames in place when the port computes it, and its UDP frames have
# none: that the device computes checksums is offload_test's to show.)
set -uo pipefail
. tests/lib/dpdk_test.sh

so=$(dt_plugin "$1")
mode=${2:-io}
prefix=$(dt_prefix "fwd_$mode")
trap 'dt_cleanup "$prefix"' EXIT
dt_require_hugepages 128
log=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}/testpmd.log
extra=()
[ "$mode" = csum ] && extra=(--enable-rx-cksum)

{
	if [ "$mode" = csum ]; then
		echo "port stop all"
		for p in 0 1; do
			for l in ip udp tcp; do
				echo "csum set $l hw $p"
			done
		done
		echo "port start all"
	fi
	echo "set fwd $mode"
	echo "start tx_first"
	sleep 3
	echo "show port stats all"
	echo "stop"
	sleep 1
	echo "quit"
} | dt_testpmd "$prefix" "$so" --vdev=net_mana_sim0 --vdev=net_mana_sim1 \
	-- -i --total-num-mbufs=4096 "${extra[@]}" >"$log" 2>&1
rc=$?
echo "testpmd exit code $rc; log: $log"

fails=0
check() {
	if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}
check "testpmd exits 0" '[ $rc -eq 0 ]'
check "testpmd says Bye" 'grep -q "^Bye\.\.\." "$log"'
# (A port's MAC address is printed at each start.)
check "two net_mana_sim ports probed" \
	'[ $(grep -oE "^Port [01]: 02:15:5D" "$log" | sort -u | wc -l) -eq 2 ]'
check "$mode forwarding ran" 'grep -q "$mode packet forwarding" "$log"'
for p in 0 1; do
	rx=$(dt_fwd_stat "$log" $p RX-packets)
	tx=$(dt_fwd_stat "$log" $p TX-packets)
	echo "port $p forwarded: RX-packets $rx TX-packets $tx"
	check "port $p received over the wire" '[ "$rx" -ge 10000 ]'
	check "port $p sent" '[ "$tx" -ge 10000 ]'
	check "port $p closed" 'grep -q "Port $p is closed" "$log"'
	if [ "$mode" = csum ]; then
		badip=$(dt_fwd_stat "$log" $p Bad-ipcsum)
		badl4=$(dt_fwd_stat "$log" $p Bad-l4csum)
		echo "port $p: Bad-ipcsum $badip Bad-l4csum $badl4"
		check "port $p: no bad IPv4 checksum" '[ "$badip" -eq 0 ]'
		check "port $p: no bad L4 checksum" '[ "$badl4" -eq 0 ]'
	fi
done
check "no driver error logged" '! grep -E "mana.*(cannot|invalid|not supported)" "$log"'
check "no csum command refused" '! grep -qiE "not supported|bad arguments" "$log"'
if [ $fails -ne 0 ]; then
	echo "---- testpmd log (tail) ----"
	tail -n 60 "$log"
	exit 1
fi
