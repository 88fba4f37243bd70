/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The sockets layer without the kernel families: clear errors when the
 * kernel lacks NETLINK_RDMA or devlink (this host lacks both); the monitor
 * reader over a socketpair fed with 6.12 notifications, and an injected
 * ENOBUFS; libnl's -NLE_NOMEM mapped to -ENOBUFS; the uevent socket; the
 * epoll loop dispatching and timing out; devlink requests against a fake
 * kernel (a NETLINK_USERSOCK peer thread) answering as 6.1 / 6.12 do.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
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

/*
 * ---- devlink requests against a fake kernel ----
 * The kernel answers DIAGNOSE (a doit) with the fmsg parts (NLM_F_MULTI),
 * NLMSG_DONE and then the ACK, all under the request's seq (6.1 and 6.12:
 * tests/kernel/data/<series>/nlrec/diagnose.nlrec.txt). libnl's default
 * sequence check expects seq + 1 after a DONE, so the ACK used to fail the
 * request with -NLE_SEQ_MISMATCH (-EIO: `manactl health diagnose` exited 1).
 * Before a GET reply the fake sends a leftover of an older seq, which the
 * request must skip.
 */
#define FK_FAMILY 21

struct fake_kernel {
	int fd;
	uint32_t port;
	int served;		/* requests answered */
};

static void
fk_send(struct fake_kernel *k, uint32_t to, struct nlmsghdr *nlh, uint32_t seq)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = to };

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = to;
	if (sendto(k->fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		perror("sock_test: fake kernel sendto");
}

static void
fk_ack(struct fake_kernel *k, uint32_t to, const struct nlmsghdr *req, uint32_t seq)
{
	char buf[MSG_BUF];
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = 0;
	e->msg = *req;
	fk_send(k, to, nlh, seq);
}

static void *
fk_run(void *arg)
{
	struct fake_kernel *k = arg;
	char req_buf[MSG_BUF], buf[MSG_BUF];

	/* Family lookup, DIAGNOSE, HEALTH_REPORTER_GET, RECOVER. */
	while (k->served < 4) {
		struct sockaddr_nl sa;
		socklen_t sl = sizeof(sa);
		ssize_t n = recvfrom(k->fd, req_buf, sizeof(req_buf), 0, (struct sockaddr *)&sa,
				     &sl);
		struct nlmsghdr *req = (struct nlmsghdr *)req_buf, *nlh;
		struct genlmsghdr *g;
		uint32_t to = sa.nl_pid, seq;

		if (n < (ssize_t)(NLMSG_HDRLEN + sizeof(*g)))
			return NULL;	/* timeout: the test is over */
		g = mnl_nlmsg_get_payload(req);
		seq = req->nlmsg_seq;
		if (req->nlmsg_type == GENL_ID_CTRL) {
			nlh = msg_genl(buf, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0);
			mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FK_FAMILY);
			mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "devlink");
			fk_send(k, to, nlh, seq);
			fk_ack(k, to, req, seq);
		} else if (g->cmd == NLU_DEVLINK_CMD_HEALTH_REPORTER_DIAGNOSE) {
			mk_fmsg_netdevsim(buf, false);
			nlh = (struct nlmsghdr *)buf;
			((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = g->cmd;
			fk_send(k, to, nlh, seq);
			memset(buf, 0, NLMSG_HDRLEN);
			nlh = mnl_nlmsg_put_header(buf);
			nlh->nlmsg_type = NLMSG_DONE;
			nlh->nlmsg_flags = NLM_F_MULTI;
			fk_send(k, to, nlh, seq);
			fk_ack(k, to, req, seq);
		} else if (g->cmd == NLU_DEVLINK_CMD_HEALTH_REPORTER_GET) {
			struct rep_spec r = { .bus = "netdevsim", .dev = "netdevsim1", .port = -1,
					      .name = "dummy", .state = 1, .err = 3, .rec = 2 };

			fk_ack(k, to, req, seq - 1);	/* a leftover: skipped */
			mk_dl_reporter(buf, g->cmd, &r);
			fk_send(k, to, (struct nlmsghdr *)buf, seq);
			fk_ack(k, to, req, seq);
		} else {
			fk_ack(k, to, req, seq);
		}
		k->served++;
	}
	return NULL;
}

static void
fmsg_count(void *arg, const struct nl_fmsg_item *it)
{
	(void)it;
	(*(int *)arg)++;
}

static void
rep_cb(void *arg, const struct nl_dl_msg *m)
{
	*(struct nl_dl_msg *)arg = *m;
}

static void
test_devlink_requests(void)
{
	struct nl_dl_target t = { .bus = "netdevsim", .dev = "netdevsim1", .port = -1,
				  .reporter = "dummy" };
	struct fake_kernel k = { .fd = -1 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };
	socklen_t sl = sizeof(sa);
	struct nl_dl_msg rep;
	struct nl_devlink *d;
	struct nl_fmsg f;
	pthread_t th;
	int err = 0, items = 0;

	k.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);
	CHECK(k.fd >= 0);
	CHECK(bind(k.fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(getsockname(k.fd, (struct sockaddr *)&sa, &sl) == 0 && sa.nl_pid != 0);
	CHECK(setsockopt(k.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	k.port = sa.nl_pid;
	CHECK(pthread_create(&th, NULL, fk_run, &k) == 0);

	d = nl_devlink_open_peer(k.port, &err);
	CHECK(d != NULL);
	if (d != NULL) {
		nl_fmsg_init(&f, fmsg_count, &items);
		err = nl_devlink_fmsg(d, NLU_DEVLINK_CMD_HEALTH_REPORTER_DIAGNOSE, &t, &f);
		CHECK(err == 0);
		nl_fmsg_finish(&f);
		CHECK(items > 20 && !nl_fmsg_anomalies(&f));
		printf("sock_test: DIAGNOSE (parts, DONE, ACK) = %d, %d fmsg items\n", err, items);
		/* The next request on the socket pairs its own reply. */
		memset(&rep, 0, sizeof(rep));
		CHECK(nl_devlink_health_get(d, &t, rep_cb, &rep) == 0);
		CHECK(strcmp(rep.reporter, "dummy") == 0 && rep.err_count == 3 &&
		      rep.recover_count == 2);
		CHECK(nl_devlink_do(d, NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER, &t) == 0);
		nl_devlink_close(d);
	}
	pthread_join(th, NULL);
	CHECK(k.served == 4);
	close(k.fd);
}

int
main(void)
{
	test_rdma_open();
	test_devlink_open();
	test_devlink_requests();
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
