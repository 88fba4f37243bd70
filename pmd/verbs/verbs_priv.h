/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef VERBS_PRIV_H
#define VERBS_PRIV_H

/*
 * What the verbs backend's files share. Files, lowest first (each calls
 * only files above it):
 *   verbs_sysfs.c   sysfs: ibdev of a PCI address, port MAC (plain C)
 *   verbs_ctx.c     context, PD, async events, MRs (plain C + ibverbs)
 *   verbs_log.c     the log type pmd.net.mana.verbs
 *   verbs_queue.c   MANA only: manadv allocators, CQs, WQs, QPs, RSS QP
 *   verbs_handle.c  the mana_hw_ops table on one incarnation
 *   verbs_dev.c     the mana_hw_dev_ops: a port's device across incarnations
 *   verbs_args.c    the devargs (mac=, then the core's common ones)
 *   verbs_pci.c     the net_mana PCI driver: probe, remove, registration
 *
 * Locking: a struct verbs_dev and its open struct verbs_hw are used by one
 * control thread at a time (the core serializes its control ops and the
 * reset thread's, mana_hw.h); the async channel is read by the EAL
 * interrupt thread alone; memory registration takes vc.mr_lock
 * (verbs_ctx.h). Nothing here is shared between processes: only primary
 * processes are supported.
 */
#include <stdbool.h>
#include <stdint.h>

#include <infiniband/verbs.h>
#include <rte_log.h>

#include "pmd/mana_hw.h"
#include "pmd/mana_log.h"
#include "verbs_ctx.h"

/* Microsoft's PCI vendor id and MANA's device ids. */
#define VERBS_PCI_VENDOR_MICROSOFT 0x1414
#define VERBS_PCI_DEVICE_MANA_VF   0x00ba
#define VERBS_PCI_DEVICE_MANA_PF   0x00b9

/* Queues per port this backend tracks (the driver core's limit too). */
#define VERBS_MAX_QUEUES 64u

#define VERBS_SYSFS_ROOT "/sys"

extern int mana_verbs_logtype;
#define VERBS_LOG(level, fmt, ...) MANA_LOG_(mana_verbs_logtype, level, fmt, ## __VA_ARGS__)

/* A send queue: its completion queue and its raw-packet QP, and what
 * manadv_init_obj says of them (ids the GDMA datapath names in its WQEs
 * and doorbells).
 */
struct verbs_sq {
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	uint32_t sq_id;
	uint32_t cq_id;
	uint32_t tx_vp_offset;
};

/* A receive queue: its completion queue and its work queue. */
struct verbs_rq {
	struct ibv_cq *cq;
	struct ibv_wq *wq;
	uint32_t wq_id;
	uint32_t cq_id;
};

struct verbs_dev;

/* A handle on one incarnation of the device (the struct mana_hw). */
struct verbs_hw {
	struct mana_hw base;            /* first: the core sees this */
	struct verbs_dev *dev;
	struct verbs_ctx vc;
	void *db_page;                  /* the doorbell page, mapped at open */
	size_t db_len;
	struct ibv_pd *ppd;             /* parent domain naming the port */
	struct verbs_sq sq[VERBS_MAX_QUEUES];
	struct verbs_rq rq[VERBS_MAX_QUEUES];
	struct ibv_rwq_ind_table *ind;  /* while the vport is started */
	struct ibv_qp *rss_qp;
};

/* A port's device across incarnations (the struct mana_hw_dev). */
struct verbs_dev {
	struct mana_hw_dev base;        /* first: the core sees this */
	char pci[32];                   /* the PCI address it sits on */
	char name[64];                  /* the ethdev port's name, for logs */
	const char *sysfs;              /* VERBS_SYSFS_ROOT; tests: a fake tree */
	uint8_t port;                   /* IB port, 1-based */
	uint8_t mac[6];                 /* the port's MAC when probed */
	bool has_mac;
	struct verbs_hw *open;          /* the open handle, or NULL */
	/* The registration last opened (verbs_sysfs_ibdev_id, and its name);
	 * 0: none yet. Probe says SAME while sysfs still has that one.
	 */
	uint64_t opened_id;
	char opened_ibdev[VERBS_IBDEV_NAME_MAX];
};

/* verbs_queue.c: MANA only (manadv). */
int verbs_queue_pd_open(struct verbs_hw *vh);
void verbs_queue_pd_close(struct verbs_hw *vh);
int verbs_queue_create(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx,
		       uint32_t nb_desc, int socket_id, struct mana_hw_queue *q);
void verbs_queue_destroy(struct mana_hw *hw, enum mana_hwq_type type, uint16_t idx);
int verbs_queue_rss_start(struct mana_hw *hw, const struct mana_vport_cfg *cfg);
void verbs_queue_rss_stop(struct mana_hw *hw);
/* Every queue and the RSS QP (close, in the kernel's order). */
void verbs_queue_destroy_all(struct verbs_hw *vh);

/* verbs_handle.c */
int verbs_hw_open(struct verbs_dev *vd, const char *ibdev, struct verbs_hw **out);

/* verbs_dev.c */
int verbs_dev_create(const char *pci, const char *name, uint8_t port, const uint8_t mac[6],
		     const char *sysfs, struct verbs_dev **out);

/* verbs_sec.c: a secondary process's view of a port (attach only). */
int verbs_sec_dev_create(struct mana_hw_dev **out);

#endif /* VERBS_PRIV_H */
