/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Memory registration: the regions the device may read and write (an
 * ibv_reg_mr on hardware), per device slot under d->mr_lock, and the hub's
 * counters of them (mana_sim_mr_stats_get). Calls only the hub.
 */
#include <errno.h>
#include <inttypes.h>

#include "sim_priv.h"

int
sim_mr_reg(struct mana_hw *hw, void *addr, size_t len, uint32_t *lkey)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;
	unsigned int i;

	if (addr == NULL || len == 0)
		return -EINVAL;
	if (!__atomic_load_n(&d->up, __ATOMIC_ACQUIRE))
		return -EIO;
	sim_lock(&d->mr_lock);
	for (i = 0; i < SIM_MAX_MRS && d->mr[i].valid; i++)
		;
	if (i == SIM_MAX_MRS) {
		sim_unlock(&d->mr_lock);
		return -ENOSPC;
	}
	d->mr_gen = (d->mr_gen + 1) & 0xffffff;
	if (d->mr_gen == 0)
		d->mr_gen = 1;
	d->mr[i].addr = (uint64_t)(uintptr_t)addr;
	d->mr[i].len = len;
	d->mr[i].lkey = (d->mr_gen << 8) | (i + 1);
	d->mr[i].valid = 1;
	*lkey = d->mr[i].lkey;
	sim_unlock(&d->mr_lock);
	__atomic_fetch_add(&sim_hub->mr_registered, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sim_hub->mr_active, 1, __ATOMIC_RELAXED);
	return 0;
}

void
sim_mr_dereg(struct mana_hw *hw, uint32_t lkey)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;
	unsigned int i = (lkey & 0xff) - 1;
	bool found = false;

	sim_lock(&d->mr_lock);
	if (i < SIM_MAX_MRS && d->mr[i].valid && d->mr[i].lkey == lkey) {
		d->mr[i].valid = 0;
		found = true;
	}
	sim_unlock(&d->mr_lock);
	if (found)
		__atomic_fetch_sub(&sim_hub->mr_active, 1, __ATOMIC_RELAXED);
	else
		SIM_LOG(ERR, "%s: release of unknown lkey %#x", d->name, lkey);
}

bool
sim_mr_ok(struct sim_dev *d, uint64_t addr, uint32_t len, uint32_t lkey)
{
	unsigned int i = (lkey & 0xff) - 1;
	bool ok;

	sim_lock(&d->mr_lock);
	ok = i < SIM_MAX_MRS && d->mr[i].valid && d->mr[i].lkey == lkey &&
	     addr >= d->mr[i].addr && addr + len <= d->mr[i].addr + d->mr[i].len;
	sim_unlock(&d->mr_lock);
	if (!ok)
		__atomic_fetch_add(&sim_hub->mr_bad_lkey, 1, __ATOMIC_RELAXED);
	return ok;
}

bool
sim_mr_sgl_ok(struct sim_dev *d, const uint8_t *wq, uint32_t size,
	      const struct mana_gdma_wqe_view *v)
{
	struct mana_gdma_sge sge;
	uint32_t i;

	for (i = 0; i < v->hdr.num_sge; i++) {
		mana_gdma_wqe_sge(wq, size, v, i, &sge);
		if (!sim_mr_ok(d, sge.addr, sge.size, sge.lkey))
			return false;
	}
	return true;
}

/* Registrations still live when the handle closes die with it, as on the
 * hardware; they are counted as leaked (the driver must release them).
 */
void
sim_mr_revoke(struct sim_dev *d)
{
	uint64_t n = 0;
	unsigned int i;

	sim_lock(&d->mr_lock);
	for (i = 0; i < SIM_MAX_MRS; i++)
		if (d->mr[i].valid) {
			d->mr[i].valid = 0;
			n++;
		}
	sim_unlock(&d->mr_lock);
	if (n > 0) {
		SIM_LOG(WARNING, "%s: %" PRIu64 " memory registration(s) leaked by the driver",
			d->name, n);
		__atomic_fetch_add(&sim_hub->mr_leaked, n, __ATOMIC_RELAXED);
		__atomic_fetch_sub(&sim_hub->mr_active, n, __ATOMIC_RELAXED);
	}
}

int
mana_sim_mr_stats_get(struct mana_sim_mr_stats *st)
{
	if (sim_hub == NULL)
		return -ENODEV;
	st->registered = __atomic_load_n(&sim_hub->mr_registered, __ATOMIC_RELAXED);
	st->active = __atomic_load_n(&sim_hub->mr_active, __ATOMIC_RELAXED);
	st->leaked = __atomic_load_n(&sim_hub->mr_leaked, __ATOMIC_RELAXED);
	st->bad_lkey = __atomic_load_n(&sim_hub->mr_bad_lkey, __ATOMIC_RELAXED);
	return 0;
}
