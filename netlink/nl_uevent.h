/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_NL_UEVENT_H
#define MANA_NL_UEVENT_H

/*
 * Kernel uevents (NETLINK_KOBJECT_UEVENT, group 1): the parser of one
 * datagram ("add@/devices/...\0ACTION=add\0DEVPATH=...\0SUBSYSTEM=...\0")
 * and, in nl_uevent_sock.c, the socket.
 * Thread context: any; the parser keeps no state.
 */
#include <stddef.h>

#define NL_UEVENT_FIELD_MAX	256

struct nl_uevent {
	char action[16];		/* add, remove, move, change, bind, ... */
	char devpath[NL_UEVENT_FIELD_MAX];
	char subsystem[64];
	char name[64];			/* last component of devpath */
	char driver[64];		/* DRIVER= if present */
	char devpath_old[NL_UEVENT_FIELD_MAX];	/* DEVPATH_OLD= of a move */
};

/*
 * Parse one kernel uevent datagram of len bytes into *ev. Returns 0, or
 * -EPROTO if it is not a kernel uevent (e.g. a "libudev" message or no '@').
 */
int nl_uevent_parse(struct nl_uevent *ev, const void *buf, size_t len);

/* Opaque uevent socket (libmnl, group 1, non-blocking). */
struct nl_uevent_sock;

/* Open and bind. Returns NULL with errno set. Caller owns the result. */
struct nl_uevent_sock *nl_uevent_open(void);
void nl_uevent_close(struct nl_uevent_sock *s);
int nl_uevent_fd(const struct nl_uevent_sock *s);

/*
 * Read one datagram into *ev. Returns 1 with *ev filled, 0 when nothing is
 * pending or it was not a kernel uevent, -ENOBUFS on an overrun (events
 * lost: resync), or another negative errno.
 */
int nl_uevent_read(struct nl_uevent_sock *s, struct nl_uevent *ev);

#endif /* MANA_NL_UEVENT_H */
