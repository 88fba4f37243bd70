#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mbox_bench_smoke_test.sh BENCH: run the benchmark briefly so it cannot
# rot; its numbers are not checked (see mbox_bench.c).
set -euo pipefail
"$1" --samples 20 --gap-us 100
