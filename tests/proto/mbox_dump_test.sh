#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mbox_dump_test.sh DUMP SEGMENT: mbox_dump prints a valid segment (exit 0,
# ports and resets listed) and refuses a truncated, a foreign and a missing
# one with a message (exit 1), never a crash.
set -uo pipefail
dump=$1 seg=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail=0

out=$("$dump" "$seg") || { echo "valid segment: exit $?"; fail=1; }
for want in "version 1.0" "port 1: pci 7870:00:01.0 ibdev mana_1" "reset 2: active"; do
	grep -qF "$want" <<<"$out" || { echo "missing '$want' in:"; echo "$out"; fail=1; }
done

head -c 1000 "$seg" >"$tmp/short"
head -c 5000 /dev/urandom >"$tmp/random"
for bad in "$tmp/short" "$tmp/random" "$tmp/missing"; do
	"$dump" "$bad" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne 1 ] || ! grep -q "mbox_dump: " "$tmp/out"; then
		echo "$bad: exit $rc, output: $(cat "$tmp/out")"
		fail=1
	fi
	cat "$tmp/out"
done
"$dump" >/dev/null 2>&1
[ $? -eq 2 ] || { echo "no argument: exit status is not 2"; fail=1; }
exit "$fail"
