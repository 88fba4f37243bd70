/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The devargs every MANA backend shares (see mana_devargs.h). Knows no
 * backend: a backend passes its keys in.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "mana_devargs.h"
#include "mana_log.h"
#include "proto/mbox.h"

/* Defaults: a real MANA device stays away about 10 s in service. */
#define MANA_DEFAULT_RESET_TIMEOUT_MS   30000u
#define MANA_DEFAULT_QUIESCE_TIMEOUT_MS 2000u
#define MANA_DEFAULT_HW_POLL_MS         1u
/* With a control daemon (mbox=) its "hardware back" wakes the wait at once:
 * the driver's own poll is only the fallback (a reset the daemon did not
 * see, a daemon gone), and asking a real device costs a sysfs walk.
 */
#define MANA_DEFAULT_HW_POLL_CTRL_MS    1000u
#define MANA_DEFAULT_MP_TIMEOUT_MS      200u
/* A control daemon tells a service event within milliseconds of the PCI
 * removal (it sees the devlink event first, or the same uevent).
 */
#define MANA_DEFAULT_RMV_WAIT_MS        1000u

/* Room for the valid keys in a message. */
#define MANA_DEVARGS_KEYS_TEXT 512

int
mana_devargs_parse(const char *name, const char *args, const char *const keys[],
		   struct rte_kvargs **kv)
{
	char text[MANA_DEVARGS_KEYS_TEXT] = "";
	size_t off = 0;
	unsigned int i;

	*kv = NULL;
	if (args == NULL || args[0] == '\0')
		return 0;
	*kv = rte_kvargs_parse(args, keys);
	if (*kv != NULL)
		return 0;
	for (i = 0; keys[i] != NULL && off < sizeof(text); i++)
		off += snprintf(text + off, sizeof(text) - off, "%s%s", i > 0 ? ", " : "",
				keys[i]);
	MANA_INIT_LOG(ERR, "%s: cannot parse devargs '%s'; valid keys: %s", name, args, text);
	return -EINVAL;
}

static int
mana_devargs_u32_one(const char *key, const char *value, void *opaque)
{
	const struct mana_devargs_u32 *n = opaque;
	unsigned long long v;
	char *end;

	if (value == NULL || value[0] < '0' || value[0] > '9')
		goto bad;
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < n->min || v > n->max)
		goto bad;
	*n->out = (uint32_t)v;
	return 0;
bad:
	MANA_INIT_LOG(ERR, "%s='%s' must be a whole number from %u to %u", key,
		      value != NULL ? value : "", n->min, n->max);
	return -EINVAL;
}

int
mana_devargs_u32s(const struct rte_kvargs *kv, const struct mana_devargs_u32 *nums,
		  unsigned int n)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; kv != NULL && ret == 0 && i < n; i++)
		ret = rte_kvargs_process(kv, nums[i].key, mana_devargs_u32_one,
					 (void *)(uintptr_t)&nums[i]);
	return ret == 0 ? 0 : -EINVAL;
}

/* mbox=<socket path>, mbox_port=<id>: syntax only; whether a control
 * daemon answers there is the mailbox thread's business (mana_mbox.h).
 */
static int
mana_devargs_mbox(const char *key, const char *value, void *opaque)
{
	struct mana_mbox_cfg *c = opaque;
	bool path = strcmp(key, MANA_DEVARG_MBOX) == 0;
	size_t max = path ? sizeof(c->sock_path) : sizeof(c->ident);

	if (value == NULL || value[0] == '\0' || strlen(value) >= max) {
		MANA_INIT_LOG(ERR, "%s=%s needs 1 to %zu characters", key,
			      path ? "<control daemon socket path>" : "<port identity>", max - 1);
		return -EINVAL;
	}
	strcpy(path ? c->sock_path : c->ident, value);
	return 0;
}

/* mbox_ctrl_user=<user name or uid>: the user the control daemon runs as,
 * trusted besides root and ours. Looked up now so that a typo fails the
 * probe; the mailbox thread looks it up again at each attach.
 */
static int
mana_devargs_mbox_user(const char *key, const char *value, void *opaque)
{
	struct mana_mbox_cfg *c = opaque;
	uid_t uid;

	if (mbox_user_uid(value != NULL ? value : "", &uid) < 0) {
		MANA_INIT_LOG(ERR, "%s='%s': %s", key, value != NULL ? value : "",
			      mbox_errmsg());
		return -EINVAL;
	}
	/* mbox_user_uid took at most MBOX_USER_MAX characters. */
	snprintf(c->ctrl_user, sizeof(c->ctrl_user), "%s", value);
	return 0;
}

/* The mailbox identity: mbox_port needs mbox; without mbox_port, the
 * control daemon knows the port by its device name.
 */
static int
mana_devargs_mbox_ident(const char *name, struct mana_mbox_cfg *c)
{
	if (c->ident[0] != '\0' && c->sock_path[0] == '\0') {
		MANA_INIT_LOG(ERR, "%s: %s=<id> needs %s=<control daemon socket path>", name,
			      MANA_DEVARG_MBOX_PORT, MANA_DEVARG_MBOX);
		return -EINVAL;
	}
	if (c->ctrl_user[0] != '\0' && c->sock_path[0] == '\0') {
		MANA_INIT_LOG(ERR, "%s: %s=<user> needs %s=<control daemon socket path>", name,
			      MANA_DEVARG_MBOX_CTRL_USER, MANA_DEVARG_MBOX);
		return -EINVAL;
	}
	if (c->sock_path[0] == '\0' || c->ident[0] != '\0')
		return 0;
	if (strlen(name) >= sizeof(c->ident)) {
		MANA_INIT_LOG(ERR, "%s: the name is too long to identify the port to the control daemon: give %s=<id> of at most %zu characters",
			      name, MANA_DEVARG_MBOX_PORT, sizeof(c->ident) - 1);
		return -EINVAL;
	}
	strcpy(c->ident, name);
	return 0;
}

int
mana_devargs_common(const char *name, const struct rte_kvargs *kv, struct mana_drv_params *p)
{
	uint32_t reset_timeout_ms = MANA_DEFAULT_RESET_TIMEOUT_MS;
	uint32_t quiesce_timeout_ms = MANA_DEFAULT_QUIESCE_TIMEOUT_MS;
	uint32_t hw_poll_ms = MANA_DEFAULT_HW_POLL_MS;
	uint32_t mp_timeout_ms = MANA_DEFAULT_MP_TIMEOUT_MS;
	uint32_t rmv_wait_ms = MANA_DEFAULT_RMV_WAIT_MS;
	const struct mana_devargs_u32 nums[] = {
		{ MANA_DEVARG_RESET_TIMEOUT_MS, 1, 3600000, &reset_timeout_ms },
		{ MANA_DEVARG_QUIESCE_TIMEOUT_MS, 1, 600000, &quiesce_timeout_ms },
		{ MANA_DEVARG_HW_POLL_MS, 1, 60000, &hw_poll_ms },
		{ MANA_DEVARG_MP_TIMEOUT_MS, 1, 60000, &mp_timeout_ms },
		{ MANA_DEVARG_RMV_WAIT_MS, 0, 60000, &rmv_wait_ms },
	};
	int ret;

	memset(p, 0, sizeof(*p));
	ret = mana_devargs_u32s(kv, nums, RTE_DIM(nums));
	if (ret == 0 && kv != NULL)
		ret = rte_kvargs_process(kv, MANA_DEVARG_MBOX, mana_devargs_mbox, &p->mbox);
	if (ret == 0 && kv != NULL)
		ret = rte_kvargs_process(kv, MANA_DEVARG_MBOX_PORT, mana_devargs_mbox, &p->mbox);
	if (ret == 0 && kv != NULL)
		ret = rte_kvargs_process(kv, MANA_DEVARG_MBOX_CTRL_USER, mana_devargs_mbox_user,
					 &p->mbox);
	if (ret == 0)
		ret = mana_devargs_mbox_ident(name, &p->mbox);
	if (ret != 0)
		return -EINVAL;
	if (p->mbox.sock_path[0] != '\0' &&
	    (kv == NULL || rte_kvargs_count(kv, MANA_DEVARG_HW_POLL_MS) == 0))
		hw_poll_ms = MANA_DEFAULT_HW_POLL_CTRL_MS;
	p->quiesce_timeout_ns = (uint64_t)quiesce_timeout_ms * 1000000;
	p->hw_timeout_ns = (uint64_t)reset_timeout_ms * 1000000;
	p->hw_poll_ns = (uint64_t)hw_poll_ms * 1000000;
	p->mp_timeout_ns = (uint64_t)mp_timeout_ms * 1000000;
	p->rmv_wait_ns = (uint64_t)rmv_wait_ms * 1000000;
	return 0;
}
