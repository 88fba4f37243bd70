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
/* DPDK's heap lock orders a free before any later allocation of the same
 * memory; ThreadSanitizer cannot see it (DPDK is not instrumented). In
 * ThreadSanitizer builds our allocations and frees also pass through one
 * instrumented mutex, whole: rte_free writes (zeroes) the block before it
 * hands it back, so the lock must cover the free itself, not follow it.
 */
#include <pthread.h>

extern pthread_mutex_t mana_heap_lock;
#define MANA_HEAP_LOCK() pthread_mutex_lock(&mana_heap_lock)
#define MANA_HEAP_UNLOCK() pthread_mutex_unlock(&mana_heap_lock)
#else
#define MANA_HEAP_LOCK() do { } while (0)
#define MANA_HEAP_UNLOCK() do { } while (0)
#endif

static inline void *
mana_zmalloc(const char *type, size_t size, unsigned int align, int socket)
{
	void *p;

	MANA_HEAP_LOCK();
	p = rte_zmalloc_socket(type, size, align, socket);
	MANA_HEAP_UNLOCK();
	return p;
}

static inline void
mana_free(void *p)
{
	MANA_HEAP_LOCK();
	rte_free(p);
	MANA_HEAP_UNLOCK();
}

#endif /* MANA_MEM_H */
