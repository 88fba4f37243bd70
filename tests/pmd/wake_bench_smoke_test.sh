#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# wake_bench_smoke_test.sh BENCH: run the benchmark with tiny counts so it
# cannot rot; its numbers are not checked (see wake_bench.c), only that every
# reset recovered and forwarded, every wait of the ctrl port ended on ctrl's
# word (the benchmark's exit status), and the table has its rows.
set -euo pipefail
# The device down 1 s: longer than a sanitizer runtime's teardown on a loaded
# machine, so that the driver waits for it (else it takes the device at its
# first probe, and the ctrl port's wait is not ctrl's).
rc=0
out=$("$1" --smoke --poll-ms 20 --recovery-ms 1000) || rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: wake_bench exited $rc" >&2; exit 1; }
for row in 'baseline: fixed poll every 20 ms' "ctrl's HW_BACK (poll every 5000 ms)" \
	'of which HW_BACK -> end of wait_hw' 'DPDK 26.07 net/mana waits a fixed 15 s' \
	'ctrl port: waits ended by ctrl 3, poll 0, device 0, timeout 0; missed 0' 'target p99 <= 5 ms'; do
	if ! grep -qF "$row" <<<"$out"; then
		echo "FAIL: no row '$row' in the output" >&2
		exit 1
	fi
done
