/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Observability of device resets: extended statistics of each port and the
 * telemetry endpoint /mana/reset,<port_id> with the timeline of its last
 * resets.
 *
 * Threads: xstats run on the application's control threads; the telemetry
 * handler runs on the EAL telemetry thread. A port is published here while
 * its per-process state exists (mana_observe_port_add at probe, _del at
 * close, both under mana_observe_lock), so the handler never reads a freed
 * port.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_telemetry.h>

#include "mana.h"
#include "mana_log.h"
#include "mana_port.h"

static pthread_mutex_t mana_observe_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mana_proc *mana_observe_ports[RTE_MAX_ETHPORTS];

enum mana_xstat {
	MANA_XS_REQUESTED,
	MANA_XS_SUCCEEDED,
	MANA_XS_FAILED,
	MANA_XS_REMOVED,
	MANA_XS_MERGED,
	MANA_XS_BUSY_OPS,
	MANA_XS_LAST_TOTAL,
	MANA_XS_LAST_PHASE,    /* MANA_PH_NUM entries */
	MANA_XS_RX_FILTERED = MANA_XS_LAST_PHASE + MANA_PH_NUM,
	MANA_XS_RX_PORT_DOWN,
	MANA_XS_MR_REGISTERED,
	MANA_XS_MP_PEERS,
	MANA_XS_MP_DEAF,
	MANA_XS_MP_PEERS_GONE,
	MANA_XS_MP_ACK_LAST,
	MANA_XS_MP_RESYNCS,
	MANA_XS_MP_REFUSED,
	MANA_XS_RMV_SERVICE,
	MANA_XS_RMV_FINAL,
	MANA_XS_WAKE,          /* MANA_WAKE_CTRL .. MANA_WAKE_TIMEOUT */
	MANA_XS_LAST_WAKE = MANA_XS_WAKE + MANA_WAKE_TIMEOUT,
	MANA_XS_LAST_HINT,
	MANA_XS_NUM,
};

static const char *const mana_xstat_names[MANA_XS_NUM] = {
	[MANA_XS_REQUESTED] = "reset_requested",
	[MANA_XS_SUCCEEDED] = "reset_succeeded",
	[MANA_XS_FAILED] = "reset_failed",
	[MANA_XS_REMOVED] = "reset_removed",
	[MANA_XS_MERGED] = "reset_merged",
	[MANA_XS_BUSY_OPS] = "reset_busy_ops",
	[MANA_XS_LAST_TOTAL] = "reset_last_total_us",
	[MANA_XS_LAST_PHASE + MANA_PH_QUIESCE] = "reset_last_quiesce_us",
	[MANA_XS_LAST_PHASE + MANA_PH_TEARDOWN] = "reset_last_teardown_us",
	[MANA_XS_LAST_PHASE + MANA_PH_WAIT_HW] = "reset_last_wait_hw_us",
	[MANA_XS_LAST_PHASE + MANA_PH_REPROBE] = "reset_last_reprobe_us",
	[MANA_XS_LAST_PHASE + MANA_PH_RESTORE] = "reset_last_restore_us",
	/* Counted by the device, summed over its incarnations. */
	[MANA_XS_RX_FILTERED] = "rx_mac_filtered_packets",
	[MANA_XS_RX_PORT_DOWN] = "rx_port_down_packets",
	/* Memory regions registered with the device now. */
	[MANA_XS_MR_REGISTERED] = "mr_registered",
	/* Secondary processes (mana_mp.h): attached and alive now, PARKs not
	 * acknowledged in time, slots freed after a secondary died, the last
	 * PARK's slowest acknowledgement, resynchronizations, bursts refused
	 * until one.
	 */
	[MANA_XS_MP_PEERS] = "mp_secondaries",
	[MANA_XS_MP_DEAF] = "mp_deaf_secondaries",
	[MANA_XS_MP_PEERS_GONE] = "mp_secondaries_gone",
	[MANA_XS_MP_ACK_LAST] = "mp_last_park_ack_us",
	[MANA_XS_MP_RESYNCS] = "mp_resyncs",
	[MANA_XS_MP_REFUSED] = "mp_stale_bursts",
	/* Bus removals (RTE_DEV_EVENT_REMOVE): part of a service event the
	 * control daemon named (the reset went on), or final (REMOVED).
	 */
	[MANA_XS_RMV_SERVICE] = "reset_bus_removals_service",
	[MANA_XS_RMV_FINAL] = "reset_bus_removals_final",
	/* How each wait for the hardware ended (mana_reset.h): the control
	 * daemon's "hardware back", the driver's own poll (the fallback), the
	 * device's event, the timeout; the last reset's (enum
	 * mana_reset_wake), and its time from the daemon's word to the end
	 * of the wait.
	 */
	[MANA_XS_WAKE + MANA_WAKE_CTRL - 1] = "reset_wake_ctrl",
	[MANA_XS_WAKE + MANA_WAKE_POLL - 1] = "reset_wake_poll",
	[MANA_XS_WAKE + MANA_WAKE_DEVICE - 1] = "reset_wake_device",
	[MANA_XS_WAKE + MANA_WAKE_TIMEOUT - 1] = "reset_wake_timeout",
	[MANA_XS_LAST_WAKE] = "reset_last_wake",
	[MANA_XS_LAST_HINT] = "reset_last_hint_us",
};

/* The shared multi-process counters (any process). */
static void
mana_observe_mp(struct rte_eth_dev *dev, uint64_t *v)
{
	struct mana_priv *priv = dev->data->dev_private;
	unsigned int i;

	for (i = 0; i < MANA_MP_MAX_PEERS; i++)
		if (mana_mp_peer_alive(&priv->mp.peers[i]))
			v[MANA_XS_MP_PEERS]++;
	v[MANA_XS_MP_DEAF] = __atomic_load_n(&priv->mp.deaf, __ATOMIC_RELAXED);
	v[MANA_XS_MP_PEERS_GONE] = __atomic_load_n(&priv->mp.peers_gone, __ATOMIC_RELAXED);
	v[MANA_XS_MP_ACK_LAST] = __atomic_load_n(&priv->mp.ack_last_ns, __ATOMIC_RELAXED) / 1000;
	v[MANA_XS_MP_RESYNCS] = __atomic_load_n(&priv->mp.resyncs, __ATOMIC_RELAXED);
	v[MANA_XS_MP_REFUSED] = __atomic_load_n(&priv->mp.refused, __ATOMIC_RELAXED);
}

/* A secondary's: the primary's reset counters as it published them, the
 * device's counters, and the shared ones.
 */
static void
mana_observe_secondary(struct rte_eth_dev *dev, uint64_t *v)
{
	struct mana_priv *priv = dev->data->dev_private;
	struct mana_hw_stats hs;
	unsigned int i;

	for (i = 0; i < RTE_DIM(priv->mp.pub_stats); i++)
		v[MANA_XS_REQUESTED + i] = __atomic_load_n(&priv->mp.pub_stats[i],
							   __ATOMIC_RELAXED);
	v[MANA_XS_LAST_TOTAL] = __atomic_load_n(&priv->mp.pub_last_total_ns,
						__ATOMIC_RELAXED) / 1000;
	for (i = 0; i < MANA_PH_NUM; i++)
		v[MANA_XS_LAST_PHASE + i] = __atomic_load_n(&priv->mp.pub_last_phase_ns[i],
							    __ATOMIC_RELAXED) / 1000;
	mana_port_hw_stats(dev, &hs);
	v[MANA_XS_RX_FILTERED] = hs.rx_filtered;
	v[MANA_XS_RX_PORT_DOWN] = hs.rx_port_down;
	mana_observe_mp(dev, v);
}

int
mana_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names, unsigned int n)
{
	unsigned int i;

	RTE_SET_USED(dev);
	if (names == NULL || n < MANA_XS_NUM)
		return MANA_XS_NUM;
	for (i = 0; i < MANA_XS_NUM; i++)
		snprintf(names[i].name, sizeof(names[i].name), "%s", mana_xstat_names[i]);
	return MANA_XS_NUM;
}

int
mana_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	struct mana_proc *proc = dev->process_private;
	struct mana_reset_wake_stats ws;
	struct mana_reset_rmv_stats rs;
	struct mana_reset_stats st;
	struct mana_reset_record rec;
	struct mana_hw_stats hs;
	uint64_t v[MANA_XS_NUM] = { 0 };
	unsigned int i;

	if (xs == NULL || n < MANA_XS_NUM)
		return MANA_XS_NUM;
	if (proc->secondary) {
		mana_observe_secondary(dev, v);
		goto out;
	}
	mana_reset_stats_get(&proc->reset, &st);
	v[MANA_XS_REQUESTED] = st.requested;
	v[MANA_XS_SUCCEEDED] = st.succeeded;
	v[MANA_XS_FAILED] = st.failed;
	v[MANA_XS_REMOVED] = st.removed;
	v[MANA_XS_MERGED] = st.merged;
	v[MANA_XS_BUSY_OPS] = st.busy_ops;
	mana_reset_rmv_stats_get(&proc->reset, &rs);
	v[MANA_XS_RMV_SERVICE] = rs.service;
	v[MANA_XS_RMV_FINAL] = rs.final;
	mana_reset_wake_stats_get(&proc->reset, &ws);
	for (i = MANA_WAKE_CTRL; i <= MANA_WAKE_TIMEOUT; i++)
		v[MANA_XS_WAKE + i - 1] = ws.n[i];
	if (mana_reset_history(&proc->reset, &rec, 1) == 1) {
		v[MANA_XS_LAST_TOTAL] = mana_reset_total_ns(&rec) / 1000;
		for (i = 0; i < MANA_PH_NUM; i++)
			v[MANA_XS_LAST_PHASE + i] = mana_reset_phase_ns(&rec, i) / 1000;
		v[MANA_XS_LAST_WAKE] = rec.wake;
		v[MANA_XS_LAST_HINT] = mana_reset_hint_ns(&rec) / 1000;
	}
	mana_port_hw_stats(dev, &hs);
	v[MANA_XS_RX_FILTERED] = hs.rx_filtered;
	v[MANA_XS_RX_PORT_DOWN] = hs.rx_port_down;
	v[MANA_XS_MR_REGISTERED] = mana_mr_count(&proc->mr);
	mana_observe_mp(dev, v);
out:
	for (i = 0; i < MANA_XS_NUM; i++) {
		xs[i].id = i;
		xs[i].value = v[i];
	}
	return MANA_XS_NUM;
}

void
mana_observe_port_add(struct mana_proc *proc)
{
	pthread_mutex_lock(&mana_observe_lock);
	mana_observe_ports[proc->port_id] = proc;
	pthread_mutex_unlock(&mana_observe_lock);
}

void
mana_observe_port_del(uint16_t port_id)
{
	pthread_mutex_lock(&mana_observe_lock);
	mana_observe_ports[port_id] = NULL;
	pthread_mutex_unlock(&mana_observe_lock);
}

static int
mana_tel_int(uint64_t ns)
{
	uint64_t us = ns / 1000;

	return us > INT32_MAX ? INT32_MAX : (int)us;
}

/* The columns of each reset_<seq> array in /mana/reset. */
static const char *const mana_tel_columns[] = {
	"seq", "outcome", "error", "merged", "total_us",
	"quiesce_us", "teardown_us", "wait_hw_us", "reprobe_us", "restore_us",
	"wake", "hint_us",
};

static int
mana_tel_reset(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct mana_reset_record recs[MANA_RESET_HISTORY];
	struct rte_tel_data *cols;
	struct mana_reset_stats st;
	struct mana_proc *proc;
	unsigned int i, n;
	char *end;
	unsigned long port;
	int ph;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	port = strtoul(params, &end, 10);
	if (*end != '\0' || port >= RTE_MAX_ETHPORTS)
		return -EINVAL;
	pthread_mutex_lock(&mana_observe_lock);
	proc = mana_observe_ports[port];
	if (proc == NULL) {
		pthread_mutex_unlock(&mana_observe_lock);
		return -ENODEV;
	}
	mana_reset_stats_get(&proc->reset, &st);
	n = mana_reset_history(&proc->reset, recs, RTE_DIM(recs));
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "port", (int)port);
	rte_tel_data_add_dict_string(d, "state",
				     mana_reset_state_name(mana_reset_state(&proc->reset)));
	pthread_mutex_unlock(&mana_observe_lock);
	rte_tel_data_add_dict_u64(d, "requested", st.requested);
	rte_tel_data_add_dict_u64(d, "succeeded", st.succeeded);
	rte_tel_data_add_dict_u64(d, "failed", st.failed);
	rte_tel_data_add_dict_u64(d, "removed", st.removed);
	rte_tel_data_add_dict_u64(d, "merged", st.merged);
	rte_tel_data_add_dict_u64(d, "busy_ops", st.busy_ops);
	cols = rte_tel_data_alloc();
	if (cols == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(cols, RTE_TEL_STRING_VAL);
	for (i = 0; i < RTE_DIM(mana_tel_columns); i++)
		rte_tel_data_add_array_string(cols, mana_tel_columns[i]);
	rte_tel_data_add_dict_container(d, "columns", cols, 0);
	/* The names of the wake column's values (enum mana_reset_wake). */
	cols = rte_tel_data_alloc();
	if (cols == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(cols, RTE_TEL_STRING_VAL);
	for (i = 0; i < MANA_WAKE_NUM; i++)
		rte_tel_data_add_array_string(cols, mana_reset_wake_name(i));
	rte_tel_data_add_dict_container(d, "wake_names", cols, 0);
	/* Newest first; outcome: 0 recovered, 1 failed, 2 removed. */
	for (i = 0; i < n; i++) {
		struct rte_tel_data *row = rte_tel_data_alloc();
		char name[32];

		if (row == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(row, RTE_TEL_INT_VAL);
		rte_tel_data_add_array_int(row, (int)recs[i].seq);
		rte_tel_data_add_array_int(row, recs[i].outcome == MANA_RS_ACTIVE ? 0 :
					   recs[i].outcome == MANA_RS_REMOVED ? 2 : 1);
		rte_tel_data_add_array_int(row, recs[i].error);
		rte_tel_data_add_array_int(row, (int)recs[i].merged);
		rte_tel_data_add_array_int(row, mana_tel_int(mana_reset_total_ns(&recs[i])));
		for (ph = 0; ph < MANA_PH_NUM; ph++)
			rte_tel_data_add_array_int(row, mana_tel_int(mana_reset_phase_ns(&recs[i], ph)));
		rte_tel_data_add_array_int(row, (int)recs[i].wake);
		rte_tel_data_add_array_int(row, mana_tel_int(mana_reset_hint_ns(&recs[i])));
		snprintf(name, sizeof(name), "reset_%" PRIu64, recs[i].seq);
		rte_tel_data_add_dict_container(d, name, row, 0);
	}
	return 0;
}

RTE_INIT(mana_observe_init)
{
	rte_telemetry_register_cmd("/mana/reset", mana_tel_reset,
				   "Timeline of the last device resets of a MANA port. Parameters: int port_id");
}
