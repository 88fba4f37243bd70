/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef VERBS_CTX_H
#define VERBS_CTX_H

/*
 * One open verbs device, the part of the backend any RDMA device has (rxe
 * too): the context, its protection domain, its async event channel and
 * the memory registrations made on that domain. The MANA-only parts
 * (queues through manadv, the doorbell page) sit on top of it in
 * verbs_queue.c. The real-kernel test (tests/verbs/rxe_cycle.c) runs this
 * file unchanged on rdma_rxe.
 *
 * Plain C on libibverbs, no DPDK. Nothing is logged: a failure returns a
 * negative errno and leaves the reason ("ibv_open_device: Permission
 * denied") in vc->why for the caller to log once, with its device name.
 *
 * Ownership: the caller owns struct verbs_ctx; verbs_ctx_open fills it,
 * verbs_ctx_close releases everything it holds, in the order the kernel
 * requires (memory regions, then the domain, then the context).
 *
 * Threads: open and close on the control path, never concurrently with any
 * other call on the same vc. event_get from one thread at a time (the EAL
 * interrupt thread). mr_reg and mr_dereg from any thread: they take
 * vc->mr_lock (a plain mutex, never held across anything but the verbs
 * call and the table update).
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <infiniband/verbs.h>

#include "verbs_sysfs.h"

struct verbs_ctx {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	uint64_t node_guid;          /* host order: the device's identity */
	uint32_t vendor_id;          /* PCI vendor (0x1414: Microsoft) */
	uint32_t vendor_part_id;     /* PCI device */
	uint8_t phys_port_cnt;
	uint32_t max_qp_wr;
	int max_sge;
	int max_qp;
	int max_cq;
	int max_cqe;
	int max_mr;
	char ibdev[VERBS_IBDEV_NAME_MAX];
	char why[128];               /* why the last call failed */

	pthread_mutex_t mr_lock;     /* guards mrs, nb_mrs, cap_mrs */
	struct ibv_mr **mrs;
	unsigned int nb_mrs;
	unsigned int cap_mrs;
};

/* Open the verbs device named ibdev (as the kernel names it now), query it,
 * allocate its protection domain and make its async event fd non-blocking.
 * 0; -ENOENT when ibv_get_device_list does not list ibdev (it went away
 * between the sysfs lookup and now, or is not ready yet); -errno of the
 * failing verbs call (ibv_get_device_list's, e.g. -ENOSYS without
 * ib_uverbs).
 */
int verbs_ctx_open(struct verbs_ctx *vc, const char *ibdev);

/* Release every memory region still registered, the domain and the
 * context. Returns how many regions were still registered (the caller
 * counts them as leaked). Also for a device that was disassociated.
 */
unsigned int verbs_ctx_close(struct verbs_ctx *vc);

/* The async event fd (readable when an event is pending). */
int verbs_ctx_event_fd(const struct verbs_ctx *vc);

/* Take one pending async event and acknowledge it: 1 and *type; 0 when
 * none is pending; -EIO when the channel failed (the device was
 * disassociated: it may fail so again, every time), another -errno.
 */
int verbs_ctx_event_get(struct verbs_ctx *vc, enum ibv_event_type *type);

/* ibv_reg_mr of [addr, addr + len) on the domain with local write access:
 * 0 and *lkey; -ENOSPC when the table cannot grow; -errno of ibv_reg_mr
 * (EIO on a disassociated device).
 */
int verbs_ctx_mr_reg(struct verbs_ctx *vc, void *addr, size_t len, uint32_t *lkey);

/* ibv_dereg_mr of the region lkey names: 0, -ENOENT if none, -errno. */
int verbs_ctx_mr_dereg(struct verbs_ctx *vc, uint32_t lkey);

/* Regions registered now. */
unsigned int verbs_ctx_mr_count(struct verbs_ctx *vc);

#endif /* VERBS_CTX_H */
