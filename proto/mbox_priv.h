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
	uint32_t conn_gen;
	uint64_t t_adopted;    /* CLOCK_REALTIME s */
	uint8_t pad1[16];
	struct mbox_conn_slot conns[MBOX_MAX_CONNS];
};

static_assert(offsetof(struct mbox_hdr, hdr_crc) == 80, "hdr layout");
static_assert(offsetof(struct mbox_hdr, ctrl_gen) == 88, "hdr layout");
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

/* epoll tags of mbox_fd's members */
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
	struct mbox_event pending;
};

struct mbox_conn {
	int fd;                /* -1: free */
	int efd;               /* its doorbell (written when we post) */
	uint32_t token;        /* 0 until the hello is done */
	uint32_t pid, uid, gid;
	uint32_t slot;
};

struct mbox {
	enum mbox_role role;
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
	/* consumers */
	unsigned int rr;       /* next port to scan */
	struct mbox_rx rx[MBOX_MAX_PORTS];
};

/* crc32c (Castagnoli). */
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

/*
 * Open an in-memory segment image (checked with mbox_seg_check) without
 * sockets: for the fuzz target and tests. role says which rings mbox_next
 * consumes (ctrl: p2c, PMD: c2p of every port). Not for production.
 */
struct mbox *mbox_mem_open(void *buf, size_t len, enum mbox_role role);

/* Validate a decoded event read from port's ring in direction c2p. */
int mbox_ev_check(const struct mbox_event *ev, unsigned int port, bool c2p);

/* Internal helpers shared by the .c files. */
struct mbox_port_shm *mbox_port_shm(const struct mbox *mb, unsigned int port);
struct mbox_ring *mbox_ring_c2p(const struct mbox *mb, unsigned int port);
struct mbox_ring *mbox_ring_p2c(const struct mbox *mb, unsigned int port);
int mbox_rec_read(const struct mbox_rec *r, void *out, size_t len);
void mbox_rec_write(struct mbox_rec *r, const void *in, size_t len);
int mbox_ring_put(const struct mbox *mb, struct mbox_ring *ring, struct mbox_event *ev,
		  bool *was_empty);
int mbox_ring_take(const struct mbox *mb, struct mbox_ring *ring, struct mbox_rx *rx,
		   unsigned int port, bool c2p, struct mbox_event *ev);
int mbox_setmsg(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t mbox_now_ns(void);
bool mbox_token_live(const struct mbox *mb, uint32_t token);
int mbox_consume(struct mbox *mb, struct mbox_event *ev);

/* mbox_conn.c, for mbox_ctrl.c and mbox_pmd.c. */
struct sockaddr_un;
struct stat;
struct mbox *mbox_alloc(enum mbox_role role);
void mbox_set_geometry(struct mbox *mb, void *base, size_t size);
void mbox_closefd(int *fd);
int mbox_ep_add(struct mbox *mb, int fd, uint32_t events, uint64_t tag);
int mbox_loop_init(struct mbox *mb);
int mbox_check_file(int fd, const char *what, uid_t uid, struct stat *st);
int mbox_map_fd(struct mbox *mb, int fd, size_t size, bool rw);
int mbox_sock_addr(struct sockaddr_un *sa, const char *path);
int mbox_send_fds(int fd, const void *buf, size_t len, const int *fds, unsigned int nfds);
ssize_t mbox_recv_fds(int fd, void *buf, size_t len, int *fds, unsigned int max, int flags);
bool mbox_is_eventfd(int fd);
void mbox_push_event(struct mbox *mb, uint16_t type, uint16_t port, const struct mbox_peer *peer);

/* mbox_ctrl.c */
void mbox_ctrl_accept(struct mbox *mb);
void mbox_conn_hello(struct mbox *mb, struct mbox_conn *c);
void mbox_conn_close(struct mbox *mb, struct mbox_conn *c);

/* mbox_pmd.c */
int mbox_pmd_connect(struct mbox *mb, const char *path, bool first);
void mbox_arm_timer(struct mbox *mb);

#endif /* MANA_MBOX_PRIV_H */
