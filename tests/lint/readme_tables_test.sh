#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every folder's README file table matches the folder (issue 10): runs
# readme_tables_check.py over every README.md of the source tree (not
# third_party/, not Bazel's output links). A lint of the tree: it follows its
# own runfiles link back to the sources, which is where the folders are.
set -euo pipefail
check=$(realpath "$(dirname "$0")/readme_tables_check.py")
root=$(dirname "$(dirname "$(dirname "$check")")")
[ -f "$root/WORKSPACE" ] || { echo "FAIL: no WORKSPACE at $root"; exit 1; }
mapfile -t readmes < <(cd "$root" && find . -name README.md -not -path './README.md' \
	-not -path './third_party/*' -not -path './bazel-*' -not -path './.git/*' | sort)
[ "${#readmes[@]}" -ge 20 ] || { echo "FAIL: only ${#readmes[@]} READMEs found under $root"; exit 1; }
cd "$root"
exec /usr/bin/python3 "$check" "${readmes[@]}"
