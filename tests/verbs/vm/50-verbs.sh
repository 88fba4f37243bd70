# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh
# Sourced by tests/kernel/init.sh (run_vm --no-default, from
# tests/verbs/rxe_vm_test.sh): an rxe device on a dummy netdev, then
# rxe_cycle's open/close cycles on it with the kernel's resource counts
# before and after.
step verbs_netdev ip link add vtest0 type dummy
step verbs_up ip link set vtest0 up
step verbs_rxe_add rdma link add rxev0 type rxe netdev vtest0
step verbs_res_before rdma -j resource show
step verbs_cycle rxe_cycle --netdev vtest0 --cycles 24 --readd-every 6 --mrs 4
step verbs_res_after rdma -j resource show
step verbs_rdma_link rdma link show
# The checks can fail: a handle left open is seen (rc 1, stderr names it).
step verbs_cycle_leak rxe_cycle --netdev vtest0 --cycles 1 --mrs 2 --inject-leak
step verbs_res_end rdma -j resource show
