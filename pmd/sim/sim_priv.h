/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_SIM_PRIV_H
#define MANA_SIM_PRIV_H

/*
 * What the simulator's files share (not for the driver, not for tests: they
 * have mana_sim.h). Which file calls which, lowest first (no file calls one
 * above it):
 *   sim_hub.c     the hub memzone, device slots, identities, peers, logtype
 *   sim_mr.c      memory registration                  (hub)
 *   sim_queue.c   queues and doorbell pages            (hub)
 *   sim_wire.c    the device's work: send, wire, receive (hub, mr, queue)
 *   sim_host.c    the simulated host: state file, sys/, notifications (hub)
 *   sim_event.c   service events and faults on EAL alarms (hub, host)
 *   sim_hv.c      the hypervisor channel's server thread (event, host)
 *   sim_handle.c  a handle on one incarnation: struct mana_hw_ops (all above)
 *   sim_dev.c     the device across incarnations: struct mana_hw_dev_ops
 *   sim_vdev.c    the net_mana_sim vdev: probe, remove, devargs (dev, core)
 *
 * Locking, all in shared memory:
 *   hub->lock      slot allocation and the peer links between devices.
 *   q->lock        one per hardware queue: the "hardware" consuming that queue.
 *                  Order: hub->lock, then SQ locks, then RQ locks.
 *   d->mr_lock     a device's memory regions; a leaf lock.
 * A device's queues, doorbell mapping and up flag change only with all its
 * queue locks held (sim_lock_all), so a kick on any lcore sees them whole.
 * Process-local, primary only: sim_device.lock guards which handle is open
 * and the schedule of service events (the EAL alarm that fires service
 * events writes to that handle's channel), and the simulated host's state
 * (sim_host.st: the state file, sys/ and the notifications are written
 * under it, so that they follow the device's changes in order). Order:
 * sim_device.lock, then hub->lock, then the queue locks.
 *
 * Threads: as in mana_sim.h; each declaration below says what differs.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_pause.h>

#include "pmd/mana_hw.h"
#include "pmd/mana_log.h"
#include "proto/simhost/simhost.h"
#include "mana_sim.h"

/* Nothing below leaves the plugin: these were file-static before the split. */
#pragma GCC visibility push(hidden)

#define SIM_HUB_NAME   "mana_sim_hub"
#define SIM_HUB_MAGIC  0x4d53494eU   /* "NISM": layout 2 (memory regions) */
#define SIM_MAX_DEVS   32
#define SIM_MAX_MRS    64            /* memory regions per device */
#define SIM_GRAVES     256           /* revoked doorbell pages kept per device */

/* pmd.net.mana.sim, registered in sim_hub.c. Any thread may log. */
extern int mana_sim_logtype;
#define SIM_LOG(level, fmt, ...) MANA_LOG_(mana_sim_logtype, level, fmt, ## __VA_ARGS__)

/* The simulated hardware's internal lock, in shared memory. Built on
 * __atomic builtins rather than rte_spinlock (inline asm), so that
 * ThreadSanitizer sees the ordering it provides. It holds the holder's pid:
 * the simulator does the device's work on the CPU that rang a doorbell, in
 * any process of the instance, and a process that dies there (a secondary
 * killed inside a burst) must not stop the device for good, as it would not
 * stop real hardware: a waiter takes over the lock of a dead holder.
 */
typedef struct {
	uint32_t locked;         /* 0, or the holder's pid */
} sim_lock_t;

/* This process's pid (set by sim_hub_get, before any lock is taken). */
extern uint32_t sim_self_pid;

/* The lock's holder is dead: take the lock over from it (logs). Any
 * thread, from sim_lock's slow path.
 */
bool sim_lock_take_over(sim_lock_t *l, uint32_t holder);

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
 * different sessions shared the CPU). Once sleeping at the longest, each
 * wait checks whether the holder is still alive.
 */
#define SIM_LOCK_SPINS        256
#define SIM_LOCK_SLEEP_MIN_NS 10000
#define SIM_LOCK_SLEEP_MAX_NS 1000000

static inline void
sim_lock(sim_lock_t *l)
{
	unsigned int spins = 0;
	long sleep_ns = SIM_LOCK_SLEEP_MIN_NS;
	uint32_t holder = 0;

	while (!__atomic_compare_exchange_n(&l->locked, &holder, sim_self_pid, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		if (spins < SIM_LOCK_SPINS) {
			spins++;
			rte_pause();
		} else {
			struct timespec ts = { 0, sleep_ns };

			if (sleep_ns >= SIM_LOCK_SLEEP_MAX_NS && sim_lock_take_over(l, holder))
				return;
			nanosleep(&ts, NULL);
			if (sleep_ns < SIM_LOCK_SLEEP_MAX_NS)
				sleep_ns *= 2;
		}
		holder = 0;
	}
}

static inline void
sim_unlock(sim_lock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* A hardware queue: a work queue and its completion queue, in MANA's
 * formats (../mana_gdma.h). Everything under lock.
 */
struct sim_queue {
	sim_lock_t lock;
	bool created;
	bool broken;             /* a malformed WQE stopped it, as the hardware
				  * puts a queue in error */
	uint8_t *wq;             /* the WQE byte ring */
	uint32_t wq_size;        /* its bytes, a power of two */
	uint32_t wq_tail;        /* bytes consumed (unmasked, modulo 2^32) */
	uint32_t db_tail;        /* RQ: bytes posted, from its last doorbell */
	uint8_t *cq;             /* the CQE ring */
	uint32_t cq_count;
	uint32_t cq_prod;        /* position of the next CQE; starts at cq_count */
	uint32_t wq_id;          /* ids the doorbells, OOBs and CQEs carry */
	uint32_t cq_id;
	uint8_t vp_offset;       /* SQ: the vport offset its TX OOBs must name */
	/* RQ with coalescing: the CQE being filled (pend_nb packets, their
	 * WQEs consumed), written when full, when a packet differs in what
	 * the CQE says of all of them, or when the send doorbell's work ends.
	 */
	struct mana_rx_comp pend;
	uint8_t pend_nb;
	void *mem;               /* mana_zmalloc block holding both rings */
} __rte_cache_aligned;

/* Vendor error codes of the simulator's own, in a CQE's header. */
#define SIM_VERR_LKEY  0x5e01u   /* an SGE outside the memory region of its lkey */
#define SIM_VERR_WQE   0x5e02u   /* a malformed WQE (header, OOB ids) */

/* A registered memory region; lkey = generation << 8 | (index + 1). */
struct sim_mr {
	uint64_t addr;
	uint64_t len;
	uint32_t lkey;
	uint32_t valid;
};

enum sim_hw_state {
	SIM_HW_UP,               /* working */
	SIM_HW_DOWN,             /* in service */
	SIM_HW_READY,            /* back from service, not opened yet */
	SIM_HW_GONE,             /* removed */
};

/* One device slot of the hub, in shared memory. */
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
	uint32_t rx_coalesce;    /* receive CQEs carry up to 4 packets */
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

/* The memzone SIM_HUB_NAME: every simulated device of the DPDK instance. */
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

/* The device on the simulated host (host=DIR; malloc, primary only). */
struct sim_host {
	char dir[MANA_SIM_HOST_LEN];
	struct simhost_dev st;   /* what the state file says; under o->lock */
	char hv_path[SIMHOST_PATH_MAX];
	int hv_fd;               /* the hypervisor channel's listener, or -1 */
	int stop_fd;             /* eventfd: the hv thread stops, or -1 */
	pthread_t hv_thread;
	bool hv_running;         /* the hv thread runs (set and read by the
				  * creating / destroying thread only) */
};

/* Per-process handle on one incarnation of the device (malloc). */
struct sim_proc {
	struct mana_hw hw;
	struct sim_device *owner;
	struct sim_dev *dev;
	unsigned int slot;
	int memfd;
	void *db;
	int ev_rd, ev_wr;        /* the async event channel (a pipe) */
};

/* Per-process view of a device across incarnations (malloc): the
 * primary's, which opens it, or a secondary's, which attaches handles.
 */
struct sim_device {
	struct mana_hw_dev base;
	bool secondary;
	char name[MANA_SIM_NAME_LEN];
	unsigned int slot;
	struct mana_sim_params params;
	pthread_mutex_t lock;    /* handle, schedule */
	struct sim_proc *handle; /* the open handle, or NULL */
	uint32_t fired;          /* service events so far */
	bool scheduled;          /* the service schedule was started */
	bool armed;              /* a service event is pending (at most one) */
	bool dying;              /* being destroyed: set no more alarms */
	/* The service event in progress (under lock): its down time and
	 * outcome, from the devargs or the hypervisor channel's request.
	 */
	uint32_t ev_down_ms;
	enum mana_sim_recovery ev_recovery;
	struct sim_host *host;   /* the simulated host, or NULL (no host=) */
	/* Doorbell pages of closed handles, kept inaccessible (under lock). */
	void *graves[SIM_GRAVES];
	unsigned int nb_graves;
};

/* A slot's reference as peers hold it: never 0. */
static inline uint64_t
sim_ref(unsigned int slot, uint32_t gen)
{
	return ((uint64_t)gen << 8) | (slot + 1);
}

static inline void
sim_lock_all(struct sim_dev *d)
{
	unsigned int i;

	for (i = 0; i < MANA_MAX_QUEUES; i++)
		sim_lock(&d->sq[i].lock);
	for (i = 0; i < MANA_MAX_QUEUES; i++)
		sim_lock(&d->rq[i].lock);
}

static inline void
sim_unlock_all(struct sim_dev *d)
{
	unsigned int i;

	for (i = MANA_MAX_QUEUES; i-- > 0;)
		sim_unlock(&d->rq[i].lock);
	for (i = MANA_MAX_QUEUES; i-- > 0;)
		sim_unlock(&d->sq[i].lock);
}

/* sim_hub.c ------------------------------------------------------------- */

/* The hub, once sim_hub_get succeeded; NULL before. */
extern struct sim_hub *sim_hub;

/* Map (the first time: reserve and initialize) the hub. NULL after a log
 * line. The primary's probing thread.
 */
struct sim_hub *sim_hub_get(void);

/* Take a free slot for a new device called name (see mana_sim_create for
 * the errors), give it its identity, MAC and peer, and link it to its peers.
 * Takes hub->lock, then the slot's queue locks.
 */
int sim_hub_slot_alloc(const char *name, const struct mana_sim_params *params,
		       unsigned int *slot);

/* Unlink the slot from its peers and free it (its device is down from then
 * on). Takes hub->lock, then the slot's queue locks.
 */
void sim_hub_slot_free(unsigned int slot);

/* A fresh identity for the slot's next incarnation. Takes hub->lock.
 * sim_dev_open calls it with the slot's queue locks held: the other order
 * than slot allocation and release, which cannot run on a slot whose device
 * is being opened (allocation takes a free slot; the driver destroys a
 * device only after its handle closed).
 */
uint64_t sim_hub_identity_next(unsigned int slot);

/* sim_mr.c -------------------------------------------------------------- */

/* mana_hw_ops.mr_reg / mr_dereg. Any thread; take d->mr_lock. */
int sim_mr_reg(struct mana_hw *hw, void *addr, size_t len, uint32_t *lkey);
void sim_mr_dereg(struct mana_hw *hw, uint32_t lkey);

/* May the device touch every SGE of the WQE v of ring wq (size bytes)?
 * (Counts a refusal.) The thread doing the device's work (a kick), under
 * the queue's lock; takes d->mr_lock.
 */
bool sim_mr_sgl_ok(struct sim_dev *d, const uint8_t *wq, uint32_t size,
		   const struct mana_gdma_wqe_view *v);

/* May the device write [addr, addr + len) under lkey (counts a refusal)? */
bool sim_mr_ok(struct sim_dev *d, uint64_t addr, uint32_t len, uint32_t lkey);

/* The handle closes: its registrations die, counted as leaked. Control
 * path; takes d->mr_lock.
 */
void sim_mr_revoke(struct sim_dev *d);

/* sim_queue.c ----------------------------------------------------------- */

/* mana_hw_ops.queue_create / queue_destroy. Control path; take q->lock. */
int sim_queue_create(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx,
		     uint32_t nb_desc, int socket_id, struct mana_hw_queue *out);
void sim_queue_destroy(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx);

/* Release a queue's rings. Its lock (or all of d's queue locks) held. */
void sim_queue_free(struct sim_queue *q);

/* The queue of d that id names (SQ or RQ by type), or NULL: the id's
 * queue index, to be checked under the queue's lock (created, wq_id).
 * Any thread; no lock.
 */
struct sim_queue *sim_queue_by_id(struct sim_dev *d, enum mana_hwq_type type, uint32_t id);

/* A new doorbell page: a memfd of one page, mapped. 0, or a negative errno. */
int sim_db_create(const char *name, int *fd_out, void **db_out);

/* A closed handle's page: make it fault, keep its address reserved. Takes
 * o->lock.
 */
void sim_db_bury(struct sim_device *o, void *db);

/* Unmap every buried page (the device is being destroyed; no lock). */
void sim_db_graves_free(struct sim_device *o);

/* sim_wire.c ------------------------------------------------------------ */

/* mana_hw_ops.kick: a doorbell write. A send queue's: work it, delivering
 * each frame to the peer's receive queues; a receive queue's: note what
 * was posted. The datapath lcore that rang the doorbell (or the control
 * path filling a stopped receive queue); takes that queue's lock, then (a
 * send) one RQ lock of the peer at a time.
 */
void sim_kick(struct mana_hw *hw, uint32_t offset, uint64_t value);

/* sim_host.c ------------------------------------------------------------ */

/* Put the device on the simulated host o->params.host: adopt its state file
 * (or make one), its sys/ entries, the notifications of what appears. Sets
 * o->host. 0, or a negative errno after a log line (-EBUSY: another live
 * process serves the name). Control path, before the device is published;
 * no lock.
 */
int sim_host_open(struct sim_device *o);

/* The process lets the device go: pid 0 in its state file, o->host freed
 * (the hv thread is stopped and the alarms cancelled before). No lock.
 */
void sim_host_close(struct sim_device *o);

/* The steps of a service event on the host, in the kernel's order; each
 * writes the state file (and sys/) first, then sends the notification. No-ops
 * without a host. o->lock held (the alarm thread or a service event's caller).
 *   health:     devlink health error (error_count + 1) or healthy
 *               (recover_count + 1)
 *   down:       hw=down (service_event: counts a service event)
 *   unregister: class/infiniband goes, rdma unregister
 *   pci_gone:   the PCI function goes (unregister, devlink del, pci remove);
 *               for_good: hw=removed
 *   back:       (the PCI function removed: pci add, devlink new) a new RDMA
 *               index, register, netdev_attach, hw=up; healthy again
 */
void sim_host_health(struct sim_device *o, bool error);
void sim_host_down(struct sim_device *o, bool service_event);
void sim_host_unregister(struct sim_device *o);
void sim_host_pci_gone(struct sim_device *o, bool for_good);
void sim_host_back(struct sim_device *o);

/* The state file's text into buf (length, or a negative errno). o->lock
 * held.
 */
int sim_host_show(struct sim_device *o, char *buf, size_t n);

/* sim_event.c ----------------------------------------------------------- */

/* A service event with this down time and outcome (mana_sim_service_event
 * with the devargs', the hv channel with its request's): 0 and *event its
 * number, or -EALREADY when the device is not up. Any control thread or the
 * alarm thread; takes o->lock.
 */
int sim_event_fire(struct sim_device *o, uint32_t down_ms, enum mana_sim_recovery rec,
		   uint32_t *event);

/* The port's first start starts the schedule of service events. Control
 * path; takes o->lock.
 */
void sim_event_schedule_start(struct sim_device *o);

/* A new incarnation was opened: arm its next service event, if the
 * schedule wants one. o->lock held.
 */
void sim_event_rearm(struct sim_device *o);

/* The device is being destroyed: set no more alarms, cancel the pending
 * ones (waiting for a callback running on the alarm thread). Takes o->lock;
 * not from an alarm callback.
 */
void sim_event_stop(struct sim_device *o);

/* sim_hv.c -------------------------------------------------------------- */

/* Serve the device's hypervisor channel (o->host->hv_path) on a control
 * thread. 0, or a negative errno after a log line (-EADDRINUSE: another
 * live process serves it). Stop: wake the thread and join it, then remove
 * the socket. The creating / destroying thread; not with o->lock held.
 */
int sim_hv_start(struct sim_device *o);
void sim_hv_stop(struct sim_device *o);

/* sim_handle.c ---------------------------------------------------------- */

/* A new handle on o's device (not yet published in o->handle): its
 * doorbell page and its event channel. 0, or a negative errno after a log
 * line. Control path; no lock.
 */
int sim_handle_new(struct sim_device *o, struct sim_proc **out);

/* Release what sim_handle_new made (the doorbell page is buried). */
void sim_handle_free(struct sim_proc *p);

/* A secondary process's handle on o's device: kick and stats (its
 * doorbell page is the driver core's mapping). 0 or -ENOMEM.
 */
int sim_handle_sec_new(struct sim_device *o, struct mana_hw **out);

#pragma GCC visibility pop

#endif /* MANA_SIM_PRIV_H */
