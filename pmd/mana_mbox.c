/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * A port's side of the ctrl <-> PMD mailbox: the mailbox thread (attach,
 * retries, ctrl's events into the engine) and the reset thread's posts. See
 * mana_mbox.h for threads, ownership and locking.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "mana_log.h"
#include "mana_clock.h"
#include "mana_mbox.h"
#include "proto/mbox.h"

#define MBOX_RETRY_MIN_MS 50u
#define MBOX_RETRY_MAX_MS 5000u

static_assert(MANA_MBOX_USER_LEN == MBOX_USER_MAX + 1, "mbox_ctrl_user's room is proto's");

struct mana_mbox {
	/* Set by start, read-only afterwards. */
	struct mana_mbox_cfg cfg;
	uint16_t port_id;
	struct mana_reset *reset;
	int wake_fd;                 /* eventfd: stop, or try to attach now */
	pthread_t thread;
	bool stop;                   /* atomic: set by stop */

	/* The mailbox thread's own. */
	uint32_t retry_ms;
	uint64_t next_try_ms;        /* CLOCK_MONOTONIC */
	int logged_err;              /* last attach error logged */
	bool ctrl_down;              /* PEER_DOWN seen, no PEER_UP since */

	pthread_mutex_t lock;
	/* Under lock; written by the mailbox thread only, which may read
	 * them without the lock.
	 */
	struct mbox *mb;             /* NULL: not attached */
	int mbox_port;
	/* Under lock. */
	uint32_t phase;              /* enum mana_reset_phase, the latest begun */
	struct mana_mbox_status st;
};

static void
mana_mbox_wake(struct mana_mbox *m)
{
	uint64_t one = 1;

	/* Non-blocking eventfd: a full counter already wakes the thread. */
	if (write(m->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		MANA_MBOX_LOG(ERR, "port %u: cannot wake the mailbox thread: %s", m->port_id,
			      strerror(errno));
}

static uint32_t
mana_mbox_pmd_state(enum mana_reset_state s)
{
	switch (s) {
	case MANA_RS_ACTIVE:
		return MBOX_PMD_ACTIVE;
	case MANA_RS_RESET_ENTER:
		return MBOX_PMD_RESET_ENTER;
	case MANA_RS_WAIT_HW:
		return MBOX_PMD_WAIT_HW;
	case MANA_RS_RESET_EXIT:
		return MBOX_PMD_RESET_EXIT;
	case MANA_RS_FAILED:
		return MBOX_PMD_FAILED;
	case MANA_RS_REMOVED:
		return MBOX_PMD_REMOVED;
	default:
		return MBOX_PMD_CLOSED;
	}
}

/* The state a phase runs in (the engine's state while it runs). */
static uint32_t
mana_mbox_phase_state(enum mana_reset_phase ph)
{
	switch (ph) {
	case MANA_PH_QUIESCE:
	case MANA_PH_TEARDOWN:
		return MBOX_PMD_RESET_ENTER;
	case MANA_PH_WAIT_HW:
		return MBOX_PMD_WAIT_HW;
	default:
		return MBOX_PMD_RESET_EXIT;
	}
}

static void
mana_mbox_result(const struct mana_reset_record *rec, struct mbox_reset_rec *out)
{
	unsigned int ph;

	memset(out, 0, sizeof(*out));
	out->seq = rec->seq;
	out->t_request = rec->t_request;
	for (ph = 0; ph < MANA_PH_NUM && ph < MBOX_PHASES; ph++)
		out->phase_ns[ph] = mana_reset_phase_ns(rec, (enum mana_reset_phase)ph);
	out->total_ns = mana_reset_total_ns(rec);
	out->outcome = mana_mbox_pmd_state(rec->outcome);
	out->error = rec->error;
}

/* Rewrite the port's PMD record from the engine. m->lock held, attached. */
static void
mana_mbox_record_write(struct mana_mbox *m)
{
	struct mana_reset_record hist[MBOX_TIMELINE];
	struct mana_reset_stats rs;
	struct mbox_pmd_rec rec;
	unsigned int i, n;
	int rc;

	memset(&rec, 0, sizeof(rec));
	rec.state = mana_mbox_pmd_state(mana_reset_state(m->reset));
	rec.phase = m->phase;
	mana_reset_stats_get(m->reset, &rs);
	rec.nb_reset = rs.requested;
	rec.nb_success = rs.succeeded;
	rec.nb_failed = rs.failed;
	rec.nb_removed = rs.removed;
	rec.nb_merged = rs.merged;
	rec.nb_busy_ops = rs.busy_ops;
	rec.pid = (uint32_t)getpid();
	n = mana_reset_history(m->reset, hist, MBOX_TIMELINE);
	for (i = 0; i < n; i++)
		mana_mbox_result(&hist[i], &rec.timeline[i]);
	rec.nb_timeline = n;
	rc = mbox_port_set_pmd(m->mb, (unsigned int)m->mbox_port, &rec);
	if (rc < 0)
		MANA_MBOX_LOG(DEBUG, "port %u: record not written: %s", m->port_id, mbox_errmsg());
}

/* Post ev on our mailbox port. m->lock held, attached. Never blocks. */
static void
mana_mbox_send(struct mana_mbox *m, struct mbox_event *ev)
{
	int rc;

	ev->port = (uint16_t)m->mbox_port;
	rc = mbox_post(m->mb, ev);
	if (rc == 0) {
		m->st.posted++;
		return;
	}
	/* -ENOBUFS: ctrl is not reading (dead, stuck); it resyncs from the
	 * record. -EPERM: the claim is being renewed after a ctrl restart.
	 */
	m->st.lost++;
	MANA_MBOX_LOG(DEBUG, "port %u: %s not posted: %s", m->port_id, mbox_ev_name(ev->type),
		      mbox_errmsg());
}

void
mana_mbox_reset_event(struct mana_mbox *m, enum mana_reset_event ev)
{
	struct mana_reset_record rec;
	struct mana_reset_stats rs;
	struct mbox_event e;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	if (m->mb == NULL) {
		pthread_mutex_unlock(&m->lock);
		mana_mbox_wake(m);    /* retry the attach now rather than later */
		return;
	}
	memset(&e, 0, sizeof(e));
	switch (ev) {
	case MANA_REV_RECOVERING:
		mana_reset_stats_get(m->reset, &rs);
		m->phase = MANA_PH_QUIESCE;
		e.type = MBOX_EV_RESET_ENTER;
		e.u.phase.reset_seq = rs.requested;
		e.u.phase.phase = MANA_PH_QUIESCE;
		e.u.phase.state = MBOX_PMD_RESET_ENTER;
		break;
	case MANA_REV_SUCCESS:
	case MANA_REV_FAILED:
		/* The engine recorded the reset before it told anyone. */
		if (mana_reset_history(m->reset, &rec, 1) == 1) {
			e.type = ev == MANA_REV_SUCCESS ? MBOX_EV_RECOVERED :
				 MBOX_EV_RECOVERY_FAILED;
			mana_mbox_result(&rec, &e.u.result);
		}
		m->phase = MANA_PH_QUIESCE;
		break;
	default:
		break;    /* REMOVED: the FAILED result said so; the record too */
	}
	if (e.type != MBOX_EV_NONE)
		mana_mbox_send(m, &e);
	mana_mbox_record_write(m);
	pthread_mutex_unlock(&m->lock);
}

void
mana_mbox_phase(struct mana_mbox *m, uint64_t seq, enum mana_reset_phase ph)
{
	struct mbox_event e;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->phase = ph;
	if (m->mb != NULL) {
		memset(&e, 0, sizeof(e));
		e.type = MBOX_EV_PHASE;
		e.u.phase.reset_seq = seq;
		e.u.phase.phase = ph;
		e.u.phase.state = mana_mbox_phase_state(ph);
		mana_mbox_send(m, &e);
		mana_mbox_record_write(m);
	}
	pthread_mutex_unlock(&m->lock);
}

/* Drop the attachment (the last record first). Mailbox thread. */
static void
mana_mbox_detach(struct mana_mbox *m)
{
	struct mbox *mb;

	pthread_mutex_lock(&m->lock);
	mb = m->mb;
	if (mb != NULL)
		mana_mbox_record_write(m);
	m->mb = NULL;
	m->mbox_port = -1;
	m->st.attached = false;
	m->st.mbox_port = -1;
	pthread_mutex_unlock(&m->lock);
	/* No post can use mb any more: close it (releases the claim). */
	mbox_close(mb);
}

/* Log a failed attach once per reason; ERR for what an operator must fix. */
static void
mana_mbox_attach_failed(struct mana_mbox *m, int err, const char *msg)
{
	bool config = err == -EBADMSG || err == -EPROTONOSUPPORT || err == -EACCES ||
		      err == -ESTALE || err == -ENAMETOOLONG || err == -ENOTSOCK;

	pthread_mutex_lock(&m->lock);
	m->st.last_error = err;
	pthread_mutex_unlock(&m->lock);
	if (err != m->logged_err) {
		m->logged_err = err;
		if (config)
			MANA_MBOX_LOG(ERR, "port %u: cannot use the mailbox at %s: %s; running without the control daemon, retrying every %u s",
				      m->port_id, m->cfg.sock_path, msg, MBOX_RETRY_MAX_MS / 1000);
		else
			MANA_MBOX_LOG(WARNING, "port %u: mailbox %s: %s; running without the control daemon, retrying",
				      m->port_id, m->cfg.sock_path, msg);
	} else {
		MANA_MBOX_LOG(DEBUG, "port %u: attach to %s: %s", m->port_id, m->cfg.sock_path,
			      msg);
	}
	m->next_try_ms = mana_now_ms() + m->retry_ms;
	m->retry_ms = RTE_MIN(m->retry_ms * 2, MBOX_RETRY_MAX_MS);
}

/* Connect, find and claim our port. Mailbox thread; may wait up to
 * MBOX_IO_TIMEOUT_MS for a stuck ctrl. No lock held.
 */
static void
mana_mbox_try_attach(struct mana_mbox *m)
{
	struct mbox_info info;
	unsigned int nb_uids = 0;
	struct mbox *mb;
	char msg[256];
	int port, rc;
	uid_t uid = 0;

	/* Looked up now, not at probe: a DynamicUser= uid may have changed
	 * since, and the name exists only while ctrl's unit runs.
	 */
	if (m->cfg.ctrl_user[0] != '\0') {
		rc = mbox_user_uid(m->cfg.ctrl_user, &uid);
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "mbox_ctrl_user: %s", mbox_errmsg());
			mana_mbox_attach_failed(m, rc, msg);
			return;
		}
		nb_uids = 1;
	}
	mb = mbox_attach_trusted(m->cfg.sock_path, &uid, nb_uids, 0);
	if (mb == NULL) {
		rc = -errno;
		mana_mbox_attach_failed(m, rc, mbox_errmsg());
		return;
	}
	port = mbox_port_find(mb, m->cfg.ident);
	if (port < 0) {
		snprintf(msg, sizeof(msg), "the control daemon knows no port '%s' (mbox_port)",
			 m->cfg.ident);
		rc = port;
		goto err_close;
	}
	rc = mbox_port_claim(mb, (unsigned int)port);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "%s", mbox_errmsg());
		goto err_close;
	}
	mbox_info(mb, &info);
	pthread_mutex_lock(&m->lock);
	m->mb = mb;
	m->mbox_port = port;
	m->st.attached = true;
	m->st.mbox_port = port;
	m->st.last_error = 0;
	m->st.attaches++;
	/* ctrl resyncs from the record: it says where the port is now. */
	mana_mbox_record_write(m);
	pthread_mutex_unlock(&m->lock);
	m->retry_ms = MBOX_RETRY_MIN_MS;
	m->logged_err = 0;
	m->ctrl_down = false;
	MANA_MBOX_LOG(NOTICE, "port %u: mailbox %s attached (control daemon pid %u), port %d '%s'",
		      m->port_id, m->cfg.sock_path, info.ctrl_pid, port, m->cfg.ident);
	return;

err_close:
	mbox_close(mb);
	mana_mbox_attach_failed(m, rc, msg);
}

/* ctrl's view of the hardware, after events were lost: act on it as on the
 * events it stands for. Mailbox thread.
 */
static void
mana_mbox_resync(struct mana_mbox *m)
{
	struct mbox_port pt;
	int rc;

	rc = mbox_port_read(m->mb, (unsigned int)m->mbox_port, &pt);
	if (rc < 0) {
		MANA_MBOX_LOG(WARNING, "port %u: cannot read the control daemon's record: %s",
			      m->port_id, mbox_errmsg());
		return;
	}
	MANA_MBOX_LOG(INFO, "port %u: resync: the control daemon says the device is %s",
		      m->port_id, mbox_hw_state_name(pt.ctrl.hw_state));
	switch (pt.ctrl.hw_state) {
	case MBOX_HW_SERVICE:
	case MBOX_HW_REMOVED:
		mana_reset_service(m->reset);
		break;
	case MBOX_HW_GONE:
		mana_reset_hw_event(m->reset, MANA_HWE_REMOVED);
		break;
	case MBOX_HW_UP:
		mana_reset_hw_event(m->reset, MANA_HWE_BACK);
		break;
	default:
		break;
	}
}

/* One event from the mailbox. Mailbox thread, no lock. Returns false when
 * the attachment must be dropped.
 */
static bool
mana_mbox_handle(struct mana_mbox *m, const struct mbox_event *ev)
{
	bool ours = ev->port == m->mbox_port;

	if (ours && ev->type <= MBOX_EV_GONE) {
		/* Counted before the engine acts on it. */
		pthread_mutex_lock(&m->lock);
		m->st.received++;
		pthread_mutex_unlock(&m->lock);
	}
	switch (ev->type) {
	case MBOX_EV_SVC_START:
		if (!ours)
			break;
		MANA_MBOX_LOG(INFO, "port %u: control daemon: service event (%s, reason %u)",
			      m->port_id, mbox_svc_source_name(ev->u.svc.source), ev->u.svc.reason);
		/* A bus removal in this reset is part of it (mana_reset.h). */
		mana_reset_service(m->reset);
		break;
	case MBOX_EV_HW_BACK:
		if (!ours)
			break;
		if (strncmp(ev->u.ident.pci, m->cfg.ident, sizeof(ev->u.ident.pci)) != 0) {
			MANA_MBOX_LOG(WARNING, "port %u: control daemon: hardware back as '%s', but this port is '%s': ignored",
				      m->port_id, ev->u.ident.pci, m->cfg.ident);
			break;
		}
		MANA_MBOX_LOG(INFO, "port %u: control daemon: hardware back (%s, node GUID %#" PRIx64 ", generation %u)",
			      m->port_id, ev->u.ident.ibdev, ev->u.ident.node_guid, ev->u.ident.gen);
		/* A hint: the engine asks the device at once (hw_probe). */
		mana_reset_hw_event(m->reset, MANA_HWE_BACK);
		break;
	case MBOX_EV_HOT_REMOVE:
		if (!ours)
			break;
		if (ev->u.rm.cause == MBOX_RM_SURPRISE) {
			/* No service event before it: a hot-remove, final
			 * (proto/README.md, 5). The port ends REMOVED; the
			 * bus's own removal event finds the verdict made.
			 */
			MANA_MBOX_LOG(NOTICE, "port %u: control daemon: the device was hot-removed (seen by %s, no service event before it): the port is removed",
				      m->port_id, mbox_svc_source_name(ev->u.rm.source));
			mana_reset_hw_event(m->reset, MANA_HWE_REMOVED);
			break;
		}
		/* Part of a service event (cause service; unsaid from a 1.0
		 * control daemon, as 1.0 said): not final, a PCI rescan brings
		 * it back. A reset (or the one running) waits for it; GONE or
		 * the timeout end it. The bus's own removal event is then part
		 * of this service event.
		 */
		MANA_MBOX_LOG(NOTICE, "port %u: control daemon: the PCI function went away in a service event (%s): a reset, waiting for the rescan",
			      m->port_id, mbox_rm_cause_name(ev->u.rm.cause));
		mana_reset_service(m->reset);
		break;
	case MBOX_EV_GONE:
		if (!ours)
			break;
		MANA_MBOX_LOG(NOTICE, "port %u: control daemon: the device is gone for good",
			      m->port_id);
		mana_reset_hw_event(m->reset, MANA_HWE_REMOVED);
		break;
	case MBOX_EV_RESYNC:
		if (ours || ev->port == MBOX_PORT_ANY)
			mana_mbox_resync(m);
		break;
	case MBOX_EV_PEER_DOWN:
		if (ev->port == MBOX_PORT_ANY) {
			m->ctrl_down = true;
			MANA_MBOX_LOG(WARNING, "port %u: the control daemon (pid %u) is gone; running without it, reconnecting",
				      m->port_id, ev->u.peer.pid);
			break;
		}
		if (!ours)
			break;
		MANA_MBOX_LOG(WARNING, "port %u: mailbox port %d claimed by another process after the control daemon came back; attaching again",
			      m->port_id, m->mbox_port);
		return false;
	case MBOX_EV_PEER_UP:
		/* The first one comes with the attach (logged there). */
		if (m->ctrl_down)
			MANA_MBOX_LOG(NOTICE, "port %u: the control daemon (pid %u) is back",
				      m->port_id, ev->u.peer.pid);
		m->ctrl_down = false;
		pthread_mutex_lock(&m->lock);
		mana_mbox_record_write(m);
		pthread_mutex_unlock(&m->lock);
		break;
	case MBOX_EV_STALE:
		MANA_MBOX_LOG(NOTICE, "port %u: the control daemon made a new segment; attaching again",
			      m->port_id);
		return false;
	case MBOX_EV_UNTRUSTED:
		/* The attach looks mbox_ctrl_user up again: a DynamicUser=
		 * daemon may have come back under a new uid.
		 */
		MANA_MBOX_LOG(NOTICE, "port %u: the control daemon (pid %u) came back as uid %u, not trusted by this attachment; attaching again",
			      m->port_id, ev->u.peer.pid, ev->u.peer.uid);
		return false;
	default:
		return true;
	}
	if (ours && ev->type <= MBOX_EV_GONE) {
		/* The engine's counters moved (a merged request, say). */
		pthread_mutex_lock(&m->lock);
		mana_mbox_record_write(m);
		pthread_mutex_unlock(&m->lock);
	}
	return true;
}

/* Everything the mailbox has for us now. Mailbox thread. */
static void
mana_mbox_drain(struct mana_mbox *m)
{
	struct mbox_event ev;
	int rc;

	while ((rc = mbox_next(m->mb, &ev)) == 1) {
		if (!mana_mbox_handle(m, &ev)) {
			mana_mbox_detach(m);
			m->retry_ms = MBOX_RETRY_MIN_MS;
			m->next_try_ms = 0;
			return;
		}
	}
	if (rc < 0) {
		MANA_MBOX_LOG(ERR, "port %u: mailbox: %s; attaching again", m->port_id,
			      mbox_errmsg());
		mana_mbox_detach(m);
		m->next_try_ms = mana_now_ms() + m->retry_ms;
	}
}

static void *
mana_mbox_main(void *arg)
{
	struct mana_mbox *m = arg;
	struct pollfd pfd[2];
	uint64_t now, v;
	int timeout;

	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
		if (m->mb == NULL) {
			now = mana_now_ms();
			if (now >= m->next_try_ms)
				mana_mbox_try_attach(m);
		}
		pfd[0] = (struct pollfd){ .fd = m->wake_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = m->mb != NULL ? mbox_fd(m->mb) : -1,
					  .events = POLLIN };
		timeout = -1;
		if (m->mb == NULL) {
			now = mana_now_ms();
			timeout = m->next_try_ms > now ? (int)(m->next_try_ms - now) : 0;
		}
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR) {
			MANA_MBOX_LOG(ERR, "port %u: mailbox thread: poll: %s", m->port_id,
				      strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			if (read(m->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				break;
			/* A reset event while detached: try again soon. */
			if (m->mb == NULL && m->next_try_ms > mana_now_ms() + MBOX_RETRY_MIN_MS)
				m->next_try_ms = mana_now_ms() + MBOX_RETRY_MIN_MS;
		}
		if (m->mb != NULL && pfd[1].revents != 0)
			mana_mbox_drain(m);
	}
	if (m->mb != NULL)
		mana_mbox_detach(m);
	return NULL;
}

struct mana_mbox *
mana_mbox_start(const struct mana_mbox_cfg *cfg, uint16_t port_id, struct mana_reset *r)
{
	char name[RTE_MAX_THREAD_NAME_LEN];
	struct mana_mbox *m;
	int ret;

	if (cfg == NULL || cfg->sock_path[0] == '\0')
		return NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		goto err;
	m->cfg = *cfg;
	m->port_id = port_id;
	m->reset = r;
	m->mbox_port = -1;
	m->st.mbox_port = -1;
	m->retry_ms = MBOX_RETRY_MIN_MS;
	m->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (m->wake_fd < 0)
		goto err_free;
	/* pthread calls return their error; errno is not theirs. */
	ret = pthread_mutex_init(&m->lock, NULL);
	if (ret != 0) {
		errno = ret;
		goto err_close;
	}
	/* Before the thread logs: EAL's log stream allocates its buffer at
	 * the first message, and ThreadSanitizer sees the glibc stream lock
	 * that orders it no more than the rest of the uninstrumented libc.
	 */
	MANA_MBOX_LOG(INFO, "port %u: mailbox %s, port '%s'", port_id, cfg->sock_path,
		      cfg->ident);
	snprintf(name, sizeof(name), "mana-mbox-%u", port_id);
	ret = rte_ctrl_thread_create(&m->thread, name, NULL, mana_mbox_main, m);
	if (ret != 0) {
		errno = -ret;
		goto err_mutex;
	}
	return m;

err_mutex:
	pthread_mutex_destroy(&m->lock);
err_close:
	close(m->wake_fd);
err_free:
	free(m);
err:
	MANA_MBOX_LOG(ERR, "port %u: cannot start the mailbox: %s; running without the control daemon",
		      port_id, strerror(errno));
	return NULL;
}

void
mana_mbox_stop(struct mana_mbox *m)
{
	int ret;

	if (m == NULL)
		return;
	/* Pairs with the acquire in mana_mbox_main. */
	__atomic_store_n(&m->stop, true, __ATOMIC_RELEASE);
	mana_mbox_wake(m);
	/* The one join of the mailbox thread; it detaches on its way out. */
	ret = pthread_join(m->thread, NULL);
	if (ret != 0)
		MANA_MBOX_LOG(ERR, "port %u: cannot join the mailbox thread: %s", m->port_id,
			      strerror(ret));
	close(m->wake_fd);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void
mana_mbox_status_get(struct mana_mbox *m, struct mana_mbox_status *st)
{
	if (m == NULL) {
		memset(st, 0, sizeof(*st));
		st->mbox_port = -1;
		return;
	}
	pthread_mutex_lock(&m->lock);
	*st = m->st;
	pthread_mutex_unlock(&m->lock);
}
