/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_NL_RDMA_H
#define MANA_NL_RDMA_H

/*
 * RDMA netlink (NETLINK_RDMA, nldev) on libmnl: a request socket for SYS_GET
 * and the GET / PORT_GET dumps, and a separate monitor socket in
 * RDMA_NL_GROUP_NOTIFY (6.12+) whose fd goes into the caller's epoll loop.
 * No socket is shared with libnl. Requests block (5 s receive timeout); the
 * monitor socket is non-blocking.
 *
 * Errors are negative errnos; -EPROTONOSUPPORT from nl_rdma_open() means the
 * kernel has no NETLINK_RDMA (nl_rdma_strerror() says so). -ENOBUFS from
 * nl_rdma_monitor_read() means notifications were lost: resync with a dump.
 *
 * Ownership: the caller owns the handle; callbacks get data valid only
 * during the call. Thread context: one thread per handle.
 */
#include <stdint.h>
#include <sys/types.h>

#include "nl_nldev.h"

struct nl_rdma;

/* One RDMA device with the netdev of its first port that has one. */
struct nl_rdma_dev {
	uint32_t index;
	char name[NL_NLDEV_NAME_MAX];
	uint64_t node_guid;
	uint32_t ports;
	uint32_t ndev_index;
	char ndev_name[NL_NLDEV_IFNAME_MAX];
	char fw[NL_NLDEV_NAME_MAX];
};

typedef void (*nl_rdma_dev_cb)(void *arg, const struct nl_rdma_dev *dev);
typedef void (*nl_rdma_event_cb)(void *arg, const struct nl_nldev_msg *ev);

/* Open the request socket. Returns NULL and *err = -errno on failure. */
struct nl_rdma *nl_rdma_open(int *err);
void nl_rdma_close(struct nl_rdma *r);

/* A person-readable message for an error of this module. */
const char *nl_rdma_strerror(int err);

/* SYS_GET: *monitor = 1 if the kernel has RDMA monitor (MONITOR_MODE = 1). */
int nl_rdma_sys_get(struct nl_rdma *r, int *monitor);

/* Dump every device (GET) and its ports (PORT_GET); cb once per device. */
int nl_rdma_dump(struct nl_rdma *r, nl_rdma_dev_cb cb, void *arg);

/* GET + PORT_GET of one device by index. Returns 0, -ENODEV, or an error. */
int nl_rdma_dev_get(struct nl_rdma *r, uint32_t index, struct nl_rdma_dev *dev);

/* Open the monitor socket and join RDMA_NL_GROUP_NOTIFY. */
int nl_rdma_monitor_open(struct nl_rdma *r);
int nl_rdma_monitor_fd(const struct nl_rdma *r);

/*
 * Read every pending notification of the monitor socket, cb once per MONITOR
 * message. Returns the number of notifications, or -ENOBUFS (overrun: the
 * caller must resync), or another negative errno.
 */
int nl_rdma_monitor_read(struct nl_rdma *r, nl_rdma_event_cb cb, void *arg);

/*
 * The same reader over any datagram fd and receive function: the unit tests
 * feed recorded notifications through a socketpair and inject errors.
 */
typedef ssize_t (*nl_recv_fn)(int fd, void *buf, size_t len, int flags);
int nl_rdma_monitor_read_fd(int fd, nl_recv_fn recv_fn, nl_rdma_event_cb cb, void *arg);

#endif /* MANA_NL_RDMA_H */
