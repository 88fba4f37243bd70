/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * The net_mana PCI driver's devargs and its probe without a MANA device,
 * with no EAL, no PCI bus and no kernel RDMA (pmd/verbs/mana_verbs.h):
 *   - mac= (repeatable) and the core's common devargs: accepted values,
 *     and each bad one rejected with a message that names it;
 *   - probe of a PCI function with no RDMA device on it (no RDMA class in
 *     sysfs), and of one whose ibdev libibverbs cannot open (the device
 *     list fails or lacks it): non-zero, one log line saying why, no crash;
 *   - the device ops the reset engine drives across incarnations (probe,
 *     open) while no ibdev sits on the function, and once one does again.
 * The log is captured with rte_openlog_stream. Single-threaded.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_log.h>

#include "pmd/verbs/mana_verbs.h"
#include "tests/lib/test_util.h"

#define PCI "7870:00:00.0"

static char *log_buf;
static size_t log_len;
static FILE *log_f;

static void
log_start(void)
{
	log_f = open_memstream(&log_buf, &log_len);
	CHECK(log_f != NULL);
	rte_openlog_stream(log_f);
}

/* The captured text (valid until the next log_start); prints it. */
static const char *
log_end(const char *what)
{
	rte_openlog_stream(NULL);
	fclose(log_f);
	printf("--- %s:\n%s", what, log_buf);
	return log_buf;
}

static unsigned int
lines(const char *text)
{
	unsigned int n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

/* args rejected with a message containing want. */
static void
expect_reject(const char *args, const char *want)
{
	struct mana_verbs_params vp;
	struct mana_drv_params pp;
	const char *log;
	int ret;

	log_start();
	ret = mana_verbs_args_parse(PCI, args, &vp, &pp);
	log = log_end(args);
	CHECK(ret == -EINVAL);
	if (strstr(log, want) == NULL) {
		fprintf(stderr, "'%s': no \"%s\" in the log\n", args, want);
		CHECK(strstr(log, want) != NULL);
	}
	free(log_buf);
}

static void
test_devargs(void)
{
	static const uint8_t m1[6] = { 0x00, 0x0d, 0x3a, 0xaa, 0xbb, 0x01 };
	static const uint8_t m2[6] = { 0x00, 0x0d, 0x3a, 0xaa, 0xbb, 0x02 };
	struct mana_verbs_params vp;
	struct mana_drv_params pp;

	CHECK(mana_verbs_args_parse(PCI, NULL, &vp, &pp) == 0);
	CHECK(vp.nb_macs == 0);
	CHECK(mana_verbs_args_parse(PCI, "", &vp, &pp) == 0);
	CHECK(vp.nb_macs == 0);
	CHECK(mana_verbs_args_parse(PCI, "mac=00:0d:3a:aa:bb:01", &vp, &pp) == 0);
	CHECK(vp.nb_macs == 1 && memcmp(vp.macs[0], m1, 6) == 0);
	CHECK(mana_verbs_args_parse(PCI, "mac=00:0d:3a:aa:bb:01,mac=00:0D:3A:AA:BB:02,"
				    "hw_poll_ms=10", &vp, &pp) == 0);
	CHECK(vp.nb_macs == 2 && memcmp(vp.macs[0], m1, 6) == 0 &&
	      memcmp(vp.macs[1], m2, 6) == 0);
	CHECK(pp.hw_poll_ns == 10ull * 1000 * 1000);
	/* The poll's default: 1 ms alone, 1 s with a control daemon (its
	 * "hardware back" wakes the wait; the poll is the fallback), unless
	 * given.
	 */
	CHECK(mana_verbs_args_parse(PCI, "", &vp, &pp) == 0);
	CHECK(pp.hw_poll_ns == 1ull * 1000 * 1000);
	CHECK(mana_verbs_args_parse(PCI, "mbox=/run/mana/mbox.sock", &vp, &pp) == 0);
	CHECK(pp.hw_poll_ns == 1000ull * 1000 * 1000);
	CHECK(mana_verbs_args_parse(PCI, "mbox=/run/mana/mbox.sock,hw_poll_ms=5", &vp, &pp) == 0);
	CHECK(pp.hw_poll_ns == 5ull * 1000 * 1000);

	expect_reject("mac=zz:00", "mac='zz:00' is not a unicast MAC address");
	expect_reject("mac=", "mac='' is not a unicast MAC address");
	expect_reject("mac=01:00:5e:00:00:01", "mac='01:00:5e:00:00:01' is not a unicast MAC");
	expect_reject("mac=00:00:00:00:00:00", "mac='00:00:00:00:00:00' is not a unicast MAC");
	expect_reject("mac=00:0d:3a:aa:bb:01,mac=00:0d:3a:aa:bb:01",
		      "mac='00:0d:3a:aa:bb:01' is given twice");
	expect_reject("mac=00:0d:3a:00:00:01,mac=00:0d:3a:00:00:02,mac=00:0d:3a:00:00:03,"
		      "mac=00:0d:3a:00:00:04,mac=00:0d:3a:00:00:05,mac=00:0d:3a:00:00:06,"
		      "mac=00:0d:3a:00:00:07,mac=00:0d:3a:00:00:08,mac=00:0d:3a:00:00:09",
		      "mac= may be given at most 8 times");
	expect_reject("bogus=1", "cannot parse devargs 'bogus=1'; valid keys: mac, "
		      "reset_timeout_ms, quiesce_timeout_ms, hw_poll_ms, mp_timeout_ms, rmv_wait_ms, mbox, "
		      "mbox_port, mbox_ctrl_user");
	expect_reject("hw_poll_ms=0", "hw_poll_ms='0' must be a whole number from 1 to 60000");
	expect_reject("mbox_port=x", "mbox_port=<id> needs mbox=<control daemon socket path>");
	/* The last line names the device and the devargs. */
	expect_reject("mac=1", PCI ": invalid devargs 'mac=1'");
}

/* A fake sysfs root under TEST_TMPDIR. */
static void
fake_root(char *root, size_t len, const char *name)
{
	const char *tmp = getenv("TEST_TMPDIR");

	snprintf(root, len, "%s/%s.XXXXXX", tmp != NULL ? tmp : "/tmp", name);
	CHECK(mkdtemp(root) != NULL);
}

/* The auxiliary devices of functions .0 and .1 (the ibdevs' "device"). */
static void
function_dirs(const char *root)
{
	static const char *const dirs[] = {
		"devices", "devices/pci7870:00",
		"devices/pci7870:00/" PCI, "devices/pci7870:00/" PCI "/mana.rdma.0",
		"devices/pci7870:00/7870:00:00.1", "devices/pci7870:00/7870:00:00.1/mana.rdma.0",
	};
	char path[PATH_MAX + 64];
	unsigned int i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		mkdir(path, 0755);
	}
}

static void
test_probe_no_rdma(void)
{
	char root[PATH_MAX];
	const char *log;
	int ret;

	/* No RDMA class at all: ib_core / mana_ib not loaded. */
	fake_root(root, sizeof(root), "nordma");
	log_start();
	ret = mana_verbs_probe(PCI, NULL, root, NULL);
	log = log_end("no RDMA class");
	CHECK(ret == -ENODEV);
	CHECK(strstr(log, PCI ": no RDMA device on this PCI function") != NULL);
	CHECK(strstr(log, "load ib_uverbs and mana_ib") != NULL);
	CHECK(lines(log) == 1);
	free(log_buf);

	/* Bad devargs fail before sysfs is looked at. */
	log_start();
	ret = mana_verbs_probe(PCI, "mac=x", root, NULL);
	log = log_end("bad devargs");
	CHECK(ret == -EINVAL);
	CHECK(strstr(log, "no RDMA device") == NULL);
	free(log_buf);
}

/* sysfs says an ibdev sits on the function, but libibverbs cannot open it:
 * its device list fails (no uverbs ABI in this sysfs) or does not list it.
 * rdma-core reads the sysfs of SYSFS_PATH, so the result is the same on a
 * host with RDMA devices.
 */
static void
test_probe_verbs_fails(void)
{
	char root[PATH_MAX], path[PATH_MAX + 64];
	const char *log;
	int ret;

	fake_root(root, sizeof(root), "noverbs");
	snprintf(path, sizeof(path), "%s/class", root);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/class/infiniband", root);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/class/infiniband/manafake0", root);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/class/infiniband/manafake0/device", root);
	CHECK(symlink("../../../devices/pci7870:00/" PCI "/mana.rdma.0", path) == 0);
	function_dirs(root);
	CHECK(setenv("SYSFS_PATH", root, 1) == 0);
	log_start();
	ret = mana_verbs_probe(PCI, NULL, root, NULL);
	log = log_end("verbs cannot open the ibdev");
	CHECK(ret < 0);
	CHECK(strstr(log, PCI ": cannot open RDMA device manafake0: ") != NULL);
	CHECK(strstr(log, "ibv_get_device_list: ") != NULL ||
	      strstr(log, "manafake0 is not among the ") != NULL);
	CHECK(lines(log) == 1);
	free(log_buf);
	unsetenv("SYSFS_PATH");
}

/* The mana_hw_dev_ops while the device is away and when sysfs has it back:
 * DOWN and -EAGAIN (the engine waits), then READY; an open that libibverbs
 * refuses is an error, not a crash, and leaves no handle behind.
 */
static void
test_dev_ops(void)
{
	char root[PATH_MAX], path[PATH_MAX + 64];
	struct mana_hw_dev *d;
	struct mana_hw *hw = NULL;
	int ret;

	fake_root(root, sizeof(root), "devops");
	CHECK(mana_verbs_dev_create(PCI, 1, root, &d) == 0);
	CHECK(d->ops->probe(d) == MANA_HWP_DOWN);
	CHECK(d->ops->open(d, &hw) == -EAGAIN);
	CHECK(hw == NULL);
	snprintf(path, sizeof(path), "%s/class", root);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/class/infiniband", root);
	CHECK(mkdir(path, 0755) == 0);
	CHECK(d->ops->probe(d) == MANA_HWP_DOWN);
	/* Another function's ibdev is not ours. */
	snprintf(path, sizeof(path), "%s/class/infiniband/mana_0", root);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/class/infiniband/mana_0/device", root);
	CHECK(symlink("../../../devices/pci7870:00/7870:00:00.1/mana.rdma.0", path) == 0);
	function_dirs(root);
	CHECK(d->ops->probe(d) == MANA_HWP_DOWN);
	CHECK(d->ops->open(d, &hw) == -EAGAIN);
	/* Ours, under the name of a new incarnation. */
	snprintf(path, sizeof(path), "%s/class/infiniband/mana_1", root);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/class/infiniband/mana_1/device", root);
	CHECK(symlink("../../../devices/pci7870:00/" PCI "/mana.rdma.0", path) == 0);
	CHECK(d->ops->probe(d) == MANA_HWP_READY);
	CHECK(setenv("SYSFS_PATH", root, 1) == 0);
	log_start();
	ret = d->ops->open(d, &hw);
	log_end("open refused by libibverbs");
	free(log_buf);
	CHECK(ret < 0 && ret != -EBUSY);
	CHECK(hw == NULL);
	/* Nothing stayed open: a second try fails the same way, not -EBUSY. */
	log_start();
	CHECK(d->ops->open(d, &hw) == ret);
	log_end("again");
	free(log_buf);
	unsetenv("SYSFS_PATH");
	d->ops->destroy(d);
}

int
main(void)
{
	test_devargs();
	test_probe_no_rdma();
	test_probe_verbs_fails();
	test_dev_ops();
	if (test_failures != 0) {
		fprintf(stderr, "probe_test: %d failure(s)\n", test_failures);
		return 1;
	}
	printf("probe_test: ok\n");
	return 0;
}
