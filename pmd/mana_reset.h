/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_RESET_H
#define MANA_RESET_H

/*
 * The reset engine: the state machine that carries a port through a device
 * service event. Plain C11 + pthreads, no EAL: the port's effects (quiesce,
 * teardown, re-probe, restore, events) are behind struct mana_reset_ops, so
 * the engine runs in unit tests with fake effects.
 *
 * Threads:
 *   - one reset thread per port, created by mana_reset_init and joined by
 *     mana_reset_fini, exactly once; it runs every phase and every op below.
 *   - mana_reset_request / mana_reset_service / mana_reset_hw_event /
 *     mana_reset_ctrl_attached: any thread, including the EAL interrupt
 *     thread and the mailbox thread; they take the engine lock for a few
 *     instructions and never wait for a reset.
 *   - mana_reset_op_begin / _end, mana_reset_set_started: control threads
 *     (ethdev ops); op_begin never blocks on a reset, it fails with -EBUSY
 *     (dev_stop included: a stop recorded during a reset would let ethdev
 *     release queues the reset thread is working on), except while the reset
 *     waits for the hardware: the queues are down already, and
 *     mana_reset_stop_waiting records the stop at once.
 *     The port's started state can thus only go from started to stopped
 *     during a reset, and only while it waits for the hardware; it is passed
 *     to every op, which must not touch a stopped port's queues.
 *   - mana_reset_fini: the thread closing the port; it never holds the
 *     engine lock while it waits for the reset thread. From an event
 *     callback (on the reset thread) it hands the engine to that thread.
 *
 * Locking: one mutex (process-local, error-checking) guards the state and
 * flags, held only for short bookkeeping, never across an op, a wait for the
 * hardware, or an event callback. The engine object is process-local memory:
 * no pthread object of the engine lives in memory another process maps.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

enum mana_reset_state {
	MANA_RS_ACTIVE,      /* device usable, control operations allowed */
	MANA_RS_RESET_ENTER, /* quiescing the datapath, tearing down the device */
	MANA_RS_WAIT_HW,     /* device released; waiting for the hardware */
	MANA_RS_RESET_EXIT,  /* re-probing, rebuilding, restoring, restarting */
	MANA_RS_FAILED,      /* recovery failed: port stopped, to be closed */
	MANA_RS_REMOVED,     /* the device was hot-removed: port to be closed */
	MANA_RS_CLOSED,      /* the port was closed: the engine is gone */
};

/* What the engine tells the application (ethdev events at the edge). */
enum mana_reset_event {
	MANA_REV_RECOVERING,  /* RTE_ETH_EVENT_ERR_RECOVERING */
	MANA_REV_SUCCESS,     /* RTE_ETH_EVENT_RECOVERY_SUCCESS */
	MANA_REV_FAILED,      /* RTE_ETH_EVENT_RECOVERY_FAILED */
	MANA_REV_REMOVED,     /* RTE_ETH_EVENT_INTR_RMV, after FAILED */
};

/* What the hardware did, as a backend or the control daemon saw it. */
enum mana_hw_event {
	/* The device's own event: a new incarnation is ready (a backend's
	 * word). A hint: the engine asks the device at once (hw_probe).
	 */
	MANA_HWE_BACK,
	MANA_HWE_REMOVED,    /* the device is gone for good */
	/* The bus removed the device (RTE_DEV_EVENT_REMOVE). Final unless it
	 * belongs to a service event (an FPGA reconfiguration: PCI remove,
	 * then rescan), which only the control daemon can say
	 * (mana_reset_service). The verdict, under the engine lock:
	 *   - a service event is known for this reset: the removal is part
	 *     of it; the reset waits for the hardware (the rescan's new
	 *     incarnation; MANA_HWE_REMOVED or the timeout end it);
	 *   - none, and params.rmv_wait_ns is 0 (no control daemon): final at
	 *     once, as MANA_HWE_REMOVED (RECOVERY_FAILED, then REMOVED; no
	 *     re-probe);
	 *   - none yet: the reset starts and waits, at most rmv_wait_ns from
	 *     the removal, for the daemon's word; without it the reset ends
	 *     REMOVED, with it the reset goes on as above.
	 */
	MANA_HWE_BUS_REMOVED,
	/* The control daemon's "hardware back" (its HW_BACK, or a resync
	 * reading UP): a hint as MANA_HWE_BACK, and the daemon's word that
	 * the device is back, so that a device still the incarnation the
	 * reset tore down (MANA_HW_SAME) is taken as back too.
	 */
	MANA_HWE_CTRL_BACK,
};

/* How a reset's wait for the hardware (WAIT_HW) ended: what woke the
 * engine before the device was found ready, or why the wait stopped.
 * The values are the mailbox's (enum mbox_wake, proto/mbox.h).
 */
enum mana_reset_wake {
	MANA_WAKE_NONE = 0,  /* the reset did not reach WAIT_HW, or is in it */
	MANA_WAKE_CTRL,      /* MANA_HWE_CTRL_BACK, then hw_probe said ready */
	MANA_WAKE_POLL,      /* the engine's own hw_probe (the first one, or
			      * one every hw_poll_ns) found it ready: the
			      * fallback */
	MANA_WAKE_DEVICE,    /* MANA_HWE_BACK, then hw_probe said ready */
	MANA_WAKE_TIMEOUT,   /* hw_timeout_ns ran out: the reset fails, or
			      * re-probes a device still MANA_HW_SAME */
	MANA_WAKE_REMOVED,   /* the device is gone (removed for good, a final
			      * bus removal, hw_probe GONE) */
	MANA_WAKE_CLOSED,    /* the port was closed meanwhile */
	MANA_WAKE_NUM,
};
enum mana_reset_phase {
	MANA_PH_QUIESCE,     /* request to datapath idle */
	MANA_PH_TEARDOWN,    /* queues stopped, resources released */
	MANA_PH_WAIT_HW,     /* hardware down */
	MANA_PH_REPROBE,     /* new device opened */
	MANA_PH_RESTORE,     /* rebuilt, configured, restarted */
	MANA_PH_NUM,
};

/* Result of a wait for the hardware, from ops->hw_probe. */
enum mana_hw_status {
	MANA_HW_DOWN = 0,    /* not back yet */
	MANA_HW_READY = 1,   /* back, a new incarnation: re-probe now */
	MANA_HW_GONE = 2,    /* removed */
	/* There, but still the incarnation the reset tore down: it never went
	 * away. Back, unless the control daemon said this reset is a service
	 * event (mana_reset_service) and is attached
	 * (mana_reset_ctrl_attached): then the device is about to go, and the
	 * engine waits for the daemon's MANA_HWE_CTRL_BACK (or the daemon's
	 * departure, or its own timeout) before it takes the device as back.
	 */
	MANA_HW_SAME = 3,
};

/* The port's effects. All run on the reset thread (teardown also from
 * mana_reset_fini, after the reset thread ended), never with the engine lock.
 *
 * started: whether the application had started the port when the reset
 * began; it cannot change until the reset ends (start and stop are refused
 * meanwhile). A stopped port's queues belong to the application, which may
 * configure, set up or release them during the reset: ethdev frees queues
 * before it asks the driver (and so before any -EBUSY), so the ops must not
 * touch the queues, or anything else the application's calls may rewrite,
 * of a port that is not started. Its datapath is closed already.
 */
struct mana_reset_ops {
	/* Emit an event to the application. */
	void (*notify)(void *ctx, enum mana_reset_event ev);
	/* Stop the datapath and wait for bursts in flight, at most
	 * timeout_ns. -ETIMEDOUT: a burst is still inside; nothing may be freed.
	 */
	int (*quiesce)(void *ctx, bool started, uint64_t timeout_ns);
	/* Stop the queues (if started), release every device resource and MR
	 * cache, take back every mbuf, close the device handle. Cannot fail.
	 */
	void (*teardown)(void *ctx, bool started);
	/* Is the hardware back, and is it a new incarnation? Must not block
	 * for long.
	 */
	enum mana_hw_status (*hw_probe)(void *ctx);
	/* Open the new device and check it. -EAGAIN: it went down again. */
	int (*reprobe)(void *ctx, bool started);
	/* Rebuild, re-apply the application's configuration, and restart the
	 * queues if started, then reopen the datapath. On failure the port
	 * must be left torn down, as after teardown; -EAGAIN: the new device
	 * went down already (the engine waits for it again).
	 */
	int (*restore)(void *ctx, bool started);
	/* Phase ph of reset seq (mana_reset_record.seq) begins: quiesce and
	 * teardown in RESET_ENTER, wait_hw in WAIT_HW, reprobe and restore in
	 * RESET_EXIT. A reset that goes round again enters wait_hw and the
	 * phases after it again. For observers (the control daemon's mailbox):
	 * must not block and must not call into the engine but for its read-only
	 * getters. May be NULL.
	 */
	void (*phase)(void *ctx, uint64_t seq, enum mana_reset_phase ph);
	/* The port was closed from one of the engine's own event callbacks:
	 * called on the reset thread as its last act, after which the engine
	 * is not touched again; the port frees what holds the engine here.
	 * May be NULL if the application is known never to do that.
	 */
	void (*release)(void *ctx);
};

struct mana_reset_params {
	uint64_t quiesce_timeout_ns;  /* bound on waiting for bursts in flight */
	uint64_t hw_timeout_ns;       /* bound on waiting for the hardware */
	uint64_t hw_poll_ns;          /* how often hw_probe is asked meanwhile */
	/* How long a bus removal waits for the control daemon to call it a
	 * service event (MANA_HWE_BUS_REMOVED); 0: a removal nobody said was
	 * a service event is final at once (no control daemon configured).
	 */
	uint64_t rmv_wait_ns;
	/* Creates the reset thread; NULL: pthread_create. */
	int (*thread_create)(pthread_t *t, const char *name, void *(*fn)(void *), void *arg);
	char thread_name[16];
};

#define MANA_RESET_HISTORY 8

/* One reset, for the timeline (CLOCK_MONOTONIC ns; 0: phase not reached). */
struct mana_reset_record {
	uint64_t seq;                     /* 1 for the port's first reset */
	uint64_t t_request;
	uint64_t t_phase_end[MANA_PH_NUM];
	uint64_t t_end;
	uint32_t merged;                  /* requests merged into this one */
	enum mana_reset_state outcome;    /* ACTIVE, FAILED or REMOVED */
	int error;                        /* negative errno of a failure */
	enum mana_reset_wake wake;        /* how its (last) WAIT_HW ended */
	uint64_t t_wait_end;              /* when it ended; 0: not reached */
	/* The control daemon's last "hardware back" (MANA_HWE_CTRL_BACK)
	 * before the wait ended; 0: none in this reset.
	 */
	uint64_t t_hint;
};

struct mana_reset_stats {
	uint64_t requested;    /* resets started */
	uint64_t succeeded;
	uint64_t failed;
	uint64_t removed;
	uint64_t merged;       /* requests folded into a reset already running */
	uint64_t busy_ops;     /* control operations refused with -EBUSY */
};

/* Bus removals (MANA_HWE_BUS_REMOVED) by verdict. Apart from the stats
 * above, whose layout secondaries read (mana_mp.h).
 */
struct mana_reset_rmv_stats {
	uint64_t service;      /* part of a service event: the reset went on */
	uint64_t final;        /* final: the port ended REMOVED */
};

/* How each WAIT_HW ended, counted by enum mana_reset_wake (a reset that
 * goes round again waits, and counts, again).
 */
struct mana_reset_wake_stats {
	uint64_t n[MANA_WAKE_NUM];
};

struct mana_reset {
	/* private to mana_reset.c and mana_reset_wait.c */
	pthread_mutex_t lock;
	pthread_cond_t cond;             /* CLOCK_MONOTONIC */
	pthread_t thread;
	bool thread_started;
	const struct mana_reset_ops *ops;
	void *ctx;
	struct mana_reset_params params;
	enum mana_reset_state state;
	bool pending;                    /* a request waits for the thread */
	bool again;                      /* the new device failed during exit */
	/* The first hint (MANA_WAKE_CTRL or _DEVICE) since the last
	 * hw_probe began; NONE: none.
	 */
	enum mana_reset_wake wake_pending;
	bool ctrl_up;                    /* the control daemon is attached */
	bool hw_removed;                 /* removed for good: the reset ends REMOVED */
	/* For the current (or pending) reset; cleared when it ends: */
	bool svc_known;                  /* the control daemon said: service event */
	/* A bus removal waits for its verdict until then (CLOCK_MONOTONIC
	 * ns); 0: none waits.
	 */
	uint64_t rmv_deadline;
	bool closing;                    /* mana_reset_fini was called */
	bool self_closed;                /* ... from the reset thread itself */
	bool want_started;               /* the application started the port */
	bool torn_down;                  /* device resources are released */
	unsigned int ops_active;         /* control ops inside begin/end */
	struct mana_reset_stats stats;
	struct mana_reset_rmv_stats rmv_stats;
	struct mana_reset_wake_stats wake_stats;
	struct mana_reset_record cur;
	struct mana_reset_record history[MANA_RESET_HISTORY];
	uint64_t nb_history;
};

/* Set up the engine and start its thread. Returns 0 or a negative errno. */
int mana_reset_init(struct mana_reset *r, const struct mana_reset_ops *ops, void *ctx,
		    const struct mana_reset_params *params);

/* Close: abort a reset in progress (it ends with MANA_REV_FAILED), join the
 * reset thread, and report in *device_up whether device resources are still
 * held (the caller must then quiesce and tear down). State becomes CLOSED.
 * Once, from the closing thread. Returns 0; or 1 when called on the reset
 * thread itself (the application closed the port from an event callback):
 * the thread is then detached, and it calls ops->release as its last act,
 * so the caller must not free what holds the engine.
 */
int mana_reset_fini(struct mana_reset *r, bool *device_up);

/* Free the engine's lock, after mana_reset_fini returned 0 and once nothing
 * can call into the engine any more (requests from the interrupt thread
 * stopped). Until then, requests are accepted and ignored (state CLOSED).
 */
void mana_reset_destroy(struct mana_reset *r);

/* A service event: start a reset, or merge into the one running. */
void mana_reset_request(struct mana_reset *r);

/* The control daemon says the device is in a service event (its
 * SVC_START, HOT_REMOVE, or a resync reading SERVICE or REMOVED): the same
 * as mana_reset_request, and the reset is known to be a service event
 * until it ends, so a bus removal in it is part of it (MANA_HWE_BUS_REMOVED).
 * A removal already decided final stays final.
 */
void mana_reset_service(struct mana_reset *r);

/* The hardware came back or went away (backend or control daemon). A
 * "back" (MANA_HWE_BACK, MANA_HWE_CTRL_BACK) counts for the reset running
 * or about to run; while none is, it is ignored.
 */
void mana_reset_hw_event(struct mana_reset *r, enum mana_hw_event ev);

/* The control daemon is attached (its mailbox is up) or not: after it went
 * away (PEER_DOWN, a detach) a reset it announced completes on the
 * device's word alone (MANA_HW_SAME is back again); the engine asks the
 * device at once. Starts false.
 */
void mana_reset_ctrl_attached(struct mana_reset *r, bool attached);

/* Control operations. op_begin returns 0 (the reset waits for op_end before
 * it starts), -EBUSY while a reset runs, -EIO once it failed or the device
 * was removed. Read-only operations pass readonly=true: they get 0 in every
 * state, and *device_ok tells whether they may touch the device.
 */
int mana_reset_op_begin(struct mana_reset *r, bool readonly, bool *device_ok);
void mana_reset_op_end(struct mana_reset *r);

/* The application started or stopped the port (between op_begin/op_end). */
void mana_reset_set_started(struct mana_reset *r, bool started);

/* The application stops the port while op_begin says -EBUSY. Returns 0 when
 * the reset waits for the hardware: the stop is recorded (the device's queues
 * and resources are released already) and the reset will end with the port
 * stopped; -EBUSY in the other phases of a reset; -EAGAIN when the reset has
 * just ended (stop the normal way); -EIO when it failed (stopped already).
 * Control threads; never blocks.
 */
int mana_reset_stop_waiting(struct mana_reset *r);

enum mana_reset_state mana_reset_state(struct mana_reset *r);
void mana_reset_stats_get(struct mana_reset *r, struct mana_reset_stats *st);
void mana_reset_rmv_stats_get(struct mana_reset *r, struct mana_reset_rmv_stats *st);
void mana_reset_wake_stats_get(struct mana_reset *r, struct mana_reset_wake_stats *st);
/* Copy up to n records, newest first. Returns how many. */
unsigned int mana_reset_history(struct mana_reset *r, struct mana_reset_record *out,
				unsigned int n);
/* Time spent in phase ph of a reset (from the end of the phase before, or
 * from the request), 0 if the phase was not reached; and the whole reset.
 */
uint64_t mana_reset_phase_ns(const struct mana_reset_record *rec, enum mana_reset_phase ph);
uint64_t mana_reset_total_ns(const struct mana_reset_record *rec);
/* From the control daemon's last "hardware back" to the end of WAIT_HW; 0
 * if there was no such hint (or the wait was not reached).
 */
uint64_t mana_reset_hint_ns(const struct mana_reset_record *rec);
const char *mana_reset_wake_name(enum mana_reset_wake w);
const char *mana_reset_state_name(enum mana_reset_state s);
const char *mana_reset_phase_name(enum mana_reset_phase p);

#endif /* MANA_RESET_H */
