/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The sockets layer without the kernel families: clear errors when the
 * kernel lacks NETLINK_RDMA or devlink (this host lacks both); the monitor
 * reader over a socketpair fed with 6.12 notifications, and an injected
 * ENOBUFS; libnl's -NLE_NOMEM mapped to -ENOBUFS; the uevent socket; the
 * epoll loop dispatching and timing out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/errno.h>

#include "netlink/nl_devlink.h"
#include "netlink/nl_loop.h"
#include "netlink/nl_rdma.h"
#include "netlink/nl_uevent.h"
#include "tests/lib/test_util.h"
#include "tests/netlink/nl_test_msgs.h"

static void
test_rdma_open(void)
{
	struct nl_rdma *r;
	int err = 0, mon = -1;

	r = nl_rdma_open(&err);
	if (r == NULL) {
		CHECK(err == -EPROTONOSUPPORT);
		CHECK(strcmp(nl_rdma_strerror(err), "NETLINK_RDMA not supported by this kernel") == 0);
		printf("sock_test: NETLINK_RDMA absent: \"%s\"\n", nl_rdma_strerror(err));
		return;
	}
	CHECK(nl_rdma_sys_get(r, &mon) == 0 && (mon == 0 || mon == 1));
	printf("sock_test: NETLINK_RDMA present, monitor %d\n", mon);
	nl_rdma_close(r);
}

static void
test_devlink_open(void)
{
	struct nl_devlink *d;
	int err = 0;

	d = nl_devlink_open(&err);
	if (d == NULL) {
		CHECK(err == -ENOENT);
		CHECK(strcmp(nl_devlink_strerror(err),
			     "devlink genl family not found: kernel without devlink?") == 0);
		printf("sock_test: devlink absent: \"%s\"\n", nl_devlink_strerror(err));
	} else {
		printf("sock_test: devlink present\n");
		nl_devlink_close(d);
	}
	CHECK(nl_devlink_errno(-NLE_NOMEM) == -ENOBUFS);
	CHECK(nl_devlink_errno(-NLE_AGAIN) == -EAGAIN);
	CHECK(nl_devlink_errno(-NLE_OPNOTSUPP) == -EOPNOTSUPP);
}

struct evs {
	int n;
	uint8_t ev[8];
	char name[8][NL_NLDEV_NAME_MAX];
};

static void
ev_cb(void *arg, const struct nl_nldev_msg *m)
{
	struct evs *e = arg;

	if (e->n < 8) {
		e->ev[e->n] = m->event;
		snprintf(e->name[e->n], sizeof(e->name[0]), "%s", m->dev_name);
		e->n++;
	}
}

static ssize_t
recv_enobufs(int fd, void *buf, size_t len, int flags)
{
	(void)fd;
	(void)buf;
	(void)len;
	(void)flags;
	errno = ENOBUFS;
	return -1;
}

static void
test_monitor_reader(void)
{
	char buf[MSG_BUF];
	struct evs e = { 0 };
	int sv[2];
	size_t len;

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	len = mk_nldev_mon(buf, NLU_RDMA_REGISTER_EVENT, 0, "rxe0", 0, 0, NULL);
	CHECK(write(sv[1], buf, len) == (ssize_t)len);
	len = mk_nldev_mon(buf, NLU_RDMA_NETDEV_ATTACH_EVENT, 0, "rxe0", 1, 3, "eth0");
	CHECK(write(sv[1], buf, len) == (ssize_t)len);
	len = mk_nldev_dev(buf, 0, "rxe0", 1, 1);	/* not a notification: ignored */
	CHECK(write(sv[1], buf, len) == (ssize_t)len);
	len = mk_nldev_mon(buf, NLU_RDMA_UNREGISTER_EVENT, 0, "rxe9", 0, 0, NULL);
	CHECK(write(sv[1], buf, len) == (ssize_t)len);
	CHECK(nl_rdma_monitor_read_fd(sv[0], recv, ev_cb, &e) == 3);
	CHECK(e.n == 3 && e.ev[0] == NLU_RDMA_REGISTER_EVENT);
	CHECK(e.ev[1] == NLU_RDMA_NETDEV_ATTACH_EVENT && e.ev[2] == NLU_RDMA_UNREGISTER_EVENT);
	CHECK(strcmp(e.name[2], "rxe9") == 0);
	/* Nothing pending: 0, not an error. */
	CHECK(nl_rdma_monitor_read_fd(sv[0], recv, ev_cb, &e) == 0);
	/* An overrun is reported, never swallowed. */
	CHECK(nl_rdma_monitor_read_fd(sv[0], recv_enobufs, ev_cb, &e) == -ENOBUFS);
	close(sv[0]);
	close(sv[1]);
}

static void
test_uevent_sock(void)
{
	struct nl_uevent_sock *s = nl_uevent_open();
	struct nl_uevent ev;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK(nl_uevent_fd(s) >= 0);
	/* Drain whatever the host may be emitting; never blocks. */
	while (nl_uevent_read(s, &ev) > 0)
		;
	CHECK(nl_uevent_read(s, &ev) == 0);
	nl_uevent_close(s);
}

static int loop_hits;

static void
loop_cb(void *arg, int fd, uint32_t events)
{
	uint64_t v;

	(void)arg;
	(void)events;
	CHECK(read(fd, &v, sizeof(v)) == sizeof(v));
	loop_hits++;
}

static void
test_loop(void)
{
	struct nl_loop *l = nl_loop_new();
	int efd = eventfd(0, EFD_NONBLOCK);
	uint64_t one = 1;

	CHECK(l != NULL && efd >= 0);
	CHECK(nl_loop_add(l, efd, loop_cb, NULL) == 0);
	CHECK(nl_loop_run_once(l, 0) == 0);
	CHECK(write(efd, &one, sizeof(one)) == sizeof(one));
	CHECK(nl_loop_run_once(l, 1000) == 1 && loop_hits == 1);
	CHECK(nl_loop_wakeups(l) == 2);
	CHECK(nl_loop_del(l, efd) == 0 && nl_loop_del(l, efd) == -ENOENT);
	nl_loop_free(l);
	close(efd);
}

int
main(void)
{
	test_rdma_open();
	test_devlink_open();
	test_monitor_reader();
	test_uevent_sock();
	test_loop();
	if (test_failures != 0) {
		fprintf(stderr, "sock_test: %d failures\n", test_failures);
		return 1;
	}
	printf("sock_test: ok\n");
	return 0;
}
