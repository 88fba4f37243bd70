# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# Sourced by the VM's /init (run_vm --no-default, from ../pmd_vm_test.sh):
# the kernel side of the end-to-end scenario and the helpers the later files
# use. netdevsim1 (devlink netdevsim/netdevsim1, its "dummy" health
# reporter) with one port netdev, rxe0 on that netdev, DPDK's runtime
# directory on tmpfs.
# Sets NSIM_DBG, NSIM_NETDEV.
NSIM_DBG=/sys/kernel/debug/netdevsim/netdevsim1

# now: CLOCK_MONOTONIC in seconds (ctrl's t_mono_ns and the PMD's reset
# records are on the same clock; ../monostamp.c).
now() {
	monostamp now
}

# wait_grep FILE TEXT [S]: wait up to S (default 10) seconds for TEXT in FILE.
wait_grep() {
	_i=0
	until grep -qF -- "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -le $((${3:-10} * 10)) ] || { say "timeout waiting for \"$2\" in $1"; return 1; }
		sleep 0.1
	done
}

# wait_count FILE ERE N [S]: wait up to S (default 10) seconds for N lines
# of FILE matching ERE.
wait_count() {
	_i=0
	until [ "$(grep -Ec -- "$2" "$1" 2>/dev/null)" -ge "$3" ]; do
		_i=$((_i + 1))
		[ "$_i" -le $((${4:-10} * 10)) ] || { say "timeout waiting for $3 x \"$2\" in $1"; return 1; }
		sleep 0.1
	done
}

# mark NAME: a line "NAME SECONDS" (now) in /out/marks.txt (the host orders the
# scenario's steps, ctrl's records and testpmd's lines by these).
mark() {
	echo "$1 $(now)" >>/out/marks.txt
}

mkdir -p /run /var/run
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /var/run/dpdk
mount -t tmpfs -o mode=0700 tmpfs /var/run/dpdk
step nsim_new sh -c 'echo "1 1" >/sys/bus/netdevsim/new_device'
wait_for /sys/bus/netdevsim/devices/netdevsim1/net
NSIM_NETDEV=$(ls /sys/bus/netdevsim/devices/netdevsim1/net | head -1)
step nsim_up ip link set "$NSIM_NETDEV" up
step rxe_add rdma link add rxe0 type rxe netdev "$NSIM_NETDEV"
step rdma_dev rdma dev
step dl_health devlink health show netdevsim/netdevsim1 reporter dummy
mark setup_done
