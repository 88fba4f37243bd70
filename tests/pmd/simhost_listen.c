/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * simhost_listen DIR: the simulated kernel's listener for tests. Binds
 * DIR/kernel.sock (as mana-ctrld does in sim mode) and prints each
 * notification as it comes, one line each: "MS TEXT" (MS: CLOCK_MONOTONIC
 * milliseconds), "MS BAD TEXT: why" for a malformed one. Prints "ready"
 * once bound; runs until SIGTERM or SIGINT, then unbinds. Exit 1 when it
 * cannot bind.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proto/simhost/simhost.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct simhost_ntf n;
	char raw[SIMHOST_NTF_MAX];
	int fd, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: simhost_listen DIR\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = simhost_dir_init(argv[1]);
	if (fd == 0)
		fd = simhost_kernel_bind(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "simhost_listen: %s\n", simhost_errmsg());
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 200) <= 0)
			continue;
		while ((ret = simhost_ntf_recv(fd, &n, raw, sizeof(raw))) != 0) {
			if (ret == 1)
				printf("%lld %s\n", now_ms(), raw);
			else if (ret == -EBADMSG)
				printf("%lld BAD %s: %s\n", now_ms(), raw, simhost_errmsg());
			else
				break;
		}
	}
	simhost_kernel_unbind(argv[1], fd);
	return 0;
}
