#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Stock dpdk-testpmd loads the PMD, forwards between two simulated MANA ports
# joined by the simulated wire, and exits cleanly.
set -uo pipefail
. tests/lib/dpdk_test.sh

so=$(dt_plugin "$1")
prefix=$(dt_prefix fwd)
trap 'dt_cleanup "$prefix"' EXIT
dt_require_hugepages 128
log=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}/testpmd.log

{
	echo "start tx_first"
	sleep 3
	echo "show port stats all"
	echo "stop"
	sleep 1
	echo "quit"
} | dt_testpmd "$prefix" "$so" --vdev=net_mana_sim0 --vdev=net_mana_sim1 \
	-- -i --total-num-mbufs=4096 --forward-mode=io >"$log" 2>&1
rc=$?
echo "testpmd exit code $rc; log: $log"

fails=0
check() {
	if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}
check "testpmd exits 0" '[ $rc -eq 0 ]'
check "testpmd says Bye" 'grep -q "^Bye\.\.\." "$log"'
check "two net_mana_sim ports probed" '[ $(grep -c "Port [01]: 02:15:5D" "$log") -eq 2 ]'
for p in 0 1; do
	rx=$(dt_fwd_stat "$log" $p RX-packets)
	tx=$(dt_fwd_stat "$log" $p TX-packets)
	echo "port $p forwarded: RX-packets $rx TX-packets $tx"
	check "port $p received over the wire" '[ "$rx" -ge 10000 ]'
	check "port $p sent" '[ "$tx" -ge 10000 ]'
	check "port $p closed" 'grep -q "Port $p is closed" "$log"'
done
check "no driver error logged" '! grep -E "mana.*(cannot|invalid|not supported)" "$log"'
if [ $fails -ne 0 ]; then
	echo "---- testpmd log (tail) ----"
	tail -n 60 "$log"
	exit 1
fi
