/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_MBOX_H
#define MANA_MBOX_H

/*
 * The ctrl <-> PMD mailbox: a shared-memory segment created by the control
 * daemon (ctrl), attached read-write by DPDK primaries (PMD) and read-only
 * by tools. The wire format and the protocol are in proto/README.md.
 *
 * Per port: a record written by ctrl (identity, hardware state), a record
 * written by the PMD owning the port (reset state, counters, timeline), and
 * two single-producer single-consumer event rings (ctrl -> PMD, PMD -> ctrl).
 * No lock lives in the segment: either side may be killed at any instruction
 * and the other neither hangs nor reads a torn record or event.
 *
 * Errors: functions returning int return a negative errno; functions
 * returning a pointer return NULL and set errno. mbox_errmsg() then gives a
 * sentence a person can act on (thread-local, valid until the next call of
 * this library in the same thread).
 *
 * Roles and threads (the object is process-local; the segment is shared):
 *  - ctrl (mbox_create): every call from one thread (the daemon's loop),
 *    except mbox_port_read, mbox_port_find and mbox_info: any thread.
 *  - PMD (mbox_attach): mbox_next from one thread at a time, the loop that
 *    watches mbox_fd. That thread may wait MBOX_IO_TIMEOUT_MS in a
 *    reconnection, so it is a thread of its own (the PMD's mailbox thread,
 *    pmd/README.md), not the EAL interrupt thread nor a datapath lcore;
 *    mbox_post and
 *    mbox_port_set_pmd for a port from one thread at a time per port (e.g.
 *    that port's reset thread), concurrently with mbox_next and with other
 *    ports; mbox_port_claim / _release, mbox_port_read, mbox_port_find,
 *    mbox_info: any thread.
 *  - reader (mbox_open): mbox_port_read, mbox_port_find, mbox_info, from
 *    any thread; a cursor (mbox_cursor_new) from one thread at a time.
 *  - any role may follow every ring with a cursor (read-only, section 13 of
 *    proto/README.md): each cursor from one thread at a time.
 *  - mbox_close: once, when no other call on the object runs or will run.
 * No call blocks for longer than MBOX_IO_TIMEOUT_MS (only mbox_attach and a
 * reconnection inside mbox_next wait for the peer at all).
 */
#include <stdint.h>
#include <sys/types.h>

#define MBOX_MAJOR 1
#define MBOX_MINOR 1            /* 1.1: HOT_REMOVE's payload (struct mbox_rm) */

#define MBOX_MAX_PORTS 64
#define MBOX_MAX_CONNS 32
#define MBOX_DEFAULT_PORTS 16
#define MBOX_DEFAULT_SLOTS 64       /* events per ring */
#define MBOX_MAX_SLOTS 4096
#define MBOX_TIMELINE 8             /* resets kept per port */
#define MBOX_PHASES 5               /* as enum mana_reset_phase */
#define MBOX_IO_TIMEOUT_MS 1000
#define MBOX_PORT_ANY 0xffff
#define MBOX_MAX_CTRL_UIDS 8        /* ctrl uids a PMD may trust besides root and its own */
#define MBOX_USER_MAX 32            /* characters of a user name for mbox_user_uid */

/* Identity of one incarnation of a device (NUL-terminated strings). */
struct mbox_ident {
	char pci[16];          /* "dddd:bb:dd.f" */
	char ibdev[64];        /* IB device name, e.g. "mana_0" */
	char netdev[16];       /* kernel netdev (IFNAMSIZ) */
	uint64_t node_guid;    /* IB node GUID, host order */
	uint32_t gen;          /* incarnation: ctrl bumps it at each HW_BACK */
	uint32_t ifindex;
};

/* Hardware state as ctrl sees it. */
enum mbox_hw_state {
	MBOX_HW_NONE = 0,      /* port slot unused */
	MBOX_HW_UP,            /* device present and usable */
	MBOX_HW_SERVICE,       /* a service event is in progress */
	MBOX_HW_REMOVED,       /* hot-removed; may come back */
	MBOX_HW_GONE,          /* gone for good */
	MBOX_HW_NUM,
};

/* Where ctrl learnt of a service event. */
enum mbox_svc_source {
	MBOX_SRC_UNKNOWN = 0,
	MBOX_SRC_RDMA_NL,      /* RDMA netlink: IB device unregistered/renamed */
	MBOX_SRC_DEVLINK,      /* devlink health reporter */
	MBOX_SRC_UEVENT,       /* PCI / netdev uevent */
	MBOX_SRC_OPERATOR,     /* manactl */
	MBOX_SRC_NUM,
};

/* Written by ctrl only. */
struct mbox_ctrl_rec {
	struct mbox_ident ident;
	uint32_t hw_state;     /* enum mbox_hw_state */
	uint16_t svc_source;   /* enum mbox_svc_source, last service event */
	uint16_t svc_reason;   /* source-specific code */
	uint64_t t_changed;    /* CLOCK_MONOTONIC ns of the last hw_state change */
	uint64_t nb_service;   /* service events seen */
	uint64_t nb_hw_back;
	uint64_t nb_removed;
};

/* Port state as the PMD's reset engine sees it (as enum mana_reset_state). */
enum mbox_pmd_state {
	MBOX_PMD_NONE = 0,     /* no PMD has written the record */
	MBOX_PMD_ACTIVE,
	MBOX_PMD_RESET_ENTER,
	MBOX_PMD_WAIT_HW,
	MBOX_PMD_RESET_EXIT,
	MBOX_PMD_FAILED,
	MBOX_PMD_REMOVED,
	MBOX_PMD_CLOSED,
	MBOX_PMD_NUM,
};

/* One reset (CLOCK_MONOTONIC; a phase not reached has duration 0). */
struct mbox_reset_rec {
	uint64_t seq;                     /* the port's reset number, from 1 */
	uint64_t t_request;
	uint64_t phase_ns[MBOX_PHASES];   /* quiesce, teardown, wait_hw, reprobe, restore */
	uint64_t total_ns;
	uint32_t outcome;                 /* MBOX_PMD_ACTIVE, _FAILED or _REMOVED */
	int32_t error;                    /* negative errno of a failure */
};

/* Written by the PMD owning the port only. */
struct mbox_pmd_rec {
	uint32_t state;                   /* enum mbox_pmd_state */
	uint32_t phase;                   /* current phase while resetting */
	uint64_t nb_reset;
	uint64_t nb_success;
	uint64_t nb_failed;
	uint64_t nb_removed;
	uint64_t nb_merged;
	uint64_t nb_busy_ops;
	uint32_t nb_timeline;             /* valid entries, newest first */
	uint32_t pid;                     /* of the writer (informational) */
	struct mbox_reset_rec timeline[MBOX_TIMELINE];
};

/* What mbox_port_read returns. */
struct mbox_port {
	struct mbox_ctrl_rec ctrl;
	struct mbox_pmd_rec pmd;
	uint32_t owner;        /* connection token of the owning PMD, 0: none */
	uint32_t owner_live;   /* 1 if that connection is up (ctrl's view) */
	uint64_t c2p_posted, c2p_lost;  /* ring counters, ctrl -> PMD */
	uint64_t p2c_posted, p2c_lost;  /* and PMD -> ctrl */
};

enum mbox_ev_type {
	MBOX_EV_NONE = 0,
	/* ctrl -> PMD */
	MBOX_EV_SVC_START = 1,        /* u.svc: a service event started */
	MBOX_EV_HW_BACK = 2,          /* u.ident: the device is back, new identity */
	MBOX_EV_HOT_REMOVE = 3,       /* u.rm: the PCI function went away, in a
				       * service event (may be rescanned) or not */
	MBOX_EV_GONE = 4,             /* the device is gone for good */
	/* PMD -> ctrl */
	MBOX_EV_RESET_ENTER = 16,     /* u.phase: the reset engine started a reset */
	MBOX_EV_PHASE = 17,           /* u.phase: it entered u.phase.phase */
	MBOX_EV_RECOVERED = 18,       /* u.result: recovery succeeded */
	MBOX_EV_RECOVERY_FAILED = 19, /* u.result: recovery failed (u.result.error) */
	/* made by the library for its caller, never in a ring */
	MBOX_EV_PEER_UP = 32,         /* u.peer: ctrl: a PMD connected; PMD: ctrl is there */
	MBOX_EV_PEER_DOWN = 33,       /* ctrl: the PMD owning .port died (or u.peer
				       * for one owning none); PMD: ctrl died,
				       * reconnecting by itself (what a new ctrl
				       * posts meanwhile waits until it is
				       * authenticated) */
	MBOX_EV_RESYNC = 34,          /* events of .port were lost (overflow or a
				       * bad event): re-read its records */
	MBOX_EV_STALE = 35,           /* PMD: ctrl replaced the segment: close and
				       * attach again */
	MBOX_EV_UNTRUSTED = 36,       /* PMD: ctrl came back under a uid this
				       * attachment does not trust (u.peer: its
				       * pid, uid, gid); the library stops
				       * reconnecting: close and attach again with
				       * the trusted uids looked up anew */
};

struct mbox_svc {
	uint16_t source;       /* enum mbox_svc_source */
	uint16_t reason;       /* source-specific code */
	uint32_t pad;
	uint64_t detail;       /* source-specific (e.g. devlink health error count) */
};

/*
 * What ctrl made of a removal (HOT_REMOVE, since 1.1). A 1.0 ctrl leaves the
 * payload zero (UNSAID): a consumer then does what 1.0 said (a removal that
 * a rescan may undo). A 1.0 consumer ignores the payload.
 */
enum mbox_rm_cause {
	MBOX_RM_UNSAID = 0,    /* a 1.0 ctrl: not said */
	MBOX_RM_SERVICE,       /* part of a service event that began before the
				* PCI function went (e.g. FPGA reconfiguration:
				* remove, then rescan): a reset */
	MBOX_RM_SURPRISE,      /* nothing before it: a hot-remove, the port is removed */
	MBOX_RM_NUM,
};

struct mbox_rm {
	uint16_t cause;        /* enum mbox_rm_cause */
	uint16_t source;       /* enum mbox_svc_source: where ctrl saw the removal */
	uint16_t reason;       /* source-specific code, as mbox_svc.reason */
	uint16_t pad;
};

struct mbox_phase {
	uint64_t reset_seq;    /* which reset */
	uint32_t phase;        /* phase entered: 0 .. MBOX_PHASES-1 */
	uint32_t state;        /* enum mbox_pmd_state */
};

struct mbox_peer {
	uint32_t token;        /* connection token (0 for ctrl seen from a PMD) */
	uint32_t pid;          /* SO_PEERCRED */
	uint32_t uid;
	uint32_t gid;
};

#define MBOX_EV_PAYLOAD 224

/* One event. mbox_post sets seq and time_ns; the caller fills the rest. */
struct mbox_event {
	uint64_t seq;          /* per port and direction, from 1, no gaps but lost ones */
	uint64_t time_ns;      /* CLOCK_MONOTONIC at post */
	uint16_t type;         /* enum mbox_ev_type */
	uint16_t port;         /* port index, or MBOX_PORT_ANY */
	uint32_t flags;        /* 0 */
	union {
		struct mbox_svc svc;
		struct mbox_rm rm;
		struct mbox_ident ident;
		struct mbox_phase phase;
		struct mbox_reset_rec result;
		struct mbox_peer peer;
		uint8_t raw[MBOX_EV_PAYLOAD];
	} u;
};

/* Segment facts, for tools and logs. */
struct mbox_info {
	uint16_t major, minor;
	uint32_t nb_ports;
	uint32_t ring_slots;
	uint32_t token;        /* PMD: our connection token */
	uint64_t compat_features;
	uint64_t incompat_features;
	uint64_t key;          /* random per segment */
	uint64_t size;
	uint64_t ctrl_gen;     /* bumped at each ctrl (re)adoption */
	uint32_t ctrl_pid;
	uint32_t nb_conns;     /* PMDs connected (ctrl's view) */
};

#define MBOX_F_REPLACE 0x1     /* mbox_create: replace an invalid segment */

struct mbox_cfg {
	const char *seg_path;  /* segment file, on tmpfs (e.g. /run/mana/mbox) */
	const char *sock_path; /* unix socket PMDs connect to */
	uint32_t nb_ports;     /* 0: MBOX_DEFAULT_PORTS */
	uint32_t ring_slots;   /* power of two; 0: MBOX_DEFAULT_SLOTS */
	uid_t uid;             /* PMDs' uid, owns the files; (uid_t)-1: ours */
	gid_t gid;             /* PMDs' group (files 0660); (gid_t)-1: none (0600) */
	unsigned int flags;    /* MBOX_F_* */
};

struct mbox;

/*
 * ctrl: create the segment and the socket, or re-adopt a valid segment left
 * by an earlier ctrl (records and pending events kept; the geometry of cfg is
 * then ignored). An invalid one, or one that has given out all its
 * connection tokens (ENOSPC), is refused unless MBOX_F_REPLACE. Fails with
 * EBUSY if another ctrl holds the segment. The caller owns the result and
 * frees it with mbox_close. Thread: any; the object is then used from that
 * one thread. Takes no lock but the segment file's flock (held until close).
 */
struct mbox *mbox_create(const struct mbox_cfg *cfg);

/*
 * PMD: connect to ctrl's socket, authenticate both ways (SO_PEERCRED: ctrl
 * runs as root or as our euid; protocol version, segment key) and map the
 * segment ctrl passes. Waits at
 * most MBOX_IO_TIMEOUT_MS. ENOSPC: ctrl's segment has no connection token
 * left (proto/README.md, section 7). flags: 0. The caller owns the result and frees
 * it with mbox_close. Thread: one that may wait that long (the PMD's
 * mailbox thread); not the datapath, not the EAL interrupt thread.
 */
struct mbox *mbox_attach(const char *sock_path, unsigned int flags);

/*
 * PMD: mbox_attach, also trusting a ctrl whose uid is one of the nb_uids
 * ctrl_uids (at most MBOX_MAX_CTRL_UIDS; none is (uid_t)-1), besides root and
 * our own euid (proto/README.md, section 2): for a ctrl that runs under a
 * user of its own, e.g. systemd's DynamicUser=. Everything else is checked
 * as by mbox_attach (the segment file of ctrl's uid, the key). A ctrl of any
 * other uid is refused (EACCES, the message names its uid), at the attach
 * and at each reconnection inside mbox_next; at a reconnection the library
 * then stops reconnecting and returns MBOX_EV_UNTRUSTED. The list is
 * copied. EINVAL: bad arguments. Thread: as mbox_attach.
 */
struct mbox *mbox_attach_trusted(const char *sock_path, const uid_t *ctrl_uids,
				 unsigned int nb_uids, unsigned int flags);

/*
 * The uid of user: a decimal uid (0 to 4294967294) or a user name (at most
 * MBOX_USER_MAX characters: letters, digits, '_', '-', '.', not beginning
 * with a digit or '-') looked up in the user database (getpwnam_r: NSS, so
 * with nss-systemd the User= name of a running DynamicUser= unit resolves).
 * 0 and *uid, or a negative errno with mbox_errmsg(): EINVAL (garbage),
 * ERANGE (a uid out of range), ENOENT (no such user), or the lookup's own
 * error. Thread: any; may wait for the user database (NSS).
 */
int mbox_user_uid(const char *user, uid_t *uid);

/* Tools: map a segment file read-only and validate it. No socket. The
 * caller owns the result. Thread: any.
 */
struct mbox *mbox_open(const char *seg_path);

/* Detach: unmap, close every fd. The PMD's claims are released; ctrl
 * unlinks its socket but keeps the segment file for the next ctrl. Once,
 * when no other call on mb runs. NULL is a no-op.
 */
void mbox_close(struct mbox *mb);

/*
 * The fd for the caller's event loop (epoll, poll): readable when mbox_next
 * has something to do. Owned by the object; never -1 for ctrl and PMD.
 */
int mbox_fd(const struct mbox *mb);

/*
 * Do the housekeeping the fd asked for (connections, liveness, doorbells,
 * reconnection) and return the next event: 1 with *ev filled, 0 when there
 * is nothing more until mbox_fd is readable again, or a negative errno.
 * Never blocks (but for a reconnection, bounded by MBOX_IO_TIMEOUT_MS).
 * Thread: one at a time per object (ctrl: its loop; PMD: the thread that
 * watches mbox_fd, which may wait that long: not the EAL interrupt thread).
 * Not for readers.
 */
int mbox_next(struct mbox *mb, struct mbox_event *ev);

/*
 * Post ev on ev->port's ring towards the peer, and ring its doorbell if
 * needed. Sets ev->seq and ev->time_ns. -ENOBUFS: the ring is full; the
 * event is counted as lost and the reader will get MBOX_EV_RESYNC (nothing
 * is lost silently). -EINVAL: wrong type for this direction, bad port.
 * -EPERM: a PMD posting on a port it does not own. Never blocks; one
 * eventfd write at most. Thread: ctrl: its loop; PMD: one thread at a time
 * per port (e.g. the port's reset thread), concurrently with mbox_next.
 */
int mbox_post(struct mbox *mb, struct mbox_event *ev);

/* Free slots in port's outgoing ring (for producers that want back-pressure).
 * Thread: as mbox_post.
 */
int mbox_post_space(const struct mbox *mb, unsigned int port);

/* ctrl: the port for id->pci, allocated if new (record written: UP).
 * -ENOSPC: no free port. Thread: ctrl's loop.
 */
int mbox_port_add(struct mbox *mb, const struct mbox_ident *id);

/* Any role: the port whose identity has this PCI address, or -ENOENT.
 * Thread: any.
 */
int mbox_port_find(const struct mbox *mb, const char *pci);

/*
 * PMD: own the port: its ctrl -> PMD events come to this process and it may
 * write its PMD record. -EBUSY: a live PMD owns it. Claims survive a ctrl
 * restart (renewed when the library reconnects). release gives the port
 * up (ctrl's posts then wait in the ring). Thread: any.
 */
int mbox_port_claim(struct mbox *mb, unsigned int port);
int mbox_port_release(struct mbox *mb, unsigned int port);

/*
 * A consistent copy of both records of a port. -EBADMSG: a record fails its
 * checksum (corrupted segment); -EAGAIN: a writer rewrote it during every
 * try (bounded). Never returns a torn record. out is the caller's.
 * Thread: any, any role; no lock, no syscall but a 20 us nanosleep between
 * retries (at most 55).
 */
int mbox_port_read(const struct mbox *mb, unsigned int port, struct mbox_port *out);

/* ctrl: replace the ctrl record of port (copied; -EINVAL if malformed).
 * Thread: ctrl's loop.
 */
int mbox_port_set_ctrl(struct mbox *mb, unsigned int port, const struct mbox_ctrl_rec *rec);

/* PMD owning port: replace its PMD record (copied; -EINVAL if malformed).
 * Thread: as mbox_post for that port.
 */
int mbox_port_set_pmd(struct mbox *mb, unsigned int port, const struct mbox_pmd_rec *rec);

/* Segment facts into the caller's *info. Thread: any. */
int mbox_info(const struct mbox *mb, struct mbox_info *info);

/*
 * Readers' cursor (proto/README.md, section 13): every event posted on
 * every ring of the segment, both directions, in time order, read without
 * writing anything to the segment: producers neither know nor wait for it.
 * Nothing wakes a reader (it polls); slots are overwritten once consumed, so
 * a reader that looks too seldom is told how many events it missed.
 */
#define MBOX_CURSOR_OLDEST 0x1 /* start at the oldest event still in the rings
				* (default: only events posted from now on) */

enum mbox_dir {
	MBOX_DIR_TO_PMD = 0,   /* the ctrl -> PMD ring */
	MBOX_DIR_TO_CTRL = 1,  /* the PMD -> ctrl ring */
};

struct mbox_cursor_ev {
	/* The event; or MBOX_EV_RESYNC (seq 0, .port, .time_ns): a gap in that
	 * ring before the next event of it, with the counts below. */
	struct mbox_event ev;
	uint32_t dir;          /* enum mbox_dir: the ring it was read from */
	uint32_t pad;
	uint64_t missed;       /* RESYNC: events this reader did not see: overwritten
				* before it looked (it fell behind) or malformed */
	uint64_t lost;         /* RESYNC: events the producer dropped (ring full):
				* nobody saw them */
};

struct mbox_cursor;

/*
 * A cursor over mb's rings (any role; mb must outlive it). flags: 0 or
 * MBOX_CURSOR_OLDEST. The caller owns it (mbox_cursor_free). NULL with
 * errno EINVAL or ENOMEM. Thread: any.
 */
struct mbox_cursor *mbox_cursor_new(const struct mbox *mb, unsigned int flags);
/*
 * The next event (or gap) not yet returned, the oldest first across rings:
 * 1 with *out filled, 0 when there is nothing new. Never blocks, never
 * writes the segment; a bounded number of retries per ring. Thread: one at
 * a time per cursor.
 */
int mbox_cursor_next(struct mbox_cursor *cur, struct mbox_cursor_ev *out);
/* NULL is a no-op. */
void mbox_cursor_free(struct mbox_cursor *cur);

/* The last error of this thread, as a sentence ("" if none). */
const char *mbox_errmsg(void);

/* Names for logs and tools ("?" when out of range). */
const char *mbox_ev_name(unsigned int type);
const char *mbox_hw_state_name(unsigned int s);
const char *mbox_pmd_state_name(unsigned int s);
const char *mbox_svc_source_name(unsigned int s);
const char *mbox_rm_cause_name(unsigned int c);

#endif /* MANA_MBOX_H */
