/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * A secondary process's side of a port (mana_sec.h; the protocol is in
 * mana_mp.h): attach, the doorbell mapping (parked and mapped again at one
 * address), the resynchronization a stale burst asks for, the primary's
 * one-way messages, and the recovery events this process's application
 * sees. Calls the multi-process helpers (mana_mp.c), the memory
 * registration caches and the backend's handle.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_lcore.h>
#include <rte_eal.h>

#include "mana.h"
#include "mana_clock.h"
#include "mana_hw_refuse.h"
#include "mana_log.h"
#include "mana_mp.h"
#include "mana_sec.h"

/* How long a secondary waits for the primary's answer. */
#define MANA_SEC_REQ_TIMEOUT_S 2
/* After a resynchronization that did not succeed (the primary busy or
 * silent) the bursts may ask again this long after, growing to 100 ms.
 */
#define MANA_SEC_RESYNC_MIN_US 100u
#define MANA_SEC_RESYNC_MAX_US 100000u

struct mana_sec {
	struct mana_hw hw;          /* first: what this process's datapath calls */
	struct mana_proc *proc;
	pthread_mutex_t lock;       /* everything below but the atomics */
	struct mana_hw_dev *hwdev;  /* the backend's view of the device */
	struct mana_hw *bhw;        /* its handle on the mapped incarnation (atomic) */
	uint64_t mapped_inc;        /* the incarnation mapped, 0: parked */
	uint64_t parked_max;        /* the newest incarnation told to park */
	int peer;                   /* slot in priv->mp.peers, -1: untracked */
	uint64_t ev_recovering;     /* reset seqs whose events were raised */
	uint64_t ev_outcome;
	bool closed;                /* the primary closed the port */
	int wake_fd;                /* eventfd: a burst asks for a resync */
	pthread_t sync_thread;      /* mana-sync-<port> */
	bool sync_started;
	uint32_t quit;              /* the thread ends (atomic) */
};

/* This process's ports, for the rte_mp handler; the action is registered
 * while one is published.
 */
static pthread_mutex_t mana_sec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mana_proc *mana_sec_ports[RTE_MAX_ETHPORTS];
static unsigned int mana_sec_users;
static bool mana_sec_action;

/* One request to the primary at a time from this process: rte_mp refuses
 * a second one of the same name to the same peer while one is pending
 * (EEXIST), and they are rare (a resynchronization, a new mempool).
 */
static pthread_mutex_t mana_sec_req_lock = PTHREAD_MUTEX_INITIALIZER;

static int
sec_request(struct rte_mp_msg *req, struct rte_mp_reply *reply)
{
	const struct timespec ts = { MANA_SEC_REQ_TIMEOUT_S, 0 };
	int ret;

	pthread_mutex_lock(&mana_sec_req_lock);
	ret = rte_mp_request_sync(req, reply, &ts);
	pthread_mutex_unlock(&mana_sec_req_lock);
	return ret;
}

static struct mana_priv *
sec_priv(const struct mana_proc *proc)
{
	return rte_eth_devices[proc->port_id].data->dev_private;
}

/* The handle the datapath sees (proc->hw) ---------------------------------- */

static void
sec_hw_close(struct mana_hw *hw)
{
	RTE_SET_USED(hw);
}

static void *
sec_hw_db_page(struct mana_hw *hw)
{
	return ((struct mana_sec *)hw)->proc->db;
}

/* Under the port's lock (mana_sec_ro_enter). */
static int
sec_hw_stats(struct mana_hw *hw, struct mana_hw_stats *st)
{
	struct mana_hw *b = ((struct mana_sec *)hw)->bhw;

	return b != NULL ? b->ops->stats(b, st) : -EIO;
}

/* Datapath, inside the guard: the mapping and handle are the ones the
 * word this burst matched was stored after.
 */
static void
sec_hw_kick(struct mana_hw *hw, uint32_t offset, uint64_t value)
{
	struct mana_hw *b = __atomic_load_n(&((struct mana_sec *)hw)->bhw, __ATOMIC_RELAXED);

	if (b != NULL && b->ops->kick != NULL)
		b->ops->kick(b, offset, value);
}

/* Registration is the primary's (it keeps the region in its own cache,
 * released with its handle): a request, from the datapath's slow path or a
 * control thread, never from the rte_mp handler.
 */
static int
sec_hw_mr_reg(struct mana_hw *hw, void *addr, size_t len, uint32_t *lkey)
{
	struct mana_proc *proc = ((struct mana_sec *)hw)->proc;
	struct mana_mp_msg m = { .type = MANA_MP_MR_REG, .port_id = proc->port_id };
	struct rte_mp_reply reply = { 0 };
	const struct mana_mp_msg *r;
	struct rte_mp_msg req;
	int ret = -ETIMEDOUT, i;

	m.addr = (uint64_t)(uintptr_t)addr;
	m.len = len;
	m.pid = getpid();
	mana_mp_msg_init(&req, &m, -1);
	if (sec_request(&req, &reply) == 0 && reply.nb_received == 1) {
		for (i = 0; i < reply.msgs[0].num_fds; i++)
			close(reply.msgs[0].fds[i]);
		if (mana_mp_msg_check(&reply.msgs[0], &r) != 0)
			ret = -EPROTO;
		else if ((ret = r->result) == 0)
			*lkey = r->lkey;
	}
	free(reply.msgs);
	if (ret != 0)
		MANA_DRV_LOG(WARNING, "port %u: the primary did not register %zu bytes at %p: %s",
			     proc->port_id, len, addr, rte_strerror(-ret));
	return ret;
}

static void
sec_hw_mr_dereg(struct mana_hw *hw, uint32_t lkey)
{
	/* The primary's: released with its handle. */
	RTE_SET_USED(hw);
	RTE_SET_USED(lkey);
}

static const struct mana_hw_ops mana_sec_hw_ops = {
	.name = "secondary",
	.close = sec_hw_close,
	.query = mana_hw_refuse_query,
	.queue_create = mana_hw_refuse_queue_create,
	.queue_destroy = mana_hw_refuse_queue_destroy,
	.vport_start = mana_hw_refuse_vport_start,
	.vport_stop = mana_hw_refuse_vport_stop,
	.db_page = sec_hw_db_page,
	.stats = sec_hw_stats,
	.event_fd = mana_hw_refuse_event_fd,
	.event_get = mana_hw_refuse_event_get,
	.kick = sec_hw_kick,
	.mr_reg = sec_hw_mr_reg,
	.mr_dereg = sec_hw_mr_dereg,
};

/* The doorbell mapping ------------------------------------------------------ */

static struct mana_mp_peer *
sec_peer(struct mana_sec *s)
{
	return s->peer >= 0 ? &sec_priv(s->proc)->mp.peers[s->peer] : NULL;
}

/*
 * Park: the page's address stays reserved with no access, the backend's
 * handle goes, and every lkey this process cached is stale. s->lock held;
 * no burst of this process is inside (the primary quiesced them all, and
 * the wait below orders their last accesses before what follows).
 */
static void
sec_park(struct mana_sec *s)
{
	struct mana_proc *proc = s->proc;
	struct rte_eth_dev *dev = &rte_eth_devices[proc->port_id];
	struct mana_guard_q *qs[2 * RTE_MAX_QUEUES_PER_PORT];
	struct mana_mp_peer *p = sec_peer(s);
	struct mana_hw *b;
	unsigned int n = 0, stuck;
	uint16_t i;

	/* Not in step any more: bursts refuse from here on. */
	__atomic_store_n(&proc->seen_word, MANA_GATE_CLOSED, __ATOMIC_RELEASE);
	for (i = 0; i < dev->data->nb_rx_queues && n < RTE_DIM(qs); i++) {
		struct mana_rxq *q = dev->data->rx_queues[i];

		qs[n++] = q != NULL ? &q->guard : NULL;
	}
	for (i = 0; i < dev->data->nb_tx_queues && n < RTE_DIM(qs); i++) {
		struct mana_txq *q = dev->data->tx_queues[i];

		qs[n++] = q != NULL ? &q->guard : NULL;
	}
	if (mana_guard_wait_idle(qs, n, sec_priv(proc)->quiesce_timeout_ns, &stuck, NULL) != 0)
		MANA_DRV_LOG(ERR, "port %u: secondary: queue %u still in a burst while parking its doorbell mapping: its late write faults",
			     proc->port_id, stuck);
	if (mmap(proc->db, MANA_DB_PAGE_SIZE, PROT_NONE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
		MANA_DRV_LOG(ERR, "port %u: secondary: cannot park the doorbell mapping: %s",
			     proc->port_id, strerror(errno));
	b = __atomic_exchange_n(&s->bhw, NULL, __ATOMIC_ACQ_REL);
	if (b != NULL)
		b->ops->close(b);
	mana_mr_flush(&proc->mr, &s->hw);
	if (s->mapped_inc != 0 && p != NULL)
		__atomic_store_n(&p->parked_inc, s->mapped_inc, __ATOMIC_RELEASE);
	s->mapped_inc = 0;
}

/* Map incarnation inc's doorbell page from fd at the parked address and
 * take a backend handle on it. s->lock held, parked. 0 or a negative errno
 * (parked again).
 */
static int
sec_map(struct mana_sec *s, int fd, uint32_t len, uint64_t inc)
{
	struct mana_proc *proc = s->proc;
	struct mana_mp_peer *p = sec_peer(s);
	struct mana_hw *b = NULL;
	int ret;

	if (fd < 0 || len == 0 || len > MANA_DB_PAGE_SIZE)
		return -EPROTO;
	if (mmap(proc->db, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
	    MAP_FAILED) {
		ret = -errno;
		goto err;
	}
	ret = s->hwdev->ops->attach(s->hwdev, &b);
	if (ret != 0)
		goto err;
	__atomic_store_n(&s->bhw, b, __ATOMIC_RELEASE);
	s->mapped_inc = inc;
	if (p != NULL)
		__atomic_store_n(&p->mapped_inc, inc, __ATOMIC_RELEASE);
	return 0;
err:
	MANA_DRV_LOG(ERR, "port %u: secondary: cannot map the doorbell page of incarnation %" PRIu64 ": %s",
		     proc->port_id, inc, rte_strerror(-ret));
	sec_park(s);
	return ret;
}

/* In step with incarnation inc and gate word: map it if it is not, then
 * take the word (store-release: after the mapping). s->lock held.
 */
static int
sec_take(struct mana_sec *s, uint64_t inc, uint64_t word, int fd, uint32_t len)
{
	int ret = 0;

	if (inc <= s->parked_max && inc != s->mapped_inc)
		return -ESTALE;        /* the primary closed it since */
	if (inc != s->mapped_inc) {
		if (s->mapped_inc != 0)
			sec_park(s);
		ret = sec_map(s, fd, len, inc);
	}
	if (ret == 0)
		__atomic_store_n(&s->proc->seen_word, word, __ATOMIC_RELEASE);
	return ret;
}

/* Resynchronization ---------------------------------------------------------- */

/* Ask the primary for the state to be in step with, and take it. The EAL
 * resynchronization thread or the probing thread; never the rte_mp one.
 */
static int
sec_sync(struct mana_proc *proc)
{
	struct mana_sec *s = proc->sec;
	struct mana_mp_msg m = { .type = MANA_MP_ATTACH, .port_id = proc->port_id };
	struct rte_mp_reply reply = { 0 };
	const struct mana_mp_msg *r = NULL;
	struct rte_mp_msg req;
	int ret, fd = -1, i;

	m.pid = getpid();
	mana_mp_msg_init(&req, &m, -1);
	if (sec_request(&req, &reply) != 0 || reply.nb_received != 1) {
		ret = -ETIMEDOUT;
		goto out;
	}
	ret = mana_mp_msg_check(&reply.msgs[0], &r);
	if (ret == 0)
		ret = r->result;
	if (reply.msgs[0].num_fds > 0)
		fd = reply.msgs[0].fds[0];
	for (i = 1; i < reply.msgs[0].num_fds; i++)
		close(reply.msgs[0].fds[i]);
	if (ret == 0) {
		pthread_mutex_lock(&s->lock);
		ret = s->closed ? -ENODEV : sec_take(s, r->incarnation, r->word, fd, r->map_len);
		pthread_mutex_unlock(&s->lock);
	}
	if (fd >= 0)
		close(fd);
	if (ret == 0)
		__atomic_fetch_add(&sec_priv(proc)->mp.resyncs, 1, __ATOMIC_RELAXED);
out:
	free(reply.msgs);
	return ret;
}

/*
 * The port's resynchronization thread (mana-sync-<port>): it sleeps on an
 * eventfd until a burst found the gate open with a word this process is not
 * in step with, asks the primary, takes the state, and lets the bursts ask
 * again after a delay that grows while the primary cannot answer (busy,
 * silent). A thread of its own rather than an EAL alarm: a burst only
 * writes an eventfd, and DPDK's alarm list is no place for a datapath lcore.
 */
static void *
sec_sync_thread(void *arg)
{
	struct mana_proc *proc = arg;
	struct mana_sec *s = proc->sec;
	uint32_t us = MANA_SEC_RESYNC_MIN_US;
	uint64_t v;

	for (;;) {
		if (read(s->wake_fd, &v, sizeof(v)) < 0 && errno != EINTR)
			break;
		if (__atomic_load_n(&s->quit, __ATOMIC_ACQUIRE))
			break;
		if (sec_sync(proc) == 0) {
			us = MANA_SEC_RESYNC_MIN_US;
		} else {
			struct timespec ts = { 0, (long)us * 1000 };

			nanosleep(&ts, NULL);
			us = RTE_MIN(us * 4, MANA_SEC_RESYNC_MAX_US);
		}
		/* Pairs with the bursts' relaxed load: at worst one more
		 * wake-up.
		 */
		__atomic_store_n(&proc->resync_pending, 0, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* A burst found the gate open with a word this process is not in step
 * with (any lcore): wake the resynchronization thread, once.
 */
static void
sec_resync_schedule(struct mana_proc *proc)
{
	uint32_t zero = 0;
	uint64_t one = 1;

	if (!__atomic_compare_exchange_n(&proc->resync_pending, &zero, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	if (write(proc->sec->wake_fd, &one, sizeof(one)) != sizeof(one))
		__atomic_store_n(&proc->resync_pending, 0, __ATOMIC_RELEASE);
}

/* The primary's messages (this process's rte_mp_handle thread) ------------- */

static void
sec_event(uint16_t port_id, enum rte_eth_event_type type)
{
	rte_eth_dev_callback_process(&rte_eth_devices[port_id], type, NULL);
}

static int
sec_handle(const struct rte_mp_msg *msg, const void *peer)
{
	const struct mana_mp_msg *m;
	bool recovering = false, outcome = false;
	struct mana_proc *proc;
	struct mana_sec *s;
	uint16_t port_id;
	int fd = -1, i;

	RTE_SET_USED(peer);
	if (mana_mp_msg_check(msg, &m) != 0) {
		MANA_DRV_LOG(ERR, "rte_mp: malformed %s message (%d bytes, %d fds): ignored",
			     MANA_MP_NAME, msg->len_param, msg->num_fds);
		for (i = 0; i < msg->num_fds && i < RTE_MP_MAX_FD_NUM; i++)
			close(msg->fds[i]);
		return -EBADMSG;
	}
	if (msg->num_fds > 0)
		fd = msg->fds[0];
	port_id = m->port_id;
	pthread_mutex_lock(&mana_sec_lock);
	proc = mana_sec_ports[port_id];
	if (proc == NULL)
		goto out;
	s = proc->sec;
	pthread_mutex_lock(&s->lock);
	switch (m->type) {
	case MANA_MP_RECOVERING:
		if (m->seq > s->ev_recovering) {
			s->ev_recovering = m->seq;
			recovering = true;
		}
		break;
	case MANA_MP_OUTCOME:
		if (m->seq > s->ev_outcome) {
			if (m->seq > s->ev_recovering) {
				s->ev_recovering = m->seq;
				recovering = true;
			}
			s->ev_outcome = m->seq;
			outcome = true;
		}
		break;
	case MANA_MP_PARK:
		if (m->incarnation > s->parked_max)
			s->parked_max = m->incarnation;
		if (m->incarnation == s->mapped_inc)
			sec_park(s);
		else if (sec_peer(s) != NULL)  /* nothing of it mapped here */
			__atomic_store_n(&sec_peer(s)->parked_inc, m->incarnation,
					 __ATOMIC_RELEASE);
		break;
	case MANA_MP_REMAP:
		if (!s->closed && m->incarnation >= s->mapped_inc)
			sec_take(s, m->incarnation, m->word, fd, m->map_len);
		break;
	case MANA_MP_CLOSED:
		s->closed = true;
		__atomic_store_n(&proc->seen_word, MANA_GATE_CLOSED, __ATOMIC_RELEASE);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&s->lock);
out:
	pthread_mutex_unlock(&mana_sec_lock);
	if (fd >= 0)
		close(fd);
	/* Outside the locks: the application's callbacks (on this thread:
	 * they must not send rte_mp requests) may close the port.
	 */
	if (recovering)
		sec_event(port_id, RTE_ETH_EVENT_ERR_RECOVERING);
	if (outcome)
		sec_event(port_id, m->outcome == MANA_MP_OUT_SUCCESS ? RTE_ETH_EVENT_RECOVERY_SUCCESS :
			  m->outcome == MANA_MP_OUT_REMOVED ? RTE_ETH_EVENT_INTR_RMV :
			  RTE_ETH_EVENT_RECOVERY_FAILED);
	return 0;
}

/* Attach and close ------------------------------------------------------------ */

/* Take a free slot of the port's peers (pid negative while it is being
 * filled, so the primary never judges a half-written slot).
 */
static int
sec_peer_claim(struct mana_priv *priv)
{
	int32_t pid = getpid();
	uint64_t start = mana_mp_start_time(pid);
	unsigned int i;

	for (i = 0; i < MANA_MP_MAX_PEERS; i++) {
		struct mana_mp_peer *p = &priv->mp.peers[i];
		int32_t zero = 0;

		if (!__atomic_compare_exchange_n(&p->pid, &zero, -pid, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&p->start_time, start, __ATOMIC_RELAXED);
		__atomic_store_n(&p->parked_inc, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&p->mapped_inc, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&p->pid, pid, __ATOMIC_RELEASE);
		return (int)i;
	}
	return -1;
}

static void
sec_free(struct mana_proc *proc)
{
	struct mana_sec *s = proc->sec;

	if (s != NULL) {
		if (s->wake_fd >= 0)
			close(s->wake_fd);
		if (s->hwdev != NULL)
			s->hwdev->ops->destroy(s->hwdev);
		pthread_mutex_destroy(&s->lock);
		free(s);
	}
	if (proc->db != NULL)
		munmap(proc->db, MANA_DB_PAGE_SIZE);
	mana_mr_cache_fini(&proc->mr);
	pthread_mutex_destroy(&proc->stats_lock);
	free(proc);
}

int
mana_sec_attach(struct rte_eth_dev *dev, struct mana_hw_dev *hwdev)
{
	struct mana_priv *priv = dev->data->dev_private;
	enum mana_guard_mode mode;
	struct mana_proc *proc;
	struct mana_sec *s;
	bool fenced;
	int ret;

	proc = calloc(1, sizeof(*proc));
	s = calloc(1, sizeof(*s));
	if (proc == NULL || s == NULL) {
		free(proc);
		free(s);
		hwdev->ops->destroy(hwdev);
		return -ENOMEM;
	}
	proc->sec = s;
	s->hwdev = hwdev;
	if (pthread_mutex_init(&s->lock, NULL) != 0 ||
	    pthread_mutex_init(&proc->stats_lock, NULL) != 0 ||
	    mana_mr_cache_init(&proc->mr) != 0) {
		/* (glibc's default mutexes cannot fail to initialize.) */
		MANA_INIT_LOG(ERR, "%s: cannot initialize a lock", dev->data->name);
		sec_free(proc);
		return -ENOMEM;
	}
	s->hw.ops = &mana_sec_hw_ops;
	s->proc = proc;
	s->wake_fd = -1;
	proc->secondary = true;
	proc->pid = getpid();
	proc->port_id = dev->data->port_id;
	proc->hw = &s->hw;
	proc->resync = sec_resync_schedule;
	proc->seen_word = MANA_GATE_CLOSED;   /* never an open gate's word */
	/* The address the doorbell page lives at in this process, parked. */
	proc->db = mmap(NULL, MANA_DB_PAGE_SIZE, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (proc->db == MAP_FAILED) {
		ret = -errno;
		proc->db = NULL;
		MANA_INIT_LOG(ERR, "%s: cannot reserve the doorbell address: %s",
			      dev->data->name, strerror(-ret));
		sec_free(proc);
		return ret;
	}
	/* Events already raised before this process came. */
	s->ev_recovering = s->ev_outcome = __atomic_load_n(&priv->mp.reset_seq,
							   __ATOMIC_RELAXED);
	s->peer = sec_peer_claim(priv);
	if (s->peer < 0)
		MANA_INIT_LOG(WARNING, "%s: more than %u secondaries: this one is not tracked (the primary does not wait for it to park; it still resynchronizes)",
			      dev->data->name, MANA_MP_MAX_PEERS);

	pthread_mutex_lock(&mana_sec_lock);
	if (!mana_sec_action) {
		if (rte_mp_action_register(MANA_MP_NAME, sec_handle) == 0) {
			mana_sec_action = true;
		} else {
			pthread_mutex_unlock(&mana_sec_lock);
			MANA_INIT_LOG(ERR, "%s: cannot register rte_mp action %s: %s",
				      dev->data->name, MANA_MP_NAME, rte_strerror(rte_errno));
			ret = -rte_errno;
			goto err_peer;
		}
	}
	mana_sec_users++;
	mana_sec_ports[proc->port_id] = proc;
	pthread_mutex_unlock(&mana_sec_lock);

	s->wake_fd = eventfd(0, EFD_CLOEXEC);
	if (s->wake_fd < 0) {
		ret = -errno;
		MANA_INIT_LOG(ERR, "%s: cannot create an eventfd: %s", dev->data->name,
			      strerror(-ret));
		goto err_unpublish;
	}
	{
		char tname[RTE_MAX_THREAD_NAME_LEN];

		snprintf(tname, sizeof(tname), "mana-sync-%u", proc->port_id);
		ret = -rte_ctrl_thread_create(&s->sync_thread, tname, NULL, sec_sync_thread, proc);
		if (ret != 0) {
			MANA_INIT_LOG(ERR, "%s: cannot start its resynchronization thread: %s",
				      dev->data->name, rte_strerror(-ret));
			goto err_unpublish;
		}
		s->sync_started = true;
	}
	mode = mana_guard_register(true);
	fenced = mode == MANA_GUARD_FENCED || priv->guard_mode == MANA_GUARD_FENCED;
	dev->process_private = proc;
	dev->rx_pkt_burst = fenced ? mana_rx_burst_sec_fenced : mana_rx_burst_sec;
	dev->tx_pkt_burst = fenced ? mana_tx_burst_sec_fenced : mana_tx_burst_sec;
	/* In step now if the primary's port is running; else the first
	 * burst that finds it open asks again.
	 */
	ret = sec_sync(proc);
	MANA_INIT_LOG(INFO, "%s: secondary process attached to port %u%s%s", dev->data->name,
		      proc->port_id, ret == 0 ? "" : "; not in step yet: ",
		      ret == 0 ? "" : rte_strerror(-ret));
	return 0;

err_unpublish:
	pthread_mutex_lock(&mana_sec_lock);
	mana_sec_ports[proc->port_id] = NULL;
	if (--mana_sec_users == 0 && mana_sec_action) {
		rte_mp_action_unregister(MANA_MP_NAME);
		mana_sec_action = false;
	}
	pthread_mutex_unlock(&mana_sec_lock);
err_peer:
	if (s->peer >= 0)
		__atomic_store_n(&priv->mp.peers[s->peer].pid, 0, __ATOMIC_RELEASE);
	sec_free(proc);
	return ret;
}

int
mana_sec_close(struct rte_eth_dev *dev)
{
	struct mana_proc *proc = dev->process_private;
	struct mana_priv *priv;
	struct mana_sec *s;

	if (proc == NULL || !proc->secondary)
		return 0;
	priv = dev->data->dev_private;
	s = proc->sec;
	/* The primary no longer waits for this process to park: it is
	 * leaving (its bursts have stopped), and from the next line on its
	 * handler may be gone.
	 */
	if (s->peer >= 0) {
		__atomic_store_n(&priv->mp.peers[s->peer].pid, 0, __ATOMIC_RELEASE);
		s->peer = -1;
	}
	/* No message reaches it from here on. */
	pthread_mutex_lock(&mana_sec_lock);
	mana_sec_ports[proc->port_id] = NULL;
	if (--mana_sec_users == 0 && mana_sec_action) {
		rte_mp_action_unregister(MANA_MP_NAME);
		mana_sec_action = false;
	}
	pthread_mutex_unlock(&mana_sec_lock);
	/* Nor a resynchronization (joins the thread). */
	if (s->sync_started) {
		uint64_t one = 1;

		__atomic_store_n(&s->quit, 1, __ATOMIC_RELEASE);
		if (write(s->wake_fd, &one, sizeof(one)) != sizeof(one))
			MANA_DRV_LOG(ERR, "port %u: cannot wake the resynchronization thread",
				     proc->port_id);
		pthread_join(s->sync_thread, NULL);
		s->sync_started = false;
	}
	pthread_mutex_lock(&s->lock);
	sec_park(s);
	pthread_mutex_unlock(&s->lock);
	dev->process_private = NULL;
	sec_free(proc);
	MANA_DRV_LOG(INFO, "port %u: secondary detached (the port goes on in the primary)",
		     dev->data->port_id);
	return 0;
}

int
mana_sec_refuse(struct rte_eth_dev *dev)
{
	MANA_DRV_LOG(ERR, "port %u: a secondary process cannot configure, start or stop the port: the primary owns it",
		     dev->data->port_id);
	return -EPERM;
}

bool
mana_sec_ro_enter(struct mana_proc *proc)
{
	struct mana_sec *s = proc->sec;

	pthread_mutex_lock(&s->lock);
	return s->bhw != NULL && __atomic_load_n(&proc->seen_word, __ATOMIC_ACQUIRE) ==
		__atomic_load_n(&sec_priv(proc)->gate.word, __ATOMIC_ACQUIRE);
}

void
mana_sec_ro_exit(struct mana_proc *proc)
{
	pthread_mutex_unlock(&proc->sec->lock);
}
