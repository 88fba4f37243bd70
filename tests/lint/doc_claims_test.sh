#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Comments and docs that said what the code does not do (issue 10, defect 7):
# each claim below was in the tree, and was false. A lint of the source tree
# (it follows its own runfiles link back to the sources): it fails when a
# false claim comes back.
set -uo pipefail
root=$(dirname "$(dirname "$(dirname "$(realpath "$0")")")")
[ -f "$root/WORKSPACE" ] || { echo "FAIL: no WORKSPACE at $root"; exit 1; }
cd "$root"
fails=0

# claim FILE REGEX WHY: REGEX must not match FILE.
claim() {
	local file=$1 re=$2 why=$3
	[ -f "$file" ] || { echo "FAIL: $file is gone: update this check"; fails=$((fails + 1)); return; }
	if grep -nE "$re" "$file"; then
		echo "FAIL: $file: $why"
		fails=$((fails + 1))
	else
		echo "ok: $file: no claim that $why"
	fi
}

# proto/: mbox_next may wait (an attach up to 1 s); the PMD runs it on its
# own mailbox thread, never the EAL interrupt thread (pmd/README.md).
claim proto/mbox.h 'e\.g\.,? the EAL interrupt thread' \
	"mbox_next may run on the EAL interrupt thread"
claim proto/README.md "e\.g\.,? the EAL interrupt thread|EAL interrupt thread's epoll, or any loop" \
	"mbox_next may run on the EAL interrupt thread"
# pmd/: a second backend on rdma-core does not exist until pmd/verbs/ does.
if [ ! -d pmd/verbs ]; then
	claim pmd/mana_hw.h 'Two backends implement it' "an rdma-core backend implements mana_hw.h"
	claim pmd/mana_hwq.h 'rdma-core backend translates' \
		"an rdma-core backend translates the queue formats"
fi
[ "$fails" -eq 0 ] && echo "ok: no false claim" || echo "FAIL: $fails false claim(s)"
[ "$fails" -eq 0 ]
