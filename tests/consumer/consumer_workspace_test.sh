#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# consumer_workspace_test: an integrator's workspace (tests/consumer/workspace)
# pulls this repository in as @mana_reset and builds, offline, a DPDK
# application on the driver and a tool on the mailbox and the netlink
# decoders; both run. Then the lint: the public targets of this repository
# are exactly the @mana_reset targets that workspace uses.
#
# A nested Bazel, with its own output user root under TEST_TMPDIR (a cold
# build, as a new integrator's), --distdir third_party/distdir and downloads
# disabled. It reads the source tree, not its declared inputs: tagged
# external (never cached) and local (Bazel inside Bazel's sandbox cannot).
set -euo pipefail

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

[ -n "${TEST_TMPDIR:-}" ] || fail "run me with bazel test //tests/consumer:consumer_workspace_test"
# The runfiles link leads back to the source tree.
self=$(realpath "$0")
root=$(cd "$(dirname "$self")/../.." && pwd)
ws=$root/tests/consumer/workspace
for f in "$root/WORKSPACE" "$ws/WORKSPACE"; do
	[ -f "$f" ] || fail "no source tree at $root: $f is missing"
done
command -v bazel >/dev/null || fail "bazel not installed: run tools/setup"
# shellcheck source=tests/lib/dpdk_test.sh
source "$(dirname "$self")/../lib/dpdk_test.sh"

ubase=$TEST_TMPDIR/bazel
work=$TEST_TMPDIR/work
mkdir -p "$ubase" "$work"
prefix=$(dt_prefix consumer)
start=$SECONDS

# nested_bazel DIR ARGS...: Bazel in workspace DIR, its server kept for the
# next call (shut down on exit); no user's ~/.bazelrc.
nested_bazel() {
	local dir=$1
	shift
	(cd "$dir" && bazel --nohome_rc --output_user_root="$ubase" --max_idle_secs=300 "$@")
}

cleanup() {
	nested_bazel "$ws" shutdown >/dev/null 2>&1 || true
	nested_bazel "$root" shutdown >/dev/null 2>&1 || true
	dt_cleanup "$prefix"
	[ -z "${mbox_dir:-}" ] || rm -rf "$mbox_dir"
}
trap cleanup EXIT

# Offline: every pinned input from the distdir, any download an error.
qflags=(--distdir="$root/third_party/distdir" --experimental_repository_disable_download)
# No convenience symlinks: the workspace is in the source tree.
flags=("${qflags[@]}" --symlink_prefix=/ --color=no --curses=no --show_progress_rate_limit=60)

echo "== build (a cold nested Bazel, output user root $ubase)"
nested_bazel "$ws" build "${flags[@]}" //:reset_watch //:rdma_ports ||
	fail "the consumer workspace does not build (log above)"
echo "== built in $((SECONDS - start)) s"
# What `bazel run` would run, as scripts (the binary in its runfiles, with
# the BUILD file's args), so that no Bazel client waits around them.
for t in reset_watch rdma_ports; do
	nested_bazel "$ws" run "${flags[@]}" --script_path="$work/$t" //:$t 2>"$work/run.log" ||
		{ cat "$work/run.log"; fail "bazel run --script_path of //:$t failed"; }
done

echo "== reset_watch: two net_mana_sim ports, one service event"
log=$work/reset_watch.log
rc=0
timeout -s INT -k 10 60 "$work/reset_watch" --file-prefix "$prefix" -- --seconds 3 \
	>"$log" 2>&1 || rc=$?
cat "$log"
[ "$rc" -eq 0 ] || fail "reset_watch exited with $rc"
grep -q '^reset_watch: events ERR_RECOVERING 1 RECOVERY_SUCCESS 1 RECOVERY_FAILED 0$' "$log" ||
	fail "reset_watch did not see exactly one reset that recovered"
grep -q '^reset_watch: ok: ' "$log" || fail "reset_watch did not say ok"

echo "== rdma_ports: publish a recorded RDMA device, show the mailbox"
# The socket's path must fit sun_path: not under TEST_TMPDIR.
mbox_dir=$(mktemp -d /tmp/mana_consumer.XXXXXX)
"$work/rdma_ports" publish "$mbox_dir/mbox" "$mbox_dir/mbox.sock" 0000:00:05.0 \
	"$ws/rxe0_dump.nl" || fail "rdma_ports publish failed"
"$work/rdma_ports" show "$mbox_dir/mbox" | tee "$work/show.log" || fail "rdma_ports show failed"
want='^port 0: pci 0000:00:05.0 ibdev rxe0 node_guid 0x[0-9a-f]\{16\} netdev eth0 ifindex 4'
grep -q "$want hw up pmd none resets 0\$" "$work/show.log" ||
	fail "rdma_ports show does not list rxe0 (eth0, ifindex 4) as port 0"
# Bad input: a clear error and a non-zero exit, no crash.
rc=0
"$work/rdma_ports" show "$work/nonexistent" 2>"$work/bad.log" || rc=$?
cat "$work/bad.log"
if [ "$rc" -ne 1 ] || ! grep -q '^rdma_ports: ' "$work/bad.log"; then
	fail "rdma_ports show of a missing segment: exit $rc, want 1 and a message"
fi

echo "== lint: the public targets are exactly the ones the example uses"
# Used: what the consumer's targets name directly in @mana_reset.
nested_bazel "$ws" query "${qflags[@]}" 'deps(//:all, 1) - //:all' \
	>"$work/deps.txt" 2>"$work/query.log" ||
	{ cat "$work/query.log"; fail "query of the consumer's deps failed"; }
grep '^@mana_reset//' "$work/deps.txt" | sed 's/^@mana_reset//' | sort -u >"$work/used.txt"
[ -s "$work/used.txt" ] || fail "the consumer uses no @mana_reset target"
# Public: rules (attr sees package default_visibility) and files (exports),
# in this repository's packages: //:* and //DIR/...:* for each top folder
# with a BUILD file. Not //...: this Bazel's output base is not the one the
# bazel-<name> links of the tree lead to, so it would load packages through
# them.
pattern='//:*'
while read -r d; do
	[ -n "$(find "$d" \( -name BUILD -o -name BUILD.bazel \) -print -quit)" ] || continue
	pattern="$pattern + //${d##*/}/...:*"
done < <(find "$root" -mindepth 1 -maxdepth 1 -type d -not -name .git -not -name 'bazel-*' | sort)
nested_bazel "$root" query "${qflags[@]}" "attr(visibility, \"//visibility:public\", $pattern)" \
	>"$work/public_rules.txt" 2>"$work/query.log" ||
	{ cat "$work/query.log"; fail "query of the public rules failed"; }
nested_bazel "$root" query "${qflags[@]}" --output=xml "$pattern" \
	>"$work/all.xml" 2>"$work/query.log" ||
	{ cat "$work/query.log"; fail "query of every target failed"; }
/usr/bin/python3 - "$work/all.xml" >"$work/public_files.txt" <<'EOF'
import sys
import xml.etree.ElementTree as ET
for e in ET.parse(sys.argv[1]).getroot():
    if e.tag == 'source-file' and any(v.get('name') == '//visibility:public'
                                      for v in e.findall('visibility-label')):
        print(e.get('name'))
EOF
sort -u "$work/public_rules.txt" "$work/public_files.txt" >"$work/public.txt"
echo "public targets of this repository:"
sed 's/^/  /' "$work/public.txt"
problems=0
while read -r t; do
	echo "FAIL: $t is public, but tests/consumer/workspace does not use it:" \
		"make it private (e.g. visible to //tests:__subpackages__), or use it there" >&2
	problems=$((problems + 1))
done < <(comm -23 "$work/public.txt" "$work/used.txt")
while read -r t; do
	echo "FAIL: tests/consumer/workspace uses $t, which is not public" >&2
	problems=$((problems + 1))
done < <(comm -13 "$work/public.txt" "$work/used.txt")
# The nested workspace and the stand-ins are not packages of this one.
nested='"//(tests/consumer/workspace|third_party/bazel_stubs)[/:]'
if grep -E "$nested" "$work/all.xml" | head -n 3 | grep .; then
	echo "FAIL: //... descends into a nested workspace: list it in .bazelignore" >&2
	problems=$((problems + 1))
fi
[ "$problems" -eq 0 ] || fail "$problems visibility problem(s)"
echo "ok: $(wc -l <"$work/public.txt") public targets, each used by the example" \
	"($((SECONDS - start)) s)"
