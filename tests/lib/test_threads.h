/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TEST_THREADS_H
#define MANA_TEST_THREADS_H

/*
 * What every thread of this process is doing, from /proc: for a test that
 * sees a thread stuck (a burst that does not leave, a call that does not
 * return) to say where, and whether the thread runs, waits for a CPU or
 * sleeps. Header-only; any thread may call it (it only reads /proc).
 *
 * If TEST_STALL_GDB is set in the environment and gdb is installed,
 * test_threads_dump() also prints every thread's user stack (gdb attaches
 * to this process for about a second; for diagnosis by hand).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/test_util.h"

/* State letter and last CPU from a task's stat line (after the comm). */
static inline void
test_task_stat(const char *dir, char *state, int *cpu)
{
	char path[340], line[1024], *p;
	int field;

	*state = '?';
	*cpu = -1;
	snprintf(path, sizeof(path), "%s/stat", dir);
	test_proc_line(path, line, sizeof(line));
	p = strrchr(line, ')');
	if (p == NULL || p[1] == '\0' || p[2] == '\0')
		return;
	*state = p[2];
	/* Fields after the comm: 3 is the state, 39 the last CPU. */
	for (field = 3, p += 2; *p != '\0' && field < 39; p++)
		if (*p == ' ')
			field++;
	if (field == 39)
		*cpu = atoi(p);
}

/* One line per thread: tid, name, state (R runs or waits for a CPU, S
 * sleeps), last CPU, time on CPU and waiting for one (schedstat), the
 * kernel function it sleeps in; the kernel stack of the thread focus
 * (0: none) when readable (root).
 */
static inline void
test_threads_dump(FILE *out, int focus)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	char buf[512];
	FILE *f;

	test_proc_line("/proc/loadavg", buf, sizeof(buf));
	fprintf(out, "threads of pid %d (load %s):\n", (int)getpid(), buf);
	while (d != NULL && (e = readdir(d)) != NULL) {
		char dir[300], path[340], comm[64], wchan[128], sched[128];
		unsigned long long run = 0, wait = 0, slices = 0;
		char state;
		int cpu;

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "/proc/self/task/%s", e->d_name);
		snprintf(path, sizeof(path), "%s/comm", dir);
		test_proc_line(path, comm, sizeof(comm));
		snprintf(path, sizeof(path), "%s/wchan", dir);
		test_proc_line(path, wchan, sizeof(wchan));
		snprintf(path, sizeof(path), "%s/schedstat", dir);
		test_proc_line(path, sched, sizeof(sched));
		if (sscanf(sched, "%llu %llu %llu", &run, &wait, &slices) != 3)
			run = wait = slices = 0;
		test_task_stat(dir, &state, &cpu);
		fprintf(out, "  %s%-7s %-16s %c cpu%d run %llu ms, waited for a cpu %llu ms, %llu slices, in %s\n",
			atoi(e->d_name) == focus ? "*" : " ", e->d_name, comm, state, cpu,
			run / 1000000, wait / 1000000, slices, wchan[0] != '\0' ? wchan : "-");
	}
	if (d != NULL)
		closedir(d);
	if (focus > 0) {
		snprintf(buf, sizeof(buf), "/proc/self/task/%d/stack", focus);
		f = fopen(buf, "r");
		if (f != NULL) {
			fprintf(out, "  kernel stack of %d:\n", focus);
			while (fgets(buf, sizeof(buf), f) != NULL)
				fprintf(out, "    %s", buf);
			fclose(f);
		}
	}
	/* Time stolen by the hypervisor (the 8th value) shows here. */
	if ((f = fopen("/proc/stat", "r")) != NULL) {
		while (fgets(buf, sizeof(buf), f) != NULL && strncmp(buf, "cpu", 3) == 0)
			fprintf(out, "  %s", buf);
		fclose(f);
	}
	/* Every CPU's runnable tasks, when debugfs is mounted: who had the
	 * CPU a stuck thread waits for.
	 */
	if ((f = fopen("/sys/kernel/debug/sched/debug", "r")) != NULL) {
		while (fgets(buf, sizeof(buf), f) != NULL)
			if (strncmp(buf, "cpu#", 4) == 0 || strncmp(buf, ">R", 2) == 0 ||
			    strncmp(buf, " R", 2) == 0)
				fprintf(out, "  %s", buf);
		fclose(f);
	}
	if (getenv("TEST_STALL_GDB") != NULL) {
		snprintf(buf, sizeof(buf),
			 "gdb -p %d -batch -nx -ex 'thread apply all bt' 2>&1 | grep -v '^\\[New LWP'",
			 (int)getpid());
		fflush(out);
		if (system(buf) != 0)
			fprintf(out, "  (gdb failed)\n");
	}
	fflush(out);
}

#endif /* MANA_TEST_THREADS_H */
