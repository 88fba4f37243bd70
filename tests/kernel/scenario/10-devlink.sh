# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# devlink health on netdevsim's "dummy" reporter: show, dump, diagnose,
# break (auto-recovered), break with fail_recover (error sticks), manual
# recover, auto_recover off, dump clear; iproute2 text, -j and -j -p, and the
# raw replies (nlrec). Counters: see tests/kernel/vm_test.sh.
dl_all() {
	# dl_all NAME ARGS...: devlink ARGS as text, -j and -j -p.
	_n=$1
	shift
	step "$_n" devlink "$@"
	step "${_n}_j" devlink -j "$@"
	step "${_n}_jp" devlink -j -p "$@"
}
DL_REP="$DL_DEV reporter dummy"

dl_all dl_health health
dl_all dl_health_show health show
step nlrec_health_get nlrec devlink-health /out/health_get.nlrec
# shellcheck disable=SC2086 # DL_REP is split on purpose
{
	step dl_break1 sh -c "echo injected-fault-1 >$NSIM_DBG/health/break_health"
	dl_all dl_show_break1 health show $DL_REP
	dl_all dl_dump health dump show $DL_REP
	step nlrec_dump_get nlrec devlink-dump /out/dump_get.nlrec netdevsim netdevsim1 dummy
	dl_all dl_diagnose health diagnose $DL_REP
	step nlrec_diagnose nlrec devlink-diagnose /out/diagnose.nlrec netdevsim netdevsim1 dummy
	step dl_fail_recover_on sh -c "echo 1 >$NSIM_DBG/health/fail_recover"
	step dl_break2 sh -c "echo injected-fault-2 >$NSIM_DBG/health/break_health"
	dl_all dl_show_break2 health show $DL_REP
	step dl_fail_recover_off sh -c "echo 0 >$NSIM_DBG/health/fail_recover"
	step dl_recover devlink health recover $DL_REP
	dl_all dl_show_recovered health show $DL_REP
	step dl_set_auto_off devlink health set $DL_REP auto_recover false grace_period 0
	step dl_break3 sh -c "echo injected-fault-3 >$NSIM_DBG/health/break_health"
	dl_all dl_show_break3 health show $DL_REP
	step dl_dump_clear devlink health dump clear $DL_REP
	dl_all dl_show_cleared health show $DL_REP
	step dl_test devlink health test $DL_REP
	step nlrec_health_get_final nlrec devlink-health /out/health_get_final.nlrec
	# A dump too big for one datagram: DUMP_GET resumes over several.
	step dl_binary_len sh -c "echo 32768 >$NSIM_DBG/health/binary_len"
	step dl_break4 sh -c "echo injected-fault-4 >$NSIM_DBG/health/break_health"
	step nlrec_dump_get_big nlrec devlink-dump /out/dump_get_big.nlrec netdevsim netdevsim1 dummy
}
# Device removal and re-creation: [dev,del]/[dev,new], counters restart.
step nsim_del sh -c 'echo 1 >/sys/bus/netdevsim/del_device'
step nsim_new2 sh -c 'echo "1 1" >/sys/bus/netdevsim/new_device'
wait_for /sys/bus/netdevsim/devices/netdevsim1/net
NSIM_NETDEV=$(ls /sys/bus/netdevsim/devices/netdevsim1/net | head -1)
dl_all dl_show_new health show $DL_REP
