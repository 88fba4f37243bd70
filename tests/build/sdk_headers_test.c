/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * @dpdk_sdk links and works: the driver-SDK headers compile with the
 * project's flags, and the minimal vdev driver in sdk_probe.c is probed by
 * EAL and becomes an ethdev port (INTERNAL symbols resolve).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bus_driver.h>
#include <bus_pci_driver.h>
#include <bus_vdev_driver.h>
#include <dev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_pci.h>
#include <ethdev_vdev.h>
#include <rte_eal.h>

#include "sdk_probe.h"

int
main(void)
{
	char prefix[64];
	char *argv[] = {
		"sdk_headers_test", "--no-pci", "--no-huge", "-m", "64", "--no-shconf",
		"--no-telemetry", "--log-level", "lib.eal:warning", "--file-prefix", prefix,
		"--vdev=net_sdk_probe0",
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0]));
	uint16_t port;
	int found = 0;

	snprintf(prefix, sizeof(prefix), "build_sdk_%ld", (long)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	RTE_ETH_FOREACH_DEV(port) {
		char name[RTE_ETH_NAME_MAX_LEN];

		if (rte_eth_dev_get_name_by_port(port, name) == 0 &&
		    strcmp(name, "net_sdk_probe0") == 0)
			found++;
	}
	printf("driver SDK: probe called %d time(s), %d net_sdk_probe port(s)\n", sdk_probe_calls,
	       found);
	if (sdk_probe_calls != 1 || found != 1)
		return 1;
	return rte_eal_cleanup() == 0 ? 0 : 1;
}
