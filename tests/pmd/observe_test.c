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
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

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

static uint64_t successes;

static int
on_success(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	(void)port;
	(void)type;
	(void)arg;
	(void)ret;
	__atomic_fetch_add(&successes, 1, __ATOMIC_RELEASE);
	return 0;
}

/* The value of xstat name, or UINT64_MAX when there is none. */
static uint64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0)
		return UINT64_MAX;
	if (rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

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
	char prefix[64], cmd[64], reply[8192], key[32];
	char *eal_args[] = {
		argv[0], "-l", "0", "--no-pci", "--no-huge", "-m", "256",
		"--file-prefix", prefix, "--log-level", "pmd.net.mana.*:error",
	};
	struct rte_mempool *pool;
	struct rte_eth_conf conf;
	uint64_t total, phases, i;
	uint16_t port;
	time_t end;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "mana_observe_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	pool = rte_pktmbuf_pool_create("observe_pool", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_RECOVERY_SUCCESS, on_success,
				      NULL);
	memset(&conf, 0, sizeof(conf));
	if (pool == NULL ||
	    rte_vdev_init("net_mana_sim0", "reset_period_ms=5,reset_count=3,recovery_ms=3") != 0 ||
	    rte_eth_dev_get_port_by_name("net_mana_sim0", &port) != 0 ||
	    rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(port) != 0) {
		fprintf(stderr, "cannot set up the port\n");
		return 1;
	}
	end = time(NULL) + 10;
	while (__atomic_load_n(&successes, __ATOMIC_ACQUIRE) < RESETS && time(NULL) < end)
		usleep(1000);
	CHECK(successes == RESETS);

	/* xstats */
	CHECK(xstat(port, "reset_requested") == RESETS);
	CHECK(xstat(port, "reset_succeeded") == RESETS);
	CHECK(xstat(port, "reset_failed") == 0);
	CHECK(xstat(port, "reset_removed") == 0);
	total = xstat(port, "reset_last_total_us");
	phases = xstat(port, "reset_last_quiesce_us") + xstat(port, "reset_last_teardown_us") +
		 xstat(port, "reset_last_wait_hw_us") + xstat(port, "reset_last_reprobe_us") +
		 xstat(port, "reset_last_restore_us");
	/* The hardware was down 3 ms; the phases add up to the whole. */
	CHECK(total != UINT64_MAX && total >= 2000);
	CHECK(xstat(port, "reset_last_wait_hw_us") >= 1000);
	CHECK(phases <= total && total - phases <= 10);
	CHECK(xstat(port, "mr_registered") >= 1);
	CHECK(xstat(port, "rx_mac_filtered_packets") != UINT64_MAX);
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
	CHECK(strstr(reply, "\"columns\":[\"seq\",\"outcome\",\"error\",\"merged\",\"total_us\",\"quiesce_us\",\"teardown_us\",\"wait_hw_us\",\"reprobe_us\",\"restore_us\"]") != NULL);
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
	CHECK(rte_eth_dev_close(port) == 0);
	CHECK(rte_vdev_uninit("net_mana_sim0") == 0);
	/* The port is gone from the endpoint too. */
	CHECK(telemetry(cmd, reply, sizeof(reply)) == 0);
	CHECK(strstr(reply, "\"/mana/reset\":null") != NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	if (test_failures != 0) {
		fprintf(stderr, "%d check(s) failed\n", test_failures);
		return 1;
	}
	return 0;
}
