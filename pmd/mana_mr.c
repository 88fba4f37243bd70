/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Memory registration caches (see mana_mr.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "mana_log.h"
#include "mana_mr.h"

int
mana_mr_cache_init(struct mana_mr_cache *c)
{
	memset(c, 0, sizeof(*c));
	/* Each process's caches count generations from their own start: a
	 * queue's local cache (shared memory) filled in one process is stale
	 * for another's cache, should another process poll the queue next.
	 */
	c->gen = (uint32_t)getpid() << 16;
	return -pthread_mutex_init(&c->lock, NULL);
}

void
mana_mr_cache_fini(struct mana_mr_cache *c)
{
	pthread_mutex_destroy(&c->lock);
}

/* The region holding [addr, addr + len), or NULL. c->lock held. */
static const struct mana_mr *
mr_find(const struct mana_mr_cache *c, uintptr_t addr, uint32_t len)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (addr >= c->mr[i].start && addr + len <= c->mr[i].end)
			return &c->mr[i];
	return NULL;
}

/* Register [start, start + len) with hw and remember it. c->lock held. */
static int
mr_add_locked(struct mana_mr_cache *c, struct mana_hw *hw, uintptr_t start, size_t len,
	      uint32_t *lkey)
{
	int ret;

	if (c->n == MANA_MR_MAX)
		return -ENOSPC;
	ret = hw->ops->mr_reg(hw, (void *)start, len, lkey);
	if (ret != 0)
		return ret;
	c->mr[c->n].start = start;
	c->mr[c->n].end = start + len;
	c->mr[c->n].lkey = *lkey;
	c->n++;
	return 0;
}

struct mr_reg_ctx {
	struct mana_mr_cache *c;
	struct mana_hw *hw;
	int ret;
};

static void
mr_reg_chunk(struct rte_mempool *mp, void *arg, struct rte_mempool_memhdr *hdr, unsigned int idx)
{
	struct mr_reg_ctx *x = arg;
	struct mana_mr_cache *c = x->c;
	uintptr_t start = (uintptr_t)hdr->addr;
	uint32_t lkey;
	int ret;

	(void)idx;
	if (x->ret != 0 || mr_find(c, start, (uint32_t)RTE_MIN(hdr->len, (size_t)UINT32_MAX)) != NULL)
		return;
	ret = mr_add_locked(c, x->hw, start, hdr->len, &lkey);
	if (ret == -ENOSPC)
		MANA_DRV_LOG(ERR, "mempool %s: more than %u memory regions on one port", mp->name,
			     MANA_MR_MAX);
	x->ret = ret;
}

/* c->lock held. */
static int
mr_register_pool_locked(struct mana_mr_cache *c, struct mana_hw *hw, struct rte_mempool *mp)
{
	struct mr_reg_ctx x = { .c = c, .hw = hw, .ret = 0 };

	rte_mempool_mem_iter(mp, mr_reg_chunk, &x);
	return x.ret;
}

int
mana_mr_register_pool(struct mana_mr_cache *c, struct mana_hw *hw, struct rte_mempool *mp)
{
	int ret;

	pthread_mutex_lock(&c->lock);
	ret = mr_register_pool_locked(c, hw, mp);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int
mana_mr_register_range(struct mana_mr_cache *c, struct mana_hw *hw, uintptr_t start,
		       size_t len, uint32_t *lkey)
{
	const struct mana_mr *mr;
	int ret = 0;

	if (len == 0 || len > UINT32_MAX || start + len < start)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	mr = mr_find(c, start, (uint32_t)len);
	if (mr != NULL)
		*lkey = mr->lkey;
	else
		ret = mr_add_locked(c, hw, start, len, lkey);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

void
mana_mr_flush(struct mana_mr_cache *c, struct mana_hw *hw)
{
	unsigned int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->n; i++)
		hw->ops->mr_dereg(hw, c->mr[i].lkey);
	c->n = 0;
	/* Every local cache is stale from now on. */
	__atomic_store_n(&c->gen, c->gen + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&c->lock);
}

unsigned int
mana_mr_count(struct mana_mr_cache *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->lock);
	n = c->n;
	pthread_mutex_unlock(&c->lock);
	return n;
}

uint32_t
mana_mr_lookup_slow(struct mana_mr_local *l, struct mana_mr_cache *c, struct mana_hw *hw,
		    struct rte_mempool *mp, uintptr_t addr, uint32_t len)
{
	const struct mana_mr *mr;
	uint32_t lkey = MANA_LKEY_NONE;

	pthread_mutex_lock(&c->lock);
	if (l->gen != c->gen) {
		l->gen = c->gen;
		l->n = 0;
		l->next = 0;
	}
	mr = mr_find(c, addr, len);
	if (mr == NULL && mp != NULL && mr_register_pool_locked(c, hw, mp) == 0)
		mr = mr_find(c, addr, len);
	if (mr != NULL) {
		lkey = mr->lkey;
		l->e[l->next] = *mr;
		l->next = (l->next + 1) % MANA_MR_LOCAL;
		if (l->n < MANA_MR_LOCAL)
			l->n++;
	}
	pthread_mutex_unlock(&c->lock);
	return lkey;
}
