/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * @sysroot//:ibverbs and :manadv link and work: list RDMA devices (none is
 * fine: NULL with ENOSYS when the kernel has no RDMA support) and reference
 * a manadv symbol so that libmana is linked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <infiniband/manadv.h>
#include <infiniband/verbs.h>

int
main(void)
{
	int (*volatile set_attr)(struct ibv_context *, enum manadv_set_ctx_attr_type, void *) =
		manadv_set_context_attr;
	struct ibv_device **list;
	int n = 0;

	errno = 0;
	list = ibv_get_device_list(&n);
	if (list == NULL) {
		if (errno != ENOSYS) {
			fprintf(stderr, "ibv_get_device_list: %s\n", strerror(errno));
			return 1;
		}
		printf("ibverbs: no RDMA support in this kernel (ENOSYS)\n");
	} else {
		printf("ibverbs: %d device(s)\n", n);
		ibv_free_device_list(list);
	}
	return set_attr != NULL ? 0 : 1;
}
