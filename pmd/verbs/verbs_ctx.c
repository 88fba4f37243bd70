/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * An open verbs device: context, protection domain, async events, memory
 * registrations. See verbs_ctx.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <endian.h>

#include "verbs_ctx.h"

static void __attribute__((format(printf, 2, 3)))
ctx_why(struct verbs_ctx *vc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vc->why, sizeof(vc->why), fmt, ap);
	va_end(ap);
}

/* errno as a negative errno, never 0 (some verbs calls fail without it). */
static int
neg_errno(int fallback)
{
	return errno > 0 ? -errno : -fallback;
}

/* Open ibdev from a fresh device list (rdma-core rescans sysfs each time,
 * so a device registered again under a new name is found).
 */
static int
ctx_open_named(struct verbs_ctx *vc, const char *ibdev)
{
	struct ibv_device **list;
	int i, n = 0, ret = -ENOENT;

	errno = 0;
	list = ibv_get_device_list(&n);
	if (list == NULL) {
		ret = neg_errno(ENODEV);
		ctx_why(vc, "ibv_get_device_list: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(ibv_get_device_name(list[i]), ibdev) != 0)
			continue;
		errno = 0;
		vc->ctx = ibv_open_device(list[i]);
		if (vc->ctx == NULL) {
			ret = neg_errno(EIO);
			ctx_why(vc, "ibv_open_device(%s): %s", ibdev, strerror(-ret));
		} else {
			vc->node_guid = be64toh(ibv_get_device_guid(list[i]));
			ret = 0;
		}
		break;
	}
	if (i == n)
		ctx_why(vc, "%s is not among the %d verbs devices", ibdev, n);
	ibv_free_device_list(list);
	return ret;
}

int
verbs_ctx_open(struct verbs_ctx *vc, const char *ibdev)
{
	struct ibv_device_attr attr;
	int flags, ret;

	memset(vc, 0, sizeof(*vc));
	if (strlen(ibdev) >= sizeof(vc->ibdev)) {
		ctx_why(vc, "ibdev name '%s' too long", ibdev);
		return -ENAMETOOLONG;
	}
	strcpy(vc->ibdev, ibdev);
	ret = pthread_mutex_init(&vc->mr_lock, NULL);
	if (ret != 0) {
		ctx_why(vc, "pthread_mutex_init: %s", strerror(ret));
		return -ret;
	}
	ret = ctx_open_named(vc, ibdev);
	if (ret != 0)
		goto err_destroy_lock;
	ret = ibv_query_device(vc->ctx, &attr);
	if (ret != 0) {
		ret = -ret;
		ctx_why(vc, "ibv_query_device(%s): %s", ibdev, strerror(-ret));
		goto err_close_device;
	}
	vc->vendor_id = attr.vendor_id;
	vc->vendor_part_id = attr.vendor_part_id;
	vc->phys_port_cnt = attr.phys_port_cnt;
	vc->max_qp_wr = (uint32_t)attr.max_qp_wr;
	vc->max_sge = attr.max_sge;
	vc->max_qp = attr.max_qp;
	vc->max_cq = attr.max_cq;
	vc->max_cqe = attr.max_cqe;
	vc->max_mr = attr.max_mr;
	errno = 0;
	vc->pd = ibv_alloc_pd(vc->ctx);
	if (vc->pd == NULL) {
		ret = neg_errno(ENOMEM);
		ctx_why(vc, "ibv_alloc_pd(%s): %s", ibdev, strerror(-ret));
		goto err_close_device;
	}
	/* The interrupt thread reads events until none is left. */
	flags = fcntl(vc->ctx->async_fd, F_GETFL);
	if (flags < 0 || fcntl(vc->ctx->async_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		ret = -errno;
		ctx_why(vc, "async fd of %s: fcntl: %s", ibdev, strerror(-ret));
		goto err_dealloc_pd;
	}
	return 0;

err_dealloc_pd:
	ibv_dealloc_pd(vc->pd);
	vc->pd = NULL;
err_close_device:
	ibv_close_device(vc->ctx);
	vc->ctx = NULL;
err_destroy_lock:
	pthread_mutex_destroy(&vc->mr_lock);
	return ret;
}

unsigned int
verbs_ctx_close(struct verbs_ctx *vc)
{
	unsigned int i, leaked = vc->nb_mrs;

	/* The kernel refuses to free a domain that regions still use. */
	for (i = 0; i < vc->nb_mrs; i++)
		ibv_dereg_mr(vc->mrs[i]);
	free(vc->mrs);
	vc->mrs = NULL;
	vc->nb_mrs = 0;
	vc->cap_mrs = 0;
	if (vc->pd != NULL)
		ibv_dealloc_pd(vc->pd);
	vc->pd = NULL;
	if (vc->ctx != NULL)
		ibv_close_device(vc->ctx);
	vc->ctx = NULL;
	pthread_mutex_destroy(&vc->mr_lock);
	return leaked;
}

int
verbs_ctx_event_fd(const struct verbs_ctx *vc)
{
	return vc->ctx != NULL ? vc->ctx->async_fd : -1;
}

int
verbs_ctx_event_get(struct verbs_ctx *vc, enum ibv_event_type *type)
{
	struct ibv_async_event ev;

	errno = 0;
	if (ibv_get_async_event(vc->ctx, &ev) != 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return neg_errno(EIO);
	}
	*type = ev.event_type;
	ibv_ack_async_event(&ev);
	return 1;
}

int
verbs_ctx_mr_reg(struct verbs_ctx *vc, void *addr, size_t len, uint32_t *lkey)
{
	struct ibv_mr *mr;
	int ret = 0;

	pthread_mutex_lock(&vc->mr_lock);
	if (vc->nb_mrs == vc->cap_mrs) {
		unsigned int cap = vc->cap_mrs != 0 ? 2 * vc->cap_mrs : 16;
		struct ibv_mr **mrs = realloc(vc->mrs, cap * sizeof(*mrs));

		if (mrs == NULL) {
			ret = -ENOSPC;
			goto out_unlock;
		}
		vc->mrs = mrs;
		vc->cap_mrs = cap;
	}
	errno = 0;
	mr = ibv_reg_mr(vc->pd, addr, len, IBV_ACCESS_LOCAL_WRITE);
	if (mr == NULL) {
		ret = neg_errno(EIO);
		goto out_unlock;
	}
	vc->mrs[vc->nb_mrs++] = mr;
	*lkey = mr->lkey;
out_unlock:
	pthread_mutex_unlock(&vc->mr_lock);
	return ret;
}

int
verbs_ctx_mr_dereg(struct verbs_ctx *vc, uint32_t lkey)
{
	unsigned int i;
	int ret = -ENOENT;

	pthread_mutex_lock(&vc->mr_lock);
	for (i = 0; i < vc->nb_mrs; i++) {
		if (vc->mrs[i]->lkey != lkey)
			continue;
		ret = ibv_dereg_mr(vc->mrs[i]);
		ret = ret > 0 ? -ret : ret;
		/* A failed deregistration is released by close all the same. */
		if (ret == 0)
			vc->mrs[i] = vc->mrs[--vc->nb_mrs];
		break;
	}
	pthread_mutex_unlock(&vc->mr_lock);
	return ret;
}

unsigned int
verbs_ctx_mr_count(struct verbs_ctx *vc)
{
	unsigned int n;

	pthread_mutex_lock(&vc->mr_lock);
	n = vc->nb_mrs;
	pthread_mutex_unlock(&vc->mr_lock);
	return n;
}
