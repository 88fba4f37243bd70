/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * mbox_bench [--samples N] [--gap-us G]: ctrl -> PMD event delivery latency
 * through the mailbox, beside a unix-socket baseline, in the same run.
 *
 * Two processes. ctrl posts one event (or sends one 248-byte message on a
 * SOCK_SEQPACKET socketpair), the PMD, asleep in poll() on mbox_fd and the
 * socket, wakes, takes it and answers (a PHASE event, or a reply message).
 * One-way latency: CLOCK_MONOTONIC at post (in the event) to the PMD having
 * the event in hand; round trip: post to ctrl having the answer. G us apart
 * (default 200), so the PMD is idle in poll() each time. Each row is run
 * idle and with a thread of the PMD busy-polling on the last CPU, as a DPDK
 * lcore does. Not a test: numbers depend on the machine.
 */
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "tests/proto/mbox_testlib.h"

#define MAX_SAMPLES 100000

enum { ROW_MBOX, ROW_SOCK, ROW_NUM };

struct shared {
	int row;               /* which row the PMD records */
	int busy;              /* the busy thread spins */
	int stop;
	uint64_t n[2][ROW_NUM];
	uint64_t oneway[2][ROW_NUM][MAX_SAMPLES];
};

struct msg {
	uint64_t t0;
	uint64_t i;
	uint8_t pad[232];      /* as big as an event */
};

static struct shared *sh;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *
busy_thread(void *arg)
{
	volatile uint64_t spins = 0;
	cpu_set_t set;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	(void)arg;
	CPU_ZERO(&set);
	CPU_SET(ncpu > 1 ? ncpu - 1 : 0, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		if (__atomic_load_n(&sh->busy, __ATOMIC_RELAXED))
			spins++;
		else
			usleep(1000);
	}
	return NULL;
}

static void
record(int busy, int row, uint64_t ns)
{
	uint64_t n = sh->n[busy][row];

	if (n < MAX_SAMPLES) {
		sh->oneway[busy][row][n] = ns;
		__atomic_store_n(&sh->n[busy][row], n + 1, __ATOMIC_RELEASE);
	}
}

static int
pmd_main(int sfd)
{
	struct pollfd pfd[2];
	struct mbox_event ev;
	struct mbox *pmd;
	struct msg m;
	pthread_t t;
	uint64_t now;
	int busy;

	pmd = mbox_attach(SOCK, 0);
	if (pmd == NULL || mbox_port_claim(pmd, 0) < 0) {
		fprintf(stderr, "pmd: %s\n", mbox_errmsg());
		return 1;
	}
	pthread_create(&t, NULL, busy_thread, NULL);
	pfd[0] = (struct pollfd){ .fd = mbox_fd(pmd), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		if (poll(pfd, 2, 100) <= 0)
			continue;
		busy = __atomic_load_n(&sh->busy, __ATOMIC_RELAXED);
		while (mbox_next(pmd, &ev) == 1) {
			if (ev.type != MBOX_EV_SVC_START)
				continue;
			now = now_ns();
			record(busy, ROW_MBOX, now - ev.time_ns);
			memset(&ev, 0, sizeof(ev));
			ev.type = MBOX_EV_PHASE;
			ev.u.phase.reset_seq = 1;
			mbox_post(pmd, &ev);
		}
		if (pfd[1].revents & POLLIN) {
			if (recv(sfd, &m, sizeof(m), 0) != sizeof(m))
				break;
			record(busy, ROW_SOCK, now_ns() - m.t0);
			send(sfd, &m, sizeof(m), 0);
		}
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	mbox_close(pmd);
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
row(const char *name, uint64_t *v, uint64_t n)
{
	if (n == 0) {
		printf("%-44s %9s\n", name, "no samples");
		return;
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("%-44s %9.1f %9.1f %9.1f %9.1f\n", name, v[n / 2] / 1e3, v[n * 99 / 100] / 1e3,
	       v[n - 1] / 1e3, v[0] / 1e3);
}

/* Wait for the PMD's answer on ctrl's mailbox, at most 1 s. */
static int
wait_answer(struct mbox *ctrl)
{
	struct mbox_event ev;
	int i;

	for (i = 0; i < 1000; i++) {
		while (mbox_next(ctrl, &ev) == 1)
			if (ev.type == MBOX_EV_PHASE)
				return 0;
		test_wait_fd(ctrl, 1);
	}
	return -1;
}

int
main(int argc, char **argv)
{
	static uint64_t rtt[2][ROW_NUM][MAX_SAMPLES];
	unsigned int samples = 2000, gap_us = 200, i;
	struct mbox_ident id = test_ident(0, 1);
	struct mbox_event ev;
	struct mbox *ctrl;
	struct msg m;
	int sv[2], st, busy, rc = 0, opt;
	pid_t pid;
	static const struct option opts[] = {
		{ "samples", required_argument, NULL, 's' },
		{ "gap-us", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};

	while ((opt = getopt_long(argc, argv, "s:g:", opts, NULL)) != -1) {
		if (opt == 's')
			samples = (unsigned int)atoi(optarg);
		else if (opt == 'g')
			gap_us = (unsigned int)atoi(optarg);
		else
			return 2;
	}
	if (samples == 0 || samples > MAX_SAMPLES) {
		fprintf(stderr, "mbox_bench: --samples 1..%d\n", MAX_SAMPLES);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	test_enter_dir();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return 1;
	ctrl = test_ctrl(1, 64);
	if (ctrl == NULL || mbox_port_add(ctrl, &id) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(pmd_main(sv[1]));
	}
	close(sv[1]);
	/* Until the PMD owns the port. */
	for (i = 0; i < 2000; i++) {
		struct mbox_port pt;

		test_wait_fd(ctrl, 1);
		while (mbox_next(ctrl, &ev) == 1)
			;
		if (mbox_port_read(ctrl, 0, &pt) == 0 && pt.owner_live)
			break;
	}
	memset(&m, 0, sizeof(m));
	for (busy = 0; busy < 2 && rc == 0; busy++) {
		__atomic_store_n(&sh->busy, busy, __ATOMIC_RELAXED);
		usleep(20000);
		for (i = 0; i < samples && rc == 0; i++) {
			uint64_t t0 = now_ns();

			memset(&ev, 0, sizeof(ev));
			ev.type = MBOX_EV_SVC_START;
			if (mbox_post(ctrl, &ev) < 0 || wait_answer(ctrl) < 0)
				rc = 1;
			rtt[busy][ROW_MBOX][i] = now_ns() - t0;
			usleep(gap_us);
			m.t0 = t0 = now_ns();
			if (send(sv[0], &m, sizeof(m), 0) != sizeof(m) ||
			    recv(sv[0], &m, sizeof(m), 0) != sizeof(m))
				rc = 1;
			rtt[busy][ROW_SOCK][i] = now_ns() - t0;
			usleep(gap_us);
		}
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	waitpid(pid, &st, 0);
	if (rc != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "mbox_bench: a sample timed out or the PMD failed\n");
		return 1;
	}
	printf("mbox_bench: %u samples per row, %u us apart, %ld CPUs; microseconds\n", samples,
	       gap_us, sysconf(_SC_NPROCESSORS_ONLN));
	printf("%-44s %9s %9s %9s %9s\n", "", "p50", "p99", "max", "min");
	for (busy = 0; busy < 2; busy++) {
		const char *b = busy ? "busy-poll" : "idle";
		char name[64];

		snprintf(name, sizeof(name), "mbox ctrl->PMD delivery, %s", b);
		row(name, sh->oneway[busy][ROW_MBOX],
		    __atomic_load_n(&sh->n[busy][ROW_MBOX], __ATOMIC_ACQUIRE));
		snprintf(name, sizeof(name), "mbox round trip (event + answer), %s", b);
		row(name, rtt[busy][ROW_MBOX], samples);
		snprintf(name, sizeof(name), "unix socket one-way (baseline), %s", b);
		row(name, sh->oneway[busy][ROW_SOCK],
		    __atomic_load_n(&sh->n[busy][ROW_SOCK], __ATOMIC_ACQUIRE));
		snprintf(name, sizeof(name), "unix socket round trip (baseline), %s", b);
		row(name, rtt[busy][ROW_SOCK], samples);
	}
	mbox_close(ctrl);
	return 0;
}
