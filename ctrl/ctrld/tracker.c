/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrld/tracker.h"

struct trk_entry {
	char key[CTRL_NAME_MAX];
	struct ctrl_ident ident;
	enum tracker_state state;
	bool synced;			/* seen during the current snapshot */
	uint64_t started_ns;
	char source[16];
	char reason[96];
};

struct tracker {
	struct ctrl_sink sink;
	tracker_present_cb present;	/* optional: identities of present devices */
	void *present_ctx;
	uint64_t timeout_ns;
	struct trk_entry *e;
	unsigned int n, cap;
};

const char *
ctrl_event_kind_name(enum ctrl_event_kind kind)
{
	switch (kind) {
	case CTRL_EV_SERVICE_STARTED:
		return "service_event_started";
	case CTRL_EV_HW_BACK:
		return "hardware_back";
	case CTRL_EV_GONE_FOR_GOOD:
		return "gone_for_good";
	}
	return "unknown";
}

struct tracker *
tracker_new(uint64_t gone_timeout_ns, const struct ctrl_sink *sink)
{
	struct tracker *tr = calloc(1, sizeof(*tr));

	if (tr == NULL)
		return NULL;
	tr->timeout_ns = gone_timeout_ns;
	if (sink != NULL)
		tr->sink = *sink;
	return tr;
}

void
tracker_free(struct tracker *tr)
{
	if (tr == NULL)
		return;
	free(tr->e);
	free(tr);
}

void
tracker_set_present_cb(struct tracker *tr, tracker_present_cb cb, void *ctx)
{
	tr->present = cb;
	tr->present_ctx = ctx;
}

static void
present(struct tracker *tr, const struct trk_entry *e, uint64_t now)
{
	if (tr->present != NULL)
		tr->present(tr->present_ctx, e->key, &e->ident, now);
}

void
tracker_set_timeout(struct tracker *tr, uint64_t gone_timeout_ns)
{
	tr->timeout_ns = gone_timeout_ns;
}

static void
emit(struct tracker *tr, enum ctrl_event_kind kind, const struct trk_entry *e,
     const char *source, const char *reason, uint64_t now)
{
	struct ctrl_event ev = {
		.kind = kind,
		.key = e->key,
		.ident = &e->ident,
		.source = source,
		.reason = reason,
		.t_ns = now,
		.started_ns = e->started_ns,
	};

	if (tr->sink.publish != NULL)
		tr->sink.publish(tr->sink.ctx, &ev);
}

static struct trk_entry *
find_key(const struct tracker *tr, const char *key)
{
	for (unsigned int i = 0; i < tr->n; i++)
		if (strcmp(tr->e[i].key, key) == 0)
			return &tr->e[i];
	return NULL;
}

/* A device coming back under another name: same GUID, else same netdev. */
static struct trk_entry *
find_returning(const struct tracker *tr, const struct ctrl_ident *id)
{
	for (unsigned int i = 0; i < tr->n; i++) {
		const struct trk_entry *e = &tr->e[i];

		if (e->state == TRACKER_PRESENT)
			continue;
		if (id->node_guid != 0 && e->ident.node_guid == id->node_guid)
			return &tr->e[i];
	}
	for (unsigned int i = 0; i < tr->n; i++) {
		const struct trk_entry *e = &tr->e[i];

		if (e->state == TRACKER_PRESENT)
			continue;
		if (id->netdev[0] != '\0' && strcmp(e->ident.netdev, id->netdev) == 0)
			return &tr->e[i];
	}
	return NULL;
}

static struct trk_entry *
add_entry(struct tracker *tr, const char *key)
{
	struct trk_entry *e;

	if (tr->n == tr->cap) {
		unsigned int cap = tr->cap ? tr->cap * 2 : 8;
		struct trk_entry *ne = realloc(tr->e, cap * sizeof(*ne));

		if (ne == NULL)
			return NULL;
		tr->e = ne;
		tr->cap = cap;
	}
	e = &tr->e[tr->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->state = TRACKER_PRESENT;
	return e;
}

/* Merge what is known: a NETDEV_ATTACH adds the netdev, a dump the GUID. Changed? */
static bool
merge_ident(struct ctrl_ident *dst, const struct ctrl_ident *src)
{
	struct ctrl_ident before = *dst;

	snprintf(dst->name, sizeof(dst->name), "%s", src->name);
	if (src->has_index) {
		dst->index = src->index;
		dst->has_index = 1;
	}
	if (src->node_guid != 0)
		dst->node_guid = src->node_guid;
	if (src->netdev[0] != '\0')
		snprintf(dst->netdev, sizeof(dst->netdev), "%s", src->netdev);
	if (src->ifindex != 0)
		dst->ifindex = src->ifindex;
	return strcmp(before.name, dst->name) != 0 || before.index != dst->index ||
	       before.has_index != dst->has_index || before.node_guid != dst->node_guid ||
	       strcmp(before.netdev, dst->netdev) != 0 || before.ifindex != dst->ifindex;
}

static void start_service(struct tracker *tr, struct trk_entry *e, const char *source,
			  const char *reason, uint64_t now);

void
tracker_seen(struct tracker *tr, const struct ctrl_ident *id, const char *source, uint64_t now)
{
	struct trk_entry *e = find_key(tr, id->name);

	if (e == NULL || e->state == TRACKER_PRESENT) {
		struct trk_entry *r = e == NULL ? find_returning(tr, id) : NULL;

		if (r != NULL) {
			/* Back under a new name: the entry follows the device. */
			snprintf(r->key, sizeof(r->key), "%s", id->name);
			e = r;
		}
	}
	if (e == NULL) {
		e = add_entry(tr, id->name);
		if (e == NULL)
			return;
		e->ident = *id;
		e->synced = true;
		present(tr, e, now);
		return;
	}
	e->synced = true;
	if (e->state == TRACKER_PRESENT) {
		if (id->has_index && e->ident.has_index && id->index != e->ident.index) {
			/*
			 * Indexes are never reused: the device went away and came
			 * back while we were not looking (events lost). Report both.
			 */
			char reason[64];

			snprintf(reason, sizeof(reason), "re-registered (index %u -> %u)",
				 e->ident.index, id->index);
			start_service(tr, e, source, reason, now);
			e->ident = *id;
			e->state = TRACKER_PRESENT;
			emit(tr, CTRL_EV_HW_BACK, e, source, e->reason, now);
			return;
		}
		if (merge_ident(&e->ident, id))
			present(tr, e, now);
		return;
	}
	/* A new registration: the identity is the new one, not a merge. */
	e->ident = *id;
	e->state = TRACKER_PRESENT;
	emit(tr, CTRL_EV_HW_BACK, e, source, e->reason, now);
}

static void
start_service(struct tracker *tr, struct trk_entry *e, const char *source, const char *reason,
	      uint64_t now)
{
	e->state = TRACKER_IN_SERVICE;
	e->started_ns = now;
	snprintf(e->source, sizeof(e->source), "%s", source);
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	emit(tr, CTRL_EV_SERVICE_STARTED, e, source, reason, now);
}

void
tracker_lost(struct tracker *tr, const char *name, const char *source, const char *reason,
	     uint64_t now)
{
	struct trk_entry *e = find_key(tr, name);

	if (e == NULL) {
		/* Lost before we ever saw it (we started during an event). */
		e = add_entry(tr, name);
		if (e == NULL)
			return;
		snprintf(e->ident.name, sizeof(e->ident.name), "%s", name);
	}
	if (e->state != TRACKER_PRESENT)
		return;	/* already in service: one event per outage */
	start_service(tr, e, source, reason, now);
}

void
tracker_renamed(struct tracker *tr, const char *old_name, const char *new_name)
{
	struct trk_entry *e = find_key(tr, old_name);

	if (e == NULL || find_key(tr, new_name) != NULL)
		return;
	snprintf(e->key, sizeof(e->key), "%s", new_name);
	snprintf(e->ident.name, sizeof(e->ident.name), "%s", new_name);
}

void
tracker_health(struct tracker *tr, const char *handle, const char *reporter, bool error,
	       uint64_t err_count, uint64_t recover_count, uint64_t now)
{
	struct trk_entry *e = find_key(tr, handle);
	char reason[96];

	snprintf(reason, sizeof(reason), "reporter %s %s (error %llu recover %llu)", reporter,
		 error ? "error" : "healthy", (unsigned long long)err_count,
		 (unsigned long long)recover_count);
	if (e == NULL) {
		e = add_entry(tr, handle);
		if (e == NULL)
			return;
		snprintf(e->ident.name, sizeof(e->ident.name), "%s", handle);
	}
	e->synced = true;
	if (error) {
		if (e->state == TRACKER_PRESENT)
			start_service(tr, e, "devlink", reason, now);
		return;
	}
	if (e->state != TRACKER_PRESENT) {
		e->state = TRACKER_PRESENT;
		emit(tr, CTRL_EV_HW_BACK, e, "devlink", reason, now);
	}
}

void
tracker_sync_begin(struct tracker *tr)
{
	for (unsigned int i = 0; i < tr->n; i++)
		tr->e[i].synced = false;
}

void
tracker_sync_end(struct tracker *tr, const char *source, uint64_t now)
{
	for (unsigned int i = 0; i < tr->n; i++) {
		struct trk_entry *e = &tr->e[i];

		if (strchr(e->key, '/') != NULL || e->synced || e->state != TRACKER_PRESENT)
			continue;
		start_service(tr, e, source, "absent from dump", now);
	}
}

void
tracker_sync_end_devlink(struct tracker *tr, const char *source, uint64_t now)
{
	for (unsigned int i = 0; i < tr->n; i++) {
		struct trk_entry *e = &tr->e[i];

		if (strchr(e->key, '/') == NULL || e->synced || e->state != TRACKER_PRESENT)
			continue;
		start_service(tr, e, source, "absent from devlink dump", now);
	}
}

void
tracker_tick(struct tracker *tr, uint64_t now)
{
	for (unsigned int i = 0; i < tr->n; i++) {
		struct trk_entry *e = &tr->e[i];

		if (e->state != TRACKER_IN_SERVICE || now - e->started_ns < tr->timeout_ns)
			continue;
		e->state = TRACKER_GONE;
		emit(tr, CTRL_EV_GONE_FOR_GOOD, e, e->source, e->reason, now);
	}
}

int64_t
tracker_next_deadline(const struct tracker *tr, uint64_t now)
{
	int64_t best = -1;

	for (unsigned int i = 0; i < tr->n; i++) {
		const struct trk_entry *e = &tr->e[i];
		uint64_t due;
		int64_t left;

		if (e->state != TRACKER_IN_SERVICE)
			continue;
		due = e->started_ns + tr->timeout_ns;
		left = due > now ? (int64_t)(due - now) : 0;
		if (best < 0 || left < best)
			best = left;
	}
	return best;
}

const char *
tracker_name_by_index(const struct tracker *tr, uint32_t index)
{
	for (unsigned int i = 0; i < tr->n; i++) {
		const struct trk_entry *e = &tr->e[i];

		if (e->state == TRACKER_PRESENT && e->ident.has_index && e->ident.index == index &&
		    strchr(e->key, '/') == NULL)
			return e->key;
	}
	return NULL;
}

int
tracker_state(const struct tracker *tr, const char *name)
{
	const struct trk_entry *e = find_key(tr, name);

	return e == NULL ? -1 : (int)e->state;
}

unsigned int
tracker_count(const struct tracker *tr)
{
	return tr->n;
}
