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
	q->wqe = NULL;
	q->cqe = NULL;
	q->created = false;
}

static struct sim_queue *
sim_queue_of(struct sim_dev *d, enum mana_hwq_type type, uint16_t idx)
{
	if (idx >= MANA_MAX_QUEUES)
		return NULL;
	return type == MANA_HWQ_SQ ? &d->sq[idx] : &d->rq[idx];
}

int
sim_queue_create(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx, uint32_t nb_desc,
		 int socket_id, struct mana_hw_queue *out)
{
	struct sim_dev *d = ((struct sim_proc *)hw)->dev;
	struct sim_queue *q = sim_queue_of(d, type, idx);
	uint32_t n;
	size_t wq_bytes;
	void *mem;
	int ret;

	if (q == NULL || nb_desc == 0 || nb_desc > MANA_MAX_DESC)
		return -EINVAL;
	n = rte_align32pow2(RTE_MAX(nb_desc, MANA_MIN_DESC));
	wq_bytes = (size_t)n * sizeof(struct mana_wqe);
	mem = mana_zmalloc("mana_sim_queue", wq_bytes + (size_t)n * sizeof(struct mana_cqe),
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
	q->wqe = mem;
	q->cqe = (struct mana_cqe *)((char *)mem + wq_bytes);
	q->mask = n - 1;
	q->wq_tail = 0;
	q->cq_prod = 0;
	q->created = true;
	sim_unlock(&q->lock);

	out->wqe = q->wqe;
	out->cqe = q->cqe;
	out->nb_desc = n;
	out->db_offset = type == MANA_HWQ_SQ ? MANA_DB_SQ_OFFSET(idx) : MANA_DB_RQ_OFFSET(idx);
	/* A new queue starts from producer index 0. */
	__atomic_store_n((uint32_t *)((char *)((struct sim_proc *)hw)->db + out->db_offset), 0,
			 __ATOMIC_RELEASE);
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

uint32_t
sim_db_read(unsigned int slot, uint32_t offset)
{
	/* Pairs with the driver's store-release of the producer index. */
	return __atomic_load_n((uint32_t *)((char *)sim_db_map[slot] + offset), __ATOMIC_ACQUIRE);
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
