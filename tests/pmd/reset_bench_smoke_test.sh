#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# reset_bench_smoke_test.sh BENCH: run the benchmark with tiny counts so it
# cannot rot; its numbers are not checked (see reset_bench.c), only that every
# section ran and the table has its rows.
set -euo pipefail
out=$("$1" --smoke)
printf '%s\n' "$out"
for row in '(a) no guard' '(b) ours, ASYM' '(c) CAS + fetch_and' '(d) rte_rcu_qsbr' \
	'ASYM: close+wait, 2 busy pollers' 'FENCED: close+wait, 2 busy pollers' \
	'idle port: software overhead' 'poller on CPU 0: software overhead' \
	'poller on CPU 1: software overhead' \
	'secondary process polling on CPU 1: software overhead' \
	'secondary process polling on CPU 1: IPC round trip'; do
	if ! grep -qF "$row" <<<"$out"; then
		echo "FAIL: no row '$row' in the table" >&2
		exit 1
	fi
done
