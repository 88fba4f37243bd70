/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TEST_UTIL_H
#define MANA_TEST_UTIL_H

/*
 * Helpers shared by the C tests. Header-only; each test has its own
 * test_failures counter. CHECK may be used from any thread.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

static int test_failures __attribute__((unused));

/* Record a failed check and go on, so one run shows every failure. */
#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		__atomic_fetch_add(&test_failures, 1, __ATOMIC_RELAXED); \
	} \
} while (0)

/* Entries of a /proc directory (0 if it is not there). */
static inline unsigned int
test_dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Threads of this process right now. */
static inline unsigned int
test_thread_count(void)
{
	return test_dir_entries("/proc/self/task");
}

/* Open file descriptors of this process right now (the one counting them
 * included while it runs).
 */
static inline unsigned int
test_fd_count(void)
{
	return test_dir_entries("/proc/self/fd");
}

/* The first line of a /proc file, without its newline ("" if unreadable,
 * e.g. a thread that just ended).
 */
static inline void
test_proc_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Threads of this process whose name starts with prefix (sanitizer
 * runtimes start threads of their own: count ours by name).
 */
static inline unsigned int
test_thread_count_named(const char *prefix)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	unsigned int n = 0;
	size_t len = strlen(prefix);

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], comm[64];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		test_proc_line(path, comm, sizeof(comm));
		if (comm[0] != '\0' && strncmp(comm, prefix, len) == 0)
			n++;
	}
	closedir(d);
	return n;
}

#endif /* MANA_TEST_UTIL_H */
