/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * rdma_ports: an integrator's tool on mana-reset's libraries: the mailbox
 * (@mana_reset//proto:mbox) and the RDMA netlink decoders
 * (@mana_reset//netlink:nl_decode_lib).
 *
 *   rdma_ports show SEGMENT
 *       every port of a mailbox segment (mana-ctrld's, e.g. /run/mana/mbox),
 *       read-only: the device ctrl published and what the PMD owning it
 *       says (state, resets);
 *   rdma_ports publish SEGMENT SOCKET PCI NLFILE
 *       decode the RDMA netlink messages of NLFILE (nldev GET / PORT_GET
 *       replies as recv() returned them, e.g. recorded from `rdma dev`) into
 *       a device identity and publish it as a port of a new mailbox at
 *       SEGMENT / SOCKET, as mana-ctrld does when it finds a device. Ctrl's
 *       role: only where no mana-ctrld runs (the example's test).
 *
 * Exit status 0; 1 on a failure (one line on stderr saying why); 2 on bad
 * usage. Single-threaded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <linux/netlink.h>

#include "netlink/nl_nldev.h"
#include "proto/mbox.h"

#define NLFILE_MAX 65536

static int
usage(void)
{
	fprintf(stderr, "usage: rdma_ports show SEGMENT\n"
			"       rdma_ports publish SEGMENT SOCKET PCI NLFILE\n");
	return 2;
}

/* NLFILE's bytes into buf (at most NLFILE_MAX); their count, or -1. */
static long
read_file(const char *path, unsigned char *buf)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "rdma_ports: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, NLFILE_MAX, f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "rdma_ports: %s: %s\n", path,
			ferror(f) ? "read error" : "larger than 64 KiB");
		fclose(f);
		return -1;
	}
	fclose(f);
	return (long)n;
}

/* Fold the attributes of every nldev message of buf into *id. */
static int
decode(const unsigned char *buf, size_t len, struct mbox_ident *id)
{
	size_t off = 0;
	unsigned int nb = 0;

	while (off < len) {
		struct nlmsghdr nh;
		struct nl_nldev_msg m;
		int rc;

		if (len - off < sizeof(nh)) {
			fprintf(stderr, "rdma_ports: %zu stray bytes at offset %zu\n", len - off, off);
			return -1;
		}
		memcpy(&nh, buf + off, sizeof(nh));
		if (nh.nlmsg_len < sizeof(nh) || nh.nlmsg_len > len - off) {
			fprintf(stderr, "rdma_ports: message at offset %zu: bad length %" PRIu32 "\n",
				off, nh.nlmsg_len);
			return -1;
		}
		rc = nl_nldev_msg_parse(&m, buf + off, nh.nlmsg_len);
		off += NLMSG_ALIGN(nh.nlmsg_len);
		if (rc == -ENODATA)
			continue; /* NLMSG_DONE */
		if (rc != 0) {
			fprintf(stderr, "rdma_ports: message %u: not an nldev reply (%s)\n", nb,
				strerror(-rc));
			return -1;
		}
		nb++;
		if (m.present & NL_NLDEV_HAS_DEV_NAME)
			snprintf(id->ibdev, sizeof(id->ibdev), "%s", m.dev_name);
		if (m.present & NL_NLDEV_HAS_NODE_GUID)
			id->node_guid = m.node_guid;
		if (m.present & NL_NLDEV_HAS_NDEV_NAME)
			snprintf(id->netdev, sizeof(id->netdev), "%s", m.ndev_name);
		if (m.present & NL_NLDEV_HAS_NDEV_INDEX)
			id->ifindex = m.ndev_index;
	}
	if (nb == 0 || id->ibdev[0] == '\0') {
		fprintf(stderr, "rdma_ports: no RDMA device in the messages\n");
		return -1;
	}
	return 0;
}

static int
publish(const char *seg, const char *sock, const char *pci, const char *nlfile)
{
	static unsigned char buf[NLFILE_MAX];
	struct mbox_cfg cfg = {
		.seg_path = seg,
		.sock_path = sock,
		.uid = (uid_t)-1,
		.gid = (gid_t)-1,
	};
	struct mbox_ident id;
	struct mbox *mb;
	long len;
	int port;

	memset(&id, 0, sizeof(id));
	if (strlen(pci) >= sizeof(id.pci)) {
		fprintf(stderr, "rdma_ports: %s is not a PCI address (dddd:bb:dd.f)\n", pci);
		return 2;
	}
	snprintf(id.pci, sizeof(id.pci), "%s", pci);
	len = read_file(nlfile, buf);
	if (len < 0 || decode(buf, (size_t)len, &id) != 0)
		return 1;
	mb = mbox_create(&cfg);
	if (mb == NULL) {
		fprintf(stderr, "rdma_ports: %s\n", mbox_errmsg());
		return 1;
	}
	port = mbox_port_add(mb, &id);
	if (port < 0) {
		fprintf(stderr, "rdma_ports: %s\n", mbox_errmsg());
		mbox_close(mb);
		return 1;
	}
	printf("published %s (%s) as port %d of %s\n", id.ibdev, id.pci, port, seg);
	mbox_close(mb);
	return 0;
}

static int
show(const char *seg)
{
	struct mbox_info info;
	struct mbox *mb = mbox_open(seg);
	unsigned int p, shown = 0;

	if (mb == NULL) {
		fprintf(stderr, "rdma_ports: %s\n", mbox_errmsg());
		return 1;
	}
	if (mbox_info(mb, &info) != 0) {
		fprintf(stderr, "rdma_ports: %s\n", mbox_errmsg());
		mbox_close(mb);
		return 1;
	}
	printf("%s: mailbox %u.%u, %" PRIu32 " ports\n", seg, info.major, info.minor, info.nb_ports);
	for (p = 0; p < info.nb_ports; p++) {
		struct mbox_port rec;
		int rc = mbox_port_read(mb, p, &rec);

		if (rc != 0) {
			fprintf(stderr, "rdma_ports: port %u: %s\n", p, mbox_errmsg());
			mbox_close(mb);
			return 1;
		}
		if (rec.ctrl.hw_state == MBOX_HW_NONE)
			continue;
		shown++;
		printf("port %u: pci %s ibdev %s node_guid 0x%016" PRIx64 " netdev %s ifindex %" PRIu32
		       " hw %s pmd %s resets %" PRIu64 "\n",
		       p, rec.ctrl.ident.pci, rec.ctrl.ident.ibdev, rec.ctrl.ident.node_guid,
		       rec.ctrl.ident.netdev[0] ? rec.ctrl.ident.netdev : "-", rec.ctrl.ident.ifindex,
		       mbox_hw_state_name(rec.ctrl.hw_state), mbox_pmd_state_name(rec.pmd.state),
		       rec.pmd.nb_reset);
	}
	if (shown == 0)
		printf("no port in use\n");
	mbox_close(mb);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "show") == 0)
		return show(argv[2]);
	if (argc == 6 && strcmp(argv[1], "publish") == 0)
		return publish(argv[2], argv[3], argv[4], argv[5]);
	return usage();
}
