#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Smoke test of the benchmark (not a timed test: it checks that both parts
# run and print their figures, never the figures themselves).
set -euo pipefail
bench=$1 daemon=$2

out=$("$bench" decode 0.2)
echo "$out"
grep -q "msgs/s" <<<"$out"
[ "$(grep -c 'msgs/s  (' <<<"$out")" -eq 4 ]

out=$("$bench" idle "$daemon" 1 --rdma off --devlink off --log-format kv 2>/dev/null)
echo "$out"
grep -q "wakeups/min" <<<"$out"
grep -q "^idle RSS [0-9]* KiB" <<<"$out"
grep -q "daemon exit on SIGTERM: 0" <<<"$out"
echo "ctrld_bench_smoke_test: ok"
