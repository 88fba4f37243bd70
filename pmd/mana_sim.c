/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The simulated MANA device (see mana_sim.h for the model).
 *
 * Locking, all in shared memory:
 *   hub->lock      slot allocation and the peer links between devices.
 *   q->lock        one per hardware queue: the "hardware" consuming that queue.
 *                  Order: hub->lock, then SQ locks, then RQ locks.
 * A device's queues, doorbell mapping and up flag change only with all its
 * queue locks held, so a kick on any lcore sees them whole.
 * Process-local, primary only: sim_device.lock guards which handle is open
 * (the EAL alarm that fires service events writes to that handle's channel).
 */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_pause.h>
#include <rte_tcp.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include "mana_log.h"
#include "mana_mem.h"
#include "mana_sim.h"

#define SIM_HUB_NAME   "mana_sim_hub"
#define SIM_HUB_MAGIC  0x4d53494eU   /* "NISM": layout 2 (memory regions) */
#define SIM_MAX_DEVS   32
#define SIM_MAX_MRS    64            /* memory regions per device */
#define SIM_GRAVES     256           /* revoked doorbell pages kept per device */

#define SIM_RSS_V4 (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP)
#define SIM_RSS_V6 (RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP)

/* The simulated hardware's internal lock, in shared memory. Built on
 * __atomic builtins rather than rte_spinlock (inline asm), so that
 * ThreadSanitizer sees the ordering it provides.
 */
typedef struct {
	uint32_t locked;
} sim_lock_t;

static inline void
sim_lock_init(sim_lock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELAXED);
}

/* Spin a little, then sleep, backing off: on a machine with more runnable
 * threads than cores the holder may be descheduled, and the waiter must give
 * it the CPU. Never sched_yield: under EEVDF a yield pushes the yielder's
 * whole task group (an autogroup: its session) back on that CPU, and a
 * thread yielding in a loop starved its own process there for seconds, lock
 * holder included (measured: a burst held 20 s when two test processes in
 * different sessions shared the CPU).
 */
#define SIM_LOCK_SPINS        256
#define SIM_LOCK_SLEEP_MIN_NS 10000
#define SIM_LOCK_SLEEP_MAX_NS 1000000

static inline void
sim_lock(sim_lock_t *l)
{
	unsigned int spins = 0;
	long sleep_ns = SIM_LOCK_SLEEP_MIN_NS;

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0)
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0) {
			if (spins < SIM_LOCK_SPINS) {
				spins++;
				rte_pause();
			} else {
				struct timespec ts = { 0, sleep_ns };

				nanosleep(&ts, NULL);
				if (sleep_ns < SIM_LOCK_SLEEP_MAX_NS)
					sleep_ns *= 2;
			}
		}
}

static inline void
sim_unlock(sim_lock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

struct sim_queue {
	sim_lock_t lock;
	bool created;
	uint32_t mask;
	uint32_t wq_tail;        /* next WQE the hardware consumes */
	uint32_t cq_prod;        /* position of the next CQE the hardware writes */
	struct mana_wqe *wqe;
	struct mana_cqe *cqe;
	void *mem;               /* rte_malloc block holding both rings */
} __rte_cache_aligned;

/* A registered memory region; lkey = generation << 8 | (index + 1). */
struct sim_mr {
	uint64_t addr;
	uint64_t len;
	uint32_t lkey;
	uint32_t valid;
};

struct sim_dev {
	uint32_t in_use;
	uint32_t slot_gen;       /* bumped on every allocation of this slot */
	char name[MANA_SIM_NAME_LEN];
	char peer_name[MANA_SIM_NAME_LEN];
	uint64_t peer_ref;       /* sim_ref() of the peer, 0: none (atomic) */
	uint8_t mac[6];
	uint64_t identity;
	uint32_t hw_state;       /* enum sim_hw_state */
	uint32_t opened;         /* a driver handle is open */
	uint32_t up;             /* the device is alive (hw_state == SIM_HW_UP) */
	uint32_t vport_up;       /* the port is started */
	struct mana_vport_cfg cfg;
	uint64_t rx_no_buffer;   /* atomic counters */
	uint64_t rx_filtered;
	uint64_t rx_port_down;
	struct sim_queue sq[MANA_MAX_QUEUES];
	struct sim_queue rq[MANA_MAX_QUEUES];
	/* Memory regions of the open handle, under mr_lock (a leaf lock). */
	sim_lock_t mr_lock;
	uint32_t mr_gen;
	struct sim_mr mr[SIM_MAX_MRS];
};

enum sim_hw_state {
	SIM_HW_UP,               /* working */
	SIM_HW_DOWN,             /* in service */
	SIM_HW_READY,            /* back from service, not opened yet */
	SIM_HW_GONE,             /* removed */
};

struct sim_hub {
	uint32_t magic;
	sim_lock_t lock;
	uint32_t next_identity;
	uint64_t mr_registered;  /* atomic counters (struct mana_sim_mr_stats) */
	uint64_t mr_active;
	uint64_t mr_leaked;
	uint64_t mr_bad_lkey;
	struct sim_dev dev[SIM_MAX_DEVS];
};

struct sim_device;

/* Per-process handle on one incarnation of the device. */
struct sim_proc {
	struct mana_hw hw;
	struct sim_device *owner;
	struct sim_dev *dev;
	unsigned int slot;
	int memfd;
	void *db;
	int ev_rd, ev_wr;        /* the async event channel (a pipe) */
};

/* Per-process (primary) view of a device across incarnations. */
struct sim_device {
	struct mana_hw_dev base;
	char name[MANA_SIM_NAME_LEN];
	unsigned int slot;
	struct mana_sim_params params;
	pthread_mutex_t lock;    /* handle, schedule */
	struct sim_proc *handle; /* the open handle, or NULL */
	uint32_t fired;          /* service events so far */
	bool scheduled;          /* the service schedule was started */
	bool armed;              /* a service event is pending (at most one) */
	bool dying;              /* being destroyed: set no more alarms */
	/* Doorbell pages of closed handles, kept inaccessible (under lock). */
	void *graves[SIM_GRAVES];
	unsigned int nb_graves;
};

static struct sim_hub *sim_hub;
/* This process's doorbell mapping of each slot; written with all queue locks
 * of that slot held, read under one of them.
 */
static void *sim_db_map[SIM_MAX_DEVS];

static uint64_t
sim_ref(unsigned int slot, uint32_t gen)
{
	return ((uint64_t)gen << 8) | (slot + 1);
}

static struct sim_hub *
sim_hub_get(void)
{
	const struct rte_memzone *mz;

	if (sim_hub != NULL)
		return sim_hub;
	mz = rte_memzone_lookup(SIM_HUB_NAME);
	if (mz == NULL)
		mz = rte_memzone_reserve(SIM_HUB_NAME, sizeof(struct sim_hub), SOCKET_ID_ANY,
					 RTE_MEMZONE_SIZE_HINT_ONLY);
	if (mz == NULL) {
		MANA_SIM_LOG(ERR, "cannot reserve memzone %s: %s", SIM_HUB_NAME,
			     rte_strerror(rte_errno));
		return NULL;
	}
	sim_hub = mz->addr;
	/* A fresh memzone is zeroed; the first opener initializes it. Only the
	 * primary opens devices, on the EAL init thread, so there is no race.
	 */
	if (sim_hub->magic != SIM_HUB_MAGIC) {
		sim_lock_init(&sim_hub->lock);
		sim_hub->next_identity = 1;
		sim_hub->magic = SIM_HUB_MAGIC;
	}
	return sim_hub;
}

static void
sim_lock_all(struct sim_dev *d)
{
	unsigned int i;

	for (i = 0; i < MANA_MAX_QUEUES; i++)
		sim_lock(&d->sq[i].lock);
	for (i = 0; i < MANA_MAX_QUEUES; i++)
		sim_lock(&d->rq[i].lock);
}

static void
sim_unlock_all(struct sim_dev *d)
{
	unsigned int i;

	for (i = MANA_MAX_QUEUES; i-- > 0;)
		sim_unlock(&d->rq[i].lock);
	for (i = MANA_MAX_QUEUES; i-- > 0;)
		sim_unlock(&d->sq[i].lock);
}

void
mana_sim_default_peer(const char *name, char *peer, size_t len)
{
	size_t n = strlen(name), digits = n;
	unsigned long idx;

	while (digits > 0 && isdigit((unsigned char)name[digits - 1]))
		digits--;
	if (digits == n || n - digits > 9) {
		snprintf(peer, len, "%s", "");
		return;
	}
	idx = strtoul(name + digits, NULL, 10);
	snprintf(peer, len, "%.*s%lu", (int)digits, name, idx ^ 1UL);
}

/* Link every device whose peer is d, and d to its peer. hub->lock held. */
static void
sim_link_peers(struct sim_hub *hub, unsigned int slot)
{
	struct sim_dev *d = &hub->dev[slot];
	unsigned int i;
	uint64_t mine = sim_ref(slot, d->slot_gen);

	__atomic_store_n(&d->peer_ref, 0, __ATOMIC_RELAXED);
	for (i = 0; i < SIM_MAX_DEVS; i++) {
		struct sim_dev *o = &hub->dev[i];

		if (!o->in_use)
			continue;
		if (strcmp(o->name, d->peer_name) == 0)
			__atomic_store_n(&d->peer_ref, sim_ref(i, o->slot_gen), __ATOMIC_RELAXED);
		if (strcmp(o->peer_name, d->name) == 0)
			__atomic_store_n(&o->peer_ref, mine, __ATOMIC_RELAXED);
	}
	/* No such peer: the wire loops back. */
	if (__atomic_load_n(&d->peer_ref, __ATOMIC_RELAXED) == 0)
		__atomic_store_n(&d->peer_ref, mine, __ATOMIC_RELAXED);
}

/* Unlink d from every device; those left without a peer loop back. */
static void
sim_unlink_peers(struct sim_hub *hub, unsigned int slot)
{
	struct sim_dev *d = &hub->dev[slot];
	uint64_t mine = sim_ref(slot, d->slot_gen);
	unsigned int i;

	for (i = 0; i < SIM_MAX_DEVS; i++) {
		struct sim_dev *o = &hub->dev[i];

		if (i != slot && o->in_use &&
		    __atomic_load_n(&o->peer_ref, __ATOMIC_RELAXED) == mine)
			__atomic_store_n(&o->peer_ref, sim_ref(i, o->slot_gen),
					 __ATOMIC_RELAXED);
	}
	__atomic_store_n(&d->peer_ref, 0, __ATOMIC_RELAXED);
}

static void sim_schedule_start(struct sim_device *o);
static bool sim_schedule_more(const struct sim_device *o);
static bool sim_arm(struct sim_device *o);

static void
sim_queue_free(struct sim_queue *q)
{
	mana_free(q->mem);
	q->mem = NULL;
	q->wqe = NULL;
	q->cqe = NULL;
	q->created = false;
}

/*
 * A closed handle's doorbell page must fault on any late access, as the
 * hardware's BAR mapping would: unmapping it is not enough (the next handle's
 * page may land at the same address and take the stray write). The address
 * stays reserved with no access for the next SIM_GRAVES handles.
 */
static void
sim_db_bury(struct sim_device *o, void *db)
{
	void *old = NULL;

	if (mmap(db, MANA_DB_PAGE_SIZE, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE, -1, 0) == MAP_FAILED) {
		munmap(db, MANA_DB_PAGE_SIZE);
		return;
	}
	pthread_mutex_lock(&o->lock);
	if (o->nb_graves == SIM_GRAVES) {
		old = o->graves[0];
		memmove(o->graves, o->graves + 1, sizeof(o->graves[0]) * (SIM_GRAVES - 1));
		o->nb_graves--;
	}
	o->graves[o->nb_graves++] = db;
	pthread_mutex_unlock(&o->lock);
	if (old != NULL)
		munmap(old, MANA_DB_PAGE_SIZE);
}

static void
sim_handle_free(struct sim_proc *p)
{
	sim_db_bury(p->owner, p->db);
	close(p->memfd);
	close(p->ev_rd);
	close(p->ev_wr);
	free(p);
}

/* Registrations still live when the handle closes die with it, as on the
 * hardware; they are counted as leaked (the driver must release them).
 */
static void
sim_mr_revoke(struct sim_dev *d)
{
	uint64_t n = 0;
	unsigned int i;

	sim_lock(&d->mr_lock);
	for (i = 0; i < SIM_MAX_MRS; i++)
		if (d->mr[i].valid) {
			d->mr[i].valid = 0;
			n++;
		}
	sim_unlock(&d->mr_lock);
	if (n > 0) {
		MANA_SIM_LOG(WARNING, "%s: %" PRIu64 " memory registration(s) leaked by the driver",
			     d->name, n);
		__atomic_fetch_add(&sim_hub->mr_leaked, n, __ATOMIC_RELAXED);
		__atomic_fetch_sub(&sim_hub->mr_active, n, __ATOMIC_RELAXED);
	}
}

static int
sim_mr_reg(struct mana_hw *hw, void *addr, size_t len, uint32_t *lkey)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;
	unsigned int i;

	if (addr == NULL || len == 0)
		return -EINVAL;
	if (!__atomic_load_n(&d->up, __ATOMIC_ACQUIRE))
		return -EIO;
	sim_lock(&d->mr_lock);
	for (i = 0; i < SIM_MAX_MRS && d->mr[i].valid; i++)
		;
	if (i == SIM_MAX_MRS) {
		sim_unlock(&d->mr_lock);
		return -ENOSPC;
	}
	d->mr_gen = (d->mr_gen + 1) & 0xffffff;
	if (d->mr_gen == 0)
		d->mr_gen = 1;
	d->mr[i].addr = (uint64_t)(uintptr_t)addr;
	d->mr[i].len = len;
	d->mr[i].lkey = (d->mr_gen << 8) | (i + 1);
	d->mr[i].valid = 1;
	*lkey = d->mr[i].lkey;
	sim_unlock(&d->mr_lock);
	__atomic_fetch_add(&sim_hub->mr_registered, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sim_hub->mr_active, 1, __ATOMIC_RELAXED);
	return 0;
}

static void
sim_mr_dereg(struct mana_hw *hw, uint32_t lkey)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;
	unsigned int i = (lkey & 0xff) - 1;
	bool found = false;

	sim_lock(&d->mr_lock);
	if (i < SIM_MAX_MRS && d->mr[i].valid && d->mr[i].lkey == lkey) {
		d->mr[i].valid = 0;
		found = true;
	}
	sim_unlock(&d->mr_lock);
	if (found)
		__atomic_fetch_sub(&sim_hub->mr_active, 1, __ATOMIC_RELAXED);
	else
		MANA_SIM_LOG(ERR, "%s: release of unknown lkey %#x", d->name, lkey);
}

/* May the device touch [addr, addr + len) under lkey? */
static bool
sim_mr_ok(struct sim_dev *d, uint64_t addr, uint32_t len, uint32_t lkey)
{
	unsigned int i = (lkey & 0xff) - 1;
	bool ok;

	sim_lock(&d->mr_lock);
	ok = i < SIM_MAX_MRS && d->mr[i].valid && d->mr[i].lkey == lkey &&
	     addr >= d->mr[i].addr && addr + len <= d->mr[i].addr + d->mr[i].len;
	sim_unlock(&d->mr_lock);
	if (!ok)
		__atomic_fetch_add(&sim_hub->mr_bad_lkey, 1, __ATOMIC_RELAXED);
	return ok;
}

static bool
sim_wqe_registered(struct sim_dev *d, const struct mana_wqe *w)
{
	uint16_t i;

	for (i = 0; i < w->num_sge; i++)
		if (!sim_mr_ok(d, w->sge[i].addr, w->sge[i].len, w->sge[i].lkey))
			return false;
	return true;
}

int
mana_sim_mr_stats_get(struct mana_sim_mr_stats *st)
{
	if (sim_hub == NULL)
		return -ENODEV;
	st->registered = __atomic_load_n(&sim_hub->mr_registered, __ATOMIC_RELAXED);
	st->active = __atomic_load_n(&sim_hub->mr_active, __ATOMIC_RELAXED);
	st->leaked = __atomic_load_n(&sim_hub->mr_leaked, __ATOMIC_RELAXED);
	st->bad_lkey = __atomic_load_n(&sim_hub->mr_bad_lkey, __ATOMIC_RELAXED);
	return 0;
}

/* Release a handle. The device stays (it may be in service, or be opened
 * again); its doorbell page is truncated, so any late access faults.
 */
static void
sim_close(struct mana_hw *hw)
{
	struct sim_proc *p = (struct sim_proc *)hw;
	struct sim_device *o = p->owner;
	struct sim_dev *d = p->dev;
	unsigned int i;

	pthread_mutex_lock(&o->lock);
	o->handle = NULL;
	pthread_mutex_unlock(&o->lock);

	sim_lock_all(d);
	d->vport_up = 0;
	for (i = 0; i < MANA_MAX_QUEUES; i++) {
		sim_queue_free(&d->sq[i]);
		sim_queue_free(&d->rq[i]);
	}
	sim_db_map[p->slot] = NULL;
	d->opened = 0;
	sim_unlock_all(d);
	sim_mr_revoke(d);

	if (ftruncate(p->memfd, 0) != 0)
		MANA_SIM_LOG(WARNING, "%s: cannot revoke the doorbell page: %s", d->name,
			     strerror(errno));
	MANA_SIM_LOG(INFO, "%s: handle on identity %#" PRIx64 " closed", d->name, d->identity);
	sim_handle_free(p);
}

static int
sim_query(struct mana_hw *hw, struct mana_hw_caps *caps)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;

	if (!__atomic_load_n(&d->up, __ATOMIC_ACQUIRE))
		return -EIO;
	memcpy(caps->mac, d->mac, sizeof(caps->mac));
	caps->max_queues = MANA_MAX_QUEUES;
	caps->max_desc = MANA_MAX_DESC;
	caps->max_mtu = 9000;
	caps->identity = d->identity;
	return 0;
}

static struct sim_queue *
sim_queue_of(struct sim_dev *d, enum mana_hwq_type type, uint16_t idx)
{
	if (idx >= MANA_MAX_QUEUES)
		return NULL;
	return type == MANA_HWQ_SQ ? &d->sq[idx] : &d->rq[idx];
}

static int
sim_queue_create(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx, uint32_t nb_desc,
		 int socket_id, struct mana_hw_queue *out)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;
	struct sim_queue *q = sim_queue_of(d, type, idx);
	uint32_t n;
	size_t wq_bytes;
	void *mem;
	int ret;

	if (q == NULL || nb_desc == 0 || nb_desc > MANA_MAX_DESC)
		return -EINVAL;
	n = rte_align32pow2(RTE_MAX(nb_desc, MANA_MIN_DESC));
	wq_bytes = (size_t)n * sizeof(struct mana_wqe);
	mem = mana_zmalloc("mana_sim_queue", wq_bytes + (size_t)n * sizeof(struct mana_cqe),
				 RTE_CACHE_LINE_SIZE, socket_id);
	if (mem == NULL)
		return -ENOMEM;

	sim_lock(&q->lock);
	/* up changes only with every queue lock held. */
	if (!d->up || q->created) {
		ret = d->up ? -EBUSY : -EIO;
		sim_unlock(&q->lock);
		mana_free(mem);
		return ret;
	}
	q->mem = mem;
	q->wqe = mem;
	q->cqe = (struct mana_cqe *)((char *)mem + wq_bytes);
	q->mask = n - 1;
	q->wq_tail = 0;
	q->cq_prod = 0;
	q->created = true;
	sim_unlock(&q->lock);

	out->wqe = q->wqe;
	out->cqe = q->cqe;
	out->nb_desc = n;
	out->db_offset = type == MANA_HWQ_SQ ? MANA_DB_SQ_OFFSET(idx) : MANA_DB_RQ_OFFSET(idx);
	/* A new queue starts from producer index 0. */
	__atomic_store_n((uint32_t *)((char *)((struct sim_proc *)hw)->db + out->db_offset), 0,
			 __ATOMIC_RELEASE);
	return 0;
}

static void
sim_queue_destroy(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;
	struct sim_queue *q = sim_queue_of(d, type, idx);

	if (q == NULL)
		return;
	sim_lock(&q->lock);
	sim_queue_free(q);
	sim_unlock(&q->lock);
}

static int
sim_vport_start(struct mana_hw *hw, const struct mana_vport_cfg *cfg)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;
	unsigned int i;

	if (cfg->nb_rxq == 0 || cfg->nb_rxq > MANA_MAX_QUEUES)
		return -EINVAL;
	for (i = 0; i < MANA_RETA_SIZE; i++)
		if (cfg->reta[i] >= cfg->nb_rxq)
			return -EINVAL;
	sim_lock_all(d);
	if (!d->up) {
		sim_unlock_all(d);
		return -EIO;
	}
	d->cfg = *cfg;
	d->vport_up = 1;
	sim_unlock_all(d);
	sim_schedule_start(((struct sim_proc *)hw)->owner);
	return 0;
}

static void
sim_vport_stop(struct mana_hw *hw)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;

	sim_lock_all(d);
	d->vport_up = 0;
	sim_unlock_all(d);
}

static void *
sim_db_page(struct mana_hw *hw)
{
	return ((struct sim_proc *)hw)->db;
}

static int
sim_stats(struct mana_hw *hw, struct mana_hw_stats *st)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;

	st->rx_no_buffer = __atomic_load_n(&d->rx_no_buffer, __ATOMIC_RELAXED);
	st->rx_filtered = __atomic_load_n(&d->rx_filtered, __ATOMIC_RELAXED);
	st->rx_port_down = __atomic_load_n(&d->rx_port_down, __ATOMIC_RELAXED);
	return 0;
}

static uint32_t
sim_db_read(unsigned int slot, uint32_t offset)
{
	/* Pairs with the driver's store-release of the producer index. */
	return __atomic_load_n((uint32_t *)((char *)sim_db_map[slot] + offset), __ATOMIC_ACQUIRE);
}

/* The receiver's MAC filter. */
static bool
sim_mac_accepts(const struct sim_dev *rx, const uint8_t *frame, uint32_t len)
{
	const struct rte_ether_addr *dst = (const struct rte_ether_addr *)frame;

	if (len < RTE_ETHER_HDR_LEN)
		return false;
	if (rx->cfg.promisc || rte_is_broadcast_ether_addr(dst))
		return true;
	if (rte_is_multicast_ether_addr(dst))
		return rx->cfg.allmulti;
	return memcmp(dst->addr_bytes, rx->cfg.mac, RTE_ETHER_ADDR_LEN) == 0;
}

/* Toeplitz hash of the frame as the receiver's RSS configuration asks. */
static uint32_t
sim_rss_hash(const struct mana_vport_cfg *cfg, const uint8_t *frame, uint32_t len)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	union rte_thash_tuple t;
	uint32_t l3 = RTE_ETHER_HDR_LEN, tuple_len = 0;
	uint8_t proto = 0;
	const uint8_t *l4 = NULL;
	uint64_t l4_bits = 0;

	if (cfg->rss_hf == 0 || len < l3)
		return 0;
	memset(&t, 0, sizeof(t));
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
	    len >= l3 + sizeof(struct rte_ipv4_hdr) && (cfg->rss_hf & SIM_RSS_V4)) {
		const struct rte_ipv4_hdr *ip = (const void *)(frame + l3);
		uint32_t ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;

		t.v4.src_addr = rte_be_to_cpu_32(ip->src_addr);
		t.v4.dst_addr = rte_be_to_cpu_32(ip->dst_addr);
		tuple_len = RTE_THASH_V4_L3_LEN;
		proto = ip->next_proto_id;
		if (ihl >= sizeof(*ip) && len >= l3 + ihl + 4 &&
		    (ip->fragment_offset &
		     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) == 0)
			l4 = frame + l3 + ihl;
		l4_bits = proto == IPPROTO_TCP ? RTE_ETH_RSS_NONFRAG_IPV4_TCP :
			  proto == IPPROTO_UDP ? RTE_ETH_RSS_NONFRAG_IPV4_UDP : 0;
		if (l4 != NULL && (cfg->rss_hf & l4_bits)) {
			t.v4.sport = rte_be_to_cpu_16(*(const rte_be16_t *)l4);
			t.v4.dport = rte_be_to_cpu_16(*(const rte_be16_t *)(l4 + 2));
			tuple_len = RTE_THASH_V4_L4_LEN;
		}
	} else if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6) &&
		   len >= l3 + sizeof(struct rte_ipv6_hdr) && (cfg->rss_hf & SIM_RSS_V6)) {
		const struct rte_ipv6_hdr *ip6 = (const void *)(frame + l3);

		rte_thash_load_v6_addrs(ip6, &t);
		tuple_len = RTE_THASH_V6_L3_LEN;
		proto = ip6->proto;
		if (len >= l3 + sizeof(*ip6) + 4)
			l4 = frame + l3 + sizeof(*ip6);
		l4_bits = proto == IPPROTO_TCP ? RTE_ETH_RSS_NONFRAG_IPV6_TCP :
			  proto == IPPROTO_UDP ? RTE_ETH_RSS_NONFRAG_IPV6_UDP : 0;
		if (l4 != NULL && (cfg->rss_hf & l4_bits)) {
			t.v6.sport = rte_be_to_cpu_16(*(const rte_be16_t *)l4);
			t.v6.dport = rte_be_to_cpu_16(*(const rte_be16_t *)(l4 + 2));
			tuple_len = RTE_THASH_V6_L4_LEN;
		}
	}
	if (tuple_len == 0)
		return 0;
	return rte_softrss((uint32_t *)&t, tuple_len, cfg->rss_key);
}

/* Copy the packet described by a send WQE into a buffer (the DMA). */
static uint32_t
sim_gather(const struct mana_wqe *w, uint8_t *dst, uint32_t room)
{
	uint32_t off = 0;
	uint16_t i;

	for (i = 0; i < w->num_sge; i++) {
		uint32_t n = RTE_MIN(w->sge[i].len, room - off);

		memcpy(dst + off, (const void *)(uintptr_t)w->sge[i].addr, n);
		off += n;
	}
	return off;
}

static void
sim_cqe_write(struct sim_queue *q, uint32_t wqe_index, uint32_t len, uint16_t status,
	      uint32_t hash)
{
	struct mana_cqe *c = &q->cqe[q->cq_prod & q->mask];

	c->wqe_index = wqe_index;
	c->pkt_len = len;
	c->status = status;
	c->rss_hash = hash;
	/* Publish last; pairs with the driver's load-acquire of owner_seq. */
	__atomic_store_n(&c->owner_seq, q->cq_prod + 1, __ATOMIC_RELEASE);
	q->cq_prod++;
}

/* Deliver one frame to the device at the other end of the wire. */
static void
sim_deliver(struct sim_hub *hub, struct sim_dev *tx, const struct mana_wqe *w)
{
	uint64_t ref = __atomic_load_n(&tx->peer_ref, __ATOMIC_RELAXED);
	unsigned int slot;
	struct sim_dev *rx;
	struct sim_queue *q;
	struct mana_wqe *rw;
	uint32_t posted, qid, hash, len;
	const uint8_t *frame;
	uint8_t *buf;

	if (ref == 0)
		return;
	slot = (unsigned int)(ref & 0xff) - 1;
	rx = &hub->dev[slot];
	/* The headers are read from the sender's first segment, as a NIC's
	 * parser would see them on the wire.
	 */
	frame = (const uint8_t *)(uintptr_t)w->sge[0].addr;
	len = w->sge[0].len;
	/* rx->cfg is written only under all of rx's queue locks; read it under
	 * one of them, taken below, and recheck the link then.
	 */
	sim_lock(&rx->rq[0].lock);
	if (!rx->in_use || sim_ref(slot, rx->slot_gen) != ref || !rx->up || !rx->vport_up) {
		sim_unlock(&rx->rq[0].lock);
		__atomic_fetch_add(&rx->rx_port_down, 1, __ATOMIC_RELAXED);
		return;
	}
	if (!sim_mac_accepts(rx, frame, len)) {
		sim_unlock(&rx->rq[0].lock);
		__atomic_fetch_add(&rx->rx_filtered, 1, __ATOMIC_RELAXED);
		return;
	}
	hash = sim_rss_hash(&rx->cfg, frame, len);
	qid = rx->cfg.nb_rxq > 1 && rx->cfg.rss_hf != 0 ? rx->cfg.reta[hash % MANA_RETA_SIZE] : 0;
	if (qid != 0) {
		sim_unlock(&rx->rq[0].lock);
		sim_lock(&rx->rq[qid].lock);
		if (!rx->up || !rx->vport_up) {
			sim_unlock(&rx->rq[qid].lock);
			__atomic_fetch_add(&rx->rx_port_down, 1, __ATOMIC_RELAXED);
			return;
		}
	}
	q = &rx->rq[qid];
	if (!q->created || sim_db_map[slot] == NULL) {
		__atomic_fetch_add(&rx->rx_port_down, 1, __ATOMIC_RELAXED);
		goto out;
	}
	posted = sim_db_read(slot, MANA_DB_RQ_OFFSET(qid));
	if (posted == q->wq_tail) {
		__atomic_fetch_add(&rx->rx_no_buffer, 1, __ATOMIC_RELAXED);
		goto out;
	}
	rw = &q->wqe[q->wq_tail & q->mask];
	buf = (uint8_t *)(uintptr_t)rw->sge[0].addr;
	if (rw->num_sge != 1 || w->pkt_len > rw->sge[0].len)
		sim_cqe_write(q, q->wq_tail, 0, MANA_CQE_RX_TRUNCATED, 0);
	else if (!sim_mr_ok(rx, rw->sge[0].addr, rw->sge[0].len, rw->sge[0].lkey))
		sim_cqe_write(q, q->wq_tail, 0, MANA_CQE_BAD_LKEY, 0);
	else
		sim_cqe_write(q, q->wq_tail, sim_gather(w, buf, rw->sge[0].len), MANA_CQE_OK,
			      hash);
	q->wq_tail++;
out:
	sim_unlock(&q->lock);
}

static bool
sim_wqe_valid(const struct mana_wqe *w)
{
	uint32_t sum = 0;
	uint16_t i;

	if (w->num_sge == 0 || w->num_sge > MANA_WQE_MAX_SGE)
		return false;
	for (i = 0; i < w->num_sge; i++) {
		if (w->sge[i].addr == 0)
			return false;
		sum += w->sge[i].len;
	}
	return sum == w->pkt_len && sum <= RTE_ETHER_MAX_JUMBO_FRAME_LEN;
}

static void
sim_kick(struct mana_hw *hw, uint16_t sq_idx)
{
	struct sim_proc *p = (struct sim_proc *)hw;
	struct sim_dev *d = p->dev;
	struct sim_queue *q;
	uint32_t head;

	if (sq_idx >= MANA_MAX_QUEUES)
		return;
	q = &d->sq[sq_idx];
	sim_lock(&q->lock);
	/* A dead device does nothing: the WQEs stay where they are. */
	if (!d->up || !q->created || sim_db_map[p->slot] == NULL) {
		sim_unlock(&q->lock);
		return;
	}
	head = sim_db_read(p->slot, MANA_DB_SQ_OFFSET(sq_idx));
	while (q->wq_tail != head) {
		const struct mana_wqe *w = &q->wqe[q->wq_tail & q->mask];
		uint16_t status = MANA_CQE_OK;

		if (!sim_wqe_valid(w))
			status = MANA_CQE_TX_BAD_WQE;
		else if (!sim_wqe_registered(d, w))
			status = MANA_CQE_BAD_LKEY;
		else if (d->vport_up)
			sim_deliver(sim_hub, d, w);
		sim_cqe_write(q, q->wq_tail, w->pkt_len, status, 0);
		q->wq_tail++;
	}
	sim_unlock(&q->lock);
}

static int
sim_event_fd(struct mana_hw *hw)
{
	return ((struct sim_proc *)hw)->ev_rd;
}

static int
sim_event_get(struct mana_hw *hw, enum mana_hw_async *ev)
{
	uint8_t b;
	ssize_t n = read(((struct sim_proc *)hw)->ev_rd, &b, 1);

	if (n == 1) {
		*ev = (enum mana_hw_async)b;
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -EIO;
}

static const struct mana_hw_ops sim_ops = {
	.name = "sim",
	.close = sim_close,
	.query = sim_query,
	.queue_create = sim_queue_create,
	.queue_destroy = sim_queue_destroy,
	.vport_start = sim_vport_start,
	.vport_stop = sim_vport_stop,
	.db_page = sim_db_page,
	.stats = sim_stats,
	.event_fd = sim_event_fd,
	.event_get = sim_event_get,
	.kick = sim_kick,
	.mr_reg = sim_mr_reg,
	.mr_dereg = sim_mr_dereg,
};

static void
sim_default_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	const char *c;

	for (c = name; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	mac[0] = 0x02;              /* locally administered, unicast */
	mac[1] = 0x15;
	mac[2] = 0x5d;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static int
sim_db_create(const char *name, int *fd_out, void **db_out)
{
	char label[MANA_SIM_NAME_LEN + 16];
	int fd, ret;
	void *db;

	snprintf(label, sizeof(label), "mana_sim_db_%s", name);
	fd = memfd_create(label, MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, MANA_DB_PAGE_SIZE) != 0) {
		ret = -errno;
		goto err_close;
	}
	db = mmap(NULL, MANA_DB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (db == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	*fd_out = fd;
	*db_out = db;
	return 0;
err_close:
	close(fd);
	return ret;
}

static int
sim_handle_new(struct sim_device *o, struct sim_proc **out)
{
	struct sim_proc *p = calloc(1, sizeof(*p));
	int fds[2], ret;

	if (p == NULL)
		return -ENOMEM;
	ret = sim_db_create(o->name, &p->memfd, &p->db);
	if (ret < 0) {
		MANA_SIM_LOG(ERR, "%s: cannot create the doorbell page: %s", o->name,
			     strerror(-ret));
		free(p);
		return ret;
	}
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
		ret = -errno;
		munmap(p->db, MANA_DB_PAGE_SIZE);
		close(p->memfd);
		free(p);
		return ret;
	}
	p->ev_rd = fds[0];
	p->ev_wr = fds[1];
	p->hw.ops = &sim_ops;
	p->owner = o;
	p->slot = o->slot;
	p->dev = &sim_hub->dev[o->slot];
	*out = p;
	return 0;
}

static void sim_service_alarm(void *arg);
static bool sim_arm(struct sim_device *o);
static void sim_alarm_set(uint32_t ms, rte_eal_alarm_callback cb, struct sim_device *o);

static int
sim_dev_open(struct mana_hw_dev *hd, struct mana_hw **hw)
{
	struct sim_device *o = (struct sim_device *)hd;
	struct sim_dev *d = &sim_hub->dev[o->slot];
	struct sim_proc *p = NULL;
	bool new_incarnation = false;
	int ret;

	ret = sim_handle_new(o, &p);
	if (ret != 0)
		return ret;
	pthread_mutex_lock(&o->lock);
	sim_lock_all(d);
	if (d->opened)
		ret = -EBUSY;
	else if (d->hw_state == SIM_HW_DOWN)
		ret = -EAGAIN;
	else if (d->hw_state == SIM_HW_GONE)
		ret = -ENODEV;
	if (ret != 0) {
		sim_unlock_all(d);
		pthread_mutex_unlock(&o->lock);
		sim_handle_free(p);
		return ret;
	}
	if (d->hw_state == SIM_HW_READY) {
		/* A new incarnation: new identity, fresh counters. */
		new_incarnation = true;
		sim_lock(&sim_hub->lock);
		d->identity = ((uint64_t)o->slot << 48) | sim_hub->next_identity++;
		sim_unlock(&sim_hub->lock);
		/* Atomic: probe reads it without the locks. */
		__atomic_store_n(&d->hw_state, SIM_HW_UP, __ATOMIC_RELEASE);
	}
	memset(&d->cfg, 0, sizeof(d->cfg));
	d->vport_up = 0;
	__atomic_store_n(&d->up, 1, __ATOMIC_RELEASE);
	d->opened = 1;
	sim_db_map[o->slot] = p->db;
	sim_unlock_all(d);
	o->handle = p;
	if (new_incarnation && sim_arm(o))
		sim_alarm_set(o->params.reset_period_ms, sim_service_alarm, o);
	pthread_mutex_unlock(&o->lock);
	*hw = &p->hw;
	MANA_SIM_LOG(INFO, "%s: opened identity %#" PRIx64, o->name, d->identity);
	return 0;
}

static enum mana_hw_presence
sim_dev_probe(struct mana_hw_dev *hd)
{
	struct sim_device *o = (struct sim_device *)hd;

	switch (__atomic_load_n(&sim_hub->dev[o->slot].hw_state, __ATOMIC_ACQUIRE)) {
	case SIM_HW_DOWN:
		return MANA_HWP_DOWN;
	case SIM_HW_GONE:
		return MANA_HWP_GONE;
	default:
		return MANA_HWP_READY;
	}
}

static void sim_recovery_alarm(void *arg);

static void
sim_dev_destroy(struct mana_hw_dev *hd)
{
	struct sim_device *o = (struct sim_device *)hd;
	struct sim_dev *d = &sim_hub->dev[o->slot];

	/* Alarms are set under o->lock unless dying: none is set after this. */
	pthread_mutex_lock(&o->lock);
	o->dying = true;
	pthread_mutex_unlock(&o->lock);
	/* Each waits for its callback if it runs on the alarm thread; a
	 * service callback may set the recovery alarm, so that goes second.
	 */
	rte_eal_alarm_cancel(sim_service_alarm, o);
	rte_eal_alarm_cancel(sim_recovery_alarm, o);
	/* Order the callbacks' last steps before the free below. */
	pthread_mutex_lock(&o->lock);
	pthread_mutex_unlock(&o->lock);
	sim_lock(&sim_hub->lock);
	sim_unlink_peers(sim_hub, o->slot);
	sim_lock_all(d);
	__atomic_store_n(&d->up, 0, __ATOMIC_RELEASE);
	d->in_use = 0;
	sim_unlock_all(d);
	sim_unlock(&sim_hub->lock);
	while (o->nb_graves > 0)
		munmap(o->graves[--o->nb_graves], MANA_DB_PAGE_SIZE);
	pthread_mutex_destroy(&o->lock);
	MANA_SIM_LOG(INFO, "%s: destroyed after %u service events", o->name, o->fired);
	free(o);
}

static const struct mana_hw_dev_ops sim_dev_ops = {
	.probe = sim_dev_probe,
	.open = sim_dev_open,
	.destroy = sim_dev_destroy,
};

/* Schedule cb on the alarm thread. o->lock held (see sim_dev_destroy). */
static void
sim_alarm_set(uint32_t ms, rte_eal_alarm_callback cb, struct sim_device *o)
{
	int ret;

	if (o->dying)
		return;
	ret = rte_eal_alarm_set((uint64_t)RTE_MAX(ms, 1u) * 1000, cb, o);
	if (ret != 0)
		MANA_SIM_LOG(ERR, "%s: cannot schedule the simulated hardware: %s", o->name,
			     rte_strerror(-ret));
}

/* The first start of the port starts the schedule of service events. */
static void
sim_schedule_start(struct sim_device *o)
{
	bool arm;

	pthread_mutex_lock(&o->lock);
	arm = !o->scheduled;
	o->scheduled = true;
	if (arm && sim_arm(o))
		sim_alarm_set(o->params.reset_period_ms, sim_service_alarm, o);
	pthread_mutex_unlock(&o->lock);
}

int
mana_sim_service_event(struct mana_hw_dev *hd)
{
	struct sim_device *o = (struct sim_device *)hd;
	struct sim_dev *d = &sim_hub->dev[o->slot];
	uint8_t ev = MANA_ASYNC_DEVICE_FATAL;
	uint32_t i;

	pthread_mutex_lock(&o->lock);
	sim_lock_all(d);
	if (d->hw_state != SIM_HW_UP) {
		sim_unlock_all(d);
		pthread_mutex_unlock(&o->lock);
		return -EALREADY;
	}
	/* The device stops working its queues at once. */
	__atomic_store_n(&d->up, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&d->hw_state, SIM_HW_DOWN, __ATOMIC_RELEASE);
	sim_unlock_all(d);
	o->fired++;
	if (o->handle != NULL)
		for (i = 0; i < RTE_MAX(o->params.fatal_events, 1u); i++)
			if (write(o->handle->ev_wr, &ev, 1) != 1)
				MANA_SIM_LOG(ERR, "%s: cannot deliver DEVICE_FATAL: %s", o->name,
					     strerror(errno));
	MANA_SIM_LOG(INFO, "%s: service event %u, identity %#" PRIx64 " down", o->name, o->fired,
		     d->identity);
	if (o->params.recovery != MANA_SIM_RECOVERY_FAIL)
		sim_alarm_set(o->params.recovery_ms, sim_recovery_alarm, o);
	pthread_mutex_unlock(&o->lock);
	return 0;
}

static void
sim_service_alarm(void *arg)
{
	struct sim_device *o = arg;

	pthread_mutex_lock(&o->lock);
	o->armed = false;
	pthread_mutex_unlock(&o->lock);
	/* Not up: nothing to do; reopening the device arms the next one. */
	mana_sim_service_event(&o->base);
}

/* Arm the next service event unless one is pending. o->lock held. */
static bool
sim_arm(struct sim_device *o)
{
	if (o->armed || !sim_schedule_more(o))
		return false;
	o->armed = true;
	return true;
}

static void
sim_recovery_alarm(void *arg)
{
	struct sim_device *o = arg;
	struct sim_dev *d = &sim_hub->dev[o->slot];

	pthread_mutex_lock(&o->lock);
	if (o->params.recovery == MANA_SIM_RECOVERY_REMOVE) {
		__atomic_store_n(&d->hw_state, SIM_HW_GONE, __ATOMIC_RELEASE);
		MANA_SIM_LOG(INFO, "%s: removed", o->name);
	} else {
		__atomic_store_n(&d->hw_state, SIM_HW_READY, __ATOMIC_RELEASE);
		MANA_SIM_LOG(INFO, "%s: back from service", o->name);
	}
	/* The next service event is armed when the driver opens it again. */
	pthread_mutex_unlock(&o->lock);
}

/* The device stays up reset_period_ms between service events, counted from
 * the first start and then from each time the driver has it open again.
 * o->lock held.
 */
static bool
sim_schedule_more(const struct sim_device *o)
{
	return o->scheduled && o->params.reset_period_ms > 0 &&
	       (o->params.reset_count == 0 || o->fired < o->params.reset_count);
}

int
mana_sim_create(const char *name, const struct mana_sim_params *params, struct mana_hw_dev **out)
{
	struct sim_hub *hub;
	struct sim_device *o;
	struct sim_dev *d = NULL;
	unsigned int i, slot = 0;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -ENOTSUP;
	if (strlen(name) >= MANA_SIM_NAME_LEN)
		return -ENAMETOOLONG;
	hub = sim_hub_get();
	if (hub == NULL)
		return -ENOMEM;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return -ENOMEM;
	ret = -pthread_mutex_init(&o->lock, NULL);
	if (ret != 0) {
		free(o);
		return ret;
	}

	sim_lock(&hub->lock);
	for (i = 0; i < SIM_MAX_DEVS; i++) {
		if (hub->dev[i].in_use && strcmp(hub->dev[i].name, name) == 0) {
			ret = -EEXIST;
			goto err_unlock;
		}
		if (!hub->dev[i].in_use && d == NULL) {
			d = &hub->dev[i];
			slot = i;
		}
	}
	if (d == NULL) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	sim_lock_all(d);
	d->slot_gen++;
	snprintf(d->name, sizeof(d->name), "%s", name);
	if (params->peer[0] != '\0')
		snprintf(d->peer_name, sizeof(d->peer_name), "%s", params->peer);
	else
		mana_sim_default_peer(name, d->peer_name, sizeof(d->peer_name));
	if (params->has_mac)
		memcpy(d->mac, params->mac, sizeof(d->mac));
	else
		sim_default_mac(name, d->mac);
	d->identity = ((uint64_t)slot << 48) | hub->next_identity++;
	d->rx_no_buffer = 0;
	d->rx_filtered = 0;
	d->rx_port_down = 0;
	memset(&d->cfg, 0, sizeof(d->cfg));
	sim_lock(&d->mr_lock);
	memset(d->mr, 0, sizeof(d->mr));
	sim_unlock(&d->mr_lock);
	d->vport_up = 0;
	d->opened = 0;
	d->hw_state = SIM_HW_UP;
	__atomic_store_n(&d->up, 1, __ATOMIC_RELEASE);
	d->in_use = 1;
	sim_unlock_all(d);
	sim_link_peers(hub, slot);
	sim_unlock(&hub->lock);

	o->base.ops = &sim_dev_ops;
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->slot = slot;
	o->params = *params;
	*out = &o->base;
	MANA_SIM_LOG(INFO, "%s: simulated MANA device up, peer %s, identity %#" PRIx64, name,
		     d->peer_name[0] != '\0' ? d->peer_name : "(loopback)", d->identity);
	return 0;

err_unlock:
	sim_unlock(&hub->lock);
	pthread_mutex_destroy(&o->lock);
	free(o);
	return ret;
}
