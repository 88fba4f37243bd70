#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# fuzz_run.sh FUZZER SECONDS MAX_LEN [SEED...]: run a libFuzzer binary for a
# bounded time on a scratch copy of the seed corpus (mana_fuzz_test in
# fuzz.bzl). Prints libFuzzer's progress lines and one "fuzz summary:" line
# with its figures; fails, with the tail of the log, when libFuzzer does
# (a crash, a sanitizer report, a timeout or an OOM of one input).
set -uo pipefail

fuzzer=$1 seconds=$2 max_len=$3
shift 3
tmp=${TEST_TMPDIR:-$(mktemp -d)}
out=${TEST_UNDECLARED_OUTPUTS_DIR:-$tmp}
corpus=$tmp/corpus
log=$out/fuzz.log
mkdir -p "$corpus" "$out"
for seed in "$@"; do
	cp "$seed" "$corpus/"
done

"$fuzzer" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" \
	"$corpus" >"$log" 2>&1
rc=$?

# The progress lines (INITED, pulse, DONE), not every NEW input.
grep -E '^#[0-9]+[[:space:]]+(INITED|pulse|DONE)|^stat::|^Done ' "$log"
if [ "$rc" -ne 0 ]; then
	echo "fuzz_run: $fuzzer exited with $rc; the end of its log:"
	tail -n 60 "$log"
	exit 1
fi
awk -v secs="$seconds" '
	/^#[0-9]+[[:space:]]+DONE/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "cov:") cov = $(i + 1)
			if ($i == "ft:") ft = $(i + 1)
			if ($i == "corp:") corp = $(i + 1)
		}
	}
	/^INFO: Loaded [0-9]+ modules/ {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^\(/) { n = $i; gsub(/\(/, "", n); edges += n }
	}
	/^stat::number_of_executed_units:/ { execs = $2 }
	/^stat::average_exec_per_sec:/ { rate = $2 }
	END {
		if (execs == "") { print "fuzz_run: no final stats"; exit 1 }
		printf "fuzz summary: %s executions in %s s (%s/s), cov %s of %d instrumented edges, ft %s, corpus %s\n",
			execs, secs, rate, cov, edges, ft, corp
	}' "$log"
