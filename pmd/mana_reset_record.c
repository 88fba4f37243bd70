/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The reset engine's records as observers read them (mana_reset.h): phase
 * durations, the wait's hint, names. Pure functions of their arguments: no lock, no
 * state, any thread.
 */
#include <stdint.h>

#include "mana_reset.h"

uint64_t
mana_reset_phase_ns(const struct mana_reset_record *rec, enum mana_reset_phase ph)
{
	uint64_t start = rec->t_request;
	int i;

	if ((unsigned int)ph >= MANA_PH_NUM || rec->t_phase_end[ph] == 0)
		return 0;
	for (i = (int)ph - 1; i >= 0; i--)
		if (rec->t_phase_end[i] != 0) {
			start = rec->t_phase_end[i];
			break;
		}
	return rec->t_phase_end[ph] > start ? rec->t_phase_end[ph] - start : 0;
}

uint64_t
mana_reset_total_ns(const struct mana_reset_record *rec)
{
	return rec->t_end > rec->t_request ? rec->t_end - rec->t_request : 0;
}

uint64_t
mana_reset_hint_ns(const struct mana_reset_record *rec)
{
	if (rec->t_hint == 0 || rec->t_wait_end < rec->t_hint)
		return 0;
	return rec->t_wait_end - rec->t_hint;
}

const char *
mana_reset_wake_name(enum mana_reset_wake w)
{
	static const char *const names[] = {
		[MANA_WAKE_NONE] = "none",
		[MANA_WAKE_CTRL] = "ctrl",
		[MANA_WAKE_POLL] = "poll",
		[MANA_WAKE_DEVICE] = "device",
		[MANA_WAKE_TIMEOUT] = "timeout",
		[MANA_WAKE_REMOVED] = "removed",
		[MANA_WAKE_CLOSED] = "closed",
	};

	return (unsigned int)w < MANA_WAKE_NUM ? names[w] : "unknown";
}

const char *
mana_reset_state_name(enum mana_reset_state s)
{
	static const char *const names[] = {
		[MANA_RS_ACTIVE] = "active",
		[MANA_RS_RESET_ENTER] = "reset_enter",
		[MANA_RS_WAIT_HW] = "wait_hw",
		[MANA_RS_RESET_EXIT] = "reset_exit",
		[MANA_RS_FAILED] = "failed",
		[MANA_RS_REMOVED] = "removed",
		[MANA_RS_CLOSED] = "closed",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

const char *
mana_reset_phase_name(enum mana_reset_phase p)
{
	static const char *const names[] = {
		[MANA_PH_QUIESCE] = "quiesce",
		[MANA_PH_TEARDOWN] = "teardown",
		[MANA_PH_WAIT_HW] = "wait_hw",
		[MANA_PH_REPROBE] = "reprobe",
		[MANA_PH_RESTORE] = "restore",
	};

	return (unsigned int)p < MANA_PH_NUM ? names[p] : "unknown";
}
