/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_MR_H
#define MANA_MR_H

/*
 * Memory registration caches. The device reads and writes only memory
 * registered with its handle (mr_reg, an ibv_reg_mr on hardware), named in
 * each SGE by an lkey. A port registers whole mempool memory chunks, once,
 * and finds the lkey of a buffer in two steps:
 *
 *   - struct mana_mr_local, in each queue: a few recent regions, read and
 *     written only by the thread polling that queue, without a lock;
 *   - struct mana_mr_cache, per port and process: every region registered
 *     with the open handle, under a process-local mutex; a miss registers
 *     the buffer's mempool (the datapath's slow path: first packets of a
 *     pool only).
 *
 * A reset or close releases every registration before the handle closes
 * (mana_mr_flush, datapath quiesced) and bumps the cache generation, which
 * empties every local cache at its next use; the next start registers the
 * receive pools again with the new handle.
 */
#include <pthread.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mempool.h>

#include "mana_hw.h"

#define MANA_MR_MAX   64   /* regions per port */
#define MANA_MR_LOCAL 8    /* regions a queue remembers */
#define MANA_LKEY_NONE 0   /* no region: the buffer cannot be used */

struct mana_mr {
	uintptr_t start;
	uintptr_t end;            /* exclusive */
	uint32_t lkey;
};

struct mana_mr_cache {
	pthread_mutex_t lock;     /* process-local; never held across a burst */
	uint32_t gen;             /* bumped by each flush (atomic) */
	unsigned int n;
	struct mana_mr mr[MANA_MR_MAX];
};

struct mana_mr_local {
	uint32_t gen;             /* of the cache these entries came from */
	unsigned int n, next;
	struct mana_mr e[MANA_MR_LOCAL];
};

/* Control path (port init / free). */
int mana_mr_cache_init(struct mana_mr_cache *c);
void mana_mr_cache_fini(struct mana_mr_cache *c);

/* Register every memory chunk of mp not registered yet. 0, or a negative
 * errno (-ENOSPC: too many regions; -EIO: the device is gone). Control path
 * or the datapath's slow path; takes c->lock.
 */
int mana_mr_register_pool(struct mana_mr_cache *c, struct mana_hw *hw, struct rte_mempool *mp);

/* The lkey of a region holding [start, start + len), registering exactly
 * that range when none does (the primary, for a secondary's request:
 * mana_mp.h). 0, -EINVAL, -ENOSPC, or the device's error. Takes c->lock.
 */
int mana_mr_register_range(struct mana_mr_cache *c, struct mana_hw *hw, uintptr_t start,
			   size_t len, uint32_t *lkey);

/* Release every registration with hw (before hw closes, datapath
 * quiesced) and empty the local caches. Takes c->lock.
 */
void mana_mr_flush(struct mana_mr_cache *c, struct mana_hw *hw);

/* How many regions are registered now (xstats). */
unsigned int mana_mr_count(struct mana_mr_cache *c);

/* The slow path of mana_mr_lkey. */
uint32_t mana_mr_lookup_slow(struct mana_mr_local *l, struct mana_mr_cache *c,
			     struct mana_hw *hw, struct rte_mempool *mp, uintptr_t addr,
			     uint32_t len);

/* The lkey of [addr, addr + len), a buffer of mp, or MANA_LKEY_NONE. Called
 * by the thread polling the queue that owns l, inside the datapath guard.
 */
static inline uint32_t
mana_mr_lkey(struct mana_mr_local *l, struct mana_mr_cache *c, struct mana_hw *hw,
	     struct rte_mempool *mp, uintptr_t addr, uint32_t len)
{
	unsigned int i;

	if (likely(l->gen == __atomic_load_n(&c->gen, __ATOMIC_ACQUIRE)))
		for (i = 0; i < l->n; i++)
			if (addr >= l->e[i].start && addr + len <= l->e[i].end)
				return l->e[i].lkey;
	return mana_mr_lookup_slow(l, c, hw, mp, addr, len);
}

#endif /* MANA_MR_H */
