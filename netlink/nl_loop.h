/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_NL_LOOP_H
#define MANA_NL_LOOP_H

/*
 * One epoll loop for every fd of the daemon (libmnl sockets, libnl sockets,
 * signalfd, the sd_notify watchdog): register (fd, callback), then run
 * nl_loop_run_once() with the timeout the caller computed from its
 * deadlines, so an idle daemon sleeps in epoll_wait and wakes only for an
 * event or a deadline. Thread context: the loop's thread only.
 */
#include <stdint.h>

#define NL_LOOP_MAX_FDS 16

typedef void (*nl_loop_cb)(void *arg, int fd, uint32_t events);

struct nl_loop;

struct nl_loop *nl_loop_new(void);
void nl_loop_free(struct nl_loop *l);

/* Watch fd for EPOLLIN. Returns 0 or a negative errno. */
int nl_loop_add(struct nl_loop *l, int fd, nl_loop_cb cb, void *arg);
int nl_loop_del(struct nl_loop *l, int fd);

/*
 * Wait up to timeout_ms (-1: forever) and dispatch ready fds. Returns the
 * number of callbacks run (0 on timeout) or a negative errno (-EINTR is
 * returned as 0).
 */
int nl_loop_run_once(struct nl_loop *l, int timeout_ms);

/* Wakeups so far (returns from epoll_wait), for the idle benchmark. */
uint64_t nl_loop_wakeups(const struct nl_loop *l);

#endif /* MANA_NL_LOOP_H */
