/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_TSAN_DPDK_H
#define MANA_TSAN_DPDK_H

/*
 * ThreadSanitizer suppressions for C tests that link DPDK into an
 * instrumented binary, as tests/lib/tsan.supp (which gives the reasons) for
 * the stock programs: synchronization inside uninstrumented DPDK (EAL's
 * epoll set, mbufs passing through a mempool's ring). A test returns them
 * from its own __tsan_default_suppressions, with its own additions:
 *
 *   const char *__tsan_default_suppressions(void)
 *   { return TSAN_DPDK_SUPPRESSIONS "race:my_fn\n"; }
 */
#define TSAN_DPDK_SUPPRESSIONS \
	"race:epoll_ctl\n" \
	"race:rte_pktmbuf_reset\n" \
	"race:rte_pktmbuf_alloc_bulk\n" \
	"race:rte_pktmbuf_prefree_seg\n"

#endif /* MANA_TSAN_DPDK_H */
