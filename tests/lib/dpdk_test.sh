# SPDX-License-Identifier: BSD-3-Clause
# Helpers for tests that run stock DPDK programs with the project's PMD.
# Source it from a test script; every function fails loudly, never skips.
#
#   dt_plugin PATH        absolute path of the plugin .so (EAL refuses -d under
#                         a world-writable directory, so it is checked here)
#   dt_prefix NAME        a --file-prefix unique to this test run
#   dt_cleanup PREFIX     remove the runtime dir and hugepage files of PREFIX
#   dt_preload SO         print the LD_PRELOAD a sanitizer build of SO needs
#   dt_require_hugepages N  fail unless N free 2 MB hugepages are mounted
#   dt_testpmd PREFIX SO ARGS...  run dpdk-testpmd (--no-pci, own prefix)
#   dt_session_start LOG PREFIX SO EAL-ARGS... -- APP-ARGS...  interactive
#                         testpmd in the background, fed through a fifo;
#                         sets DT_PID (wrapper) and DT_APP_PID (testpmd)
#   dt_cmd CMD            send one command to it
#   dt_wait_count LOG REGEX N SECONDS  wait until REGEX matches N lines
#   dt_session_quit       send quit, wait (bounded); returns its exit code
#   dt_mbufs_in_use LOG NAME  from the last dump_mempool: mbufs in use
#   check DESCRIPTION COMMAND...  run it: an "ok:" or "FAIL:" line; a failure
#                         adds one to the caller's $fails
#   wait_for SECONDS COMMAND...  until it succeeds (every 50 ms), or fail
#   count REGEX FILE      lines of FILE matching the extended REGEX
#   rx_packets LOG PORT   the last RX-packets testpmd printed for PORT
#   events LOG PORT       testpmd's reset events of PORT (--print-event) in
#                         order, one letter each: R recovering, S success,
#                         F failed, X removal

dt_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

dt_plugin() {
	local so
	so=$(realpath "$1") || dt_fail "plugin $1 not found"
	[ -f "$so" ] || dt_fail "plugin $so not found"
	local d=$(dirname "$so")
	while [ "$d" != / ]; do
		if [ -n "$(find "$d" -maxdepth 0 -perm -o+w 2>/dev/null)" ]; then
			dt_fail "$so is under world-writable $d: EAL would refuse it"
		fi
		d=$(dirname "$d")
	done
	echo "$so"
}

dt_prefix() {
	echo "mana_$1_$$_$RANDOM"
}

dt_cleanup() {
	[ -n "${1:-}" ] || return 0
	rm -rf "/var/run/dpdk/$1"
	rm -f /dev/hugepages/"$1"map_* 2>/dev/null || true
}

dt_preload() {
	local libs
	libs=$(readelf -d "$1" 2>/dev/null | grep -o 'lib[at]san\.so[.0-9]*' | head -n1)
	case "$libs" in
	libasan*) gcc-12 -print-file-name=libasan.so ;;
	libtsan*) gcc-12 -print-file-name=libtsan.so ;;
	*) echo "" ;;
	esac
}

dt_require_hugepages() {
	local need=$1 free
	grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts ||
		dt_fail "hugetlbfs is not mounted on /dev/hugepages: run tools/setup"
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	[ "${free:-0}" -ge "$need" ] ||
		dt_fail "need $need free 2 MB hugepages, have ${free:-0}: run tools/setup"
}

dt_libdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

dt_testpmd() {
	local prefix=$1 so=$2 preload
	shift 2
	preload=$(dt_preload "$so")
	command -v dpdk-testpmd >/dev/null || dt_fail "dpdk-testpmd not installed: run tools/setup"
	# Sanitizer builds of the plugin need their runtime first in the
	# uninstrumented testpmd; testpmd's own leaks are not ours to report.
	# stdbuf: line-buffered output, so a test sees each answer as it comes
	# (stdbuf keeps an existing LD_PRELOAD first).
	LD_PRELOAD="$preload" ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		TSAN_OPTIONS="${TSAN_OPTIONS:-}:suppressions=$dt_libdir/tsan.supp" \
		timeout -s INT -k 10 "${DT_TIMEOUT:-60}" \
		stdbuf -oL dpdk-testpmd -l 0-1 -n 1 --no-pci --file-prefix "$prefix" -m 256 \
		--no-telemetry -d "$so" "$@"
}

# Print the value of "FIELD: N" in the block of testpmd's forward statistics
# for port PORT (the last such block of LOG).
dt_fwd_stat() {
	local log=$1 port=$2 field=$3
	awk -v port="$port" -v field="$field:" '
		/Forward statistics for port/ {
			for (i = 1; i < NF; i++) if ($i == "port") n = $(i + 1)
			inblk = (n == port)
		}
		/Accumulated forward statistics/ { inblk = 0 }
		inblk { for (i = 1; i < NF; i++) if ($i == field) v = $(i + 1) }
		END { print (v == "" ? -1 : v) }' "$log"
}

dt_session_start() {
	local log=$1 prefix=$2 so=$3
	shift 3
	DT_FIFO=$(mktemp -u "${TEST_TMPDIR:-/tmp}/dt_fifo.XXXXXX")
	mkfifo "$DT_FIFO" || dt_fail "cannot create $DT_FIFO"
	dt_testpmd "$prefix" "$so" "$@" -i <"$DT_FIFO" >"$log" 2>&1 &
	DT_PID=$!
	exec 7>"$DT_FIFO"
	# The pid of testpmd itself, not of the shell or timeout around it.
	local i
	for i in $(seq 100); do
		DT_APP_PID=$(pgrep -f "^dpdk-testpmd .*--file-prefix $prefix( |$)" | head -n1)
		[ -n "$DT_APP_PID" ] && break
		sleep 0.05
	done
	[ -n "$DT_APP_PID" ] || dt_fail "testpmd did not start"
}

dt_cmd() {
	echo "$1" >&7
}

dt_wait_count() {
	local log=$1 re=$2 n=$3 secs=$4 end
	end=$(($(date +%s) + secs))
	while [ "$(grep -Ec "$re" "$log")" -lt "$n" ]; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		kill -0 "$DT_PID" 2>/dev/null || return 1
		sleep 0.1
	done
}

dt_session_quit() {
	local rc
	dt_cmd "quit"
	exec 7>&-
	wait "$DT_PID"
	rc=$?
	rm -f "$DT_FIFO"
	return $rc
}

dt_mbufs_in_use() {
	awk -v pool="<$2>" '
		/^mempool </ { mine = index($0, pool) == 9 }
		mine && /^  size=/ { split($0, a, "="); size = a[2] }
		mine && /total_cache_count=/ { split($0, a, "="); cached = a[2] }
		mine && /common_pool_count=/ { split($0, a, "="); common = a[2] }
		END { print size - cached - common }' "$1"
}

check() {
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

wait_for() {
	local n=$(($1 * 20))
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.05; done
	return 1
}

count() { grep -Ec "$1" "$2"; }

rx_packets() {
	# testpmd echoes queued commands into its output: match, do not count
	# fields.
	awk -v port="$2" '
		match($0, /NIC statistics for port [0-9]+/) {
			n = split(substr($0, RSTART, RLENGTH), a, " ")
			p = a[n]
		}
		match($0, /RX-packets: *[0-9]+/) && p == port {
			n = split(substr($0, RSTART, RLENGTH), a, " ")
			v = a[n]
		}
		END { print v + 0 }' "$1"
}

events() {
	grep -Eo "Port $2: (error recovering|error recovery successful|error recovery failed|device removal) event" "$1" |
		sed -e 's/.*error recovering.*/R/' -e 's/.*successful.*/S/' \
			-e 's/.*failed.*/F/' -e 's/.*removal.*/X/' | tr -d '\n'
}
