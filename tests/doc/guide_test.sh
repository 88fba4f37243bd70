#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The driver's guide matches the driver (issue 12, deliverable 5): runs
# guide_check.py over the source tree, which must pass; then over copies of
# the guide with one thing broken, each of which must fail with its message:
# a common devarg's item removed, a net_mana_sim devarg's item removed (the
# net_mana section's item of the same key must not stand in for it), an
# xstat's row removed, a section title's underline cut short.
#
#   guide_test.sh GUIDE      GUIDE: pmd/doc/mana.rst (runfiles path)
set -uo pipefail
check=$(realpath "$(dirname "$0")/guide_check.py")
guide=$(realpath "$1")
root=$(dirname "$(dirname "$(dirname "$guide")")")
[ -f "$root/WORKSPACE" ] || { echo "FAIL: no WORKSPACE at $root"; exit 1; }
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0

echo "== the guide of the tree"
if ! /usr/bin/python3 "$check" "$root"; then
	fails=$((fails + 1))
fi

# broken NAME WANT: the check over $tmp/NAME.rst must fail and print WANT.
broken() {
	local name=$1 want=$2 out
	echo "== must fail: $name"
	if cmp -s "$guide" "$tmp/$name.rst"; then
		echo "FAIL: $name: the copy is unchanged: update this test"
		fails=$((fails + 1))
		return
	fi
	out=$(/usr/bin/python3 "$check" --rst "$tmp/$name.rst" "$root")
	if [ $? -eq 0 ]; then
		echo "$out"
		echo "FAIL: $name: the check passed"
		fails=$((fails + 1))
	elif ! grep -qF -- "$want" <<<"$out"; then
		echo "$out"
		echo "FAIL: $name: the check failed without saying: $want"
		fails=$((fails + 1))
	else
		grep -F -- "$want" <<<"$out"
		echo "ok: $name fails"
	fi
}

# drop_item KEY: the guide without its first list item headed ``KEY=...``
# (the item's head at column 0, its body indented, up to the next line at
# column 0).
drop_item() {
	awk -v head="- \`\`$1=" '
		skip && /^[^ \t]/ { skip = 0 }
		!done && index($0, head) == 1 { skip = 1; done = 1 }
		!skip' "$guide"
}

drop_item hw_poll_ms >"$tmp/no_hw_poll_ms.rst"
broken no_hw_poll_ms "devarg hw_poll_ms (MANA_DEVARGS_COMMON_PARAMS) is not documented"

drop_item mac >"$tmp/no_sim_mac.rst"
broken no_sim_mac "devarg mac of net_mana_sim (pmd/sim/sim_vdev.c) is not documented"

grep -v '^``mr_registered``' "$guide" >"$tmp/no_mr_registered.rst"
broken no_mr_registered "xstat mr_registered (pmd/mana_observe.c) is not documented"

awk 'prev == "Multi-process" && /^-+$/ { $0 = "------" } { print; prev = $0 }' \
	"$guide" >"$tmp/short_underline.rst"
broken short_underline "Title underline too short"

if [ "$fails" -ne 0 ]; then
	echo "FAIL: $fails check(s)"
	exit 1
fi
echo "ok: the guide matches the driver, and the check bites"
