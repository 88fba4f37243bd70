/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The device on the simulated host (devarg host=DIR; proto/simhost/simhost.h
 * has the directory's format): its state file, its sys/ entries and the
 * kernel's notifications, each step written to the files first and then
 * notified, as the kernel's sysfs and netlink would show it. The service
 * event's steps run under o->lock, from sim_event.c. Calls only the hub.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_priv.h"

static void
host_write(struct sim_device *o)
{
	if (simhost_dev_write(o->host->dir, &o->host->st) < 0)
		SIM_LOG(ERR, "%s: cannot write its state on the simulated host: %s", o->name,
			simhost_errmsg());
}

static void
host_send(struct sim_device *o, struct simhost_ntf *n)
{
	if (simhost_ntf_send(o->host->dir, n, NULL) < 0)
		SIM_LOG(WARNING, "%s: %s notification not sent: %s", o->name,
			simhost_ntf_type_name(n->type), simhost_errmsg());
}

/* An RDMA notification of the device's current registration. */
static void
host_send_rdma(struct sim_device *o, enum simhost_ntf_type type)
{
	const struct simhost_dev *st = &o->host->st;
	struct simhost_ntf n = { .type = type, .index = st->ib_index, .guid = st->node_guid,
				 .port = 1, .ifindex = st->ifindex };

	snprintf(n.name, sizeof(n.name), "%s", st->ibdev);
	snprintf(n.netdev, sizeof(n.netdev), "%s", st->netdev);
	host_send(o, &n);
}

static void
host_send_devlink(struct sim_device *o, enum simhost_ntf_type type)
{
	const struct simhost_dev *st = &o->host->st;
	struct simhost_ntf n = { .type = type, .health_error = st->health_error,
				 .error_count = st->error_count,
				 .recover_count = st->recover_count };

	snprintf(n.handle, sizeof(n.handle), "pci/%s", st->pci);
	snprintf(n.reporter, sizeof(n.reporter), "%s", st->reporter);
	host_send(o, &n);
}

static void
host_send_pci(struct sim_device *o, enum simhost_ntf_type type)
{
	struct simhost_ntf n = { .type = type };

	snprintf(n.bdf, sizeof(n.bdf), "%s", o->host->st.pci);
	host_send(o, &n);
}

static void
host_sys(struct sim_device *o, int ret, const char *what)
{
	if (ret < 0)
		SIM_LOG(ERR, "%s: simulated host: cannot %s: %s", o->name, what, simhost_errmsg());
}

/* A new registration: a fresh RDMA index, class/infiniband back. */
static void
host_register(struct sim_device *o)
{
	struct simhost_dev *st = &o->host->st;
	uint32_t index;

	if (simhost_ib_index_next(o->host->dir, &index) < 0)
		SIM_LOG(ERR, "%s: simulated host: no new RDMA index: %s", o->name,
			simhost_errmsg());
	else
		st->ib_index = index;
	host_sys(o, simhost_sys_ib_add(o->host->dir, st->ibdev, st->pci), "add its IB device");
	st->registered = 1;
}

void
sim_host_health(struct sim_device *o, bool error)
{
	struct simhost_dev *st;

	if (o->host == NULL)
		return;
	st = &o->host->st;
	st->health_error = error;
	if (error)
		st->error_count++;
	else
		st->recover_count++;
	host_write(o);
	host_send_devlink(o, SIMHOST_NTF_DEVLINK_HEALTH);
}

void
sim_host_down(struct sim_device *o, bool service_event)
{
	if (o->host == NULL)
		return;
	o->host->st.hw = SIMHOST_HW_DOWN;
	if (service_event)
		o->host->st.service_events++;
	host_write(o);
}

void
sim_host_unregister(struct sim_device *o)
{
	struct simhost_dev *st;

	if (o->host == NULL || !o->host->st.registered)
		return;
	st = &o->host->st;
	host_sys(o, simhost_sys_ib_remove(o->host->dir, st->ibdev), "remove its IB device");
	st->registered = 0;
	host_write(o);
	host_send_rdma(o, SIMHOST_NTF_RDMA_UNREGISTER);
}

void
sim_host_pci_gone(struct sim_device *o, bool for_good)
{
	struct simhost_dev *st;
	bool was_registered;

	if (o->host == NULL)
		return;
	st = &o->host->st;
	if (for_good)
		st->hw = SIMHOST_HW_REMOVED;
	if (!st->pci_present) {
		host_write(o);
		return;
	}
	was_registered = st->registered;
	host_sys(o, simhost_sys_ib_remove(o->host->dir, st->ibdev), "remove its IB device");
	host_sys(o, simhost_sys_net_remove(o->host->dir, st->netdev), "remove its netdev");
	host_sys(o, simhost_sys_pci_remove(o->host->dir, st->pci), "remove its PCI function");
	st->registered = 0;
	st->pci_present = 0;
	st->devlink = 0;
	host_write(o);
	if (was_registered)
		host_send_rdma(o, SIMHOST_NTF_RDMA_UNREGISTER);
	host_send_devlink(o, SIMHOST_NTF_DEVLINK_DEL);
	host_send_pci(o, SIMHOST_NTF_PCI_REMOVE);
}

/* The PCI function back (after a rescan): sys/ and devlink. */
static void
host_pci_add(struct sim_device *o)
{
	struct simhost_dev *st = &o->host->st;

	host_sys(o, simhost_sys_pci_add(o->host->dir, st->pci), "add its PCI function");
	host_sys(o, simhost_sys_net_add(o->host->dir, st->netdev, st->pci, st->ifindex),
		 "add its netdev");
	st->pci_present = 1;
	st->devlink = 1;
	host_write(o);
	host_send_pci(o, SIMHOST_NTF_PCI_ADD);
	host_send_devlink(o, SIMHOST_NTF_DEVLINK_NEW);
}

void
sim_host_back(struct sim_device *o)
{
	struct simhost_dev *st;

	if (o->host == NULL)
		return;
	st = &o->host->st;
	if (!st->pci_present)
		host_pci_add(o);
	host_register(o);
	st->hw = SIMHOST_HW_UP;
	host_write(o);
	host_send_rdma(o, SIMHOST_NTF_RDMA_REGISTER);
	host_send_rdma(o, SIMHOST_NTF_RDMA_NETDEV_ATTACH);
	if (st->health_error)
		sim_host_health(o, false);
}

int
sim_host_show(struct sim_device *o, char *buf, size_t n)
{
	if (o->host == NULL)
		return -ENODEV;
	return simhost_dev_format(&o->host->st, buf, n);
}

int
mana_sim_host_pci(struct mana_hw_dev *hd, char *buf, size_t n)
{
	struct sim_device *o = (struct sim_device *)hd;
	int ret = -ENODEV;

	pthread_mutex_lock(&o->lock);
	if (o->host != NULL)
		ret = snprintf(buf, n, "%s", o->host->st.pci) < (int)n ? 0 : -ENOSPC;
	pthread_mutex_unlock(&o->lock);
	return ret;
}

/* The name's trailing number: 0 and *num, or -EINVAL. */
static int
name_number(const char *name, unsigned int *num)
{
	size_t n = strlen(name), d = n;

	while (d > 0 && isdigit((unsigned char)name[d - 1]))
		d--;
	if (d == n || n - d > 4)
		return -EINVAL;
	*num = (unsigned int)strtoul(name + d, NULL, 10);
	return *num < 256 * 32 ? 0 : -EINVAL;
}

/* pci, ibdev, netdev, ifindex: the devargs', else the adopted file's, else
 * the defaults from the name's number. 0 or -EINVAL after a log line.
 */
static int
host_identity(struct sim_device *o, const struct simhost_dev *old)
{
	const struct mana_sim_params *p = &o->params;
	struct simhost_dev *st = &o->host->st;
	unsigned int num = 0;
	bool have_num = name_number(o->name, &num) == 0;

	if ((p->pci[0] == '\0' || p->ibdev[0] == '\0' || p->netdev[0] == '\0') &&
	    old == NULL && !have_num) {
		SIM_LOG(ERR, "%s: host=: the name has no number to derive the defaults from: "
			"give pci=, ibdev= and netdev=", o->name);
		return -EINVAL;
	}
	if (p->pci[0] != '\0')
		snprintf(st->pci, sizeof(st->pci), "%s", p->pci);
	else if (old != NULL)
		snprintf(st->pci, sizeof(st->pci), "%s", old->pci);
	else
		snprintf(st->pci, sizeof(st->pci), "7870:%02x:%02x.0", (num / 32) & 0xffu,
			 num % 32);
	if (p->ibdev[0] != '\0')
		snprintf(st->ibdev, sizeof(st->ibdev), "%s", p->ibdev);
	else if (old != NULL)
		snprintf(st->ibdev, sizeof(st->ibdev), "%s", old->ibdev);
	else
		snprintf(st->ibdev, sizeof(st->ibdev), "mana_%u", num);
	if (p->netdev[0] != '\0')
		snprintf(st->netdev, sizeof(st->netdev), "%s", p->netdev);
	else if (old != NULL)
		snprintf(st->netdev, sizeof(st->netdev), "%s", old->netdev);
	else
		snprintf(st->netdev, sizeof(st->netdev), "eth%u", num + 1);
	st->ifindex = old != NULL ? old->ifindex : 100 + num;
	if (old != NULL && (strcmp(old->pci, st->pci) != 0 || strcmp(old->ibdev, st->ibdev) != 0 ||
			    strcmp(old->netdev, st->netdev) != 0))
		SIM_LOG(WARNING, "%s: its state file said %s %s %s: now %s %s %s (devargs)",
			o->name, old->pci, old->ibdev, old->netdev, st->pci, st->ibdev,
			st->netdev);
	return 0;
}

/* The state file of the same name, if any: 1 and *old, 0 when there is none,
 * or a negative errno after a log line (unreadable, or served by another
 * live process).
 */
static int
host_adopt(struct sim_device *o, struct simhost_dev *old)
{
	int ret = simhost_dev_read(o->host->dir, o->name, old);

	if (ret == -ENOENT)
		return 0;
	if (ret < 0) {
		SIM_LOG(ERR, "%s: simulated host: %s (remove it to start afresh)", o->name,
			simhost_errmsg());
		return ret;
	}
	if (old->pid != 0 && old->pid != getpid() && (kill((pid_t)old->pid, 0) == 0 ||
						     errno == EPERM)) {
		SIM_LOG(ERR, "%s: simulated host %s: the device is served by another live "
			"process (pid %" PRId64 ")", o->name, o->host->dir, old->pid);
		return -EBUSY;
	}
	return 1;
}

int
sim_host_open(struct sim_device *o)
{
	const uint8_t *mac = sim_hub->dev[o->slot].mac;
	struct simhost_dev old, *st;
	struct sim_host *h;
	bool was_up, pci_was_there;
	int ret, adopted;

	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->hv_fd = -1;
	h->stop_fd = -1;
	snprintf(h->dir, sizeof(h->dir), "%s", o->params.host);
	o->host = h;
	st = &h->st;
	ret = simhost_dir_init(h->dir);
	if (ret < 0) {
		SIM_LOG(ERR, "%s: simulated host: %s", o->name, simhost_errmsg());
		goto err;
	}
	ret = adopted = host_adopt(o, &old);
	if (ret < 0)
		goto err;
	ret = host_identity(o, adopted ? &old : NULL);
	if (ret < 0)
		goto err;
	snprintf(st->name, sizeof(st->name), "%s", o->name);
	st->pid = getpid();
	ret = simhost_hv_path(h->dir, o->name, h->hv_path, sizeof(h->hv_path));
	if (ret < 0) {
		SIM_LOG(ERR, "%s: simulated host: %s", o->name, simhost_errmsg());
		goto err;
	}
	snprintf(st->hv, sizeof(st->hv), "%s", h->hv_path);
	snprintf(st->reporter, sizeof(st->reporter), "%s", SIMHOST_REPORTER);
	/* EUI-64 from the MAC, as mana_ib's node GUID. */
	st->node_guid = (uint64_t)mac[0] << 56 | (uint64_t)mac[1] << 48 |
			(uint64_t)mac[2] << 40 | 0xfffeull << 24 | (uint64_t)mac[3] << 16 |
			(uint64_t)mac[4] << 8 | mac[5];
	if (adopted) {
		st->error_count = old.error_count;
		st->recover_count = old.recover_count;
		st->service_events = old.service_events;
		st->health_error = old.health_error;
		st->ib_index = old.ib_index;
	}
	pci_was_there = adopted && old.pci_present && strcmp(old.pci, st->pci) == 0;
	was_up = pci_was_there && old.hw == SIMHOST_HW_UP && old.registered &&
		 strcmp(old.ibdev, st->ibdev) == 0;
	host_sys(o, simhost_sys_pci_add(h->dir, st->pci), "add its PCI function");
	host_sys(o, simhost_sys_net_add(h->dir, st->netdev, st->pci, st->ifindex),
		 "add its netdev");
	st->pci_present = 1;
	st->devlink = 1;
	st->hw = SIMHOST_HW_UP;
	if (was_up) {
		/* The device stayed registered in the "kernel": nothing new. */
		st->registered = 1;
		host_sys(o, simhost_sys_ib_add(h->dir, st->ibdev, st->pci), "add its IB device");
		host_write(o);
	} else {
		/* It appears (again): the kernel's notifications of a device
		 * that comes up, after the last registration went if it was
		 * left registered.
		 */
		if (adopted && old.registered) {
			st->registered = 1;
			sim_host_unregister(o);
		}
		host_register(o);
		host_write(o);
		if (!pci_was_there) {
			host_send_pci(o, SIMHOST_NTF_PCI_ADD);
			host_send_devlink(o, SIMHOST_NTF_DEVLINK_NEW);
		}
		host_send_rdma(o, SIMHOST_NTF_RDMA_REGISTER);
		host_send_rdma(o, SIMHOST_NTF_RDMA_NETDEV_ATTACH);
		if (st->health_error)
			sim_host_health(o, false);
	}
	SIM_LOG(INFO, "%s: on the simulated host %s: %s %s (index %" PRIu32 ") %s%s", o->name,
		h->dir, st->pci, st->ibdev, st->ib_index, st->netdev,
		adopted ? ", state adopted" : "");
	return 0;

err:
	free(h);
	o->host = NULL;
	return ret;
}

void
sim_host_close(struct sim_device *o)
{
	struct sim_host *h;

	pthread_mutex_lock(&o->lock);
	h = o->host;
	if (h != NULL) {
		/* The device persists on the host; no process serves it. */
		h->st.pid = 0;
		host_write(o);
		o->host = NULL;
	}
	pthread_mutex_unlock(&o->lock);
	free(h);
}
