# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# One service event in the kernel's order (as on a MANA VM): the devlink
# reporter's error (auto-recovery off: it stays in error), the RDMA device
# unregisters, the hardware is down E2E_DOWN_S seconds, the RDMA device
# registers again, the reporter recovers. ctrl's service event resets the
# PMD; ctrl's hardware back resumes it; forwarding goes on. Then manactl's
# views. Each step's time is a mark (10-setup.sh).
E2E_DOWN_S=1
DL_REP="netdevsim/netdevsim1 reporter dummy"
# shellcheck disable=SC2086 # DL_REP is split on purpose
step dl_auto_off devlink health set $DL_REP auto_recover false grace_period 0
step manactl_status_before manactl -j status mbox "$MBOX"
mark svc_break
step svc_break sh -c "echo e2e-service-event >$NSIM_DBG/health/break_health"
tp_wait 'Port 0: error recovering event' 1 10 && mark tp_recovering
mark svc_rxe_del
step svc_rxe_del rdma link delete rxe0
sleep "$E2E_DOWN_S"
mark svc_rxe_add
step svc_rxe_add rdma link add rxe0 type rxe netdev "$NSIM_NETDEV"
tp_wait 'Port 0: error recovery (successful|failed) event' 1 20 && mark tp_recovered
mark svc_recover
# shellcheck disable=SC2086
step svc_recover devlink health recover $DL_REP
# ctrl has logged the PMD's outcome; forwarding again.
wait_grep /out/ctrld.log '"msg":"pmd recovery' 10
tp_fwd_wait && mark forwarding_again
# shellcheck disable=SC2086
step dl_health_after devlink -j health show $DL_REP
step manactl_status manactl status mbox "$MBOX"
step manactl_status_j manactl -j status mbox "$MBOX"
step manactl_history manactl reset history mbox "$MBOX"
step manactl_history_j manactl -j reset history mbox "$MBOX"
