/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_FAKE_KERNEL_H
#define MANA_CTRL_FAKE_KERNEL_H

/*
 * For process tests only (`--fake-kernel FIFO`): a fake RDMA kernel in place
 * of netlink/, so that the real mana-ctrld binary can be driven on a host
 * without NETLINK_RDMA. The test writes lines to the FIFO:
 *
 *   add NAME GUID NETDEV   a device registers (new index; GUID in hex):
 *                          a monitor REGISTER event
 *   del NAME               it unregisters: a monitor UNREGISTER event
 *
 * The fake answers the detector's dumps and GETs from its device table, as
 * the kernel would (device selection still goes through --sysfs). Bad lines
 * are logged and skipped. Thread context: the daemon's loop thread.
 */
#include <stdint.h>

#include "ctrl/ctrld/detect.h"
#include "netlink/nl_loop.h"

struct fake_kernel;

/* Open the FIFO (made if missing) and watch it in loop; det gets the events.
 * NULL on failure (logged).
 */
struct fake_kernel *fake_kernel_open(const char *fifo, struct nl_loop *loop, struct detect *det);
void fake_kernel_close(struct fake_kernel *fk);

/* The detector's backend over the fake (ctx = fk). */
struct detect_backend fake_kernel_backend(struct fake_kernel *fk);

#endif /* MANA_CTRL_FAKE_KERNEL_H */
