/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_MEM_H
#define MANA_MEM_H

/*
 * Allocation of memory that several threads touch (queues, rings). DPDK's
 * heap is not instrumented, so ThreadSanitizer cannot see that memory freed
 * by one thread and handed out again to another was ordered by the heap's
 * lock; in ThreadSanitizer builds mana_zmalloc and mana_free tell it.
 * Any thread may call it.
 */
#include <stddef.h>

#include <rte_malloc.h>

#if defined(__SANITIZE_THREAD__)
/* DPDK's heap lock orders every free before every later allocation; say so
 * to ThreadSanitizer with one synchronization object.
 */
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
extern int mana_heap_sync;
#define MANA_HEAP_ACQUIRE() __tsan_acquire(&mana_heap_sync)
#define MANA_HEAP_RELEASE() __tsan_release(&mana_heap_sync)
#else
#define MANA_HEAP_ACQUIRE() do { } while (0)
#define MANA_HEAP_RELEASE() do { } while (0)
#endif

static inline void *
mana_zmalloc(const char *type, size_t size, unsigned int align, int socket)
{
	void *p = rte_zmalloc_socket(type, size, align, socket);

	MANA_HEAP_ACQUIRE();
	return p;
}

static inline void
mana_free(void *p)
{
	rte_free(p);           /* which writes the memory (zeroes it) */
	MANA_HEAP_RELEASE();
}

#endif /* MANA_MEM_H */
