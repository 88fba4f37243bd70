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
 * this memory from an arena of their own (mana_mem.c): shared memory too, so
 * secondary processes work in those builds as well.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#if defined(__SANITIZE_THREAD__)
void *mana_tsan_zmalloc(size_t size, unsigned int align);
void mana_tsan_free(void *p);
#endif

static inline void *
mana_zmalloc(const char *type, size_t size, unsigned int align, int socket)
{
#if defined(__SANITIZE_THREAD__)
	RTE_SET_USED(type);
	RTE_SET_USED(socket);
	return mana_tsan_zmalloc(size, align);
#else
	return rte_zmalloc_socket(type, size, align, socket);
#endif
}

static inline void
mana_free(void *p)
{
#if defined(__SANITIZE_THREAD__)
	mana_tsan_free(p);
#else
	rte_free(p);
#endif
}

#endif /* MANA_MEM_H */
