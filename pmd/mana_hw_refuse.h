/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_HW_REFUSE_H
#define MANA_HW_REFUSE_H

/*
 * struct mana_hw_ops entries for a handle that may change nothing on the
 * device: a secondary process's (the core's own in mana_sec.c, and each
 * backend's). They refuse (-EPERM), or do nothing where the op cannot fail.
 * No state; any thread.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "mana_hw.h"

static inline int
mana_hw_refuse_query(struct mana_hw *hw, struct mana_hw_caps *caps)
{
	(void)hw;
	(void)caps;
	return -EPERM;
}

static inline int
mana_hw_refuse_queue_create(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx,
			    uint32_t nb_desc, int socket_id, struct mana_hw_queue *q)
{
	(void)hw;
	(void)type;
	(void)idx;
	(void)nb_desc;
	(void)socket_id;
	(void)q;
	return -EPERM;
}

static inline void
mana_hw_refuse_queue_destroy(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx)
{
	(void)hw;
	(void)type;
	(void)idx;
}

static inline int
mana_hw_refuse_vport_start(struct mana_hw *hw, const struct mana_vport_cfg *cfg)
{
	(void)hw;
	(void)cfg;
	return -EPERM;
}

static inline void
mana_hw_refuse_vport_stop(struct mana_hw *hw)
{
	(void)hw;
}

/* No doorbell page of its own: the core maps a secondary's. */
static inline void *
mana_hw_refuse_db_page(struct mana_hw *hw)
{
	(void)hw;
	return NULL;
}

static inline int
mana_hw_refuse_event_fd(struct mana_hw *hw)
{
	(void)hw;
	return -1;
}

static inline int
mana_hw_refuse_event_get(struct mana_hw *hw, enum mana_hw_async *ev)
{
	(void)hw;
	(void)ev;
	return 0;
}

static inline int
mana_hw_refuse_mr_reg(struct mana_hw *hw, void *addr, size_t len, uint32_t *lkey)
{
	(void)hw;
	(void)addr;
	(void)len;
	(void)lkey;
	return -EPERM;
}

static inline void
mana_hw_refuse_mr_dereg(struct mana_hw *hw, uint32_t lkey)
{
	(void)hw;
	(void)lkey;
}

#endif /* MANA_HW_REFUSE_H */
