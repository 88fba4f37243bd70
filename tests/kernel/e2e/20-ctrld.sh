# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# mana-ctrld on the real kernel: the RDMA monitor (6.12) and devlink, the
# "dummy" reporter counted, the default driver (mana: neither rxe0 nor
# netdevsim1 is one), and port_map naming both for the PCI address the
# simulated port claims (E2E_PCI): the port_map alone selects them. The
# mailbox at /run/mana/mbox; `manactl -j monitor mbox` follows it (every
# event with its post time). Both run until 90-stop.sh. Then port 0 of
# testpmd (30-testpmd.sh) attaches: TP_VDEV0. Its hw_poll_ms and
# reset_timeout_ms are long, so that a reset that waited for its own poll
# or its timeout would show.
# Sets CTRLD_PID, MON_PID, MBOX, E2E_PCI, TP_VDEV0, E2E_HW_POLL_MS.
E2E_PCI=7870:00:00.0
E2E_HW_POLL_MS=10000
MBOX=/run/mana/mbox
mkdir -p /run/mana
printf '%s\n' 'reporters = dummy' "port_map = rxe0=$E2E_PCI, netdevsim/netdevsim1=$E2E_PCI" \
	'gone_timeout = 600s' "mbox_path = $MBOX" 'log_format = json' >/run/mana-ctrld.conf
step ctrld_check_config mana-ctrld --config /run/mana-ctrld.conf --check-config
mark ctrld_start
mana-ctrld --config /run/mana-ctrld.conf >/out/ctrld.out 2>/out/ctrld.log &
CTRLD_PID=$!
wait_grep /out/ctrld.log '"msg":"started"' 20 && mark ctrld_started
# rxe0, seen in the first dump, has its port.
wait_grep /out/ctrld.log '"msg":"mailbox port added"' 10
manactl -j monitor mbox "$MBOX" >/out/monitor_mbox.out 2>/out/monitor_mbox.err &
MON_PID=$!
TP_VDEV0="mbox=$MBOX.sock,mbox_port=$E2E_PCI,hw_poll_ms=$E2E_HW_POLL_MS,reset_timeout_ms=60000"
