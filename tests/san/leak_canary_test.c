/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A deliberate leak: 10 KiB allocated and the only pointer to it dropped.
 * Passes uninstrumented; under --config=asan it must fail with
 * "LeakSanitizer: detected memory leaks" (tools/test checks that it does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEAK_BYTES 10240

static void *volatile leaked;

static void __attribute__((noinline))
leak(void)
{
	leaked = malloc(LEAK_BYTES);
	if (leaked != NULL)
		memset(leaked, 0xa5, LEAK_BYTES);
	leaked = NULL;
}

int
main(void)
{
	leak();
	printf("leaked %d bytes\n", LEAK_BYTES);
	return 0;
}
