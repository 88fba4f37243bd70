/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nlrec files: raw netlink messages recorded from a real kernel.
 *
 * A file is the 8-byte magic "NLREC01\n" followed by records. Each record is
 * a 16-byte header, all fields little-endian (the recording host's order, x86):
 *
 *   u32 len     payload bytes that follow the header (no padding after them)
 *   u16 source  the netlink protocol of the socket: 16 NETLINK_GENERIC
 *               (devlink, and the nlctrl family lookups), 20 NETLINK_RDMA,
 *               15 NETLINK_KOBJECT_UEVENT; or NLREC_SRC_MARK / NLREC_SRC_META
 *   u8  dir     NLREC_DIR_RECV (kernel -> user) or NLREC_DIR_SENT
 *   u8  pad     0
 *   u64 t_ns    CLOCK_MONOTONIC of the guest when the record was written
 *
 * The payload of a netlink record is exactly one datagram as recv() returned
 * it (a dump datagram holds several nlmsghdr messages) or one sent request.
 * A uevent payload is the kernel's "action@devpath\0KEY=VALUE\0..." buffer.
 * MARK payload: the scenario step name that starts here (text, no NUL).
 * META payload: "key=value" pairs separated by spaces (kernel release,
 * devlink family id and "config" group id).
 *
 * Everything here is single-threaded; callers own the FILE streams.
 */
#ifndef NLREC_FILE_H
#define NLREC_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NLREC_MAGIC "NLREC01\n"
#define NLREC_MAGIC_LEN 8
#define NLREC_HDR_LEN 16
#define NLREC_MAX_PAYLOAD (1u << 20)

#define NLREC_SRC_GENERIC 16
#define NLREC_SRC_RDMA 20
#define NLREC_SRC_UEVENT 15
#define NLREC_SRC_MARK 0xff00
#define NLREC_SRC_META 0xff01

#define NLREC_DIR_RECV 0
#define NLREC_DIR_SENT 1

/* UAPI numbers (include/uapi/rdma/rdma_netlink.h of 6.12), spelled out so the
 * tool builds against any host header. */
#define NLREC_RDMA_NL_NLDEV 5
#define NLREC_RDMA_GROUP_NOTIFY 4
#define NLREC_RDMA_CMD_GET 1
#define NLREC_RDMA_CMD_PORT_GET 5
#define NLREC_RDMA_CMD_SYS_GET 6
#define NLREC_RDMA_CMD_MONITOR 28
#define NLREC_RDMA_ATTR_DEV_INDEX 1
#define NLREC_RDMA_ATTR_DEV_NAME 2
#define NLREC_RDMA_ATTR_PORT_INDEX 3
#define NLREC_RDMA_ATTR_NDEV_INDEX 50
#define NLREC_RDMA_ATTR_NDEV_NAME 51
#define NLREC_RDMA_ATTR_EVENT_TYPE 102
#define NLREC_RDMA_SYS_ATTR_MONITOR_MODE 103
#define NLREC_RDMA_ATTR_MAX 200
/* RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, op) */
#define NLREC_RDMA_TYPE(op) ((NLREC_RDMA_NL_NLDEV << 10) + (op))

/* include/uapi/linux/devlink.h */
#define NLREC_DL_ATTR_BUS_NAME 1
#define NLREC_DL_ATTR_DEV_NAME 2
#define NLREC_DL_ATTR_FMSG 106
#define NLREC_DL_ATTR_HEALTH_REPORTER 114
#define NLREC_DL_ATTR_HR_NAME 115
#define NLREC_DL_ATTR_HR_STATE 116
#define NLREC_DL_ATTR_HR_ERR_COUNT 117
#define NLREC_DL_ATTR_HR_RECOVER_COUNT 118
#define NLREC_DL_ATTR_MAX 200

struct nlrec {
	uint32_t len;
	uint16_t source;
	uint8_t dir;
	uint64_t t_ns;
	const uint8_t *payload;	/* points into the caller's buffer */
};

/* Writer. nlrec_write_magic() once, then nlrec_write() per record; both
 * flush so a killed recorder leaves whole records. 0 or -errno. */
int nlrec_write_magic(FILE *out);
int nlrec_write(FILE *out, uint16_t source, uint8_t dir, const void *payload, uint32_t len);

/*
 * Reader over a whole file in memory. nlrec_next() fills *rec and advances
 * *off; returns 1 for a record, 0 at a clean end, -EINVAL for a bad magic or
 * a truncated / oversized record (*off then points at the bad record).
 * Call it first with *off == 0: it checks the magic.
 */
int nlrec_next(const uint8_t *buf, size_t size, size_t *off, struct nlrec *rec);

/*
 * Structural check of one record: every netlink datagram is a sequence of
 * whole nlmsghdr messages whose attributes parse; uevents are
 * "action@devpath" plus KEY=VALUE strings; MARK/META are printable text.
 * Returns 0, or -EINVAL with a reason in err.
 */
int nlrec_check(const struct nlrec *rec, int devlink_family, char *err, size_t errlen);

/*
 * One line per message of rec on out ("rdma MONITOR REGISTER dev 0 rxe0",
 * "devlink cmd 54 netdevsim/netdevsim1 reporter dummy state 1 error 1
 * recover 0", "uevent add@/devices/virtual/infiniband/rxe0 ..."). For genl
 * records devlink_family says which family id is devlink (-1: unknown).
 */
void nlrec_describe(const struct nlrec *rec, int devlink_family, FILE *out);

/*
 * List a whole file: "== NAME", then per record its number, milliseconds
 * since the first record and nlrec_describe(). 0, or -EINVAL at the first
 * bad record (after listing the good ones and saying where).
 */
int nlrec_print_file(const char *name, const uint8_t *buf, size_t size, FILE *out);

/* The devlink family id named in a META record ("devlink_family=N"), or -1. */
int nlrec_meta_devlink_family(const struct nlrec *rec);

#endif /* NLREC_FILE_H */
