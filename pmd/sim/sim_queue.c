/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Queues and doorbell pages. A queue's rings are memory every process of the
 * instance sees (mana_mem.h); its hardware state is in the hub, under the
 * queue's lock. A handle's doorbell page is a memfd the driver maps; when the
 * handle closes the page is truncated and its address kept inaccessible
 * (buried), so any late access faults as one to a revoked BAR page would.
 * Calls only the hub.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pmd/mana_mem.h"
#include "sim_priv.h"

void
sim_queue_free(struct sim_queue *q)
{
	mana_free(q->mem);
	q->mem = NULL;
	q->wq = NULL;
	q->cq = NULL;
	q->created = false;
	q->broken = false;
}

static struct sim_queue *
sim_queue_of(struct sim_dev *d, enum mana_hwq_type type, uint16_t idx)
{
	if (idx >= MANA_MAX_QUEUES)
		return NULL;
	return type == MANA_HWQ_SQ ? &d->sq[idx] : &d->rq[idx];
}

/*
 * Queue ids, 24 bits, as a device numbers its objects: bits 17..23 from the
 * incarnation (a stale id does not name the next one's queue), bits 10..16
 * the object (0x20 + idx: SQ, 0x40 + idx: RQ, 0x60 + idx: an SQ's CQ,
 * 0x70 + idx: an RQ's CQ; so an SQ's VSQ frame number, bits 10..23, is
 * never 0), bits 0..9 a constant per kind.
 */
#define SIM_ID_OBJ_SHIFT  10
#define SIM_ID_SQ         0x20u
#define SIM_ID_RQ         0x40u
#define SIM_ID_SQ_CQ      0x60u
#define SIM_ID_RQ_CQ      0x70u

static uint32_t
sim_id(const struct sim_dev *d, uint32_t obj, uint32_t low)
{
	return (uint32_t)(d->identity & 0x7f) << 17 | obj << SIM_ID_OBJ_SHIFT | low;
}

struct sim_queue *
sim_queue_by_id(struct sim_dev *d, enum mana_hwq_type type, uint32_t id)
{
	uint32_t obj = (id >> SIM_ID_OBJ_SHIFT) & 0x7f;
	uint32_t base = type == MANA_HWQ_SQ ? SIM_ID_SQ : SIM_ID_RQ;

	if (obj < base || obj >= base + MANA_MAX_QUEUES)
		return NULL;
	return sim_queue_of(d, type, (uint16_t)(obj - base));
}

int
sim_queue_create(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx, uint32_t nb_desc,
		 int socket_id, struct mana_hw_queue *out)
{
	struct sim_proc *p = (struct sim_proc *)hw;
	struct sim_dev *d = p->dev;
	struct sim_queue *q = sim_queue_of(d, type, idx);
	bool sq = type == MANA_HWQ_SQ;
	uint32_t n, wq_size;
	void *mem;
	int ret;

	if (q == NULL || nb_desc == 0 || nb_desc > MANA_MAX_DESC)
		return -EINVAL;
	n = rte_align32pow2(RTE_MAX(nb_desc, MANA_MIN_DESC));
	/* n WQEs of the largest size, n CQEs: what a verbs QP / WQ and CQ
	 * created for n entries hold.
	 */
	wq_size = n * (sq ? MANA_TX_WQE_MAX_BU : MANA_RX_WQE_BU) * MANA_GDMA_BU;
	mem = mana_zmalloc("mana_sim_queue", (size_t)wq_size + (size_t)n * MANA_GDMA_CQE_LEN,
			   RTE_CACHE_LINE_SIZE, socket_id);
	if (mem == NULL)
		return -ENOMEM;

	sim_lock(&q->lock);
	/* up changes only with every queue lock held. */
	if (!d->up || q->created) {
		ret = d->up ? -EBUSY : -EIO;
		sim_unlock(&q->lock);
		mana_free(mem);
		return ret;
	}
	q->mem = mem;
	q->wq = mem;
	q->wq_size = wq_size;
	q->wq_tail = 0;
	q->db_tail = 0;
	q->cq = (uint8_t *)mem + wq_size;
	q->cq_count = n;
	q->cq_prod = n;
	q->wq_id = sim_id(d, (sq ? SIM_ID_SQ : SIM_ID_RQ) + idx, sq ? 0x1 : 0x2);
	q->cq_id = sim_id(d, (sq ? SIM_ID_SQ_CQ : SIM_ID_RQ_CQ) + idx, 0x3);
	q->vp_offset = sq ? (uint8_t)(0x10 + p->slot) : 0;
	q->broken = false;
	q->pend_nb = 0;
	q->created = true;
	out->wq_buf = q->wq;
	out->wq_size = q->wq_size;
	out->wq_count = n;
	out->wq_id = q->wq_id;
	out->tx_vp_offset = q->vp_offset;
	out->cq_buf = q->cq;
	out->cq_count = q->cq_count;
	out->cq_id = q->cq_id;
	sim_unlock(&q->lock);
	return 0;
}

void
sim_queue_destroy(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;
	struct sim_queue *q = sim_queue_of(d, type, idx);

	if (q == NULL)
		return;
	sim_lock(&q->lock);
	sim_queue_free(q);
	sim_unlock(&q->lock);
}

int
sim_db_create(const char *name, int *fd_out, void **db_out)
{
	char label[MANA_SIM_NAME_LEN + 16];
	int fd, ret;
	void *db;

	snprintf(label, sizeof(label), "mana_sim_db_%s", name);
	fd = memfd_create(label, MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, MANA_DB_PAGE_SIZE) != 0) {
		ret = -errno;
		goto err_close;
	}
	db = mmap(NULL, MANA_DB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (db == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	*fd_out = fd;
	*db_out = db;
	return 0;
err_close:
	close(fd);
	return ret;
}

/*
 * A closed handle's doorbell page must fault on any late access, as the
 * hardware's BAR mapping would: unmapping it is not enough (the next handle's
 * page may land at the same address and take the stray write). The address
 * stays reserved with no access for the next SIM_GRAVES handles.
 */
void
sim_db_bury(struct sim_device *o, void *db)
{
	void *old = NULL;

	if (mmap(db, MANA_DB_PAGE_SIZE, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE, -1, 0) == MAP_FAILED) {
		munmap(db, MANA_DB_PAGE_SIZE);
		return;
	}
	pthread_mutex_lock(&o->lock);
	if (o->nb_graves == SIM_GRAVES) {
		old = o->graves[0];
		memmove(o->graves, o->graves + 1, sizeof(o->graves[0]) * (SIM_GRAVES - 1));
		o->nb_graves--;
	}
	o->graves[o->nb_graves++] = db;
	pthread_mutex_unlock(&o->lock);
	if (old != NULL)
		munmap(old, MANA_DB_PAGE_SIZE);
}

void
sim_db_graves_free(struct sim_device *o)
{
	while (o->nb_graves > 0)
		munmap(o->graves[--o->nb_graves], MANA_DB_PAGE_SIZE);
}
