/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * test_mp.h: what a test program needs to start itself again as a DPDK
 * secondary process of its own primary.
 *
 * The primary passes TEST_MP_BASE_VA as its test_eal_opts.base_virtaddr
 * (and huge = true, no_shconf = false); test_mp_spawn() forks and execs
 * /proc/self/exe with "--secondary PREFIX" (the primary's --file-prefix, test_eal_prefix),
 * which the program's main hands to its own secondary code. The child dies
 * with its parent (PR_SET_PDEATHSIG), so a primary that crashes leaves no
 * secondary polling its hugepages.
 *
 * Main thread of the primary only; the helpers keep no state.
 */
#ifndef MANA_TESTS_TEST_MP_H
#define MANA_TESTS_TEST_MP_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

/* Where the primary maps its memory, so that a secondary can map it at the
 * same address under a sanitizer too: application memory for both
 * AddressSanitizer (above its high shadow) and ThreadSanitizer (its range
 * for modules and mappings), below where mmap places libraries.
 */
#define TEST_MP_BASE_VA "0x7ea000000000"

/* DPDK 22.11's vdev bus, in a secondary, allocates a device for each one
 * the primary has (vdev_scan) and never frees them at rte_eal_cleanup: the
 * program's __lsan_default_suppressions returns this.
 */
#define TEST_MP_LSAN_SUPPRESSIONS "leak:librte_bus_vdev.so\n"

/* Fork and exec this program as "argv0 --secondary prefix"; extra_tsan,
 * when not NULL, is appended to the child's TSAN_OPTIONS. The child's pid,
 * or -1.
 */
static inline pid_t
test_mp_spawn(const char *argv0, const char *prefix, const char *extra_tsan)
{
	pid_t parent = getpid();
	pid_t child = fork();

	if (child != 0)
		return child;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(126);
	if (extra_tsan != NULL) {
		char opts[512];

		snprintf(opts, sizeof(opts), "%s %s",
			 getenv("TSAN_OPTIONS") != NULL ? getenv("TSAN_OPTIONS") : "", extra_tsan);
		setenv("TSAN_OPTIONS", opts, 1);
	}
	execl("/proc/self/exe", argv0, "--secondary", prefix, (char *)NULL);
	_exit(127);
}

#endif /* MANA_TESTS_TEST_MP_H */
