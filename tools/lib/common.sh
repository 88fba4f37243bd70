# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Shared by tools/setup, tools/relock and tools/test. Source it; it sets
# REPO_ROOT, LOCK, DISTDIR and defines the helpers below. No side effects.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOCK=$REPO_ROOT/third_party/sysroot/debs.lock
# shellcheck disable=SC2034 # used by the scripts that source this file
DISTDIR=$REPO_ROOT/third_party/distdir

ok() { printf 'ok: %s\n' "$*"; }
did() { printf 'did: %s\n' "$*"; }
warn() { printf 'warn: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# lock_entries: print "name version sha256 pool_path" for every lock line,
# comments and blank lines dropped. Source entries are named "src:<package>".
lock_entries() {
	[ -r "$LOCK" ] || die "$LOCK is missing: run tools/relock"
	awk '!/^[[:space:]]*(#|$)/ { print $1, $2, $3, $4 }' "$LOCK"
}

# lock_debs / lock_sources: the binary (.deb) and source entries only.
lock_debs() { lock_entries | awk '$1 !~ /^src:/'; }
lock_sources() { lock_entries | awk '$1 ~ /^src:/'; }

# locked_vs_installed: "name locked_version ok|drift [installed versions]"
# for every locked binary package ("drift" and nothing after it when the
# package is not installed).
locked_vs_installed() {
	local names
	names=$(lock_debs | awk '{ print $1 }')
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	{
		lock_debs
		echo "--"
		dpkg-query -W -f '${db:Status-Abbrev}|${Package}|${Version}\n' $names 2>/dev/null || true
	} | awk '
		$0 == "--" { inst = 1; next }
		!inst { want[$1] = $2; order[++n] = $1; next }
		{
			split($0, f, "|")
			if (f[1] ~ /^ii/) have[f[2]] = have[f[2]] " " f[3]
		}
		END {
			for (i = 1; i <= n; i++) {
				p = order[i]
				state = index(have[p] " ", " " want[p] " ") ? "ok" : "drift"
				print p, want[p], state have[p]
			}
		}'
}

# host_version_problems [HINT]: one line per locked binary package that is
# not installed at its locked version, ending in ": HINT". Empty = no drift.
# The same check runs in third_party/sysroot/lock.bzl when Bazel fetches.
host_version_problems() {
	local hint=${1:-run tools/setup, or re-pin with tools/relock}
	locked_vs_installed | awk -v lock="third_party/sysroot/debs.lock" -v hint="$hint" '
		$3 != "drift" { next }
		NF == 3 { printf "%s is not installed (%s pins %s): %s\n", $1, lock, $2, hint; next }
		{
			have = $4
			for (i = 5; i <= NF; i++) have = have " " $i
			printf "installed %s %s differs from %s %s: %s\n", $1, have, lock, $2, hint
		}'
}

# debian_archive_uri: the Debian archive URI of this machine's apt
# configuration (the source that carries the release's main suite), with a
# trailing slash. Read from deb822 .sources files or from sources.list.
debian_archive_uri() {
	local codename uri
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot tell the Debian release from /etc/os-release"
	uri=$(awk -v suite="$codename" '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uris != "" && !found) {
				split(uris, u, " "); print u[1]; found = 1
			}
			types = suites = uris = ""
		}
		/^[[:space:]]*$/ { flush(); next }
		/^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
		/^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
		/^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $0 }
		END { flush() }' /etc/apt/sources.list.d/*.sources 2>/dev/null)
	if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
		uri=$(awk -v suite="$codename" '
			$1 == "deb" {
				sub(/\[[^]]*\][[:space:]]*/, "")
				if ($3 == suite) { print $2; exit }
			}' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || die "no 'deb' source for suite $codename in /etc/apt/sources.list{,.d/*.sources}: configure apt first"
	printf '%s/\n' "${uri%/}"
}

# with_private_src_apt FN ARGS...: run FN in a private apt state that has only
# a deb-src line for this machine's archive (the system's apt state is left
# alone). FN receives the apt-get/apt-cache options in the array APT_OPTS.
with_private_src_apt() {
	local fn=$1 dir codename keyring rc
	shift
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -r "$keyring" ] || die "$keyring is missing: apt-get install debian-archive-keyring"
	dir=$(mktemp -d "${TMPDIR:-/tmp}/mana-apt-src.XXXXXX")
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	printf 'deb-src [signed-by=%s] %s %s main\n' "$keyring" "$(debian_archive_uri)" "$codename" \
		>"$dir/sources.list"
	APT_OPTS=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o Debug::NoLocking=1
		-o APT::Sandbox::User=root)
	rc=0
	if apt-get -qq "${APT_OPTS[@]}" update; then
		"$fn" "$dir" "$@" || rc=$?
	else
		rc=$?
		warn "apt-get update of the private deb-src state failed"
	fi
	rm -rf "$dir"
	return "$rc"
}

# setup_needed: a cheap look at what tools/setup provides (true: run it).
setup_needed() {
	local tool path kernel
	for tool in bazel gcc-12 dpkg-deb tar xz qemu-system-x86_64 cpio promtool systemd-analyze; do
		command -v "$tool" >/dev/null || return 0
	done
	# Python modules the tests use (tools/setup's host packages).
	/usr/bin/python3 -c 'import docutils' 2>/dev/null || return 0
	for kernel in 6.1 6.12; do
		[ -f "${MANA_KERNEL_CACHE:-/var/cache/mana-reset/kernel}/$kernel/MANIFEST" ] || return 0
	done
	while read -r _ _ _ path; do
		[ -f "$DISTDIR/${path##*/}" ] || return 0
	done < <(lock_entries)
	locked_vs_installed | awk '$3 == "drift" { d = 1 } END { exit !d }' && return 0
	mountpoint -q /dev/hugepages && [ -d /var/run/dpdk ] || return 0
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 1024 ] || return 0
	return 1
}
