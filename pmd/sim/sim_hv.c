/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The device's hypervisor channel on the simulated host: a SOCK_SEQPACKET
 * listener at DIR/hv/NAME.sock served by a control thread of this process
 * (one request a connection: `show`, `service-event down_ms=N outcome=X`;
 * ../../proto/simhost/simhost.h). A service event asked for here runs
 * through sim_event_fire, as the schedule's do. Calls the events and the
 * host.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "sim_priv.h"

#define SIM_HV_RECV_TIMEOUT_MS 1000

/* The reply to one request into reply. */
static void
sim_hv_handle(struct sim_device *o, const char *req, size_t len, char *reply, size_t n)
{
	struct simhost_hv_req r;
	uint32_t event = 0;
	int ret;

	if (simhost_hv_req_parse(req, len, &r) < 0) {
		snprintf(reply, n, "error EINVAL %s", simhost_errmsg());
		return;
	}
	if (r.verb == SIMHOST_HV_SHOW) {
		pthread_mutex_lock(&o->lock);
		snprintf(reply, n, "ok\n");
		ret = sim_host_show(o, reply + 3, n - 3);
		pthread_mutex_unlock(&o->lock);
		if (ret < 0)
			snprintf(reply, n, "error %s cannot show the device's state: %s",
				 simhost_errno_name(ret), simhost_errmsg());
		return;
	}
	SIM_LOG(INFO, "%s: hypervisor channel: service event, down %" PRIu32 " ms, then %s",
		o->name, r.down_ms, simhost_outcome_name(r.outcome));
	ret = sim_event_fire(o, r.down_ms, (enum mana_sim_recovery)r.outcome, &event);
	if (ret == 0)
		snprintf(reply, n, "ok event=%" PRIu32, event);
	else if (ret == -EALREADY)
		snprintf(reply, n, "error EALREADY %s is not up (in a service event, or not "
			 "opened by its driver since)", o->name);
	else
		snprintf(reply, n, "error %s %s: %s", simhost_errno_name(ret), o->name,
			 strerror(-ret));
}

static void
sim_hv_serve_one(struct sim_device *o, int lfd)
{
	struct timeval tv = { .tv_sec = SIM_HV_RECV_TIMEOUT_MS / 1000 };
	char req[256], reply[SIMHOST_FILE_MAX + 8];
	ssize_t len;
	int c;

	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			SIM_LOG(WARNING, "%s: hypervisor channel: accept: %s", o->name,
				strerror(errno));
		return;
	}
	/* A client that sends nothing does not hold the channel. */
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	len = recv(c, req, sizeof(req), MSG_TRUNC);
	if (len > 0) {
		if ((size_t)len > sizeof(req))
			snprintf(reply, sizeof(reply), "error EINVAL request longer than %zu bytes",
				 sizeof(req));
		else
			sim_hv_handle(o, req, (size_t)len, reply, sizeof(reply));
		if (send(c, reply, strlen(reply), MSG_NOSIGNAL) < 0)
			SIM_LOG(WARNING, "%s: hypervisor channel: reply lost: %s", o->name,
				strerror(errno));
	}
	close(c);
}

static void *
sim_hv_main(void *arg)
{
	struct sim_device *o = arg;
	/* o->host stays until sim_hv_stop joined this thread. */
	struct pollfd p[2] = {
		{ .fd = o->host->hv_fd, .events = POLLIN },
		{ .fd = o->host->stop_fd, .events = POLLIN },
	};

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			SIM_LOG(ERR, "%s: hypervisor channel: poll: %s", o->name, strerror(errno));
			break;
		}
		if (p[1].revents != 0)
			break;
		if (p[0].revents != 0)
			sim_hv_serve_one(o, p[0].fd);
	}
	return NULL;
}

int
sim_hv_start(struct sim_device *o)
{
	struct sim_host *h = o->host;
	char name[RTE_MAX_THREAD_NAME_LEN];
	int ret;

	if (h == NULL)
		return 0;
	h->hv_fd = simhost_hv_listen(h->hv_path);
	if (h->hv_fd < 0) {
		ret = h->hv_fd;
		h->hv_fd = -1;
		SIM_LOG(ERR, "%s: hypervisor channel: %s", o->name, simhost_errmsg());
		return ret;
	}
	h->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->stop_fd < 0) {
		ret = -errno;
		SIM_LOG(ERR, "%s: hypervisor channel: eventfd: %s", o->name, strerror(errno));
		goto err_unlisten;
	}
	snprintf(name, sizeof(name), "mana-simhv-%u", o->slot);
	ret = rte_ctrl_thread_create(&h->hv_thread, name, NULL, sim_hv_main, o);
	if (ret != 0) {
		ret = ret > 0 ? -ret : ret;
		SIM_LOG(ERR, "%s: hypervisor channel: no thread: %s", o->name, strerror(-ret));
		goto err_close;
	}
	h->hv_running = true;
	SIM_LOG(INFO, "%s: hypervisor channel %s", o->name, h->hv_path);
	return 0;

err_close:
	close(h->stop_fd);
	h->stop_fd = -1;
err_unlisten:
	simhost_hv_unlisten(h->hv_path, h->hv_fd);
	h->hv_fd = -1;
	return ret;
}

void
sim_hv_stop(struct sim_device *o)
{
	struct sim_host *h = o->host;
	uint64_t one = 1;

	if (h == NULL || !h->hv_running)
		return;
	if (write(h->stop_fd, &one, sizeof(one)) != sizeof(one))
		SIM_LOG(ERR, "%s: hypervisor channel: cannot stop its thread: %s", o->name,
			strerror(errno));
	pthread_join(h->hv_thread, NULL);
	h->hv_running = false;
	close(h->stop_fd);
	h->stop_fd = -1;
	simhost_hv_unlisten(h->hv_path, h->hv_fd);
	h->hv_fd = -1;
}
