# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=sh disable=SC2034 # sourced by init.sh; variables are for later files
# dpdk-testpmd with the project's plugin, no hugepages, no PCI: two
# net_mana_sim ports wired to each other, forwarding (flowgen: traffic
# never dies out, a reset loses no circulating burst; `start tx_first`),
# driven through a FIFO; its output, each line stamped with CLOCK_MONOTONIC, in
# /out/testpmd.log (monostamp). Both lcores on the VM's one CPU. TP_VDEV0 (set by an
# earlier file) adds port 0's devargs (the mailbox). Runs until 90-stop.sh.
# Sets TP_PID, TP_LOG, TP_FIFO; fd 7 writes to testpmd.
TP_LOG=/out/testpmd.log
TP_FIFO=/run/testpmd.in
TP_PLUGINS=/opt/mana-reset/dpdk

# tp CMD: one command to testpmd (nothing once it has exited).
tp() {
	grep -q ' exit rc=' "$TP_LOG" 2>/dev/null || echo "$1" >&7
}

# tp_wait ERE N [S]: wait up to S (default 10) seconds for N lines of
# testpmd's output matching ERE; 1 at once when testpmd has exited.
tp_wait() {
	_i=0
	until [ "$(grep -Ec -- "$1" "$TP_LOG" 2>/dev/null)" -ge "$2" ]; do
		_i=$((_i + 1))
		if grep -q ' exit rc=' "$TP_LOG" 2>/dev/null || [ "$_i" -gt $((${3:-10} * 10)) ]; then
			say "testpmd: no $2 x \"$1\""
			return 1
		fi
		sleep 0.1
	done
}

mkfifo "$TP_FIFO"
mark testpmd_start
# stdbuf: testpmd's stdout line-buffered into the pipe.
{
	stdbuf -oL dpdk-testpmd --lcores 0@0,1@0 -n 1 --no-huge --no-pci -m 64 \
		--file-prefix mana_vm_e2e --no-telemetry \
		-d "$TP_PLUGINS/librte_mempool_ring.so" -d "$TP_PLUGINS/librte_net_mana.so" \
		--vdev "net_mana_sim0${TP_VDEV0:+,$TP_VDEV0}" --vdev net_mana_sim1 \
		--log-level=pmd.net.mana.mbox:info --log-level=pmd.net.mana.reset:info \
		-- -i --total-num-mbufs=2048 --forward-mode=flowgen --print-event=all <"$TP_FIFO" 2>&1
	echo "exit rc=$?"
} | monostamp >"$TP_LOG" &
TP_PID=$!
exec 7>"$TP_FIFO"
# Ports configured and started: the prompt follows (it has no newline).
tp_wait '^[0-9.]+ Done$' 1 60 && mark testpmd_ready
tp "start tx_first"
tp_wait "packet forwarding - ports=" 1 && mark testpmd_started
# tp_rx0: port 0's RX-packets, from a new `show port stats 0` (sent from
# the main lcore while the forwarding lcore runs); empty when none came.
tp_rx0() {
	_n=$(grep -c 'RX-packets: ' "$TP_LOG")
	tp "show port stats 0"
	tp_wait 'RX-packets: ' $((_n + 1)) 5 >/dev/null || return 0
	grep -o 'RX-packets: [0-9]*' "$TP_LOG" | tail -n 1 | cut -d' ' -f2
}

# tp_fwd_wait: port 0 received more between two of its counters' reads, in
# up to 50 tries.
tp_fwd_wait() {
	_prev=$(tp_rx0)
	_i=0
	while [ "$_i" -lt 50 ]; do
		sleep 0.1
		_cur=$(tp_rx0)
		[ -z "$_prev" ] || [ -z "$_cur" ] || [ "$_cur" -le "$_prev" ] || return 0
		_prev=$_cur
		_i=$((_i + 1))
	done
	say "testpmd: port 0 does not receive"
	return 1
}
tp_fwd_wait && mark forwarding
if [ -n "${CTRLD_PID:-}" ]; then
	wait_grep /out/ctrld.log '"msg":"pmd attached"' 10 && mark pmd_attached
fi
say "testpmd forwarding at $(now) s (boot_to_init_s=$BOOT_S)"
