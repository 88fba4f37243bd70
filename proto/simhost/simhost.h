/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_PROTO_SIMHOST_H
#define MANA_PROTO_SIMHOST_H

/*
 * The simulated host: how a simulated MANA device (pmd/sim, in a DPDK
 * process) is seen from outside that process, as hardware is seen from the
 * hypervisor and the kernel. For simulation only; nothing uses it unless told
 * a directory (the sim's devarg `host=DIR`, mana-ctrld's `sim_kernel = DIR`,
 * `manactl sim ... host DIR`). Plain C11 and libc: no DPDK.
 *
 * The directory DIR (e.g. /run/mana/sim; SIMHOST_DEFAULT_DIR):
 *
 *   DIR/dev/NAME        one state file per device (NAME: the vdev's name,
 *                       e.g. net_mana_sim0), written whole (NAME.tmp, then
 *                       rename) by the device's process at every change.
 *                       `key=value` lines, `format=1` first; readers skip
 *                       unknown keys. Keys (struct simhost_dev): name, pid
 *                       (the process serving it, 0 when none), hv (its
 *                       hypervisor socket), pci (BDF), pci_present (0|1),
 *                       ibdev, ib_index (the RDMA index of the current or
 *                       last registration), registered (0|1), node_guid
 *                       (0x hex), netdev, ifindex, devlink (0|1: devlink
 *                       device pci/BDF exists), reporter (fw_fatal), health
 *                       (healthy|error), error_count, recover_count,
 *                       hw (up|down|removed), service_events.
 *                       The file outlives its process (pid=0 written at a
 *                       clean exit; a crash leaves a dead pid): a new process
 *                       with the same NAME adopts it.
 *   DIR/ib_index        the last RDMA index given (decimal), under flock:
 *                       every registration takes a new one, never reused.
 *   DIR/sys/            the sysfs subset mana-ctrld reads (its sysfs root):
 *                       devices/pci0000:00/BDF/            the PCI function
 *                         driver -> ../../../bus/pci/drivers/mana
 *                         mana.rdma.0/                     its RDMA aux device
 *                           driver -> ../../../../bus/auxiliary/drivers/mana_ib
 *                       bus/pci/devices/BDF -> ../../../devices/pci0000:00/BDF
 *                       class/infiniband/IBDEV/device -> the aux device
 *                       class/net/NETDEV/device -> the PCI function
 *                       class/net/NETDEV/ifindex
 *                       (the PCI function's entries are absent while it is
 *                       removed, class/infiniband/IBDEV while unregistered).
 *   DIR/kernel.sock     unix SOCK_DGRAM, bound by mana-ctrld in sim mode:
 *                       one datagram per kernel notification (struct
 *                       simhost_ntf), one text line `KIND VERB key=value...`,
 *                       sent after the state file and sys/ show the new
 *                       state; lost when nobody is bound (a netlink
 *                       multicast without listeners):
 *                         rdma register name=mana_0 index=7 guid=0x...
 *                         rdma netdev_attach name=mana_0 index=7 port=1 netdev=eth1 ifindex=5
 *                         rdma unregister name=mana_0 index=6
 *                         devlink health handle=pci/BDF reporter=fw_fatal
 *                                 state=error|healthy error_count=N recover_count=N
 *                         devlink del handle=pci/BDF
 *                         devlink new handle=pci/BDF
 *                         pci remove bdf=BDF
 *                         pci add bdf=BDF
 *   DIR/hv/NAME.sock    unix SOCK_SEQPACKET, the device's hypervisor channel,
 *                       served by its process. One request a packet, one
 *                       reply: `service-event down_ms=N outcome=ok|fail|
 *                       remove|rescan` -> `ok event=N` or `error ERRNAME
 *                       message`; `show` -> `ok` and the state file's text.
 *
 * Paths longer than a unix socket address allows are reached through
 * /proc/self/fd (the socket calls here do it; callers pass plain paths).
 *
 * Errors: negative errno; a sentence for a person in simhost_errmsg()
 * (thread-local, valid until the thread's next failing call here).
 * Threads: every call may be made from any thread; none keeps state between
 * calls except the thread-local message. Ownership: buffers are the caller's.
 */
#include <stddef.h>
#include <stdint.h>

#define SIMHOST_DEFAULT_DIR "/run/mana/sim"
#define SIMHOST_FORMAT 1
#define SIMHOST_NAME_MAX 64  /* device, IB device names, with the NUL */
#define SIMHOST_NETDEV_MAX 16 /* IFNAMSIZ */
#define SIMHOST_BDF_MAX 16
#define SIMHOST_PATH_MAX 512
#define SIMHOST_NTF_MAX 512 /* a notification datagram, with the NUL */
#define SIMHOST_FILE_MAX 4096 /* a state file; also the largest hv reply */
#define SIMHOST_REPORTER "fw_fatal"

enum simhost_hw {
	SIMHOST_HW_UP,
	SIMHOST_HW_DOWN,
	SIMHOST_HW_REMOVED,
};

/* One device's state file. */
struct simhost_dev {
	char name[SIMHOST_NAME_MAX];
	int64_t pid;
	char hv[SIMHOST_PATH_MAX];
	char pci[SIMHOST_BDF_MAX];
	int pci_present;
	char ibdev[SIMHOST_NAME_MAX];
	uint32_t ib_index;
	int registered;
	uint64_t node_guid;
	char netdev[SIMHOST_NETDEV_MAX];
	uint32_t ifindex;
	int devlink;
	char reporter[32];
	int health_error; /* health=error (1) | healthy (0) */
	uint64_t error_count;
	uint64_t recover_count;
	enum simhost_hw hw;
	uint64_t service_events;
};

/* The sentence of this thread's last failure here. */
const char *simhost_errmsg(void);

/* "up", "down", "removed"; "?" for anything else. */
const char *simhost_hw_name(enum simhost_hw hw);

/* A name the files may carry (device, IB device, netdev): 1..max-1 of
 * [A-Za-z0-9_.:-], not "." or "..". A BDF: dddd:bb:dd.f in hex.
 */
int simhost_name_ok(const char *s, size_t max);
int simhost_bdf_ok(const char *s);

/* Make DIR, DIR/dev, DIR/hv and DIR/sys (mode 0755) when missing. */
int simhost_dir_init(const char *dir);

/* The state file's text / a state file's text to a struct. Format: the
 * length written (< n) or -ENOSPC; -EINVAL on a struct with a bad name.
 * Parse: 0, or -EBADMSG (malformed), -EPROTONOSUPPORT (another format),
 * with the line's number in the message.
 */
int simhost_dev_format(const struct simhost_dev *d, char *buf, size_t n);
int simhost_dev_parse(const char *text, size_t len, struct simhost_dev *d);

/* DIR/dev/NAME: write whole (tmp + rename, fsync not needed on tmpfs), read
 * one (-ENOENT when there is none), walk all (sorted by name; cb gets each
 * readable one; unreadable or malformed files are skipped and counted in
 * *nbad when nbad is not NULL; a non-zero return of cb stops the walk and is
 * returned). The walk's return is the number of devices given to cb.
 */
int simhost_dev_write(const char *dir, const struct simhost_dev *d);
int simhost_dev_read(const char *dir, const char *name, struct simhost_dev *d);
int simhost_dev_foreach(const char *dir, int (*cb)(void *arg, const struct simhost_dev *d),
			void *arg, int *nbad);

/* The next RDMA device index (1, 2, ...): DIR/ib_index read, incremented and
 * written under an exclusive flock, so that processes never share one.
 */
int simhost_ib_index_next(const char *dir, uint32_t *index);

/* ---- kernel notifications (DIR/kernel.sock) ---- */

enum simhost_ntf_type {
	SIMHOST_NTF_RDMA_REGISTER,
	SIMHOST_NTF_RDMA_NETDEV_ATTACH,
	SIMHOST_NTF_RDMA_UNREGISTER,
	SIMHOST_NTF_DEVLINK_HEALTH,
	SIMHOST_NTF_DEVLINK_DEL,
	SIMHOST_NTF_DEVLINK_NEW,
	SIMHOST_NTF_PCI_REMOVE,
	SIMHOST_NTF_PCI_ADD,
};

/* One notification. Which fields a type carries:
 *   rdma register:       name, index, guid
 *   rdma netdev_attach:  name, index, port, netdev, ifindex
 *   rdma unregister:     name, index
 *   devlink health:      handle, reporter, health_error, error_count, recover_count
 *   devlink del / new:   handle ("pci/BDF")
 *   pci remove / add:    bdf
 */
struct simhost_ntf {
	enum simhost_ntf_type type;
	char name[SIMHOST_NAME_MAX];
	uint32_t index;
	uint64_t guid;
	uint32_t port;
	char netdev[SIMHOST_NETDEV_MAX];
	uint32_t ifindex;
	char handle[SIMHOST_BDF_MAX + 8];
	char reporter[32];
	int health_error;
	uint64_t error_count;
	uint64_t recover_count;
	char bdf[SIMHOST_BDF_MAX];
};

/* "rdma register", ... */
const char *simhost_ntf_type_name(enum simhost_ntf_type t);

/* Format one line (no newline): its length (< n), -ENOSPC, or -EINVAL (a
 * field the type carries is not valid). Parse one datagram (a trailing
 * newline allowed, no NUL needed): 0 or -EBADMSG with what was wrong (unknown
 * kind or verb, a missing or malformed key, a value too long, an embedded
 * NUL or newline); unknown keys are skipped.
 */
int simhost_ntf_format(const struct simhost_ntf *n, char *buf, size_t len);
int simhost_ntf_parse(const char *buf, size_t len, struct simhost_ntf *n);

/* Send one to DIR/kernel.sock: 0 when sent and when nobody is bound (lost,
 * *lost = 1 if lost is not NULL); -EAGAIN when the receiver's queue stayed
 * full for 100 ms (dropped, as netlink drops on a full socket); other
 * negative errno otherwise.
 */
int simhost_ntf_send(const char *dir, const struct simhost_ntf *n, int *lost);

/* Bind DIR/kernel.sock (SOCK_DGRAM, non-blocking, close-on-exec): the fd.
 * A stale socket file is replaced; -EADDRINUSE when a live receiver is bound.
 * The caller owns the fd and unlinks the path when done
 * (simhost_kernel_unbind).
 */
int simhost_kernel_bind(const char *dir);
void simhost_kernel_unbind(const char *dir, int fd);

/* Receive one datagram from a bound fd and parse it: 1 and *n, 0 when none
 * is waiting (non-blocking fd), -EBADMSG when malformed (taken off the
 * queue; raw holds its text when raw is not NULL), other negative errno.
 */
int simhost_ntf_recv(int fd, struct simhost_ntf *n, char *raw, size_t rawlen);

/* ---- sys/ ---- */

/* The PCI function BDF: its device directory, driver links and bus entry
 * (add), all of it gone (remove; the class entries pointing into it too).
 * The IB device's class entry (add: pointing at BDF's aux device; remove).
 * The netdev's class entry (add: pointing at BDF, with its ifindex; remove).
 * Each is idempotent: adding what exists or removing what does not is 0.
 */
int simhost_sys_pci_add(const char *dir, const char *bdf);
int simhost_sys_pci_remove(const char *dir, const char *bdf);
int simhost_sys_ib_add(const char *dir, const char *ibdev, const char *bdf);
int simhost_sys_ib_remove(const char *dir, const char *ibdev);
int simhost_sys_net_add(const char *dir, const char *netdev, const char *bdf, uint32_t ifindex);
int simhost_sys_net_remove(const char *dir, const char *netdev);

/* ---- the hypervisor channel (DIR/hv/NAME.sock) ---- */

enum simhost_outcome {
	SIMHOST_OUTCOME_OK,     /* back as a new incarnation after down_ms */
	SIMHOST_OUTCOME_FAIL,   /* never back */
	SIMHOST_OUTCOME_REMOVE, /* a surprise hot-remove, never back */
	SIMHOST_OUTCOME_RESCAN, /* removed from the bus, back after down_ms */
};

/* "ok", ...; parse: 0 or -EINVAL. */
const char *simhost_outcome_name(enum simhost_outcome o);
int simhost_outcome_parse(const char *s, enum simhost_outcome *o);

/* DIR/hv/NAME.sock into buf: 0 or -ENAMETOOLONG / -EINVAL (bad NAME). */
int simhost_hv_path(const char *dir, const char *name, char *buf, size_t n);

/* Serve path: a SOCK_SEQPACKET listener (close-on-exec). A stale socket file
 * is replaced; -EADDRINUSE ("served by another live process") when something
 * accepts connections there. The caller owns the fd; it unlinks the path
 * when it stops (simhost_hv_unlisten).
 */
int simhost_hv_listen(const char *path);
void simhost_hv_unlisten(const char *path, int fd);

/* A request line, parsed by the server. */
enum simhost_hv_verb {
	SIMHOST_HV_SHOW,
	SIMHOST_HV_SERVICE_EVENT,
};

struct simhost_hv_req {
	enum simhost_hv_verb verb;
	uint32_t down_ms;             /* service-event: 0..3600000 */
	enum simhost_outcome outcome; /* service-event */
};

/* Format (no newline) / parse one request: as simhost_ntf_*. */
int simhost_hv_req_format(const struct simhost_hv_req *r, char *buf, size_t n);
int simhost_hv_req_parse(const char *buf, size_t len, struct simhost_hv_req *r);

/* The client: connect to path, send req, wait up to timeout_ms for the
 * reply (whole, NUL-terminated in reply): its length, or -ENOENT /
 * -ECONNREFUSED (nobody serves it), -ETIMEDOUT, -EMSGSIZE (reply too long).
 */
int simhost_hv_call(const char *path, const char *req, char *reply, size_t n, int timeout_ms);

/* A reply: "ok ..." -> 0 and *rest after "ok" (spaces skipped); "error NAME
 * message" -> the negative errno NAME stands for (-EIO when unknown) and
 * *rest at the message; anything else -EBADMSG.
 */
int simhost_hv_reply_parse(const char *reply, const char **rest);

/* "EALREADY" for EALREADY (errnos this protocol uses; "EIO" for others), and
 * back (0 when unknown).
 */
const char *simhost_errno_name(int err);
int simhost_errno_from_name(const char *name);

#endif /* MANA_PROTO_SIMHOST_H */
