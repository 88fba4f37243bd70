#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/kernel/pmd_vm_test.sh --plugin SO --monostamp PATH --ctrld PATH
#     --manactl PATH [--kernels "S..."] [--keep DIR]
# The end to end on a real kernel: boots each kernel with run_vm (no
# default scenario) and runs e2e/*.sh there: netdevsim1 and rxe0 on its
# netdev, mana-ctrld on the kernel's RDMA monitor and devlink with its
# port_map naming both for the PCI address of a simulated port, stock
# dpdk-testpmd (--no-huge, --no-pci) forwarding on two net_mana_sim ports,
# port 0 attached to ctrl's mailbox; then a devlink health error and
# `rdma link delete rxe0` (ctrl's service event: the PMD resets) and
# `rdma link add` (ctrl's hardware back: the PMD resumes). e2e/check.py
# asserts on what came back. Fails, never skips, when something cannot run.
#
#   --plugin SO        //pmd:librte_net_mana.so
#   --monostamp PATH   //tests/kernel:monostamp
#   --ctrld PATH       //ctrl/ctrld:mana-ctrld
#   --manactl PATH     //ctrl/manactl:manactl
#   --kernels "S..."   kernel series (default "6.12": the RDMA monitor)
#   --keep DIR         leave the run directories in DIR/<series>
#
# The VM gets the host's dpdk-testpmd with the libraries ldd lists, and of
# DPDK's plugin directory only the mempool driver testpmd needs (loaded
# with -d, as the plugin is); qemu runs with -cpu max (DPDK's packages need
# SSE4.2). Under Bazel the run directories go to $TEST_UNDECLARED_OUTPUTS_DIR.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTPMD=/usr/bin/dpdk-testpmd
MEMPOOL=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0/librte_mempool_ring.so.23.0
# testpmd's stdout line-buffered (stdbuf preloads libstdbuf); glibc loads
# libgcc_s at pthread_cancel (testpmd's exit), ldd does not list it.
STDBUF=/usr/bin/stdbuf
LIBSTDBUF=/usr/libexec/coreutils/libstdbuf.so
LIBGCC=/lib/x86_64-linux-gnu/libgcc_s.so.1
VM_DPDK=/opt/mana-reset/dpdk

plugin='' monostamp='' ctrld='' manactl='' kernels="6.12" keep=''
while [ $# -gt 0 ]; do
	case $1 in
	--plugin) plugin=$2; shift ;;
	--monostamp) monostamp=$2; shift ;;
	--ctrld) ctrld=$2; shift ;;
	--manactl) manactl=$2; shift ;;
	--kernels) kernels=$2; shift ;;
	--keep) keep=$2; shift ;;
	-h | --help) sed -n '3,25s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "pmd_vm_test: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
for p in "$plugin" "$monostamp" "$ctrld" "$manactl"; do
	if [ -z "$p" ] || [ ! -x "$p" ]; then
		echo "pmd_vm_test: --plugin, --monostamp, --ctrld and --manactl (executables) are required" >&2
		exit 2
	fi
done
for f in "$TESTPMD" "$MEMPOOL" "$STDBUF" "$LIBSTDBUF" "$LIBGCC"; do
	[ -f "$f" ] || { echo "pmd_vm_test: $f is missing: run tools/setup" >&2; exit 1; }
done
work=${keep:-${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pmd_vm_test.XXXXXX")}}
mkdir -p "$work"
K=''
# fail, pass, rc_is (FAILS, K: the series, O: the VM's /out).
# shellcheck source=tests/kernel/vm_assert.sh
. "$HERE/vm_assert.sh"

for K in $kernels; do
	D=$work/$K
	O=$D/out
	scen=()
	for s in "$HERE"/e2e/*.sh; do scen+=(--scenario "$s"); done
	if ! "$HERE/run_vm" --kernel "$K" --out "$D" --no-default --cpu max \
		--bin "$monostamp" --bin "$ctrld" --bin "$manactl" \
		--bin "$TESTPMD" --bin "$STDBUF" --file "$LIBSTDBUF=$LIBSTDBUF" --file "$LIBGCC=$LIBGCC" \
		--bin "$plugin=$VM_DPDK/librte_net_mana.so" --file "$MEMPOOL=$VM_DPDK/librte_mempool_ring.so" \
		"${scen[@]}"; then
		fail "run_vm failed"
		continue
	fi
	if python3 "$HERE/e2e/check.py" "$K" "$O"; then
		pass "e2e/check.py"
	else
		fail "e2e/check.py (above)"
	fi
	echo "summary [$K] VM wall $(awk '$1 == "vm_wall_s" { print $2 }' "$D/run.txt") s; $(cat "$O/vm.txt")"
done
[ "$FAILS" -eq 0 ] && echo "pmd_vm_test: all checks passed on kernels $kernels" && exit 0
echo "pmd_vm_test: $FAILS check(s) failed"
exit 1
