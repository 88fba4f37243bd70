/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_SIM_KERNEL_H
#define MANA_CTRL_SIM_KERNEL_H

/*
 * For simulation only (`sim_kernel = DIR`, `--sim-kernel DIR`; off by
 * default): the simulated host of proto/simhost in place of the kernel, so
 * that mana-ctrld watches simulated MANA devices (pmd/sim with `host=DIR`)
 * as it watches real ones. Real netlink sources are not opened.
 *
 *   - The detector's backend (struct detect_backend) answers RDMA dumps and
 *     GETs from the registered devices' state files (DIR/dev/NAME:
 *     registered=1, ib_index, ibdev, node_guid, netdev, ifindex), and
 *     devlink reporter dumps from those with devlink=1 (pci/BDF, the
 *     reporter, health, error_count, recover_count), as the kernel would.
 *   - Notifications arrive as datagrams on DIR/kernel.sock, bound here, in
 *     the daemon's loop, and feed the detect_* inputs the netlink readers
 *     feed, with a 6.12 kernel's semantics in RDMA monitor mode (REGISTER,
 *     NETDEV_ATTACH, UNREGISTER with the device's index and name; the
 *     detector GETs the device) and devlink's "config" group
 *     (HEALTH_REPORTER_RECOVER with the state and counts, dev del / new).
 *     `pci remove` goes to the pci_removed callback (the mailbox's verdict
 *     on a removal); `pci add` is logged only.
 *   - Malformed datagrams are logged ("simulated kernel: malformed
 *     notification, skipped", with the text) and counted as read errors
 *     (struct detect_stats.errors); never fatal.
 * The sysfs root is DIR/sys (set by the caller: config.sysfs).
 *
 * Thread context: the daemon's loop thread, for every call. The object
 * owns its socket (unbound and its path removed at close).
 */
#include <stdbool.h>
#include <stdint.h>

#include "ctrl/ctrld/detect.h"
#include "netlink/nl_loop.h"

struct sim_kernel;

/* Called for a `pci remove bdf=BDF` notification (source "uevent"). */
typedef void (*sim_kernel_pci_cb)(void *ctx, const char *bdf, const char *source,
				  uint64_t now);

struct sim_kernel_cfg {
	const char *dir;		/* the simulated host's directory: must exist */
	bool rdma;			/* answer and notify RDMA */
	bool devlink;			/* answer and notify devlink */
	struct nl_loop *loop;		/* the socket is watched there */
	struct detect *det;		/* gets the notifications */
	sim_kernel_pci_cb pci_removed;	/* may be NULL */
	void *pci_ctx;
};

/*
 * Check DIR (an existing directory we may write to), make DIR/dev, DIR/hv
 * and DIR/sys when missing, bind DIR/kernel.sock and watch it. NULL on
 * failure with a sentence in err (size n): DIR missing, not a directory,
 * not writable, or another live mana-ctrld bound to its socket.
 */
struct sim_kernel *sim_kernel_open(const struct sim_kernel_cfg *cfg, char *err, size_t n);
/* Stop watching, unbind, remove DIR/kernel.sock. NULL is a no-op. */
void sim_kernel_close(struct sim_kernel *sk);

/* The detector's backend over the simulated host (ctx = sk); the sources
 * that are off have NULL entries.
 */
struct detect_backend sim_kernel_backend(struct sim_kernel *sk);

/* The devlink reporters' dump alone (for the metrics' render; ctx = sk). */
int sim_kernel_devlink_dump(void *ctx, void (*cb)(void *arg, const struct nl_dl_msg *m),
			    void *arg);

#endif /* MANA_CTRL_SIM_KERNEL_H */
