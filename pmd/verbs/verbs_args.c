/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The net_mana devargs: mac= (repeatable: the ports of the device to
 * probe, as net/mana takes it), then the core's common ones through
 * mana_devargs.h. See mana_verbs.h.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_kvargs.h>

#include "pmd/mana_devargs.h"
#include "pmd/mana_log.h"
#include "mana_verbs.h"

static const char *const verbs_valid_args[] = {
	MANA_VERBS_ARG_MAC,
	MANA_DEVARGS_COMMON_KEYS,
	NULL,
};

/* One mac= (rte_kvargs_process calls it once per occurrence). */
static int
verbs_arg_mac(const char *key, const char *value, void *opaque)
{
	struct mana_verbs_params *vp = opaque;
	struct rte_ether_addr mac;
	unsigned int i;

	if (value == NULL || rte_ether_unformat_addr(value, &mac) != 0 ||
	    !rte_is_valid_assigned_ether_addr(&mac)) {
		MANA_INIT_LOG(ERR, "%s='%s' is not a unicast MAC address (xx:xx:xx:xx:xx:xx)",
			      key, value != NULL ? value : "");
		return -EINVAL;
	}
	for (i = 0; i < vp->nb_macs; i++)
		if (memcmp(vp->macs[i], mac.addr_bytes, RTE_ETHER_ADDR_LEN) == 0) {
			MANA_INIT_LOG(ERR, "%s='%s' is given twice", key, value);
			return -EINVAL;
		}
	if (vp->nb_macs == MANA_VERBS_MAX_MACS) {
		MANA_INIT_LOG(ERR, "%s= may be given at most %u times", key, MANA_VERBS_MAX_MACS);
		return -EINVAL;
	}
	memcpy(vp->macs[vp->nb_macs++], mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	return 0;
}

int
mana_verbs_args_parse(const char *name, const char *args, struct mana_verbs_params *vp,
		      struct mana_drv_params *pp)
{
	struct rte_kvargs *kv;
	int ret;

	memset(vp, 0, sizeof(*vp));
	ret = mana_devargs_parse(name, args, verbs_valid_args, &kv);
	if (ret != 0)
		return ret;
	if (kv != NULL)
		ret = rte_kvargs_process(kv, MANA_VERBS_ARG_MAC, verbs_arg_mac, vp);
	if (ret == 0)
		ret = mana_devargs_common(name, kv, pp);
	rte_kvargs_free(kv);
	if (ret != 0) {
		MANA_INIT_LOG(ERR, "%s: invalid devargs '%s'", name, args != NULL ? args : "");
		return -EINVAL;
	}
	return 0;
}
