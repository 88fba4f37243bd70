#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mana-ctrld's systemd unit (ctrl/ctrld/mana-ctrld.service): systemd-analyze
# verify finds nothing to say (the unit's ExecStart pointed at the built
# binary), systemd-analyze security --offline rates its exposure 1.1 or
# better, and a broken or weakened copy fails each check; the sample
# configuration beside it is valid.
set -uo pipefail
unit=$1
conf=$2
daemon=$(realpath "$3")
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. tests/ctrl/ctrl_test_lib.sh

SA=$(command -v systemd-analyze)
if [ -z "$SA" ]; then
	echo "FAIL: systemd-analyze not found (Debian's systemd package): run sudo tools/setup"
	exit 1
fi

mkdir "$tmp/good" "$tmp/broken" "$tmp/weak"
sed "s|^ExecStart=/usr/sbin/mana-ctrld |ExecStart=$daemon |" "$unit" >"$tmp/good/mana-ctrld.service"
check "ExecStart rewritten to the built binary" grep -q "^ExecStart=$daemon --config" "$tmp/good/mana-ctrld.service"

"$SA" verify "$tmp/good/mana-ctrld.service" >"$tmp/verify.out" 2>&1
check "systemd-analyze verify: exit 0" [ $? -eq 0 ]
check "systemd-analyze verify: nothing to say" [ ! -s "$tmp/verify.out" ]
cat "$tmp/verify.out"

"$SA" security --offline=true "$tmp/good/mana-ctrld.service" >"$tmp/security.out" 2>&1
check "systemd-analyze security: runs" [ $? -eq 0 ]
grep 'Overall exposure' "$tmp/security.out"
"$SA" security --offline=true --threshold=11 "$tmp/good/mana-ctrld.service" >/dev/null 2>&1
check "systemd-analyze security: exposure 1.1 or better" [ $? -eq 0 ]
check "no capability, no new privileges, a dynamic user" grep -q '✓ CapabilityBoundingSet=~CAP_SYS_ADMIN' "$tmp/security.out"

# The checks can fail: a misspelt directive, and the unit without its hardening.
sed 's/^Type=notify$/Typ=notify/' "$tmp/good/mana-ctrld.service" >"$tmp/broken/mana-ctrld.service"
out=$("$SA" verify "$tmp/broken/mana-ctrld.service" 2>&1)
check "a misspelt directive is reported" grep -q "Unknown key 'Typ' in section \[Service\]" <<<"$out"
grep -v -e '^CapabilityBoundingSet=' -e '^NoNewPrivileges=' -e '^SystemCallFilter=' \
	-e '^ProtectSystem=' -e '^RestrictAddressFamilies=' "$tmp/good/mana-ctrld.service" \
	>"$tmp/weak/mana-ctrld.service"
"$SA" security --offline=true --threshold=11 "$tmp/weak/mana-ctrld.service" >/dev/null 2>&1
check "the unit without its hardening fails the threshold" [ $? -ne 0 ]

# The sample configuration is valid as shipped.
"$daemon" --check-config --config "$conf" >/dev/null
check "mana-ctrld.conf passes --check-config" [ $? -eq 0 ]

[ "$fail" -eq 0 ] || exit 1
echo "systemd_unit_test: ok"
