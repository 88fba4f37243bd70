/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_MEM_H
#define MANA_MEM_H

/*
 * Allocation of memory that several threads touch (queues, rings). Any
 * thread may call these.
 *
 * DPDK's heap is not instrumented: ThreadSanitizer cannot see that a block
 * freed by one thread (rte_free writes it) and handed out again to another
 * was ordered by the heap's lock, and reports the reuse, whoever freed the
 * block (ethdev's own frees included). ThreadSanitizer builds therefore take
 * this memory from the C library, whose allocator it follows exactly. Those
 * builds serve single-process tests: a secondary process could not see
 * such memory.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

static inline void *
mana_zmalloc(const char *type, size_t size, unsigned int align, int socket)
{
#if defined(__SANITIZE_THREAD__)
	void *p;

	RTE_SET_USED(type);
	RTE_SET_USED(socket);
	if (align < RTE_CACHE_LINE_SIZE)
		align = RTE_CACHE_LINE_SIZE;
	if (posix_memalign(&p, align, size) != 0)
		return NULL;
	memset(p, 0, size);
	return p;
#else
	return rte_zmalloc_socket(type, size, align, socket);
#endif
}

static inline void
mana_free(void *p)
{
#if defined(__SANITIZE_THREAD__)
	free(p);
#else
	rte_free(p);
#endif
}

#endif /* MANA_MEM_H */
