# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# Sourced by the VM's /init (tests/kernel/init.sh): a netdevsim device with
# one port, the netlink recorder and iproute2's devlink monitor.
# Sets DL_DEV (devlink handle), NSIM_DBG (its debugfs), NSIM_NETDEV.
DL_DEV=netdevsim/netdevsim1
NSIM_DBG=/sys/kernel/debug/netdevsim/netdevsim1

if command -v nlrec >/dev/null; then
	nlrec monitor /out/monitor.nlrec "$NLREC_CTL" "$NLREC_ACK" 2>/out/nlrec_monitor.err &
	_pid=$!
	wait_for "$NLREC_ACK" && NLREC_PID=$_pid
	# The FIFOs exist before the sockets are bound: one round trip says ready.
	nlrec_mark start
fi
devlink monitor dev health >/out/devlink_monitor.out 2>&1 &
DL_MON_PID=$!

step nsim_new sh -c 'echo "1 1" >/sys/bus/netdevsim/new_device'
wait_for /sys/bus/netdevsim/devices/netdevsim1/net
NSIM_NETDEV=$(ls /sys/bus/netdevsim/devices/netdevsim1/net | head -1)
say "netdevsim1 port netdev: $NSIM_NETDEV"
