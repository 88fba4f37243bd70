/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * proto/simhost: state files, the RDMA index counter, sys/, notifications
 * and the hypervisor channel; malformed state files, datagrams and requests
 * from tables (each must give its error, never a crash); socket paths longer
 * than sun_path.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/simhost/simhost.h"
#include "tests/lib/test_util.h"

static char dir[1024];

static void
make_dir(void)
{
	const char *base = getenv("TEST_TMPDIR");

	snprintf(dir, sizeof(dir), "%s/simhostXXXXXX", base != NULL ? base : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		exit(1);
	}
}

static struct simhost_dev
sample_dev(const char *name)
{
	struct simhost_dev d = {
		.pid = 1234, .pci = "7870:00:00.0", .pci_present = 1, .ibdev = "mana_0",
		.ib_index = 7, .registered = 1, .node_guid = 0x0123456789abcdefull,
		.netdev = "eth1", .ifindex = 5, .devlink = 1, .reporter = "fw_fatal",
		.health_error = 1, .error_count = 3, .recover_count = 2, .hw = SIMHOST_HW_DOWN,
		.service_events = 3,
	};

	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.hv, sizeof(d.hv), "%.400s/hv/%s.sock", dir, name);
	return d;
}

struct walk {
	int n;
	char names[4][SIMHOST_NAME_MAX];
};

static int
cb(void *arg, const struct simhost_dev *dd)
{
	struct walk *w = arg;

	if (w->n < 4)
		snprintf(w->names[w->n++], SIMHOST_NAME_MAX, "%s", dd->name);
	return 0;
}

static void
test_state_files(void)
{
	struct simhost_dev d = sample_dev("net_mana_sim0"), e;
	char text[SIMHOST_FILE_MAX];
	int l, nbad = -1;

	CHECK(simhost_dir_init(dir) == 0);
	CHECK(simhost_dir_init(dir) == 0); /* again: fine */
	l = simhost_dev_format(&d, text, sizeof(text));
	CHECK(l > 0 && strncmp(text, "format=1\n", 9) == 0);
	CHECK(simhost_dev_parse(text, (size_t)l, &e) == 0);
	CHECK(memcmp(&d, &e, sizeof(d)) == 0);
	CHECK(simhost_dev_format(&d, text, 40) == -ENOSPC);
	CHECK(simhost_dev_write(dir, &d) == 0);
	memset(&e, 0, sizeof(e));
	CHECK(simhost_dev_read(dir, "net_mana_sim0", &e) == 0);
	CHECK(memcmp(&d, &e, sizeof(d)) == 0);
	CHECK(simhost_dev_read(dir, "net_mana_sim9", &e) == -ENOENT);
	CHECK(simhost_dev_read(dir, "../x", &e) == -EINVAL);

	d = sample_dev("net_mana_sim1");
	d.hw = SIMHOST_HW_UP;
	d.health_error = 0;
	CHECK(simhost_dev_write(dir, &d) == 0);
	d.netdev[0] = '\0'; /* bad: refused, nothing written */
	CHECK(simhost_dev_write(dir, &d) == -EINVAL);

	/* A malformed file beside them is skipped and counted. */
	{
		char p[2048];
		FILE *f;

		snprintf(p, sizeof(p), "%s/dev/garbage", dir);
		f = fopen(p, "w");
		CHECK(f != NULL);
		if (f != NULL) {
			fputs("format=1\nname=garbage\npid=x\n", f);
			fclose(f);
		}
	}
	struct walk w = { 0 };
	CHECK(simhost_dev_foreach(dir, cb, &w, &nbad) == 2);
	CHECK(nbad == 1);
	CHECK(w.n == 2 && strcmp(w.names[0], "net_mana_sim0") == 0 &&
	      strcmp(w.names[1], "net_mana_sim1") == 0);
	CHECK(simhost_dev_foreach("/nonexistent-simhost", cb, &w, NULL) == -ENOENT);
	CHECK(simhost_errmsg()[0] != '\0');
}

/* Malformed state files: each gives its error. */
static void
test_bad_state_files(void)
{
	static const char good[] =
		"format=1\nname=n0\npid=1\nhv=/x\npci=7870:00:00.0\npci_present=1\n"
		"ibdev=mana_0\nib_index=1\nregistered=1\nnode_guid=0x1\nnetdev=eth1\n"
		"ifindex=2\ndevlink=1\nreporter=fw_fatal\nhealth=healthy\nerror_count=0\n"
		"recover_count=0\nhw=up\nservice_events=0\n";
	static const struct {
		const char *from, *to; /* replace in good; from NULL: the text is to */
		int err;
	} cases[] = {
		{ NULL, "", -EBADMSG },
		{ NULL, "\n", -EBADMSG },
		{ NULL, "name=n0\nformat=1\n", -EBADMSG },
		{ "format=1", "format=2", -EPROTONOSUPPORT },
		{ "format=1", "format=", -EPROTONOSUPPORT },
		{ "pid=1", "pid=-1", -EBADMSG },
		{ "pid=1", "pid=1x", -EBADMSG },
		{ "pid=1", "pid=99999999999999999999", -EBADMSG },
		{ "pid=1\n", "", -EBADMSG },
		{ "hw=up", "hw=sideways", -EBADMSG },
		{ "health=healthy", "health=ok", -EBADMSG },
		{ "registered=1", "registered=2", -EBADMSG },
		{ "node_guid=0x1", "node_guid=1", -EBADMSG },
		{ "node_guid=0x1", "node_guid=0x", -EBADMSG },
		{ "node_guid=0x1", "node_guid=0x1g", -EBADMSG },
		{ "pci=7870:00:00.0", "pci=7870:00:00", -EBADMSG },
		{ "ibdev=mana_0", "ibdev=mana 0", -EBADMSG },
		{ "ibdev=mana_0", "ibdev=../etc", -EBADMSG },
		{ "netdev=eth1", "netdev=averyveryverylongname", -EBADMSG },
		{ "ib_index=1", "ib_index=4294967296", -EBADMSG },
		{ "ifindex=2", "ifindex", -EBADMSG },
		{ "name=n0", "name=", -EBADMSG },
		{ "hw=up", "hw=up\nfuture_key=whatever", 0 }, /* unknown keys skipped */
		{ "hw=up", "hw=up\n", 0 },
	};
	struct simhost_dev d;
	char text[SIMHOST_FILE_MAX];

	CHECK(simhost_dev_parse(good, sizeof(good) - 1, &d) == 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		if (cases[i].from == NULL) {
			snprintf(text, sizeof(text), "%s", cases[i].to);
		} else {
			const char *at = strstr(good, cases[i].from);

			snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good,
				 cases[i].to, at + strlen(cases[i].from));
		}
		ret = simhost_dev_parse(text, strlen(text), &d);
		if (ret != cases[i].err)
			fprintf(stderr, "case %zu: %d (%s)\n", i, ret, simhost_errmsg());
		CHECK(ret == cases[i].err);
		if (ret < 0)
			CHECK(simhost_errmsg()[0] != '\0');
	}
	/* A NUL inside, a line too long, every truncation of the good file. */
	memcpy(text, good, sizeof(good));
	text[20] = '\0';
	CHECK(simhost_dev_parse(text, sizeof(good) - 1, &d) == -EBADMSG);
	memset(text, 'a', sizeof(text));
	CHECK(simhost_dev_parse(text, sizeof(text), &d) == -EBADMSG);
	for (size_t l = 0; l < sizeof(good) - 1; l++) {
		int ret = simhost_dev_parse(good, l, &d);

		CHECK(ret == 0 || ret == -EBADMSG || ret == -EPROTONOSUPPORT);
	}
	/* Random bytes: an error, never a crash. */
	srand(14);
	for (int r = 0; r < 2000; r++) {
		size_t l = (size_t)(rand() % 200);

		for (size_t i = 0; i < l; i++)
			text[i] = (char)(rand() % 3 == 0 ? "=\n01"[rand() % 4] : rand());
		(void)simhost_dev_parse(text, l, &d);
	}
}

static void
test_ib_index(void)
{
	enum { PROCS = 4, EACH = 50 };
	uint32_t first = 0, x = 0;
	char p[2048];
	FILE *f;
	int seen[PROCS * EACH + 2] = { 0 }, fds[2];

	CHECK(simhost_ib_index_next(dir, &first) == 0 && first == 1);
	CHECK(simhost_ib_index_next(dir, &x) == 0 && x == 2);
	CHECK(pipe(fds) == 0);
	for (int c = 0; c < PROCS; c++) {
		if (fork() == 0) {
			for (int i = 0; i < EACH; i++) {
				uint32_t v = 0;

				if (simhost_ib_index_next(dir, &v) < 0)
					_exit(1);
				if (write(fds[1], &v, sizeof(v)) != sizeof(v))
					_exit(1);
			}
			_exit(0);
		}
	}
	close(fds[1]);
	for (int c = 0; c < PROCS; c++) {
		int st = 0;

		wait(&st);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	for (int i = 0; i < PROCS * EACH; i++) {
		uint32_t v = 0;

		CHECK(read(fds[0], &v, sizeof(v)) == sizeof(v));
		CHECK(v >= 3 && v < PROCS * EACH + 3);
		if (v >= 3 && v < PROCS * EACH + 3)
			seen[v - 3]++;
	}
	close(fds[0]);
	for (int i = 0; i < PROCS * EACH; i++)
		CHECK(seen[i] == 1); /* every index given exactly once */
	snprintf(p, sizeof(p), "%s/ib_index", dir);
	f = fopen(p, "w");
	if (f != NULL) {
		fputs("garbage\n", f);
		fclose(f);
	}
	CHECK(simhost_ib_index_next(dir, &x) == -EBADMSG);
	f = fopen(p, "w");
	if (f != NULL) {
		fputs("4294967294\n", f);
		fclose(f);
	}
	CHECK(simhost_ib_index_next(dir, &x) == -ENOSPC);
	unlink(p);
}

static int
link_ends_in(const char *path, const char *want)
{
	char real[PATH_MAX];

	if (realpath(path, real) == NULL)
		return 0;
	return strlen(real) >= strlen(want) && strcmp(real + strlen(real) - strlen(want), want) == 0;
}

static void
test_sys(void)
{
	char p[2048];

	CHECK(simhost_sys_pci_add(dir, "7870:00:00.0") == 0);
	CHECK(simhost_sys_pci_add(dir, "7870:00:00.0") == 0);
	CHECK(simhost_sys_ib_add(dir, "mana_0", "7870:00:00.0") == 0);
	CHECK(simhost_sys_net_add(dir, "eth1", "7870:00:00.0", 5) == 0);
	snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/7870:00:00.0/driver", dir);
	CHECK(link_ends_in(p, "/sys/bus/pci/drivers/mana"));
	snprintf(p, sizeof(p), "%s/sys/class/infiniband/mana_0/device", dir);
	CHECK(link_ends_in(p, "/sys/devices/pci0000:00/7870:00:00.0/mana.rdma.0"));
	snprintf(p, sizeof(p), "%s/sys/class/infiniband/mana_0/device/driver", dir);
	CHECK(link_ends_in(p, "/sys/bus/auxiliary/drivers/mana_ib"));
	snprintf(p, sizeof(p), "%s/sys/class/net/eth1/device/driver", dir);
	CHECK(link_ends_in(p, "/sys/bus/pci/drivers/mana"));
	CHECK(simhost_sys_ib_remove(dir, "mana_0") == 0);
	CHECK(simhost_sys_ib_remove(dir, "mana_0") == 0);
	snprintf(p, sizeof(p), "%s/sys/class/infiniband/mana_0", dir);
	CHECK(access(p, F_OK) < 0);
	CHECK(simhost_sys_pci_remove(dir, "7870:00:00.0") == 0);
	snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/7870:00:00.0", dir);
	CHECK(access(p, F_OK) < 0);
	snprintf(p, sizeof(p), "%s/sys/devices/pci0000:00/7870:00:00.0", dir);
	CHECK(access(p, F_OK) < 0);
	CHECK(simhost_sys_pci_remove(dir, "7870:00:00.0") == 0);
	CHECK(simhost_sys_net_remove(dir, "eth1") == 0);
	CHECK(simhost_sys_pci_add(dir, "../../x") == -EINVAL);
	CHECK(simhost_sys_ib_add(dir, "a/b", "7870:00:00.0") == -EINVAL);
	CHECK(simhost_sys_net_remove(dir, "..") == -EINVAL);
}

static void
test_ntf_roundtrip(void)
{
	struct simhost_ntf all[8] = {
		{ .type = SIMHOST_NTF_RDMA_REGISTER, .name = "mana_0", .index = 7, .guid = 0xabc },
		{ .type = SIMHOST_NTF_RDMA_NETDEV_ATTACH, .name = "mana_0", .index = 7, .port = 1,
		  .netdev = "eth1", .ifindex = 5 },
		{ .type = SIMHOST_NTF_RDMA_UNREGISTER, .name = "mana_0", .index = 6 },
		{ .type = SIMHOST_NTF_DEVLINK_HEALTH, .handle = "pci/7870:00:00.0",
		  .reporter = "fw_fatal", .health_error = 1, .error_count = 2, .recover_count = 1 },
		{ .type = SIMHOST_NTF_DEVLINK_DEL, .handle = "pci/7870:00:00.0" },
		{ .type = SIMHOST_NTF_DEVLINK_NEW, .handle = "pci/7870:00:00.0" },
		{ .type = SIMHOST_NTF_PCI_REMOVE, .bdf = "7870:00:00.0" },
		{ .type = SIMHOST_NTF_PCI_ADD, .bdf = "7870:00:00.0" },
	};
	char line[SIMHOST_NTF_MAX];
	struct simhost_ntf n;

	for (int i = 0; i < 8; i++) {
		int l = simhost_ntf_format(&all[i], line, sizeof(line));

		CHECK(l > 0);
		CHECK(simhost_ntf_parse(line, (size_t)l, &n) == 0);
		CHECK(memcmp(&n, &all[i], sizeof(n)) == 0);
		CHECK(simhost_ntf_format(&all[i], line, 10) == -ENOSPC);
	}
	CHECK(simhost_ntf_format(&all[0], line, sizeof(line)) > 0 &&
	      strcmp(line, "rdma register name=mana_0 index=7 guid=0x0000000000000abc") == 0);
	simhost_ntf_format(&all[3], line, sizeof(line));
	CHECK(strcmp(line, "devlink health handle=pci/7870:00:00.0 reporter=fw_fatal "
			   "state=error error_count=2 recover_count=1") == 0);
	n = all[4];
	snprintf(n.handle, sizeof(n.handle), "7870:00:00.0"); /* no pci/ */
	CHECK(simhost_ntf_format(&n, line, sizeof(line)) == -EINVAL);
	n.type = (enum simhost_ntf_type)99;
	CHECK(simhost_ntf_format(&n, line, sizeof(line)) == -EINVAL);
}

static void
test_ntf_malformed(void)
{
	static const struct {
		const char *text;
		int err;
	} cases[] = {
		{ "", -EBADMSG },
		{ "rdma", -EBADMSG },
		{ "rdma frobnicate name=mana_0 index=1", -EBADMSG },
		{ "ib register name=mana_0 index=1 guid=0x1", -EBADMSG },
		{ "rdma register name=mana_0 index=1", -EBADMSG },        /* no guid */
		{ "rdma register name=mana_0 index=1x guid=0x1", -EBADMSG },
		{ "rdma register name=mana_0 index=-1 guid=0x1", -EBADMSG },
		{ "rdma register name=mana_0 index=4294967296 guid=0x1", -EBADMSG },
		{ "rdma register name=mana_0 index=1 guid=1", -EBADMSG },
		{ "rdma register name=mana/0 index=1 guid=0x1", -EBADMSG },
		{ "rdma register name= index=1 guid=0x1", -EBADMSG },
		{ "rdma register name=mana_0 index=1 guid=0x1 junk", -EBADMSG },
		{ "rdma register name=mana_0 index=1 guid=0x1 =x", -EBADMSG },
		{ "rdma netdev_attach name=mana_0 index=1 port=1 netdev=eth1", -EBADMSG },
		{ "devlink health handle=pci/7870:00:00.0 reporter=fw_fatal state=bad "
		  "error_count=1 recover_count=0", -EBADMSG },
		{ "devlink health handle=7870:00:00.0 reporter=fw_fatal state=error "
		  "error_count=1 recover_count=0", -EBADMSG },
		{ "devlink del", -EBADMSG },
		{ "devlink del handle=pci/zz", -EBADMSG },
		{ "pci remove bdf=7870:00:00", -EBADMSG },
		{ "pci add bdf=7870:00:00.0 future=1", 0 },           /* unknown key skipped */
		{ "pci add bdf=7870:00:00.0\n", 0 },                  /* one newline allowed */
		{ "pci add  bdf=7870:00:00.0", 0 },
		{ "pci add bdf=7870:00:00.0\n\n", -EBADMSG },
		{ "pci add bdf=7870:00:00.0\npci add bdf=7870:00:00.1", -EBADMSG },
		{ "rdma unregister name=mana_0 index=6 guid=zz", 0 }, /* not its key: skipped */
	};
	struct simhost_ntf n;
	char big[SIMHOST_NTF_MAX + 10];
	char buf[300];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = simhost_ntf_parse(cases[i].text, strlen(cases[i].text), &n);

		if (ret != cases[i].err)
			fprintf(stderr, "ntf case %zu: %d (%s)\n", i, ret, simhost_errmsg());
		CHECK(ret == cases[i].err);
	}
	CHECK(simhost_ntf_parse("pci add bdf=7870:00:00.0\0x", 26, &n) == -EBADMSG);
	memset(big, 'a', sizeof(big));
	memcpy(big, "pci add bdf=", 12);
	CHECK(simhost_ntf_parse(big, sizeof(big), &n) == -EBADMSG);
	srand(15);
	for (int r = 0; r < 5000; r++) {
		size_t l = (size_t)(rand() % (int)sizeof(buf));
		int ret;

		snprintf(buf, sizeof(buf), "rdma register name=mana_0 index=1 guid=0x1");
		for (int k = 0; k < 1 + rand() % 4; k++)
			if (l > 0)
				buf[rand() % (int)l] = (char)(rand() % 3 == 0 ? ' ' : rand());
		ret = simhost_ntf_parse(buf, l < strlen(buf) ? l : strlen(buf), &n);
		CHECK(ret == 0 || ret == -EBADMSG);
	}
}

static void
test_ntf_socket(const char *d)
{
	struct simhost_ntf n = { .type = SIMHOST_NTF_PCI_ADD, .bdf = "7870:00:00.0" }, got;
	char raw[SIMHOST_NTF_MAX], path[2048];
	int lost = -1, fd, fd2;

	CHECK(simhost_ntf_send(d, &n, &lost) == 0 && lost == 1); /* nobody bound */
	fd = simhost_kernel_bind(d);
	CHECK(fd >= 0);
	fd2 = simhost_kernel_bind(d);
	CHECK(fd2 == -EADDRINUSE);
	CHECK(simhost_ntf_recv(fd, &got, NULL, 0) == 0); /* nothing yet */
	CHECK(simhost_ntf_send(d, &n, &lost) == 0 && lost == 0);
	n.type = SIMHOST_NTF_DEVLINK_NEW;
	snprintf(n.handle, sizeof(n.handle), "pci/7870:00:00.0");
	CHECK(simhost_ntf_send(d, &n, NULL) == 0);
	CHECK(simhost_ntf_recv(fd, &got, raw, sizeof(raw)) == 1);
	CHECK(got.type == SIMHOST_NTF_PCI_ADD && strcmp(got.bdf, "7870:00:00.0") == 0);
	CHECK(strcmp(raw, "pci add bdf=7870:00:00.0") == 0);
	CHECK(simhost_ntf_recv(fd, &got, NULL, 0) == 1 && got.type == SIMHOST_NTF_DEVLINK_NEW);
	/* A malformed datagram from someone else: taken off, reported. */
	{
		int s = socket(AF_UNIX, SOCK_DGRAM, 0);
		struct sockaddr_un a = { .sun_family = AF_UNIX };

		snprintf(path, sizeof(path), "%s/kernel.sock", d);
		if (strlen(path) < sizeof(a.sun_path)) {
			memcpy(a.sun_path, path, strlen(path) + 1);
			CHECK(sendto(s, "rdma bogus", 10, 0, (struct sockaddr *)&a, sizeof(a)) == 10);
			CHECK(simhost_ntf_recv(fd, &got, raw, sizeof(raw)) == -EBADMSG);
			CHECK(strcmp(raw, "rdma bogus") == 0);
			CHECK(simhost_ntf_recv(fd, &got, NULL, 0) == 0);
		}
		close(s);
	}
	simhost_kernel_unbind(d, fd);
	CHECK(simhost_ntf_send(d, &n, &lost) == 0 && lost == 1);
	/* A stale socket file (its process gone) is replaced. */
	fd = simhost_kernel_bind(d);
	CHECK(fd >= 0);
	close(fd); /* the file stays */
	fd = simhost_kernel_bind(d);
	CHECK(fd >= 0);
	simhost_kernel_unbind(d, fd);
}

struct server {
	int fd;
	int answer; /* 0: never answers the second call */
};

static void *
serve(void *arg)
{
	struct server *s = arg;
	struct simhost_hv_req r;
	char buf[256], reply[300];

	for (int i = 0; i < 4; i++) {
		int c = accept(s->fd, NULL, NULL);
		ssize_t l;

		if (c < 0)
			return NULL;
		l = recv(c, buf, sizeof(buf), 0);
		if (l == 0) { /* a liveness probe (a second listener's): no request */
			close(c);
			i--;
			continue;
		}
		if (i == 3 && !s->answer) {
			sleep(1);
			close(c);
			continue;
		}
		if (l < 0 || simhost_hv_req_parse(buf, (size_t)l, &r) < 0)
			snprintf(reply, sizeof(reply), "error EINVAL %s", simhost_errmsg());
		else if (r.verb == SIMHOST_HV_SHOW)
			snprintf(reply, sizeof(reply), "ok\nformat=1\n");
		else
			snprintf(reply, sizeof(reply), "ok event=%u", r.down_ms);
		send(c, reply, strlen(reply), MSG_NOSIGNAL);
		close(c);
	}
	return NULL;
}

static void
test_hv(const char *d)
{
	struct simhost_hv_req r = { .verb = SIMHOST_HV_SERVICE_EVENT, .down_ms = 1500,
				    .outcome = SIMHOST_OUTCOME_RESCAN };
	char path[SIMHOST_PATH_MAX], req[128], reply[300];
	struct server s = { .answer = 0 };
	const char *rest;
	pthread_t t;
	int fd;

	CHECK(simhost_dir_init(d) == 0);
	CHECK(simhost_hv_path(d, "net_mana_sim0", path, sizeof(path)) == 0);
	CHECK(simhost_hv_path(d, "a/b", path + 0, 0) == -EINVAL);
	CHECK(simhost_hv_path(d, "net_mana_sim0", path, sizeof(path)) == 0);
	CHECK(simhost_hv_call(path, "show", reply, sizeof(reply), 500) == -ENOENT);
	fd = simhost_hv_listen(path);
	CHECK(fd >= 0);
	CHECK(simhost_hv_listen(path) == -EADDRINUSE);
	s.fd = fd;
	CHECK(pthread_create(&t, NULL, serve, &s) == 0);
	CHECK(simhost_hv_req_format(&r, req, sizeof(req)) > 0);
	CHECK(strcmp(req, "service-event down_ms=1500 outcome=rescan") == 0);
	CHECK(simhost_hv_call(path, req, reply, sizeof(reply), 2000) > 0);
	CHECK(simhost_hv_reply_parse(reply, &rest) == 0 && strcmp(rest, "event=1500") == 0);
	CHECK(simhost_hv_call(path, "frobnicate", reply, sizeof(reply), 2000) > 0);
	CHECK(simhost_hv_reply_parse(reply, &rest) == -EINVAL && strstr(rest, "frobnicate"));
	{
		int r4 = simhost_hv_call(path, "show", reply, 4, 2000);

		if (r4 != -EMSGSIZE)
			fprintf(stderr, "small reply: %d %s\n", r4, simhost_errmsg());
		CHECK(r4 == -EMSGSIZE);
	}
	CHECK(simhost_hv_call(path, "show", reply, sizeof(reply), 200) == -ETIMEDOUT);
	pthread_join(t, NULL);
	simhost_hv_unlisten(path, fd);
	CHECK(simhost_hv_call(path, "show", reply, sizeof(reply), 200) == -ENOENT);
	/* A stale socket file: refused connections, then replaced by a listener. */
	fd = simhost_hv_listen(path);
	close(fd);
	CHECK(simhost_hv_call(path, "show", reply, sizeof(reply), 200) == -ECONNREFUSED);
	fd = simhost_hv_listen(path);
	CHECK(fd >= 0);
	simhost_hv_unlisten(path, fd);
}

static void
test_hv_messages(void)
{
	static const struct {
		const char *text;
		int err;
	} cases[] = {
		{ "show", 0 },
		{ "show\n", 0 },
		{ "show x", -EBADMSG },
		{ "", -EBADMSG },
		{ "reboot", -EBADMSG },
		{ "service-event", -EBADMSG },
		{ "service-event down_ms=5", -EBADMSG },
		{ "service-event outcome=ok", -EBADMSG },
		{ "service-event down_ms=5 outcome=ok", 0 },
		{ "service-event down_ms=0 outcome=remove", 0 },
		{ "service-event down_ms=3600001 outcome=ok", -EBADMSG },
		{ "service-event down_ms=-1 outcome=ok", -EBADMSG },
		{ "service-event down_ms=5 outcome=maybe", -EBADMSG },
		{ "service-event down_ms=5 outcome=ok extra=1", -EBADMSG },
	};
	struct simhost_hv_req r;
	const char *rest;
	enum simhost_outcome o;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = simhost_hv_req_parse(cases[i].text, strlen(cases[i].text), &r);

		if (ret != cases[i].err)
			fprintf(stderr, "req case %zu: %d (%s)\n", i, ret, simhost_errmsg());
		CHECK(ret == cases[i].err);
	}
	CHECK(simhost_hv_req_parse("service-event down_ms=7 outcome=fail", 36, &r) == 0 &&
	      r.verb == SIMHOST_HV_SERVICE_EVENT && r.down_ms == 7 &&
	      r.outcome == SIMHOST_OUTCOME_FAIL);
	CHECK(simhost_hv_reply_parse("ok event=3", &rest) == 0 && strcmp(rest, "event=3") == 0);
	CHECK(simhost_hv_reply_parse("ok", &rest) == 0 && rest[0] == '\0');
	CHECK(simhost_hv_reply_parse("error EALREADY device not up", &rest) == -EALREADY &&
	      strcmp(rest, "device not up") == 0);
	CHECK(simhost_hv_reply_parse("error EWHATEVER x", &rest) == -EIO);
	CHECK(simhost_hv_reply_parse("error ", &rest) == -EBADMSG);
	CHECK(simhost_hv_reply_parse("okay", &rest) == -EBADMSG);
	CHECK(simhost_hv_reply_parse("", &rest) == -EBADMSG);
	CHECK(strcmp(simhost_errno_name(-EALREADY), "EALREADY") == 0);
	CHECK(strcmp(simhost_errno_name(EXDEV), "EIO") == 0);
	CHECK(simhost_outcome_parse("rescan", &o) == 0 && o == SIMHOST_OUTCOME_RESCAN);
	CHECK(simhost_outcome_parse("Rescan", &o) == -EINVAL);
}

int
main(void)
{
	char longdir[2048];
	size_t l;

	make_dir();
	test_state_files();
	test_bad_state_files();
	test_ib_index();
	test_sys();
	test_ntf_roundtrip();
	test_ntf_malformed();
	test_ntf_socket(dir);
	test_hv(dir);
	test_hv_messages();
	/* Socket paths longer than sun_path (108): through /proc/self/fd. */
	snprintf(longdir, sizeof(longdir), "%s/", dir);
	for (l = strlen(longdir); l < 150; l = strlen(longdir))
		strcat(longdir, "long-directory-name/");
	strcat(longdir, "host");
	CHECK(simhost_dir_init(longdir) == 0);
	test_ntf_socket(longdir);
	test_hv(longdir);
	if (test_failures != 0) {
		fprintf(stderr, "FAIL: %d check(s) failed\n", test_failures);
		return 1;
	}
	printf("ok: simhost\n");
	return 0;
}
