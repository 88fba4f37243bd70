# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# Sourced by the VM's /init after 20-rdma.sh: on a netdevsim device of its
# own, every manactl command right after the same devlink command (same
# kernel state), as text, -j and -j -p; diagnose, recover and dump clear;
# `manactl rdma show` with an rxe device on that device's port. mana-ctrld
# (05-ctrld-start.sh) watches throughout. Checked on the host by check.sh.
# POSIX sh (busybox).
MC_ID=7
MC_DEV=netdevsim/netdevsim$MC_ID
MC_DBG=/sys/kernel/debug/netdevsim/netdevsim$MC_ID
MC_REP="$MC_DEV reporter dummy"

mc_pair() {
	# mc_pair NAME ARGS...: devlink then manactl, as text, -j and -j -p.
	_n=$1
	shift
	step "mc_dl_$_n" devlink "$@"
	step "mc_$_n" manactl "$@"
	step "mc_dl_${_n}_j" devlink -j "$@"
	step "mc_${_n}_j" manactl -j "$@"
	step "mc_dl_${_n}_jp" devlink -j -p "$@"
	step "mc_${_n}_jp" manactl -j -p "$@"
}

step mc_nsim_new sh -c "echo '$MC_ID 1' >/sys/bus/netdevsim/new_device"
wait_for "/sys/bus/netdevsim/devices/netdevsim$MC_ID/net"
MC_NETDEV=$(ls "/sys/bus/netdevsim/devices/netdevsim$MC_ID/net" | head -1)
# shellcheck disable=SC2086 # MC_REP is split on purpose
{
	mc_pair health_all health show
	mc_pair health_show health show $MC_REP
	step mc_break sh -c "echo mc-fault-1 >$MC_DBG/health/break_health"
	mc_pair show_break health show $MC_REP
	mc_pair dump health dump show $MC_REP
	# diagnose draws new random test_binary bytes per call.
	step mc_dl_diagnose devlink health diagnose $MC_REP
	step mc_diagnose manactl health diagnose $MC_REP
	step mc_diagnose_j manactl -j health diagnose $MC_REP
	step mc_diagnose_jp manactl -j -p health diagnose $MC_REP
	step mc_set_auto_off devlink health set $MC_REP auto_recover false
	step mc_break2 sh -c "echo mc-fault-2 >$MC_DBG/health/break_health"
	mc_pair show_break2 health show $MC_REP
	step mc_recover manactl health recover $MC_REP
	mc_pair show_recovered health show $MC_REP
	step mc_dump_clear manactl health dump clear $MC_REP
	mc_pair show_cleared health show $MC_REP
}
step mc_ip_up ip link set "$MC_NETDEV" up
step mc_rxe_add rdma link add rxe7 type rxe netdev "$MC_NETDEV"
step mc_rdma_dev rdma dev
step mc_rdma_show manactl rdma show
step mc_rdma_show_j manactl -j rdma show
step mc_rdma_show_jp manactl -j -p rdma show
step mc_rdma_show_one manactl rdma show rxe7
step mc_rxe_del rdma link delete rxe7
step mc_nsim_del sh -c "echo $MC_ID >/sys/bus/netdevsim/del_device"
