/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/* The uevent parser on the infiniband events the 6.1 VM printed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netlink/nl_uevent.h"
#include "tests/lib/test_util.h"

#define UEV(s) s, sizeof(s) - 1

int
main(void)
{
	static const char add[] = "add@/devices/virtual/infiniband/rxe0\0ACTION=add\0"
				  "DEVPATH=/devices/virtual/infiniband/rxe0\0SUBSYSTEM=infiniband\0"
				  "NAME=rxe0\0SEQNUM=1234\0";
	static const char mv[] = "move@/devices/virtual/infiniband/rxe9\0ACTION=move\0"
				 "DEVPATH=/devices/virtual/infiniband/rxe9\0"
				 "DEVPATH_OLD=/devices/virtual/infiniband/rxe0\0SUBSYSTEM=infiniband\0";
	static const char udev[] = "libudev\0\xfe\xed\xca\xfe";
	struct nl_uevent ev;

	CHECK(nl_uevent_parse(&ev, UEV(add)) == 0);
	CHECK(strcmp(ev.action, "add") == 0 && strcmp(ev.subsystem, "infiniband") == 0);
	CHECK(strcmp(ev.name, "rxe0") == 0);
	CHECK(strcmp(ev.devpath, "/devices/virtual/infiniband/rxe0") == 0);
	CHECK(nl_uevent_parse(&ev, UEV(mv)) == 0);
	CHECK(strcmp(ev.action, "move") == 0 && strcmp(ev.name, "rxe9") == 0);
	CHECK(strcmp(ev.devpath_old, "/devices/virtual/infiniband/rxe0") == 0);
	CHECK(nl_uevent_parse(&ev, UEV(udev)) == -EPROTO);
	CHECK(nl_uevent_parse(&ev, "", 0) == -EPROTO);
	/* Every truncation parses or is refused; never reads past len. */
	for (size_t l = 0; l <= sizeof(add) - 1; l++)
		(void)nl_uevent_parse(&ev, add, l);
	/* No NUL at all. */
	CHECK(nl_uevent_parse(&ev, "remove@/x/y", 11) == 0 && strcmp(ev.name, "y") == 0);
	if (test_failures != 0) {
		fprintf(stderr, "uevent_test: %d failures\n", test_failures);
		return 1;
	}
	printf("uevent_test: ok\n");
	return 0;
}
