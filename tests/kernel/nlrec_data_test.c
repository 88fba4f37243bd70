/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The recorded kernel data (tests/kernel/data/<series>/nlrec/NAME.nlrec) stays
 * readable: every record frames and passes nlrec_check(), the listing
 * committed next to it (NAME.nlrec.txt) is what nlrec_print_file() prints
 * today, and each file still holds the messages the harness recorded it
 * for. Arguments: the .nlrec files. After a change to the listing format or
 * a new recording: tests/kernel/record (see README.md).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlrec_file.h"
#include "tests/lib/test_util.h"

#define MAX_FILE (8 << 20)

static uint8_t data[MAX_FILE];

static size_t
slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "FAIL %s: %s\n", path, strerror(errno));
		exit(1);
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	CHECK(n < cap);
	return n;
}

/* Substrings the listing of a file must contain, by file and kernel. */
struct expect {
	const char *file;
	const char *kernel;	/* prefix of META kernel=, NULL: any */
	const char *text;
};

static const struct expect expects[] = {
	{ "monitor.nlrec", NULL,
	  "devlink cmd 54 netdevsim/netdevsim1 reporter dummy state 1 error 1 recover 0" },
	{ "monitor.nlrec", NULL,
	  "devlink cmd 54 netdevsim/netdevsim1 reporter dummy state 0 error 2 recover 2" },
	{ "monitor.nlrec", NULL, "devlink cmd 4 netdevsim/netdevsim1" },
	{ "monitor.nlrec", NULL, "uevent add@/devices/virtual/infiniband/rxe0" },
	{ "monitor.nlrec", NULL, "uevent move@/devices/virtual/infiniband/rxe9" },
	{ "monitor.nlrec", NULL, "mark rxe_add" },
	{ "monitor.nlrec", NULL, "mark end" },
	{ "monitor.nlrec", "kernel=6.12", "rdma MONITOR REGISTER dev 0 rxe0" },
	{ "monitor.nlrec", "kernel=6.12", "rdma MONITOR NETDEV_ATTACH dev 0 rxe0 port 1" },
	{ "monitor.nlrec", "kernel=6.12", "rdma MONITOR UNREGISTER dev 0 rxe9" },
	{ "health_get.nlrec", NULL, "reporter dummy state 0 error 0 recover 0" },
	{ "health_get_final.nlrec", NULL, "reporter dummy state 1 error 3 recover 2" },
	{ "dump_get.nlrec", NULL, "devlink cmd 56 fmsg" },
	{ "dump_get_big.nlrec", NULL, "devlink cmd 56 fmsg" },
	{ "diagnose.nlrec", NULL, "devlink cmd 55 fmsg" },
	{ "rdma_sys.nlrec", "kernel=6.12", "rdma SYS_GET monitor_mode=1" },
	{ "rdma_sys.nlrec", "kernel=6.1.", "rdma SYS_GET monitor_mode=0" },
	{ "rdma_dump.nlrec", NULL, "rdma PORT_GET dev 0 rxe0 port 1 netdev" },
};

static void
check_file(const char *path)
{
	static uint8_t want[MAX_FILE];
	char txt_path[4096], err[256], kernel[128] = "", *listing = NULL, *name, *copy;
	size_t size = slurp(path, data, sizeof(data)), off = 0, listing_len = 0, want_len;
	struct nlrec rec;
	int r, family = -1, n = 0, matched = 0;
	FILE *mem;

	while ((r = nlrec_next(data, size, &off, &rec)) == 1) {
		n++;
		if (rec.source == NLREC_SRC_META && kernel[0] == '\0')
			snprintf(kernel, sizeof(kernel), "%.*s", (int)strcspn((const char *)rec.payload, " "),
				 (const char *)rec.payload);
		if (family < 0)
			family = nlrec_meta_devlink_family(&rec);
		if (nlrec_check(&rec, family, err, sizeof(err)) < 0) {
			fprintf(stderr, "FAIL %s record %d: %s\n", path, n, err);
			exit(1);
		}
	}
	if (r < 0) {
		fprintf(stderr, "FAIL %s: bad framing at offset %zu\n", path, off);
		exit(1);
	}
	CHECK(n > 0);
	CHECK(kernel[0] != '\0');

	copy = strdup(path);
	name = basename(copy);
	mem = open_memstream(&listing, &listing_len);
	CHECK(mem != NULL);
	CHECK(nlrec_print_file(name, data, size, mem) == 0);
	fclose(mem);
	snprintf(txt_path, sizeof(txt_path), "%s.txt", path);
	want_len = slurp(txt_path, want, sizeof(want));
	if (want_len != listing_len || memcmp(want, listing, want_len) != 0) {
		fprintf(stderr,
			"FAIL %s: differs from the listing nlrec prints now; if the format changed on\n"
			"purpose, regenerate the listings: tests/kernel/record --listings\n",
			txt_path);
		exit(1);
	}
	for (size_t i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		const struct expect *e = &expects[i];

		if (strcmp(e->file, name) != 0 ||
		    (e->kernel != NULL && strncmp(kernel, e->kernel, strlen(e->kernel)) != 0))
			continue;
		if (strstr(listing, e->text) == NULL) {
			fprintf(stderr, "FAIL %s (%s): no \"%s\"\n", path, kernel, e->text);
			exit(1);
		}
		matched++;
	}
	printf("ok %s: %d records, %s, %d expectations\n", path, n, kernel, matched);
	free(listing);
	free(copy);
}

int
main(int argc, char **argv)
{
	int files = 0;

	for (int i = 1; i < argc; i++) {
		if (strlen(argv[i]) > 6 && strcmp(argv[i] + strlen(argv[i]) - 6, ".nlrec") == 0) {
			check_file(argv[i]);
			files++;
		}
	}
	/* Both kernels, eight files each. */
	CHECK(files >= 16);
	return test_failures != 0;
}
