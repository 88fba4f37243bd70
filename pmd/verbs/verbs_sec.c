/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * A secondary process's view of a net_mana port (mana_hw.h: the device
 * ops' attach). The primary owns the verbs context; the driver core maps
 * the doorbell page itself from the command fd the primary shares (as
 * net/mana's secondaries do). The hardware works its queues by itself, so
 * a secondary's handle has nothing to do on the datapath (no kick) and
 * nothing to ask the device: every op is refused. Calls nothing of the
 * other files. The thread probing or removing the device; close on the
 * resynchronization or rte_mp thread of the secondary.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>

#include "pmd/mana_hw_refuse.h"
#include "verbs_priv.h"

static void
vs_close(struct mana_hw *hw)
{
	free(hw);
}

/* MANA's port counters are not reachable through verbs (the primary's
 * handle says the same).
 */
static int
vs_stats(struct mana_hw *hw __rte_unused, struct mana_hw_stats *st __rte_unused)
{
	return -ENOTSUP;
}

static const struct mana_hw_ops verbs_sec_ops = {
	.name = "verbs-secondary",
	.close = vs_close,
	.query = mana_hw_refuse_query,
	.queue_create = mana_hw_refuse_queue_create,
	.queue_destroy = mana_hw_refuse_queue_destroy,
	.vport_start = mana_hw_refuse_vport_start,
	.vport_stop = mana_hw_refuse_vport_stop,
	.db_page = mana_hw_refuse_db_page,
	.stats = vs_stats,
	.event_fd = mana_hw_refuse_event_fd,
	.event_get = mana_hw_refuse_event_get,
	.kick = NULL,   /* the hardware works its queues itself */
	.mr_reg = mana_hw_refuse_mr_reg,
	.mr_dereg = mana_hw_refuse_mr_dereg,
};

/* The device as a secondary sees it: there, in the primary's hands. */
static enum mana_hw_presence
vs_dev_probe(struct mana_hw_dev *d __rte_unused)
{
	return MANA_HWP_READY;
}

static int
vs_dev_open(struct mana_hw_dev *d __rte_unused, struct mana_hw **hw __rte_unused)
{
	return -EPERM;
}

static void
vs_dev_destroy(struct mana_hw_dev *d)
{
	free(d);
}

static int
vs_dev_attach(struct mana_hw_dev *d __rte_unused, struct mana_hw **out)
{
	struct mana_hw *hw = calloc(1, sizeof(*hw));

	if (hw == NULL)
		return -ENOMEM;
	hw->ops = &verbs_sec_ops;
	*out = hw;
	return 0;
}

static const struct mana_hw_dev_ops verbs_sec_dev_ops = {
	.probe = vs_dev_probe,
	.open = vs_dev_open,
	.destroy = vs_dev_destroy,
	.attach = vs_dev_attach,
};

int
verbs_sec_dev_create(struct mana_hw_dev **out)
{
	struct mana_hw_dev *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return -ENOMEM;
	d->ops = &verbs_sec_dev_ops;
	*out = d;
	return 0;
}
