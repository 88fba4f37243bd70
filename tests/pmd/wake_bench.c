/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * wake_bench: hardware back -> first packet forwarded again (issue 14,
 * deliverable 6), with the control daemon's "hardware back" and beside a
 * fixed-interval poll of the device, measured in the same run. Not a test:
 * the numbers depend on the machine and its load (printed with them).
 * `bazel run -c opt //tests/pmd:wake_bench`.
 *
 * Started simulated ports in one EAL process, each on the simulated
 * wire's loopback (net_mana_sim60, 62, ...: their default peers do not
 * exist, so a frame sent comes back on the same port):
 *   ctrl   mbox= to a control daemon this program plays (proto/'s ctrl role,
 *          on the main thread), hw_poll_ms=5000: the driver's own poll
 *          never ends a wait; each reset is woken by the daemon's HW_BACK;
 *   poll   no daemon, hw_poll_ms=--poll-ms (default 100): the device asked
 *          at a fixed interval, the baseline. (DPDK 26.07's net/mana waits
 *          a fixed 15 s after a service event instead.) The hardware comes
 *          back at every phase of the poll's interval, as real hardware
 *          does: the series uses POLL_PORTS ports down for recovery +
 *          (j + 1/2) * poll / POLL_PORTS ms (j = 0 .. POLL_PORTS - 1), in
 *          turn (a fixed down time would meet the poll at one phase only).
 *          A device the driver took before this program saw it back (its
 *          poll came within microseconds of it) is counted apart, not in
 *          the samples ("missed").
 * The resets alternate between the two ports (ctrl, poll, ctrl, ...), so
 * both series see the same machine. One reset: the simulator's service
 * event (the device goes down: DEVICE_FATAL; on the ctrl port the daemon
 * also posts SVC_START), down --recovery-ms (default 50: longer than the
 * driver's teardown, so that it waits), then back as a new incarnation.
 * The main thread watches the device (the simulator's probe, as the daemon
 * sees REGISTER on RDMA netlink): "hardware back" is the moment it is
 * back, when the daemon posts HW_BACK at once. From then the main thread
 * sends one frame per turn and takes it back; "forwarded" is the first
 * frame that comes round. Reported: p50 / p99 / max of back -> forwarded
 * per series and their ratios (ctrl / poll), the time from HW_BACK to the
 * end of the driver's wait (xstat reset_last_hint_us), and how each wait
 * ended (reset_wake_*: every ctrl-port wait must be the daemon's).
 *
 *   wake_bench [--smoke] [--resets N] [--recovery-ms MS] [--poll-ms MS]
 *
 * --resets: per series (default 100, at least 50 for the figure).
 * --smoke: 3 resets each, for //tests/pmd:wake_bench_smoke_test. Exit 0 when
 * every reset recovered, forwarded, and every ctrl-port wait ended on the
 * daemon's word (the numbers are never judged).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "pmd/mana.h"
#include "pmd/sim/mana_sim.h"
#include "proto/mbox.h"
#include "tests/lib/test_port.h"
#include "tests/lib/tsan_dpdk.h"
#include "tests/pmd/test_ctrl.h"

#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_suppressions(void);
const char *
__tsan_default_suppressions(void)
{
	return TSAN_DPDK_SUPPRESSIONS;
}
#endif

#define IDENT "wake-bench"
#define POLL_PORTS 10

enum series { S_CTRL, S_POLL, S_NUM };

struct bench {
	unsigned int resets;
	unsigned int recovery_ms;
	unsigned int poll_ms;
	struct mbox *mb;
	int mport;                         /* the ctrl port's mailbox port */
	uint16_t port[1 + POLL_PORTS];     /* the ctrl port, then the poll ports */
	double back_fwd_ms[S_NUM][4096];   /* hardware back -> forwarded */
	double hint_ms[4096];              /* ctrl: HW_BACK -> end of WAIT_HW */
	unsigned int n[S_NUM];
	unsigned int missed[S_NUM];        /* taken before we saw it back */
	unsigned int failures;
};

static struct bench B;

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of v[0..n) (sorted in place). */
static double
pct(double *v, unsigned int n, double q)
{
	size_t k;

	if (n == 0)
		return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	k = (size_t)ceil(q * (double)n);
	return v[k == 0 ? 0 : k - 1];
}

/* ctrl's loop: take what the PMD posted (its events, never blocking). */
static void
ctrl_drain(void)
{
	struct mbox_event ev;

	while (mbox_next(B.mb, &ev) == 1)
		;
}

static int
ctrl_post(uint16_t type)
{
	struct mbox_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.port = (uint16_t)B.mport;
	if (type == MBOX_EV_SVC_START) {
		ev.u.svc.source = MBOX_SRC_DEVLINK;
		ev.u.svc.reason = 1;
	} else {
		snprintf(ev.u.ident.pci, sizeof(ev.u.ident.pci), "%s", IDENT);
		snprintf(ev.u.ident.ibdev, sizeof(ev.u.ident.ibdev), "mana_bench");
		ev.u.ident.gen = 2;
	}
	return mbox_post(B.mb, &ev);
}

/* One frame sent and taken back: true when it came round. */
static bool
forward_one(uint16_t port)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool), *rx[4];
	struct rte_ether_hdr *eh;
	uint16_t n, got = 0;

	if (m == NULL)
		return false;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 64);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return false;
	}
	memset(eh, 0, 64);
	memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	if (rte_eth_tx_burst(port, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return false;
	}
	/* The simulated device did the send on this CPU: it is back already. */
	while ((n = rte_eth_rx_burst(port, 0, rx, 4)) > 0) {
		rte_pktmbuf_free_bulk(rx, n);
		got += n;
	}
	return got > 0;
}

static enum mana_hw_presence
probe(uint16_t port)
{
	struct mana_hw_dev *d = mana_proc_of(port)->hwdev;

	return d->ops->probe(d);
}

/* One reset of series s on port (index pi in B.port), measured. */
static int
one_reset(enum series s, unsigned int pi)
{
	uint16_t port = B.port[pi];
	uint64_t done = test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS);
	uint64_t t_back = 0, t_fwd = 0, end;
	struct mana_hw_dev *d = mana_proc_of(port)->hwdev;

	/* The kernel tells ctrl (devlink) as the device fails. */
	if (s == S_CTRL && ctrl_post(MBOX_EV_SVC_START) != 0)
		return -EIO;
	if (mana_sim_service_event(d) != 0)
		return -EALREADY;
	end = test_now_ms() + 10000 + 3ull * B.poll_ms;
	while (t_fwd == 0 && test_now_ms() < end) {
		if (s == S_CTRL)
			ctrl_drain();
		if (t_back == 0) {
			/* Back and taken before we looked: the driver never
			 * waited (the device came back within its teardown).
			 */
			if (test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) > done)
				return -EINPROGRESS;
			if (probe(port) != MANA_HWP_READY) {
				usleep(20);
				continue;
			}
			/* ctrl sees the device register again: HW_BACK. */
			t_back = test_now_ns();
			if (s == S_CTRL && ctrl_post(MBOX_EV_HW_BACK) != 0)
				return -EIO;
		}
		if (forward_one(port))
			t_fwd = test_now_ns();
		else
			usleep(10);   /* the reset thread needs the CPU too */
	}
	if (t_fwd == 0 || !test_wait_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, done + 1, 5000))
		return -ETIMEDOUT;
	B.back_fwd_ms[s][B.n[s]] = (double)(t_fwd - t_back) / 1e6;
	if (s == S_CTRL)
		B.hint_ms[B.n[s]] = (double)test_xstat(port, "reset_last_hint_us") / 1e3;
	B.n[s]++;
	/* Let the next one start from a port at rest. */
	usleep(2000);
	return 0;
}

static void
print_row(const char *name, double *v, unsigned int n, double base_p50, double base_p99)
{
	double p50 = pct(v, n, 0.5), p99 = pct(v, n, 0.99), max = n ? v[n - 1] : -1;

	printf("%-44s %5u %10.3f %10.3f %10.3f", name, n, p50, p99, max);
	if (base_p50 > 0)
		printf("   %8.4f %8.4f", p50 / base_p50, p99 / base_p99);
	printf("\n");
}

static int
usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [--smoke] [--resets N] [--recovery-ms MS] [--poll-ms MS]\n",
		argv0);
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "smoke", no_argument, NULL, 's' },
		{ "resets", required_argument, NULL, 'n' },
		{ "recovery-ms", required_argument, NULL, 'r' },
		{ "poll-ms", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	/* Small rings: eleven ports share the pool. */
	const struct test_port_opts popts = { .nb_desc = 64 };
	const struct test_eal_opts eo = {
		.name = "wakebench", .nb_mbufs = 4095, .no_shconf = true,
		.log_levels = "pmd.net.mana.*:warning lib.eal:critical lib.ethdev:critical",
	};
	const char *base = getenv("TEST_TMPDIR");
	char dir[4096], args[256], load[128];
	uint64_t woke[S_NUM][4] = { { 0 } };
	char name[32];
	static const char *const wake_xs[4] = {
		"reset_wake_ctrl", "reset_wake_poll", "reset_wake_device", "reset_wake_timeout",
	};
	double p50_poll, p99_poll, p50_ctrl, p99_ctrl;
	unsigned int i, k;
	int c, ret;
	FILE *f;

	B.resets = 100;
	B.recovery_ms = 50;
	B.poll_ms = 100;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			B.resets = 3;
			break;
		case 'n':
			B.resets = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			B.recovery_ms = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			B.poll_ms = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		default:
			return usage(argv[0]);
		}
	}
	if (B.resets == 0 || B.resets > 4096 || B.poll_ms == 0 || B.poll_ms > 60000 ||
	    B.recovery_ms == 0 || B.recovery_ms > 10000) {
		fprintf(stderr, "wake_bench: --resets 1..4096, --poll-ms 1..60000, --recovery-ms 1..10000\n");
		return usage(argv[0]);
	}
	snprintf(dir, sizeof(dir), "%s/wakebenchXXXXXX", base != NULL ? base : "/tmp");
	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		perror(dir);
		return 1;
	}
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	/* Our short sleeps last what they say (the default slack is 50 us). */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	B.mb = test_ctrl_open("wb.seg", "wb.sock");
	if (B.mb == NULL)
		return 1;
	B.mport = mbox_port_add(B.mb, &(struct mbox_ident){ .pci = IDENT, .gen = 1 });
	snprintf(args, sizeof(args), "recovery_ms=%u,hw_poll_ms=5000,mbox=wb.sock,mbox_port=" IDENT,
		 B.recovery_ms);
	ret = test_port_up("net_mana_sim60", args, &popts);
	if (B.mport < 0 || ret < 0)
		return 1;
	B.port[0] = (uint16_t)ret;
	for (k = 0; k < POLL_PORTS; k++) {
		snprintf(args, sizeof(args), "recovery_ms=%u,hw_poll_ms=%u",
			 B.recovery_ms + (2 * k + 1) * B.poll_ms / (2 * POLL_PORTS), B.poll_ms);
		snprintf(name, sizeof(name), "net_mana_sim%u", 62 + 2 * k);
		ret = test_port_up(name, args, &popts);
		if (ret < 0)
			return 1;
		B.port[1 + k] = (uint16_t)ret;
	}
	/* The port attached to the daemon before the first reset. */
	for (i = 0; i < 5000; i++) {
		struct mbox_port pt;

		ctrl_drain();
		if (mbox_port_read(B.mb, (unsigned int)B.mport, &pt) == 0 && pt.owner_live)
			break;
		usleep(1000);
	}
	for (i = 0; i < B.resets; i++) {
		for (k = 0; k < S_NUM; k++) {
			ret = one_reset(k, k == S_CTRL ? 0 : 1 + i % POLL_PORTS);
			if (ret == -EINPROGRESS)
				B.missed[k]++;
			else if (ret != 0)
				B.failures++;
		}
	}
	for (i = 0; i < 4; i++) {
		woke[S_CTRL][i] = test_xstat(B.port[0], wake_xs[i]);
		for (k = 0; k < POLL_PORTS; k++)
			woke[S_POLL][i] += test_xstat(B.port[1 + k], wake_xs[i]);
	}

	f = fopen("/proc/loadavg", "r");
	load[0] = '\0';
	if (f != NULL) {
		if (fgets(load, sizeof(load), f) != NULL)
			load[strcspn(load, "\n")] = '\0';
		fclose(f);
	}
	printf("wake_bench: hardware back -> first packet forwarded again, ms; %u resets per series, "
	       "device down %u ms (ctrl), %u to %u ms (poll), loadavg %s\n", B.resets,
	       B.recovery_ms, B.recovery_ms + B.poll_ms / (2 * POLL_PORTS),
	       B.recovery_ms + (2 * POLL_PORTS - 1) * B.poll_ms / (2 * POLL_PORTS), load);
	printf("%-44s %5s %10s %10s %10s   %8s %8s\n", "series", "n", "p50", "p99", "max",
	       "p50/base", "p99/base");
	p50_poll = pct(B.back_fwd_ms[S_POLL], B.n[S_POLL], 0.5);
	p99_poll = pct(B.back_fwd_ms[S_POLL], B.n[S_POLL], 0.99);
	snprintf(args, sizeof(args), "baseline: fixed poll every %u ms", B.poll_ms);
	print_row(args, B.back_fwd_ms[S_POLL], B.n[S_POLL], 0, 0);
	print_row("ctrl's HW_BACK (poll every 5000 ms)", B.back_fwd_ms[S_CTRL], B.n[S_CTRL],
		  p50_poll, p99_poll);
	p50_ctrl = pct(B.back_fwd_ms[S_CTRL], B.n[S_CTRL], 0.5);
	p99_ctrl = pct(B.back_fwd_ms[S_CTRL], B.n[S_CTRL], 0.99);
	print_row("  of which HW_BACK -> end of wait_hw", B.hint_ms, B.n[S_CTRL], 0, 0);
	printf("DPDK 26.07 net/mana waits a fixed 15 s after a service event: ctrl's p50 is "
	       "%.6f of it, p99 %.6f\n", p50_ctrl / 15000.0, p99_ctrl / 15000.0);
	for (k = 0; k < S_NUM; k++)
		printf("%s port: waits ended by ctrl %" PRIu64 ", poll %" PRIu64 ", device %" PRIu64
		       ", timeout %" PRIu64 "; missed %u\n", k == S_CTRL ? "ctrl" : "poll",
		       woke[k][0], woke[k][1], woke[k][2], woke[k][3], B.missed[k]);
	printf("target p99 <= 5 ms: %s (%.3f ms)\n", p99_ctrl <= 5.0 ? "met" : "NOT met", p99_ctrl);

	/* Judged: every reset done, every ctrl-port wait the daemon's. */
	ret = 0;
	if (B.failures != 0 || B.n[S_CTRL] != B.resets ||
	    B.n[S_POLL] + B.missed[S_POLL] != B.resets) {
		fprintf(stderr, "wake_bench: %u reset(s) failed or did not forward\n", B.failures);
		ret = 1;
	}
	if (woke[S_CTRL][0] != B.resets || woke[S_CTRL][1] + woke[S_CTRL][3] != 0) {
		fprintf(stderr, "wake_bench: a ctrl-port wait ended otherwise than on ctrl's word\n");
		ret = 1;
	}
	for (k = 0; k < 1 + POLL_PORTS; k++) {
		rte_eth_dev_stop(B.port[k]);
		snprintf(name, sizeof(name), "net_mana_sim%u", 60 + 2 * k);
		test_port_close(name, B.port[k]);
	}
	ctrl_drain();
	mbox_close(B.mb);
	if (test_eal_finish() != 0)
		ret = 1;
	return ret;
}
