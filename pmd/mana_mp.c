/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Multi-process, the primary's side (mana_mp.h): its rte_mp handler, which
 * answers a secondary's ATTACH and MR_REG, and the one-way messages it sends
 * when its device closes or opens and when a reset begins or ends. Calls
 * only the memory registration caches and the backend's handle.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_eal.h>

#include "mana.h"
#include "mana_clock.h"
#include "mana_log.h"
#include "mana_mp.h"

/* Ports of this (primary) process the handler may serve, under the lock;
 * the action is registered while one is published.
 */
static pthread_mutex_t mana_mp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mana_proc *mana_mp_ports[RTE_MAX_ETHPORTS];
static unsigned int mana_mp_users;
static bool mana_mp_action;

uint64_t
mana_mp_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	unsigned int field;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* After the command name, which may hold anything but ends with the
	 * last ')': field 3 (state) on, each after a space; start time is
	 * field 22.
	 */
	p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", &t) != 1)
		return 0;
	return (uint64_t)t;
}

bool
mana_mp_peer_alive(const struct mana_mp_peer *p)
{
	int32_t pid = __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE);

	return pid > 0 && mana_mp_start_time(pid) == __atomic_load_n(&p->start_time,
								      __ATOMIC_RELAXED);
}

int
mana_mp_msg_check(const struct rte_mp_msg *msg, const struct mana_mp_msg **m)
{
	if (msg->len_param != (int)sizeof(struct mana_mp_msg) || msg->num_fds < 0 ||
	    msg->num_fds > 1)
		return -EBADMSG;
	*m = (const struct mana_mp_msg *)msg->param;
	if ((*m)->type < MANA_MP_ATTACH || (*m)->type > MANA_MP_CLOSED ||
	    (*m)->port_id >= RTE_MAX_ETHPORTS)
		return -EBADMSG;
	return 0;
}

void
mana_mp_msg_init(struct rte_mp_msg *msg, const struct mana_mp_msg *m, int fd)
{
	memset(msg, 0, sizeof(*msg));
	snprintf(msg->name, sizeof(msg->name), "%s", MANA_MP_NAME);
	msg->len_param = sizeof(*m);
	memcpy(msg->param, m, sizeof(*m));
	if (fd >= 0) {
		msg->num_fds = 1;
		msg->fds[0] = fd;
	}
}

/* Live secondaries of the port; the slots of dead ones are freed. */
static unsigned int
mana_mp_peers_live(struct mana_priv *priv)
{
	unsigned int i, n = 0;

	for (i = 0; i < MANA_MP_MAX_PEERS; i++) {
		struct mana_mp_peer *p = &priv->mp.peers[i];
		int32_t pid = __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE);

		if (pid == 0)
			continue;
		if (mana_mp_peer_alive(p)) {
			n++;
			continue;
		}
		/* Gone (killed, crashed) without detaching: its slot is free
		 * again; it held nothing of the port's but its mappings,
		 * which died with it.
		 */
		if (__atomic_compare_exchange_n(&p->pid, &pid, 0, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			__atomic_fetch_add(&priv->mp.peers_gone, 1, __ATOMIC_RELAXED);
			MANA_DRV_LOG(NOTICE, "port %u: secondary pid %d is gone: slot %u freed",
				     priv->port_id, (int)pid, i);
		}
	}
	return n;
}

/* The primary's rte_mp handler (its rte_mp_handle thread). */
static int
mana_mp_primary_handle(const struct rte_mp_msg *msg, const void *peer)
{
	struct mana_mp_msg r = { 0 };
	const struct mana_mp_msg *m;
	struct rte_mp_msg reply;
	struct mana_proc *proc;
	int fd = -1, i;

	if (mana_mp_msg_check(msg, &m) != 0) {
		MANA_DRV_LOG(ERR, "rte_mp: malformed %s message (%d bytes, %d fds): ignored",
			     MANA_MP_NAME, msg->len_param, msg->num_fds);
		for (i = 0; i < msg->num_fds && i < RTE_MP_MAX_FD_NUM; i++)
			close(msg->fds[i]);
		return -EBADMSG;
	}
	for (i = 0; i < msg->num_fds; i++)
		close(msg->fds[i]);
	r.type = m->type;
	r.port_id = m->port_id;
	r.pid = getpid();
	pthread_mutex_lock(&mana_mp_lock);
	proc = mana_mp_ports[m->port_id];
	if (proc == NULL) {
		r.result = -ENODEV;
	} else if (m->type == MANA_MP_ATTACH) {
		struct mana_priv *priv = rte_eth_devices[m->port_id].data->dev_private;

		pthread_mutex_lock(&proc->mp_lock);
		r.word = __atomic_load_n(&priv->gate.word, __ATOMIC_ACQUIRE);
		r.incarnation = __atomic_load_n(&priv->mp.incarnation, __ATOMIC_RELAXED);
		if (!proc->share_ok || (r.word & MANA_GATE_CLOSED) ||
		    __atomic_load_n(&priv->mp.closed, __ATOMIC_RELAXED))
			r.result = -EBUSY;
		else
			r.result = proc->hw->ops->share(proc->hw, &fd, &r.map_len);
		pthread_mutex_unlock(&proc->mp_lock);
	} else if (m->type == MANA_MP_MR_REG) {
		pthread_mutex_lock(&proc->mp_lock);
		if (proc->hw == NULL || !proc->share_ok)
			r.result = -EAGAIN;
		else
			r.result = mana_mr_register_range(&proc->mr, proc->hw, (uintptr_t)m->addr,
							  (size_t)m->len, &r.lkey);
		pthread_mutex_unlock(&proc->mp_lock);
		r.addr = m->addr;
		r.len = m->len;
	} else {
		r.result = -EPROTO;   /* one-way messages go the other way */
	}
	/* The fd is the handle's: rte_mp_reply sends a copy (SCM_RIGHTS),
	 * before the lock lets the device close.
	 */
	mana_mp_msg_init(&reply, &r, r.result == 0 ? fd : -1);
	if (rte_mp_reply(&reply, peer) != 0)
		MANA_DRV_LOG(WARNING, "port %u: rte_mp reply to a secondary failed: %s",
			     m->port_id, rte_strerror(rte_errno));
	pthread_mutex_unlock(&mana_mp_lock);
	return 0;
}

void
mana_mp_port_add(struct mana_proc *proc, uint64_t park_timeout_ns)
{
	struct mana_priv *priv = rte_eth_devices[proc->port_id].data->dev_private;

	priv->mp.park_timeout_ns = park_timeout_ns;
	pthread_mutex_lock(&mana_mp_lock);
	if (!mana_mp_action) {
		if (rte_mp_action_register(MANA_MP_NAME, mana_mp_primary_handle) == 0)
			mana_mp_action = true;
		else if (rte_errno == ENOTSUP)
			MANA_INIT_LOG(NOTICE, "rte_mp disabled (--in-memory or --no-shconf): no secondary process can use MANA ports");
		else
			MANA_INIT_LOG(WARNING, "cannot register rte_mp action %s: %s: no secondary process can use MANA ports",
				      MANA_MP_NAME, rte_strerror(rte_errno));
	}
	mana_mp_users++;
	mana_mp_ports[proc->port_id] = proc;
	pthread_mutex_unlock(&mana_mp_lock);
	proc->mp_ready = true;
}

void
mana_mp_port_del(struct mana_proc *proc)
{
	if (!proc->mp_ready)
		return;
	pthread_mutex_lock(&mana_mp_lock);
	mana_mp_ports[proc->port_id] = NULL;
	if (--mana_mp_users == 0 && mana_mp_action) {
		rte_mp_action_unregister(MANA_MP_NAME);
		mana_mp_action = false;
	}
	pthread_mutex_unlock(&mana_mp_lock);
	proc->mp_ready = false;
}

/* Send a one-way message to every secondary (no reply: a deaf or stopped
 * peer delays no one). fd, if >= 0, goes along (a copy each).
 */
static void
mana_mp_send(const struct mana_mp_msg *m, int fd)
{
	struct rte_mp_msg msg;

	mana_mp_msg_init(&msg, m, fd);
	if (rte_mp_sendmsg(&msg) != 0)
		MANA_DRV_LOG(WARNING, "port %u: rte_mp message %u to the secondaries failed: %s",
			     m->port_id, m->type, rte_strerror(rte_errno));
}

void
mana_mp_hw_set(struct mana_proc *proc, struct mana_hw *hw)
{
	struct mana_priv *priv = rte_eth_devices[proc->port_id].data->dev_private;

	pthread_mutex_lock(&proc->mp_lock);
	proc->hw = hw;
	proc->db = hw->ops->db_page(hw);
	__atomic_fetch_add(&priv->mp.incarnation, 1, __ATOMIC_RELEASE);
	proc->share_ok = hw->ops->share != NULL;
	pthread_mutex_unlock(&proc->mp_lock);
}

void
mana_mp_hw_close(struct mana_proc *proc)
{
	pthread_mutex_lock(&proc->mp_lock);
	proc->share_ok = false;
	proc->hw->ops->close(proc->hw);
	proc->hw = NULL;
	proc->db = NULL;
	pthread_mutex_unlock(&proc->mp_lock);
}

void
mana_mp_park(struct mana_proc *proc)
{
	struct mana_priv *priv = rte_eth_devices[proc->port_id].data->dev_private;
	struct mana_mp_msg m = { .type = MANA_MP_PARK, .port_id = proc->port_id };
	uint64_t t0, deadline, slowest = 0;
	bool acked[MANA_MP_MAX_PEERS] = { false };
	unsigned int i, left, deaf = 0;
	long sleep_ns = 20000;

	if (!proc->mp_ready)
		return;
	/* No ATTACH or MR_REG is answered from now on (the handler takes
	 * the lock): no registration is made after the flush that follows.
	 */
	pthread_mutex_lock(&proc->mp_lock);
	proc->share_ok = false;
	pthread_mutex_unlock(&proc->mp_lock);
	if (mana_mp_peers_live(priv) == 0)
		return;
	m.incarnation = __atomic_load_n(&priv->mp.incarnation, __ATOMIC_RELAXED);
	m.seq = __atomic_load_n(&priv->mp.reset_seq, __ATOMIC_RELAXED);
	m.pid = getpid();
	t0 = mana_now_ns();
	deadline = t0 + priv->mp.park_timeout_ns;
	mana_mp_send(&m, -1);
	for (;;) {
		uint64_t now = mana_now_ns();

		left = 0;
		for (i = 0; i < MANA_MP_MAX_PEERS; i++) {
			struct mana_mp_peer *p = &priv->mp.peers[i];

			if (acked[i] || __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE) == 0)
				continue;
			if (__atomic_load_n(&p->parked_inc, __ATOMIC_ACQUIRE) >= m.incarnation ||
			    __atomic_load_n(&p->mapped_inc, __ATOMIC_ACQUIRE) < m.incarnation ||
			    !mana_mp_peer_alive(p)) {
				acked[i] = true;
				slowest = now - t0;
				continue;
			}
			left++;
		}
		if (left == 0 || now >= deadline)
			break;
		{
			struct timespec ts = { 0, sleep_ns };

			nanosleep(&ts, NULL);
			if (sleep_ns < 1000000)
				sleep_ns *= 2;
		}
	}
	for (i = 0; i < MANA_MP_MAX_PEERS; i++) {
		struct mana_mp_peer *p = &priv->mp.peers[i];
		int32_t pid = __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE);

		if (acked[i] || pid == 0)
			continue;
		deaf++;
		MANA_DRV_LOG(WARNING, "port %u: secondary pid %d did not park its doorbell mapping within %" PRIu64 " ms (stopped or not answering): going on; it resynchronizes by itself",
			     proc->port_id, (int)pid, priv->mp.park_timeout_ns / 1000000);
	}
	if (deaf > 0)
		__atomic_fetch_add(&priv->mp.deaf, deaf, __ATOMIC_RELAXED);
	__atomic_store_n(&priv->mp.ack_last_ns, slowest, __ATOMIC_RELAXED);
}

void
mana_mp_remap(struct mana_proc *proc, uint64_t word)
{
	struct mana_priv *priv = rte_eth_devices[proc->port_id].data->dev_private;
	struct mana_mp_msg m = { .type = MANA_MP_REMAP, .port_id = proc->port_id };
	int fd = -1;

	if (!proc->mp_ready || mana_mp_peers_live(priv) == 0)
		return;
	m.word = word;
	m.pid = getpid();
	pthread_mutex_lock(&proc->mp_lock);
	m.incarnation = __atomic_load_n(&priv->mp.incarnation, __ATOMIC_RELAXED);
	if (proc->share_ok && proc->hw->ops->share(proc->hw, &fd, &m.map_len) == 0)
		mana_mp_send(&m, fd);
	pthread_mutex_unlock(&proc->mp_lock);
}

void
mana_mp_event(struct mana_proc *proc, enum mana_mp_type type, enum mana_mp_outcome outcome)
{
	struct mana_priv *priv = rte_eth_devices[proc->port_id].data->dev_private;
	struct mana_mp_msg m = { .type = (uint16_t)type, .port_id = proc->port_id };

	if (type == MANA_MP_RECOVERING)
		__atomic_fetch_add(&priv->mp.reset_seq, 1, __ATOMIC_RELAXED);
	if (type == MANA_MP_CLOSED)
		__atomic_store_n(&priv->mp.closed, 1, __ATOMIC_RELEASE);
	if (!proc->mp_ready || mana_mp_peers_live(priv) == 0)
		return;
	m.seq = __atomic_load_n(&priv->mp.reset_seq, __ATOMIC_RELAXED);
	m.outcome = (uint32_t)outcome;
	m.pid = getpid();
	mana_mp_send(&m, -1);
}

void
mana_mp_publish(struct mana_proc *proc)
{
	struct mana_priv *priv = rte_eth_devices[proc->port_id].data->dev_private;
	const uint64_t *v;
	struct mana_reset_stats st;
	struct mana_reset_record rec;
	unsigned int i;

	RTE_BUILD_BUG_ON(sizeof(st) != sizeof(priv->mp.pub_stats));
	RTE_BUILD_BUG_ON(MANA_PH_NUM > RTE_DIM(priv->mp.pub_last_phase_ns));
	mana_reset_stats_get(&proc->reset, &st);
	v = (const uint64_t *)&st;
	for (i = 0; i < RTE_DIM(priv->mp.pub_stats); i++)
		__atomic_store_n(&priv->mp.pub_stats[i], v[i], __ATOMIC_RELAXED);
	if (mana_reset_history(&proc->reset, &rec, 1) != 1)
		return;
	__atomic_store_n(&priv->mp.pub_last_total_ns, mana_reset_total_ns(&rec), __ATOMIC_RELAXED);
	for (i = 0; i < MANA_PH_NUM; i++)
		__atomic_store_n(&priv->mp.pub_last_phase_ns[i], mana_reset_phase_ns(&rec, i),
				 __ATOMIC_RELAXED);
}
