/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * @sysroot//:dpdk links and works: EAL starts without PCI or hugepages and
 * probes a net_null vdev (a PMD that EAL loads from the host's pmds dir).
 */
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_version.h>

int
main(void)
{
	char prefix[64];
	char *argv[] = {
		"eal_link_test", "--no-pci", "--no-huge", "-m", "64", "--no-shconf",
		"--no-telemetry", "--log-level", "lib.eal:warning", "--file-prefix", prefix,
		"--vdev=net_null0",
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0]));
	uint16_t ports;

	snprintf(prefix, sizeof(prefix), "build_eal_%ld", (long)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ports = rte_eth_dev_count_avail();
	printf("%s: eal ok, %u port(s)\n", rte_version(), ports);
	if (ports != 1) {
		fprintf(stderr, "want 1 port (net_null0), got %u\n", ports);
		return 1;
	}
	return rte_eal_cleanup() == 0 ? 0 : 1;
}
