# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# RDMA: SYS_GET (monitor_mode), an rxe device on netdevsim's port netdev,
# rename of the rdma device and of the netdev, delete, and an rxe whose
# netdev goes away under it (netdevsim del_device).
step nlrec_rdma_sys nlrec rdma-sys /out/rdma_sys.nlrec
step rdma_sys rdma sys
step rdma_sys_j rdma -j sys
step ip_up ip link set "$NSIM_NETDEV" up
step rxe_add rdma link add rxe0 type rxe netdev "$NSIM_NETDEV"
step rdma_dev rdma dev
step rdma_dev_j rdma -j dev show
step rdma_dev_jp rdma -j -p dev show
step rdma_link rdma link
step rdma_link_j rdma -j link show
step nlrec_rdma_dump nlrec rdma-dump /out/rdma_dump.nlrec
step rxe_rename rdma dev set rxe0 name rxe9
step rdma_dev_renamed rdma dev
step ip_down ip link set "$NSIM_NETDEV" down
step ip_rename ip link set "$NSIM_NETDEV" name ens9
step ip_up2 ip link set ens9 up
step rdma_link_renamed rdma link
step rxe_del rdma link delete rxe9
step rdma_dev_deleted rdma dev
step rxe_add2 rdma link add rxe1 type rxe netdev ens9
step rdma_dev_rxe1 rdma dev
step nsim_del_under_rxe sh -c 'echo 1 >/sys/bus/netdevsim/del_device'
step rdma_dev_end rdma dev
