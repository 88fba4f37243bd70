/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * ctrld_bench: not a test; numbers for the targets.
 *
 *   ctrld_bench decode [SECONDS]
 *       decoder throughput in messages per second (target >= 1M/s) for an
 *       nldev GET reply, an nldev MONITOR notification, a devlink reporter
 *       notification (cmd 54) and netdevsim's fmsg dump stream.
 *   ctrld_bench idle MANA_CTRLD SECONDS [DAEMON ARGS...]
 *       starts the daemon, lets it settle 1 s, then samples
 *       /proc/PID/status over SECONDS: context switches (voluntary +
 *       involuntary: each wakeup is at least one) per minute, and VmRSS /
 *       VmHWM (target: no wakeups beyond the configured poll interval,
 *       RSS <= 4 MiB).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netlink/nl_dlmsg.h"
#include "netlink/nl_fmsg.h"
#include "netlink/nl_nldev.h"
#include "tests/netlink/nl_test_msgs.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long fmsg_items;

static void
fmsg_count(void *arg, const struct nl_fmsg_item *it)
{
	(void)arg;
	(void)it;
	fmsg_items++;
}

enum { B_NLDEV_GET, B_NLDEV_MON, B_DEVLINK, B_FMSG, B_N };

static const char *const bench_name[B_N] = {
	"nldev GET reply", "nldev MONITOR event", "devlink reporter (cmd 54)",
	"fmsg dump (netdevsim, 1 msg)",
};

static unsigned long
run_one(int which, const char *buf, size_t len)
{
	unsigned long n = 0, sink = 0;
	struct nl_nldev_msg nm;
	struct nl_dl_msg dm;
	struct nl_fmsg f;

	for (int i = 0; i < 4096; i++, n++) {
		switch (which) {
		case B_NLDEV_GET:
		case B_NLDEV_MON:
			nl_nldev_msg_parse(&nm, buf, len);
			sink += nm.dev_index + nm.event;
			break;
		case B_DEVLINK:
			nl_dl_msg_parse(&dm, buf, len);
			sink += dm.err_count;
			break;
		default:
			nl_dl_msg_parse(&dm, buf, len);
			nl_fmsg_init(&f, fmsg_count, NULL);
			nl_fmsg_feed(&f, dm.fmsg, dm.fmsg_len);
			nl_fmsg_finish(&f);
			break;
		}
	}
	if (sink == 42424242)
		putchar(' ');
	return n;
}

static int
bench_decode(double secs)
{
	static char buf[B_N][MSG_BUF];
	size_t len[B_N];
	struct rep_spec r = {
		.bus = "netdevsim", .dev = "netdevsim1", .port = -1, .name = "dummy",
		.state = 1, .err = 1, .has_grace = true, .has_auto_recover = true,
		.auto_recover = 1, .has_auto_dump = true, .auto_dump = 1,
	};
	int ok = 1;

	len[B_NLDEV_GET] = mk_nldev_dev(buf[B_NLDEV_GET], 0, "mana_0", 0x608efcfffe3124bfull, 1);
	len[B_NLDEV_MON] = mk_nldev_mon(buf[B_NLDEV_MON], NLU_RDMA_NETDEV_ATTACH_EVENT, 0,
					"mana_0", 1, 3, "eth0");
	len[B_DEVLINK] = mk_dl_reporter(buf[B_DEVLINK], NLU_DEVLINK_CMD_HEALTH_REPORTER_RECOVER,
					&r);
	len[B_FMSG] = mk_fmsg_netdevsim(buf[B_FMSG], true);
	for (int b = 0; b < B_N; b++) {
		unsigned long n = 0;
		double t0 = now_s(), t;

		fmsg_items = 0;
		do {
			n += run_one(b, buf[b], len[b]);
			t = now_s() - t0;
		} while (t < secs);
		printf("decode %-30s %12.0f msgs/s  (%zu bytes/msg%s)\n", bench_name[b],
		       (double)n / t, len[b], b == B_FMSG ? ", ~70 tokens" : "");
		if (b != B_FMSG && (double)n / t < 1e6)
			ok = 0;
	}
	printf("decode target >= 1M msgs/s (single messages): %s\n", ok ? "met" : "NOT met");
	return 0;
}

struct proc_sample {
	unsigned long vol, nonvol;
	unsigned long rss_kb, hwm_kb;
};

static int
sample(pid_t pid, struct proc_sample *s)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	memset(s, 0, sizeof(*s));
	while (fgets(line, sizeof(line), f) != NULL) {
		sscanf(line, "voluntary_ctxt_switches: %lu", &s->vol);
		sscanf(line, "nonvoluntary_ctxt_switches: %lu", &s->nonvol);
		sscanf(line, "VmRSS: %lu", &s->rss_kb);
		sscanf(line, "VmHWM: %lu", &s->hwm_kb);
	}
	fclose(f);
	return 0;
}

static int
bench_idle(const char *daemon, double secs, char **args, int nargs)
{
	struct proc_sample a, b;
	char *argv[32];
	int status, n = 0;
	pid_t pid;

	argv[n++] = (char *)daemon;
	for (int i = 0; i < nargs && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execv(daemon, argv);
		perror("execv");
		_exit(127);
	}
	usleep(1000000);
	if (waitpid(pid, &status, WNOHANG) == pid) {
		fprintf(stderr, "ctrld_bench: the daemon exited early (status %d)\n", status);
		return 1;
	}
	if (sample(pid, &a) < 0)
		return 1;
	usleep((useconds_t)(secs * 1e6));
	if (sample(pid, &b) < 0)
		return 1;
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	printf("idle window %.1f s: %lu voluntary + %lu involuntary context switches "
	       "= %.1f wakeups/min\n", secs, b.vol - a.vol, b.nonvol - a.nonvol,
	       (double)(b.vol - a.vol + b.nonvol - a.nonvol) * 60.0 / secs);
	printf("idle RSS %lu KiB (peak %lu KiB), target <= 4096 KiB: %s\n", b.rss_kb, b.hwm_kb,
	       b.rss_kb <= 4096 ? "met" : "NOT met");
	printf("daemon exit on SIGTERM: %s\n",
	       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "0" : "non-zero");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "decode") == 0)
		return bench_decode(argc >= 3 ? atof(argv[2]) : 2.0);
	if (argc >= 4 && strcmp(argv[1], "idle") == 0)
		return bench_idle(argv[2], atof(argv[3]), argv + 4, argc - 4);
	fprintf(stderr, "Usage: ctrld_bench decode [SECONDS]\n"
			"       ctrld_bench idle MANA_CTRLD SECONDS [DAEMON ARGS...]\n");
	return 1;
}
