/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Fixtures of the call-cycle check (call_cycles_check.py): files that call
 * each other in circles, which it must flag, and a chain that must pass.
 * Nothing runs them; only their symbols matter.
 */
#ifndef CYCLE_FIXTURE_H
#define CYCLE_FIXTURE_H

/* cycle_pair_lib: cycle_pair_a.c <-> cycle_pair_b.c */
int pair_a(int n);
int pair_b(int n);

/*
 * cycle_chain_lib: cycle_chain_a.c -> cycle_chain_b.c -> cycle_chain_c.c ->
 * cycle_chain_a.c, the last edge by data (chain_limit).
 */
extern int chain_limit;
int chain_a(int n);
int chain_b(int n);
int chain_c(int n);

/*
 * acyclic_lib: acyclic_top.c -> acyclic_mid.c -> acyclic_low.c, and
 * acyclic_top.c -> acyclic_low.c; acyclic_low.c calls cycle_pair_b.c of
 * another library, which is no edge of this one's graph.
 */
int dag_top(int n);
int dag_mid(int n);
int dag_low(int n);

#endif /* CYCLE_FIXTURE_H */
