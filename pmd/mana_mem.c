/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * ThreadSanitizer builds' allocator of shared queue memory (mana_mem.h).
 *
 * DPDK's heap is not instrumented, so ThreadSanitizer reports the reuse of
 * a block another thread freed (ethdev's frees included). These builds take
 * the memory several threads touch from an arena of their own instead: one
 * memzone (shared memory, so secondary processes see the queues at the same
 * address), carved by power-of-two size classes under a pthread mutex that
 * ThreadSanitizer follows, blocks of a class reused as they are freed.
 * Only the primary allocates (a secondary never creates queues); a block
 * the arena cannot give comes from the C library, which only that process
 * sees.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_log.h>
#include <rte_memzone.h>

#include "mana_mem.h"

#if defined(__SANITIZE_THREAD__)

#define ARENA_NAME    "mana_tsan_arena"
#define ARENA_SIZE    (48u << 20)
#define ARENA_HDR     64u                 /* before each block: its class */
#define ARENA_CLASSES 27                  /* 2^6 .. 2^32 bytes */
#define ARENA_MAGIC   0x6d656d61u         /* "mema" */

struct arena_hdr {
	uint32_t magic;
	uint32_t cls;
	void *next;                           /* free list link while free */
};

static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *arena_base, *arena_end, *arena_bump;
static struct arena_hdr *arena_free[ARENA_CLASSES];
static bool arena_tried;

/* arena_lock held. */
static bool
arena_ready(void)
{
	const struct rte_memzone *mz;

	if (arena_base != NULL || arena_tried)
		return arena_base != NULL;
	arena_tried = true;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return false;
	mz = rte_memzone_reserve_aligned(ARENA_NAME, ARENA_SIZE, SOCKET_ID_ANY, 0, 4096);
	if (mz == NULL) {
		RTE_LOG(NOTICE, PMD, "mana: no %u MB memzone for queue memory: queues in this process's own memory (no secondary process can use them)\n",
			ARENA_SIZE >> 20);
		return false;
	}
	arena_base = arena_bump = mz->addr;
	arena_end = arena_base + mz->len;
	return true;
}

void *
mana_tsan_zmalloc(size_t size, unsigned int align)
{
	struct arena_hdr *h = NULL;
	unsigned int cls = 0;
	size_t need = size + ARENA_HDR;
	void *p;

	while (cls < ARENA_CLASSES && ((size_t)64 << cls) < need)
		cls++;
	pthread_mutex_lock(&arena_lock);
	if (align <= ARENA_HDR && cls < ARENA_CLASSES && arena_ready()) {
		h = arena_free[cls];
		if (h != NULL) {
			arena_free[cls] = h->next;
		} else if ((size_t)(arena_end - arena_bump) >= ((size_t)64 << cls)) {
			h = (struct arena_hdr *)arena_bump;
			arena_bump += (size_t)64 << cls;
		}
	}
	pthread_mutex_unlock(&arena_lock);
	if (h == NULL) {
		if (align < ARENA_HDR)
			align = ARENA_HDR;
		if (posix_memalign(&p, align, size) != 0)
			return NULL;
		memset(p, 0, size);
		return p;
	}
	h->magic = ARENA_MAGIC;
	h->cls = cls;
	h->next = NULL;
	p = (uint8_t *)h + ARENA_HDR;
	memset(p, 0, size);
	return p;
}

void
mana_tsan_free(void *p)
{
	struct arena_hdr *h;

	if (p == NULL)
		return;
	if (arena_base == NULL || (uint8_t *)p < arena_base || (uint8_t *)p >= arena_end) {
		free(p);
		return;
	}
	h = (struct arena_hdr *)((uint8_t *)p - ARENA_HDR);
	pthread_mutex_lock(&arena_lock);
	if (h->magic == ARENA_MAGIC && h->cls < ARENA_CLASSES) {
		h->next = arena_free[h->cls];
		arena_free[h->cls] = h;
	}
	pthread_mutex_unlock(&arena_lock);
}

#endif /* __SANITIZE_THREAD__ */
