/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * @sysroot//:libnl links and works: resolve the generic netlink controller's
 * family id with libnl-genl, and use libnl-route's object API.
 */
#include <stdio.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/route/link.h>

int
main(void)
{
	struct rtnl_link *link;
	struct nl_sock *sk;
	int id;

	sk = nl_socket_alloc();
	if (sk == NULL) {
		fprintf(stderr, "nl_socket_alloc failed\n");
		return 1;
	}
	if (genl_connect(sk) < 0) {
		fprintf(stderr, "genl_connect failed\n");
		nl_socket_free(sk);
		return 1;
	}
	id = genl_ctrl_resolve(sk, "nlctrl");
	nl_socket_free(sk);
	if (id <= 0) {
		fprintf(stderr, "genl_ctrl_resolve(nlctrl): %s\n", nl_geterror(id));
		return 1;
	}

	link = rtnl_link_alloc();
	if (link == NULL) {
		fprintf(stderr, "rtnl_link_alloc failed\n");
		return 1;
	}
	rtnl_link_set_name(link, "probe0");
	rtnl_link_put(link);
	printf("libnl-genl: nlctrl family id %d\n", id);
	return 0;
}
