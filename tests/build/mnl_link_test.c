/* SPDX-License-Identifier: BSD-3-Clause */
/* @sysroot//:libmnl links and works: open and bind a NETLINK_ROUTE socket. */
#include <stdio.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

int
main(void)
{
	struct mnl_socket *nl;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (nl == NULL) {
		perror("mnl_socket_open");
		return 1;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("mnl_socket_bind");
		mnl_socket_close(nl);
		return 1;
	}
	printf("libmnl: NETLINK_ROUTE socket bound, port id %u\n", mnl_socket_get_portid(nl));
	return mnl_socket_close(nl) == 0 ? 0 : 1;
}
