#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# null_lint_check.sh REPORT WANT [LINE...]: the report of tools/lint/null_lint.py
# has WANT findings, at the given file:line places when given.
set -uo pipefail
report=$1 want=$2
shift 2
cat "$report"
got=$(sed -n 's/^\([0-9]*\) finding(s) in \([0-9]*\) file(s)$/\1/p' "$report")
files=$(sed -n 's/^\([0-9]*\) finding(s) in \([0-9]*\) file(s)$/\2/p' "$report")
if [ -z "$got" ] || [ "${files:-0}" -eq 0 ]; then
	echo "FAIL: the report has no summary, or no file was checked"
	exit 1
fi
fails=0
if [ "$got" -ne "$want" ]; then
	echo "FAIL: $got finding(s), want $want"
	fails=1
fi
for place in "$@"; do
	grep -q "^$place:" "$report" || { echo "FAIL: nothing reported at $place"; fails=1; }
done
[ $fails -eq 0 ] && echo "ok: $got finding(s) in $files file(s), as wanted"
exit $fails
