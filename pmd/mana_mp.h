/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_MP_H
#define MANA_MP_H

/*
 * Multi-process: how secondary processes share a port the primary owns,
 * and ride through its resets.
 *
 * What each process has. The port's shared state (struct mana_priv, the
 * queues, their rings) is in DPDK memory, at the same address in every
 * process. What is per process is the doorbell page mapping and the
 * backend's handle: a secondary maps the page itself from an fd the primary
 * hands it over rte_mp (SCM_RIGHTS), as net/mana does with the verbs
 * command fd. The primary alone changes the port: only it opens and closes
 * the device, creates queues, registers memory (a secondary's registration
 * is a request to the primary, which keeps it in its own cache).
 *
 * What keeps a secondary safe: the datapath guard (mana_guard.h), in shared
 * memory, whose membarrier reaches every registered process, closes every
 * process's bursts before the primary touches the device; IPC is never
 * needed for that. On top of it, a secondary's bursts compare the gate word
 * with the one this process last synchronized with (proc->seen_word):
 * every opening of the gate carries a new generation, so a secondary that
 * missed a message (not scheduled, SIGSTOPped, started mid-reset) refuses
 * bursts until it has resynchronized, by itself (mana_sec.h).
 *
 * The messages (one action, MANA_MP_NAME, a struct mana_mp_msg each):
 *   secondary -> primary, requests (rte_mp_request_sync, bounded):
 *     ATTACH   the state to synchronize with: incarnation, gate word, and
 *              the doorbell fd; -EBUSY while the port's device is closed
 *     MR_REG   register [addr, addr + len) with the device: the lkey
 *   primary -> every secondary, one way (rte_mp_sendmsg: a deaf or hung
 *   peer delays no one; 22.11's broadcast request stops at the first peer
 *   that times out):
 *     RECOVERING  a reset began (reset seq): raise ERR_RECOVERING
 *     PARK        the device of this incarnation closes now: park the
 *                 doorbell mapping (inaccessible, address kept)
 *     REMAP       the gate opens with this word on this incarnation (the
 *                 doorbell fd attached): map it, take the word
 *     OUTCOME     the reset ended (seq, SUCCESS / FAILED / REMOVED)
 *     CLOSED      the primary closed the port: stop for good
 * Acknowledgements go through shared memory (struct mana_mp_peer), not
 * replies: the primary waits, bounded, for the live secondaries that
 * registered, and counts those that did not answer in time (deaf).
 *
 * Threads: the primary's handler runs on its rte_mp_handle thread; the
 * broadcasts on the thread that closes or opens the device (the reset
 * thread, or a control thread under an operation). A secondary's handler
 * runs on its rte_mp_handle thread, its resynchronization on a control
 * thread of the port's (mana-sync-<port>), its bursts on its lcores.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MANA_MP_NAME       "net_mana_mp"
#define MANA_MP_MAX_PEERS  16       /* secondaries tracked per port */

enum mana_mp_type {
	MANA_MP_ATTACH = 1,
	MANA_MP_MR_REG,
	MANA_MP_RECOVERING,
	MANA_MP_PARK,
	MANA_MP_REMAP,
	MANA_MP_OUTCOME,
	MANA_MP_CLOSED,
};

/* Outcomes of a reset, as OUTCOME carries them (enum mana_reset_event
 * values are the engine's; these are the wire's).
 */
enum mana_mp_outcome {
	MANA_MP_OUT_SUCCESS = 1,
	MANA_MP_OUT_FAILED,
	MANA_MP_OUT_REMOVED,
};

/* Every message and reply (rte_mp_msg.param, at most 256 bytes). */
struct mana_mp_msg {
	uint16_t type;          /* enum mana_mp_type */
	uint16_t port_id;
	int32_t result;         /* replies: 0 or a negative errno */
	uint64_t incarnation;   /* of the device's open handle */
	uint64_t word;          /* the gate word to take (REMAP, ATTACH) */
	uint64_t seq;           /* reset sequence (RECOVERING, OUTCOME) */
	uint64_t addr;          /* MR_REG */
	uint64_t len;
	uint32_t lkey;
	uint32_t outcome;       /* enum mana_mp_outcome */
	int32_t pid;            /* the sender */
	uint32_t map_len;       /* ATTACH, REMAP: bytes to map from the fd */
};

/* A secondary that attached to the port, in shared memory. pid is claimed
 * by the secondary (compare-and-swap from 0) and released by it at detach,
 * or by the primary when the process is gone (start_time tells a reused
 * pid apart). The acknowledgements are the incarnation the secondary has
 * parked / mapped last, each written by the secondary only.
 */
struct mana_mp_peer {
	int32_t pid;                 /* 0: free (atomic) */
	uint32_t pad;
	uint64_t start_time;         /* /proc/<pid>/stat field 22 */
	uint64_t parked_inc;         /* atomic */
	uint64_t mapped_inc;         /* atomic */
};

/* The port's multi-process state, in struct mana_priv (shared). Written by
 * the primary but for the peers' own fields; counters are atomic.
 */
struct mana_mp_shared {
	uint64_t incarnation;        /* bumped at each open of the device */
	uint64_t reset_seq;          /* bumped at each reset's RECOVERING */
	uint32_t closed;             /* the primary closed the port */
	uint32_t pad;
	uint64_t park_timeout_ns;    /* bound on waiting for PARK acks */
	struct mana_mp_peer peers[MANA_MP_MAX_PEERS];
	/* Counters (xstats mp_*). */
	uint64_t deaf;               /* acks not received in time */
	uint64_t peers_gone;         /* peers reclaimed after their death */
	uint64_t ack_last_ns;        /* latest PARK's slowest ack */
	uint64_t resyncs;            /* resynchronizations by secondaries */
	uint64_t refused;            /* secondary bursts refused for a stale word */
	/* The primary's reset counters (struct mana_reset_stats, in order)
	 * and its last reset's timings, published after each reset for the
	 * secondaries' xstats. Each value atomic; a reader racing a reset may
	 * mix two resets' values.
	 */
	uint64_t pub_stats[6];
	uint64_t pub_last_total_ns;
	uint64_t pub_last_phase_ns[8];
};

/* The start time of process pid (clock ticks since boot), 0 if it is gone. */
uint64_t mana_mp_start_time(pid_t pid);

/* Is the peer's process still the one that registered? Any thread. */
bool mana_mp_peer_alive(const struct mana_mp_peer *p);

struct rte_mp_msg;
struct mana_proc;
struct mana_hw;

/* A received message: 0 and *m, or -EBADMSG (wrong size, type, port, fds). */
int mana_mp_msg_check(const struct rte_mp_msg *msg, const struct mana_mp_msg **m);
/* Build an rte_mp message of m, with fd (>= 0) attached. */
void mana_mp_msg_init(struct rte_mp_msg *msg, const struct mana_mp_msg *m, int fd);

/*
 * The primary's side (mana_mp.c). The port's thread that owns the device
 * (a control thread inside an operation, the reset thread, the closing
 * thread) calls these; none blocks longer than park_timeout_ns.
 */

/* Serve secondaries for the port (registers the rte_mp action with the
 * first port; a process without rte_mp logs once and serves none). Probe,
 * proc->mp_lock initialized.
 */
void mana_mp_port_add(struct mana_proc *proc, uint64_t park_timeout_ns);
/* The port closes: no more requests reach it. */
void mana_mp_port_del(struct mana_proc *proc);
/* The device's handle is hw now (probe, re-probe): a new incarnation,
 * which secondaries may map.
 */
void mana_mp_hw_set(struct mana_proc *proc, struct mana_hw *hw);
/* The device closes: tell the secondaries to park their doorbell
 * mappings, and wait for the live ones (bounded; those that do not answer
 * are counted and logged, never waited for again). From now on ATTACH and
 * MR_REG are refused. Call before the registrations are flushed.
 */
void mana_mp_park(struct mana_proc *proc);
/* Close the handle (proc->hw, proc->db NULL) against the handler. */
void mana_mp_hw_close(struct mana_proc *proc);
/* The gate opens with word next: the secondaries get the doorbell fd and
 * the word (one way; the ones that miss it resynchronize).
 */
void mana_mp_remap(struct mana_proc *proc, uint64_t word);
/* Publish the engine's counters and last timings for the secondaries. */
void mana_mp_publish(struct mana_proc *proc);
/* RECOVERING (a new reset sequence), OUTCOME, CLOSED to every secondary. */
void mana_mp_event(struct mana_proc *proc, enum mana_mp_type type,
		   enum mana_mp_outcome outcome);

#endif /* MANA_MP_H */
