/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * monostamp: CLOCK_MONOTONIC for the VM's scenario files (busybox has no
 * clock of its own finer than /proc/uptime's 10 ms).
 *
 *   monostamp now       prints the time: SECONDS.MICROSECONDS
 *   monostamp           copies stdin to stdout, each line prefixed with the
 *                       time it was read and a space (a last line without a
 *                       newline gets one); stdout is flushed after each read
 *
 * The same clock as mana-ctrld's t_mono_ns and the PMD's reset records, so
 * a host-side check can order the lines of a program (testpmd) among them.
 * One thread; exits 0 at end of input, 1 on a read or write error, 2 on
 * usage errors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
stamp_now(char *buf, size_t n)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, n, "%lld.%06ld", (long long)ts.tv_sec, ts.tv_nsec / 1000);
}

static int
stamp_lines(void)
{
	char in[4096], t[32];
	int at_start = 1;
	ssize_t got;

	for (;;) {
		got = read(STDIN_FILENO, in, sizeof(in));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fprintf(stderr, "monostamp: read: %s\n", strerror(errno));
			return 1;
		}
		if (got == 0)
			break;
		/* One stamp per read: lines arriving together get one time. */
		stamp_now(t, sizeof(t));
		for (ssize_t i = 0; i < got; i++) {
			if (at_start)
				printf("%s ", t);
			putchar(in[i]);
			at_start = in[i] == '\n';
		}
		if (fflush(stdout) != 0) {
			fprintf(stderr, "monostamp: write: %s\n", strerror(errno));
			return 1;
		}
	}
	if (!at_start)
		putchar('\n');
	return fflush(stdout) != 0;
}

int
main(int argc, char **argv)
{
	char t[32];

	if (argc == 2 && strcmp(argv[1], "now") == 0) {
		stamp_now(t, sizeof(t));
		printf("%s\n", t);
		return fflush(stdout) != 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: monostamp [now]\n");
		return 2;
	}
	return stamp_lines();
}
