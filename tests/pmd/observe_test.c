/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The reset counters and durations as a user reads them: xstats through
 * ethdev, and the /mana/reset telemetry endpoint through EAL's telemetry
 * socket (as dpdk-telemetry.py does), after three resets of a simulated
 * port; then a bad request to the endpoint.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "pmd/mana_reset.h"
#include "tests/lib/test_port.h"
#include "tests/lib/test_util.h"
#include "tests/lib/tsan_dpdk.h"

#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_suppressions(void);
const char *
__tsan_default_suppressions(void)
{
	return TSAN_DPDK_SUPPRESSIONS;
}
#endif

#define RESETS 3

/* Send cmd on the telemetry socket and read the reply into buf. */
static int
telemetry(const char *cmd, char *buf, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "cannot connect to %s: %s\n", sun.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* The greeting first ({"version": ...}), then the reply. */
	n = read(fd, buf, len - 1);
	if (n <= 0 || write(fd, cmd, strlen(cmd)) < 0 || (n = read(fd, buf, len - 1)) <= 0) {
		close(fd);
		return -1;
	}
	buf[n] = '\0';
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct test_eal_opts eo = { .name = "observe", .nb_mbufs = 2047, .telemetry = true };
	char cmd[64], reply[8192], key[32];
	uint64_t total, phases, i;
	uint16_t port;
	int ret;

	(void)argc;
	if (test_eal_setup(argv[0], &eo) != 0)
		return 1;
	ret = test_port_up("net_mana_sim0", "reset_period_ms=5,reset_count=3,recovery_ms=3", NULL);
	if (ret < 0) {
		fprintf(stderr, "cannot set up the port\n");
		return 1;
	}
	port = (uint16_t)ret;
	test_wait_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS, RESETS, 10000);
	CHECK(test_events(port, RTE_ETH_EVENT_RECOVERY_SUCCESS) == RESETS);

	/* xstats */
	CHECK(test_xstat(port, "reset_requested") == RESETS);
	CHECK(test_xstat(port, "reset_succeeded") == RESETS);
	CHECK(test_xstat(port, "reset_failed") == 0);
	CHECK(test_xstat(port, "reset_removed") == 0);
	total = test_xstat(port, "reset_last_total_us");
	phases = test_xstat(port, "reset_last_quiesce_us") +
		 test_xstat(port, "reset_last_teardown_us") +
		 test_xstat(port, "reset_last_wait_hw_us") +
		 test_xstat(port, "reset_last_reprobe_us") +
		 test_xstat(port, "reset_last_restore_us");
	/* The hardware was down 3 ms; the phases add up to the whole. */
	CHECK(total != UINT64_MAX && total >= 2000);
	CHECK(test_xstat(port, "reset_last_wait_hw_us") >= 1000);
	CHECK(phases <= total && total - phases <= 10);
	CHECK(test_xstat(port, "mr_registered") >= 1);
	/* No control daemon: every wait ended by the driver's own poll. */
	CHECK(test_xstat(port, "reset_wake_poll") == RESETS);
	CHECK(test_xstat(port, "reset_wake_ctrl") == 0);
	CHECK(test_xstat(port, "reset_wake_timeout") == 0);
	CHECK(test_xstat(port, "reset_last_wake") == MANA_WAKE_POLL);
	CHECK(test_xstat(port, "reset_last_hint_us") == 0);
	CHECK(test_xstat(port, "rx_mac_filtered_packets") != UINT64_MAX);
	printf("xstats: %d resets, last %" PRIu64 " us (phases %" PRIu64 " us)\n", RESETS, total,
	       phases);

	/* telemetry */
	snprintf(cmd, sizeof(cmd), "/mana/reset,%u", port);
	CHECK(telemetry(cmd, reply, sizeof(reply)) == 0);
	printf("%s -> %s\n", cmd, reply);
	CHECK(strstr(reply, "\"/mana/reset\":{") != NULL);
	CHECK(strstr(reply, "\"state\":\"active\"") != NULL);
	CHECK(strstr(reply, "\"requested\":3") != NULL);
	CHECK(strstr(reply, "\"succeeded\":3") != NULL);
	CHECK(strstr(reply, "\"columns\":[\"seq\",\"outcome\",\"error\",\"merged\",\"total_us\",\"quiesce_us\",\"teardown_us\",\"wait_hw_us\",\"reprobe_us\",\"restore_us\",\"wake\",\"hint_us\"]") != NULL);
	for (i = 1; i <= RESETS; i++) {
		snprintf(key, sizeof(key), "\"reset_%" PRIu64 "\":[%" PRIu64 ",0,0,", i, i);
		CHECK(strstr(reply, key) != NULL);
	}
	/* A port that does not exist, and garbage: an error, no crash. */
	CHECK(telemetry("/mana/reset,77", reply, sizeof(reply)) == 0);
	CHECK(strstr(reply, "\"/mana/reset\":null") != NULL);
	CHECK(telemetry("/mana/reset,x1", reply, sizeof(reply)) == 0);
	CHECK(strstr(reply, "\"/mana/reset\":null") != NULL);

	CHECK(rte_eth_dev_stop(port) == 0);
	test_port_close("net_mana_sim0", port);
	/* The port is gone from the endpoint too. */
	CHECK(telemetry(cmd, reply, sizeof(reply)) == 0);
	CHECK(strstr(reply, "\"/mana/reset\":null") != NULL);
	return test_eal_finish();
}
