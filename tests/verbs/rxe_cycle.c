/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * rxe_cycle: the verbs backend's device code (pmd/verbs/verbs_ctx.c and
 * verbs_sysfs.c, linked as they are in the driver) on a real kernel's
 * rdma_rxe, through open/close cycles driven the way the reset engine
 * drives a device: find the device again, open it (context, PD, async
 * event fd), register memory, take async events, deregister, close; and
 * the kernel's own resource tracking (`rdma -j resource show`) proves each
 * close left no context, PD or MR behind.
 *
 *   rxe_cycle --netdev IF [--cycles N] [--readd-every K] [--mrs M]
 *             [--inject-leak]
 *
 * IF is the netdev an rxe device already sits on. Every cycle also takes
 * the netdev down and up while the device is open, and expects
 * IBV_EVENT_PORT_ERR then IBV_EVENT_PORT_ACTIVE on the async fd. Every K
 * cycles (after the close) the rxe device is deleted and added again under
 * a new name (a new incarnation: new name and index, same node GUID), and
 * the next cycle finds it by its node GUID. rxe has no
 * disassociate_ucontext in 6.1/6.12, so the program closes on its own
 * schedule and re-adds only what it has closed (tests/kernel/README.md).
 *
 * --inject-leak skips the close of cycle 1 (the handle stays open until the
 * process exits): the resource checks must then fail, which shows they can.
 *
 * Prints one line per cycle ("cycle N ibdev NAME open ctx/pd/mr A/B/C
 * closed ctx/pd/mr D/E/F events ERR,ACTIVE") and at the end
 * "rxe_cycle: N cycles, F failures"; exits 0 only with no failure.
 * Single-threaded.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pmd/verbs/verbs_ctx.h"
#include "pmd/verbs/verbs_sysfs.h"
#include "tests/lib/test_util.h"

#define MR_LEN (64u * 1024u)
#define MAX_MRS 16u

/* One device's row of `rdma -j resource show` (-1: the kernel has no such
 * counter).
 */
struct res {
	long ctx, pd, mr;
};

/* The number after "key": in the object text [obj, end), or -1. */
static long
json_num(const char *obj, const char *end, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(obj, pat);
	if (p == NULL || p >= end)
		return -1;
	return strtol(p + strlen(pat), NULL, 10);
}

/* ibdev's counters from `rdma -j resource show`: 0, or -1 with a message. */
static int
res_get(const char *ibdev, struct res *r)
{
	char buf[8192], pat[96];
	const char *obj, *end;
	size_t n;
	FILE *p;

	p = popen("rdma -j resource show 2>&1", "r");
	if (p == NULL) {
		perror("popen rdma");
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	snprintf(pat, sizeof(pat), "\"ifname\":\"%s\"", ibdev);
	obj = strstr(buf, pat);
	if (obj == NULL) {
		fprintf(stderr, "rdma -j resource show has no %s: %s\n", ibdev, buf);
		return -1;
	}
	end = strchr(obj, '}');
	if (end == NULL)
		end = buf + n;
	r->ctx = json_num(obj, end, "ctx");
	r->pd = json_num(obj, end, "pd");
	r->mr = json_num(obj, end, "mr");
	if (r->pd < 0 || r->mr < 0) {
		fprintf(stderr, "rdma -j resource show: no pd/mr counters for %s: %s\n", ibdev,
			buf);
		return -1;
	}
	return 0;
}

/* Open fds of this process on /dev/infiniband/uverbs* (the context's). */
static unsigned int
uverbs_fds(void)
{
	char path[64], target[PATH_MAX];
	unsigned int fd, n = 0;
	ssize_t len;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%u", fd);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strncmp(target, "/dev/infiniband/uverbs", 22) == 0)
			n++;
	}
	return n;
}

static int
run(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		fprintf(stderr, "'%s' exited with %d\n", cmd, rc);
	return rc;
}

/* The first event of type want on vc's async fd within timeout_ms: true if
 * it came. Other events are taken and printed.
 */
static bool
event_wait(struct verbs_ctx *vc, enum ibv_event_type want, int timeout_ms)
{
	struct pollfd pfd = { .fd = verbs_ctx_event_fd(vc), .events = POLLIN };
	enum ibv_event_type type;
	int ret;

	for (;;) {
		while ((ret = verbs_ctx_event_get(vc, &type)) == 1) {
			if (type == want)
				return true;
			fprintf(stderr, "  other async event: %s\n", ibv_event_type_str(type));
		}
		if (ret < 0) {
			fprintf(stderr, "  verbs_ctx_event_get: %s\n", strerror(-ret));
			return false;
		}
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return false;
	}
}

/* Wait up to 10 s for an ibdev with node GUID guid (the new incarnation). */
static int
find_by_guid(uint64_t guid, char *ibdev, size_t len)
{
	struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
	int i, ret = -ENOENT;

	for (i = 0; i < 200; i++) {
		ret = verbs_sysfs_ibdev_by_guid("/sys", guid, ibdev, len);
		if (ret == 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	return ret;
}

/* The rxe device on netdev: from `rdma link`, "link NAME/1 ... netdev IF". */
static int
ibdev_of_netdev(const char *netdev, char *ibdev, size_t len)
{
	char line[512], pat[80], *slash;
	FILE *p;
	int ret = -ENOENT;

	p = popen("rdma link show", "r");
	if (p == NULL)
		return -errno;
	snprintf(pat, sizeof(pat), " netdev %s ", netdev);
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = ' ';
		if (strstr(line, pat) == NULL || strncmp(line, "link ", 5) != 0)
			continue;
		slash = strchr(line + 5, '/');
		if (slash == NULL || (size_t)(slash - (line + 5)) >= len)
			continue;
		*slash = '\0';
		strcpy(ibdev, line + 5);
		ret = 0;
		break;
	}
	pclose(p);
	return ret;
}

/* One cycle on ibdev; checks against base (the device's own resources). */
static void
cycle(unsigned int i, const char *ibdev, const char *netdev, unsigned int nb_mrs,
      const struct res *base, uint64_t *guid, bool leak)
{
	void *mem[MAX_MRS] = { NULL };
	uint32_t lkey[MAX_MRS];
	struct verbs_ctx vc;
	struct res open_r = { -1, -1, -1 }, closed_r = { -1, -1, -1 };
	bool err_ev = false, active_ev = false;
	unsigned int k, leaked, fds_open;
	char cmd[160];
	int ret;

	ret = verbs_ctx_open(&vc, ibdev);
	if (ret != 0) {
		fprintf(stderr, "cycle %u: verbs_ctx_open(%s): %s\n", i, ibdev, vc.why);
		CHECK(ret == 0);
		return;
	}
	if (*guid == 0)
		*guid = vc.node_guid;
	CHECK(vc.node_guid == *guid);   /* the same device, whatever its name */
	for (k = 0; k < nb_mrs; k++) {
		CHECK(posix_memalign(&mem[k], 4096, MR_LEN) == 0);
		memset(mem[k], (int)k, MR_LEN);
		ret = verbs_ctx_mr_reg(&vc, mem[k], MR_LEN, &lkey[k]);
		if (ret != 0)
			fprintf(stderr, "cycle %u: ibv_reg_mr: %s\n", i, strerror(-ret));
		CHECK(ret == 0);
	}
	CHECK(verbs_ctx_mr_count(&vc) == nb_mrs);
	fds_open = uverbs_fds();
	CHECK(fds_open >= 1);
	/* What the kernel tracks while the device is open. */
	CHECK(res_get(ibdev, &open_r) == 0);
	CHECK(open_r.pd == base->pd + 1);
	CHECK(open_r.mr == base->mr + (long)nb_mrs);
	CHECK(base->ctx < 0 || open_r.ctx == base->ctx + 1);
	/* Async events through the context's fd: the port goes down, up. */
	snprintf(cmd, sizeof(cmd), "ip link set %s down", netdev);
	if (run(cmd) == 0)
		err_ev = event_wait(&vc, IBV_EVENT_PORT_ERR, 5000);
	snprintf(cmd, sizeof(cmd), "ip link set %s up", netdev);
	if (run(cmd) == 0)
		active_ev = event_wait(&vc, IBV_EVENT_PORT_ACTIVE, 5000);
	CHECK(err_ev);
	CHECK(active_ev);
	/* The reset's order: registrations first (all but one here, which
	 * close must release and count), then the handle.
	 */
	for (k = 0; k + 1 < nb_mrs; k++)
		CHECK(verbs_ctx_mr_dereg(&vc, lkey[k]) == 0);
	CHECK(nb_mrs == 0 || verbs_ctx_mr_dereg(&vc, lkey[0] + 0x7f000000u) == -ENOENT);
	leaked = leak ? (nb_mrs > 0 ? 1u : 0u) : verbs_ctx_close(&vc);
	CHECK(leaked == (nb_mrs > 0 ? 1u : 0u));
	CHECK(uverbs_fds() == fds_open - 1);
	CHECK(res_get(ibdev, &closed_r) == 0);
	CHECK(closed_r.pd == base->pd);
	CHECK(closed_r.mr == base->mr);
	CHECK(closed_r.ctx == base->ctx);
	for (k = 0; k < nb_mrs && !leak; k++)
		free(mem[k]);
	printf("cycle %u ibdev %s guid %016llx open ctx/pd/mr %ld/%ld/%ld closed ctx/pd/mr "
	       "%ld/%ld/%ld base %ld/%ld/%ld events %s,%s\n", i, ibdev,
	       (unsigned long long)vc.node_guid, open_r.ctx, open_r.pd, open_r.mr, closed_r.ctx,
	       closed_r.pd, closed_r.mr, base->ctx, base->pd, base->mr,
	       err_ev ? "PORT_ERR" : "-", active_ev ? "PORT_ACTIVE" : "-");
	fflush(stdout);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: rxe_cycle --netdev IF [--cycles N] [--readd-every K] [--mrs M]"
		" [--inject-leak]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netdev", required_argument, NULL, 'n' },
		{ "cycles", required_argument, NULL, 'c' },
		{ "readd-every", required_argument, NULL, 'r' },
		{ "mrs", required_argument, NULL, 'm' },
		{ "inject-leak", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int cycles = 20, readd = 5, nb_mrs = 4, i, incarnations = 1;
	char ibdev[VERBS_IBDEV_NAME_MAX], cmd[200];
	const char *netdev = NULL;
	uint64_t guid = 0;
	bool leak = false;
	struct res base;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': netdev = optarg; break;
		case 'c': cycles = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'r': readd = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'm': nb_mrs = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'l': leak = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (netdev == NULL || cycles == 0 || nb_mrs > MAX_MRS) {
		usage(stderr);
		return 2;
	}
	if (ibdev_of_netdev(netdev, ibdev, sizeof(ibdev)) != 0) {
		fprintf(stderr, "rxe_cycle: no RDMA link on netdev %s (rdma link add ... type rxe"
			" netdev %s first)\n", netdev, netdev);
		return 1;
	}
	if (res_get(ibdev, &base) != 0)
		return 1;
	printf("rxe_cycle: %s on %s, baseline ctx/pd/mr %ld/%ld/%ld\n", ibdev, netdev, base.ctx,
	       base.pd, base.mr);
	for (i = 1; i <= cycles; i++) {
		cycle(i, ibdev, netdev, nb_mrs, &base, &guid, leak && i == 1);
		if (readd == 0 || i % readd != 0 || i == cycles)
			continue;
		/* A new incarnation while nothing holds the device: new name
		 * and index, same node GUID (from the netdev's MAC).
		 */
		snprintf(cmd, sizeof(cmd), "rdma link delete %s && rdma link add rxec%u type rxe "
			 "netdev %s", ibdev, i, netdev);
		CHECK(run(cmd) == 0);
		incarnations++;
		if (guid == 0 || find_by_guid(guid, ibdev, sizeof(ibdev)) != 0) {
			fprintf(stderr, "rxe_cycle: no device with node GUID %016llx after '%s'\n",
				(unsigned long long)guid, cmd);
			CHECK(false);
			break;
		}
		snprintf(cmd, sizeof(cmd), "rxec%u", i);
		CHECK(strcmp(ibdev, cmd) == 0);   /* found under its new name */
		if (res_get(ibdev, &base) != 0) {
			CHECK(false);
			break;
		}
		printf("rxe_cycle: incarnation %u: %s, baseline ctx/pd/mr %ld/%ld/%ld\n",
		       incarnations, ibdev, base.ctx, base.pd, base.mr);
	}
	printf("rxe_cycle: %u cycles, %u incarnations, %d failures\n", i > cycles ? cycles : i,
	       incarnations, test_failures);
	return test_failures == 0 ? 0 : 1;
}
