/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_NL_DEVLINK_H
#define MANA_NL_DEVLINK_H

/*
 * devlink health over libnl-genl-3: the family and its "config" multicast
 * group resolved with CTRL_CMD_GETFAMILY; requests on one socket (ACKs on,
 * blocking with a 5 s timeout; a request takes the messages of its own seq
 * and skips others: libnl's default check fails the ACK that follows
 * DIAGNOSE's NLMSG_DONE), events on a second
 * socket (sequence checks off, non-blocking, fd for the caller's epoll
 * loop). No socket is shared with libmnl.
 *
 * Errors are negative errnos. -ENOENT from nl_devlink_open() means the
 * kernel has no devlink family; -ENOBUFS from nl_devlink_events_read() means
 * events were lost (libnl reports the overrun as -NLE_NOMEM): resync by dump.
 * nl_devlink_strerror() has the person-readable text.
 *
 * Ownership: the caller owns the handle; callbacks get messages valid only
 * during the call. Thread context: one thread per handle.
 */
#include <stdint.h>

#include "nl_dlmsg.h"
#include "nl_fmsg.h"

struct nl_devlink;

/* A reporter address: bus/dev, optional port (-1 = device), reporter name. */
struct nl_dl_target {
	const char *bus;
	const char *dev;
	int64_t port;
	const char *reporter;
};

typedef void (*nl_dl_cb)(void *arg, const struct nl_dl_msg *m);

struct nl_devlink *nl_devlink_open(int *err);
/*
 * For tests: the request socket is a NETLINK_USERSOCK socket whose requests,
 * the family lookup included, go to the netlink port peer_port (a fake
 * kernel that any user may talk to). Events are not available.
 */
struct nl_devlink *nl_devlink_open_peer(uint32_t peer_port, int *err);
void nl_devlink_close(struct nl_devlink *d);
const char *nl_devlink_strerror(int err);

/* HEALTH_REPORTER_GET: a dump of all reporters when t == NULL or t->bus == NULL. */
int nl_devlink_health_get(struct nl_devlink *d, const struct nl_dl_target *t, nl_dl_cb cb,
			  void *arg);

/* DUMP_GET (a dump) or DIAGNOSE (a doit): the fmsg stream into f (not finished). */
int nl_devlink_fmsg(struct nl_devlink *d, uint8_t cmd, const struct nl_dl_target *t,
		    struct nl_fmsg *f);

/* RECOVER or DUMP_CLEAR: a doit answered by an ACK. */
int nl_devlink_do(struct nl_devlink *d, uint8_t cmd, const struct nl_dl_target *t);

/* Open the event socket in the "config" group. */
int nl_devlink_events_open(struct nl_devlink *d, nl_dl_cb cb, void *arg);
int nl_devlink_events_fd(const struct nl_devlink *d);
/* Dispatch every pending event. Returns 0, -ENOBUFS (resync), or an error. */
int nl_devlink_events_read(struct nl_devlink *d);

/* libnl error code -> negative errno (-NLE_NOMEM on an event socket = -ENOBUFS). */
int nl_devlink_errno(int nlerr);

#endif /* MANA_NL_DEVLINK_H */
