/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_MBOX_PRIV_H
#define MANA_MBOX_PRIV_H

/*
 * Private to proto/ (and its tests and fuzz target): the segment layout of
 * proto/README.md as C structs, and the internal entry points. Everything in
 * the segment is read with the assumption that it may be garbage.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mbox.h"

#define MBOX_MAGIC "MANAMBOX"
#define MBOX_HELLO_MAGIC 0x4d424f58u   /* "MBOX" */
#define MBOX_SLOT_SIZE 256
#define MBOX_LINE 64
/* Feature bits. None defined in 1.0. Unknown incompat bits: refuse. */
#define MBOX_COMPAT_KNOWN 0ull
#define MBOX_INCOMPAT_KNOWN 0ull

/*
 * A connection's token is conn_gen * MBOX_MAX_CONNS + slot: 32 bits, never
 * 0. conn_gen, in the segment, only grows (a re-adopting ctrl continues from
 * it), up to the last generation a token holds; then ctrl refuses hellos
 * and will not re-adopt the segment. So a token is never reused for the
 * segment's life.
 */
#define MBOX_CONN_GEN_MAX (UINT32_MAX / MBOX_MAX_CONNS)

struct mbox_conn_slot {
	uint32_t token;        /* 0: free */
	uint32_t pid;
	uint32_t uid;
	uint32_t gid;
};

/* Offset 0 of the segment. */
struct mbox_hdr {
	/* immutable after creation; hdr_crc covers [0, offsetof(hdr_crc)) */
	char magic[8];
	uint16_t major;
	uint16_t minor;
	uint32_t hdr_size;
	uint64_t compat_features;
	uint64_t incompat_features;
	uint64_t key;
	uint64_t seg_size;
	uint32_t nb_ports;
	uint32_t ring_slots;
	uint32_t slot_size;
	uint32_t rec_size;
	uint32_t port_stride;
	uint32_t ports_off;
	uint64_t t_created;    /* CLOCK_REALTIME s */
	uint32_t hdr_crc;
	uint32_t pad0;
	/* mutable, ctrl writes, atomics */
	uint64_t ctrl_gen;
	uint32_t ctrl_pid;
	uint32_t conn_gen;     /* hellos accepted on this segment, see MBOX_CONN_GEN_MAX */
	uint64_t t_adopted;    /* CLOCK_REALTIME s */
	uint8_t pad1[16];
	struct mbox_conn_slot conns[MBOX_MAX_CONNS];
};

static_assert(offsetof(struct mbox_hdr, hdr_crc) == 80, "hdr layout");
static_assert(offsetof(struct mbox_hdr, ctrl_gen) == 88, "hdr layout");
static_assert(offsetof(struct mbox_hdr, conn_gen) == 100, "hdr layout");
static_assert(offsetof(struct mbox_hdr, conns) % MBOX_LINE == 0, "hdr layout");
static_assert(sizeof(struct mbox_hdr) == 640, "hdr layout");

/* A record: two copies, each a seqlock with a checksum (README, "records"). */
#define MBOX_REC_WORDS 98      /* 784 bytes of payload per copy */
struct mbox_rec_copy {
	uint64_t seq;          /* odd while written */
	uint32_t len;          /* payload bytes */
	uint32_t crc;          /* crc32c of seq (even), len and payload */
	uint64_t data[MBOX_REC_WORDS];
};
struct mbox_rec {
	uint32_t active;       /* copy readers take */
	uint8_t pad[MBOX_LINE - 4];
	struct mbox_rec_copy copy[2];
};
static_assert(sizeof(struct mbox_ctrl_rec) <= MBOX_REC_WORDS * 8, "rec size");
static_assert(sizeof(struct mbox_pmd_rec) <= MBOX_REC_WORDS * 8, "rec size");
static_assert(sizeof(struct mbox_ctrl_rec) == 152, "ctrl rec layout");
static_assert(sizeof(struct mbox_pmd_rec) == 640, "pmd rec layout");
static_assert(sizeof(struct mbox_rec) % MBOX_LINE == 0, "rec layout");
static_assert(sizeof(struct mbox_rec) == 1664, "rec layout");

/* One event on the wire. */
struct mbox_slot {
	struct mbox_event ev;
	uint32_t crc;          /* crc32c of ev */
	uint32_t magic;        /* MBOX_HELLO_MAGIC */
};
static_assert(sizeof(struct mbox_ident) == 112, "ident layout");
static_assert(sizeof(struct mbox_rm) == 8, "rm layout (1.1)");
static_assert(sizeof(struct mbox_reset_rec) == 72, "reset rec layout");
static_assert(sizeof(struct mbox_event) == 248, "event layout");
static_assert(sizeof(struct mbox_slot) == MBOX_SLOT_SIZE, "slot layout");

/* A ring: producer line, consumer line, then ring_slots slots. */
struct mbox_ring {
	uint64_t head;         /* producer: slots published */
	uint64_t lost;         /* producer: events dropped (ring full) */
	uint8_t pad0[MBOX_LINE - 16];
	uint64_t tail;         /* consumer: slots consumed */
	uint8_t pad1[MBOX_LINE - 8];
	struct mbox_slot slot[];
};
static_assert(sizeof(struct mbox_ring) == 2 * MBOX_LINE, "ring layout");

/* One port: owner line, ctrl record, PMD record, c2p ring, p2c ring. */
struct mbox_port_shm {
	uint32_t owner;        /* token of the owning PMD connection, 0: none */
	uint8_t pad[MBOX_LINE - 4];
	struct mbox_rec ctrl;
	struct mbox_rec pmd;
	/* struct mbox_ring c2p, p2c follow */
};
static_assert(sizeof(struct mbox_port_shm) % MBOX_LINE == 0, "port layout");

enum mbox_role { MBOX_ROLE_CTRL, MBOX_ROLE_PMD, MBOX_ROLE_READER };

/* epoll tags of mbox_fd's members: TAG_EFD, our doorbell, is the object's
 * (mbox_conn.c); ctrl's are LISTEN and CONN, the PMD's SOCK and TIMER.
 */
enum { TAG_EFD = 1, TAG_LISTEN, TAG_CONN, TAG_SOCK, TAG_TIMER };
#define TAG(kind, idx) ((uint64_t)(kind) << 32 | (uint32_t)(idx))

#define RETRY_MIN_MS 2
#define RETRY_MAX_MS 200

/* The handshake (README, section 7). */
struct mbox_hello {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	uint32_t pid;
	uint32_t flags;
};

struct mbox_welcome {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	int32_t status;        /* 0 or a negative errno */
	uint32_t token;
	uint64_t key;
	uint64_t size;
	uint64_t ctrl_gen;
	char msg[160];
};
static_assert(sizeof(struct mbox_hello) == 16, "hello layout");
static_assert(sizeof(struct mbox_welcome) == 200, "welcome layout");

/* Consumer state of one incoming ring (process-local). */
struct mbox_rx {
	uint64_t next_seq;     /* seq expected next; 0: not known yet */
	bool has_pending;      /* pending is the next event to return */
	/* PMD, ctrl gone: take only what was posted before (head then);
	 * the rest waits for a ctrl authenticated again (README, 7).
	 */
	bool held;
	uint64_t hold_head;
	struct mbox_event pending;
};

struct mbox_conn {
	int fd;                /* -1: free */
	int efd;               /* its doorbell (written when we post) */
	uint32_t token;        /* 0 until the hello is done */
	uint32_t pid, uid, gid;
	uint32_t slot;
};

struct mbox;

/*
 * What the connection code (mbox_conn.c) asks of a role: ctrl's ops are in
 * mbox_ctrl.c (set by mbox_create), the PMD's in mbox_pmd.c (set by
 * mbox_attach). mbox_conn.c calls a role only through these, the role files
 * call down into mbox_conn.c, so no two files call each other.
 */
struct mbox_role_ops {
	/* One of the role's fds in mbox_fd, added with mbox_ep_add(TAG(kind,
	 * idx)), is ready with these epoll events. Thread: the one calling
	 * mbox_next.
	 */
	void (*fd_ready)(struct mbox *mb, uint32_t kind, uint32_t idx, uint32_t events);
	/* mbox_close, before the common fds are closed and the segment is
	 * unmapped (mb->base may be NULL on a failed constructor): give back
	 * what the role holds. Thread: mbox_close's.
	 */
	void (*close)(struct mbox *mb);
};

struct mbox {
	enum mbox_role role;
	const struct mbox_role_ops *ops;  /* NULL: reader or image */
	uint8_t *base;         /* the mapping */
	size_t size;
	bool own_mem;          /* mbox_mem_open: base is the caller's */
	struct mbox_hdr *hdr;
	uint32_t nb_ports;
	uint32_t slots;
	uint32_t stride;
	uint32_t ports_off;
	uint64_t key;
	int seg_fd;            /* ctrl: holds the flock; reader: the file */
	int pass_fd;           /* ctrl: what PMDs get (see open_pass_fd) */
	int epfd;              /* mbox_fd */
	int efd;               /* our doorbell (the peer writes it) */
	/* ctrl */
	int lfd;               /* listening socket */
	char *sock_path;
	uid_t allow_uid;
	gid_t allow_gid;
	struct mbox_conn conns[MBOX_MAX_CONNS];
	/* library events waiting to be returned by mbox_next */
	struct mbox_event pending[MBOX_MAX_PORTS + 2 * MBOX_MAX_CONNS];
	unsigned int pend_head;
	unsigned int nb_pending;
	/* PMD */
	int sfd;               /* socket to ctrl, -1 while down */
	int peer_efd;          /* ctrl's doorbell; the fd number never changes */
	int tfd;               /* reconnection timer */
	uint32_t token;
	uint64_t claimed;      /* bitmap of ports we own (atomic) */
	uint64_t want;         /* bitmap of ports we want (atomic) */
	struct mbox_peer ctrl_cred;
	unsigned int retry_ms; /* reconnection back-off */
	bool stale;
	bool untrusted;        /* a reconnection found ctrl under an untrusted uid */
	uid_t ctrl_uids[MBOX_MAX_CTRL_UIDS]; /* trusted besides root and us */
	unsigned int nb_ctrl_uids;
	/* consumers */
	unsigned int rr;       /* next port to scan */
	struct mbox_rx rx[MBOX_MAX_PORTS];
};

/*
 * The files of proto/, lowest first; each calls only files listed before
 * it here (README, "Layers"):
 *   mbox_seg.c   segment layout, validation, crc32c, records, event checks, names
 *   mbox_io.c    fd helpers: the segment file, sockets and SCM_RIGHTS, doorbells
 *   mbox_user.c  users: a name or uid to a uid, the PMD's trust in ctrl's uid
 *   mbox_ring.c  the event rings: post, consume
 *   mbox_cursor.c  the readers' cursor over every ring (reads only)
 *   mbox_port.c  the per-port records and ownership calls
 *   mbox_conn.c  the object: alloc, close, readers, library events, mbox_next
 *   mbox_ctrl.c, mbox_pmd.c  the two roles, called by mbox_conn.c only
 *                through their struct mbox_role_ops
 * Unless a comment says otherwise, an internal call runs on the thread of
 * the public call that made it, under no lock (the library has none).
 */

/* mbox_seg.c */

/* crc32c (Castagnoli). Thread: any. */
uint32_t mbox_crc32c(uint32_t crc, const void *buf, size_t len);

/* Layout: stride of a port for ring_slots, 0 if out of range. */
uint32_t mbox_port_stride(uint32_t ring_slots);

/*
 * Validate a segment image of len bytes (any alignment-8 buffer): header,
 * version, features, geometry, checksum. 0 or a negative errno with
 * mbox_errmsg() set. Reads nothing outside [buf, buf + len).
 */
int mbox_seg_check(const void *buf, size_t len);

/* Fill a new header for a segment of this geometry (key given). */
void mbox_seg_format(void *buf, uint32_t nb_ports, uint32_t ring_slots, uint64_t key);
size_t mbox_seg_size(uint32_t nb_ports, uint32_t ring_slots);

/* Validate a decoded event read from port's ring in direction c2p. */
int mbox_ev_check(const struct mbox_event *ev, unsigned int port, bool c2p);

/* Where port's blocks are in mb's mapping (port < mb->nb_ports). */
struct mbox_port_shm *mbox_port_shm(const struct mbox *mb, unsigned int port);
struct mbox_ring *mbox_ring_c2p(const struct mbox *mb, unsigned int port);
struct mbox_ring *mbox_ring_p2c(const struct mbox *mb, unsigned int port);

/* A record's single writer and its readers (README, "Records"). */
int mbox_rec_read(const struct mbox_rec *r, void *out, size_t len);
void mbox_rec_write(struct mbox_rec *r, const void *in, size_t len);

/* Set this thread's mbox_errmsg(); returns err. */
int mbox_setmsg(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t mbox_now_ns(void);

/* mbox_io.c: no state; fds are the caller's. */
struct sockaddr_un;
struct stat;
void mbox_closefd(int *fd);
int mbox_check_file(int fd, const char *what, uid_t uid, struct stat *st);
int mbox_map_fd(struct mbox *mb, int fd, size_t size, bool rw);
int mbox_sock_addr(struct sockaddr_un *sa, const char *path);
int mbox_send_fds(int fd, const void *buf, size_t len, const int *fds, unsigned int nfds);
ssize_t mbox_recv_fds(int fd, void *buf, size_t len, int *fds, unsigned int max, int flags);
bool mbox_is_eventfd(int fd);
/* Wake the owner of efd (-1: nobody); never blocks. Thread: any. */
void mbox_doorbell(int efd);
/* Empty a non-blocking eventfd or timerfd. */
void mbox_drain(int fd);

/* mbox_user.c */

/*
 * May a PMD of euid self use a ctrl of uid ctrl: root, self, or one of the n
 * trusted uids? 0, or -EACCES with mbox_errmsg() naming path (ctrl's socket)
 * and ctrl's uid. Pure. Thread: any.
 */
int mbox_ctrl_check(const char *path, uid_t ctrl, uid_t self, const uid_t *trusted,
		    unsigned int n);

/* mbox_ring.c */
int mbox_ring_put(const struct mbox *mb, struct mbox_ring *ring, struct mbox_event *ev,
		  bool *was_empty);
int mbox_ring_take(const struct mbox *mb, struct mbox_ring *ring, struct mbox_rx *rx,
		   unsigned int port, bool c2p, struct mbox_event *ev);
/* The next event of any ring this role consumes, round robin: 1 or 0.
 * Thread: the one calling mbox_next.
 */
int mbox_consume(struct mbox *mb, struct mbox_event *ev);

/* PMD: does this process own port (mb->claimed)? Thread: any. */
static inline bool
mbox_port_claimed(const struct mbox *mb, unsigned int port)
{
	/* Pairs with the release updates of claimed in mbox_port.c, mbox_pmd.c. */
	return __atomic_load_n(&mb->claimed, __ATOMIC_ACQUIRE) & (1ull << port);
}

/* mbox_port.c: is token a connection ctrl holds open right now (as far as
 * this process can tell)? Thread: any.
 */
bool mbox_token_live(const struct mbox *mb, uint32_t token);

/*
 * mbox_conn.c, for the roles. mbox_alloc: a new object with every fd -1;
 * ops is the role's (NULL: reader). mbox_loop_init: the loop fd and our
 * doorbell. mbox_push_event: queue a library event for mbox_next (thread:
 * the one calling mbox_next, or the constructor before it returns).
 */
struct mbox *mbox_alloc(enum mbox_role role, const struct mbox_role_ops *ops);
void mbox_set_geometry(struct mbox *mb, void *base, size_t size);
int mbox_ep_add(struct mbox *mb, int fd, uint32_t events, uint64_t tag);
int mbox_loop_init(struct mbox *mb);
void mbox_push_event(struct mbox *mb, uint16_t type, uint16_t port, const struct mbox_peer *peer);

/*
 * Open an in-memory segment image (checked with mbox_seg_check) without
 * sockets: for the fuzz target and tests. role says which rings mbox_next
 * consumes (ctrl: p2c, PMD: c2p of every port). No role ops. Not for
 * production.
 */
struct mbox *mbox_mem_open(void *buf, size_t len, enum mbox_role role);

#endif /* MANA_MBOX_PRIV_H */
