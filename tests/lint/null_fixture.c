/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The two lines review finding 11 quoted from the reviewed patch's mp.c,
 * and NULL done right: null_lint must report exactly the first two.
 */
#include <stddef.h>

struct proc_priv {
	void *db_page;
};

void unmap_db(struct proc_priv *proc_priv);

void
unmap_db(struct proc_priv *proc_priv)
{
	if (proc_priv->db_page != 0)            /* finding */
		proc_priv->db_page = (void *)0; /* finding */
	if (proc_priv->db_page == NULL)         /* fine */
		proc_priv->db_page = NULL;      /* fine */
}
