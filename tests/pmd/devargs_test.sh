#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Wrong devargs make probing fail with a message that names the problem.
# (testpmd itself then runs on with no port and exits 0: EAL reports the failed
# probe, so that is what is checked, with the message.)
set -uo pipefail
. tests/lib/dpdk_test.sh

so=$(dt_plugin "$1")
dt_require_hugepages 64
out=${TEST_TMPDIR:-/tmp}
fails=0

# expect_reject DEVARGS MESSAGE-REGEX
expect_reject() {
	local args=$1 want=$2 prefix log rc
	prefix=$(dt_prefix devargs)
	log="$out/$prefix.log"
	DT_TIMEOUT=30 dt_testpmd "$prefix" "$so" --vdev="$args" -- --total-num-mbufs=2048 \
		</dev/null >"$log" 2>&1
	rc=$?
	dt_cleanup "$prefix"
	if grep -q "failed to initialize net_mana_sim0 device" "$log" &&
		grep -q "No probed ethernet devices" "$log" && grep -Eq "$want" "$log"; then
		echo "ok: '$args' rejected: $(grep -Em1 "$want" "$log")"
	else
		echo "FAIL: '$args': exit $rc, expected a failed probe and /$want/"
		tail -n 20 "$log"
		fails=$((fails + 1))
	fi
}

expect_reject "net_mana_sim0,bogus=1" "cannot parse devargs 'bogus=1'; valid keys: peer, mac"
expect_reject "net_mana_sim0,mac=zz:00" "mac='zz:00' is not a unicast MAC address"
expect_reject "net_mana_sim0,mac=01:00:5e:00:00:01" "mac='01:00:5e:00:00:01' is not a unicast MAC"
expect_reject "net_mana_sim0,peer=" "peer=<vdev name> needs a name"
expect_reject "net_mana_sim0,mbox=" "mbox=<control daemon socket path> needs 1 to 107 characters"
expect_reject "net_mana_sim0,mbox_port=7870:00:00.0" "mbox_port=<id> needs mbox=<control daemon socket path>"
expect_reject "net_mana_sim0,hw_poll_ms=0" "hw_poll_ms='0' must be a whole number from 1 to 60000"

# A valid set is accepted: a lone device with its own MAC loops back. A
# mailbox nobody serves is not an error: the port runs without it (warning).
prefix=$(dt_prefix devargs)
log="$out/$prefix.log"
{ echo "show port info 0"; echo "quit"; } |
	DT_TIMEOUT=30 dt_testpmd "$prefix" "$so" \
	--vdev="net_mana_sim7,mac=02:aa:bb:cc:dd:ee,mbox=/nonexistent/mana.sock" \
	--log-level=pmd.net.mana.sim:info -- -i --total-num-mbufs=2048 >"$log" 2>&1
rc=$?
dt_cleanup "$prefix"
if [ $rc -eq 0 ] && grep -q "MAC address: 02:AA:BB:CC:DD:EE" "$log" &&
	grep -q "net_mana_sim7: simulated MANA device up, peer net_mana_sim6" "$log" &&
	grep -q "no control daemon at /nonexistent/mana.sock.*running without the control daemon" "$log"; then
	echo "ok: valid devargs accepted, MAC applied, missing mailbox a warning"
else
	echo "FAIL: valid devargs: exit $rc"
	tail -n 30 "$log"
	fails=$((fails + 1))
fi
[ $fails -eq 0 ]
