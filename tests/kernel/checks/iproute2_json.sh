#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vm_test --check hook: every `devlink -j` and `rdma -j dev|link` output of
# the scenario is one valid JSON document (the reference a new CLI's JSON is
# compared with). Not `rdma -j sys`: iproute2 6.1 prints text there.
# Usage: iproute2_json.sh SERIES OUTDIR
set -euo pipefail
series=$1 out=$2
bad=0 n=0
for f in "$out"/dl_*_j.out "$out"/dl_*_jp.out "$out"/rdma_dev_j*.out "$out"/rdma_link_j.out; do
	n=$((n + 1))
	if ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$f" 2>/dev/null; then
		echo "iproute2_json [$series]: $(basename "$f") is not valid JSON: $(head -c 200 "$f")"
		bad=$((bad + 1))
	fi
done
[ "$n" -gt 20 ] || { echo "iproute2_json [$series]: only $n JSON outputs found"; exit 1; }
echo "iproute2_json [$series]: $n JSON outputs, $bad invalid"
[ "$bad" -eq 0 ]
