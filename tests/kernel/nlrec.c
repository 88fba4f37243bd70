/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nlrec: record raw netlink traffic of a real kernel into nlrec files
 * (framing in nlrec_file.h), and print or check such files.
 *
 *   nlrec monitor OUT CTL ACK     RDMA notify group, devlink "config" group,
 *                                 kobject uevents, until "quit" on CTL
 *   nlrec rdma-sys OUT            RDMA_NLDEV_CMD_SYS_GET; prints monitor_mode=N
 *   nlrec rdma-dump OUT           RDMA_NLDEV_CMD_GET dump + PORT_GET per device
 *   nlrec devlink-health OUT      DEVLINK_CMD_HEALTH_REPORTER_GET dump
 *   nlrec devlink-dump OUT BUS DEV REPORTER      HEALTH_REPORTER_DUMP_GET dump
 *   nlrec devlink-diagnose OUT BUS DEV REPORTER  HEALTH_REPORTER_DIAGNOSE
 *   nlrec print FILE...           one line per record / message
 *   nlrec split DIR FILE...       each received netlink datagram / uevent as
 *                                 DIR/<file>-<record>-<rdma|genl|uevent>.bin
 *                                 (fuzz seeds)
 *
 * monitor: CTL and ACK are FIFOs. A line "NAME" on CTL makes the recorder
 * drain every socket, write a MARK record NAME and answer "ok" on ACK, so
 * the events of the step that follows come after the mark (netlink delivers
 * in the sender's context, before the triggering syscall returns). "quit"
 * drains, answers and exits 0.
 *
 * Request modes record the sent request and every reply datagram, and exit
 * 1 when the kernel answers an error. Runs as one thread; exits 2 on usage
 * errors, 1 on system errors with a message on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nlrec_file.h"

#define RX_BUF_SIZE (64 * 1024)
#define RCVBUF_SIZE (4 * 1024 * 1024)
#define MAX_RDMA_DEVS 64
#define NLREC_MAX_FILE (8 << 20)

/* devlink commands (include/uapi/linux/devlink.h) */
#define DL_CMD_HEALTH_REPORTER_GET 52
#define DL_CMD_HEALTH_REPORTER_DIAGNOSE 55
#define DL_CMD_HEALTH_REPORTER_DUMP_GET 56

static uint8_t rx_buf[RX_BUF_SIZE];
static FILE *out;
static unsigned int seq_next = 1;

static void
die_errno(const char *what)
{
	fprintf(stderr, "nlrec: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
record(uint16_t source, uint8_t dir, const void *buf, size_t len)
{
	if (nlrec_write(out, source, dir, buf, (uint32_t)len) < 0)
		die_errno("writing the record file");
}

static void
record_text(uint16_t source, const char *text)
{
	record(source, NLREC_DIR_RECV, text, strlen(text));
}

static struct mnl_socket *
open_socket(int proto, unsigned int groups)
{
	struct mnl_socket *nl = mnl_socket_open(proto);
	int one = 1, rcvbuf = RCVBUF_SIZE;

	if (nl == NULL) {
		fprintf(stderr, "nlrec: socket(AF_NETLINK, %d): %s%s\n", proto, strerror(errno),
			proto == NETLINK_RDMA ? " (is ib_core loaded?)" : "");
		exit(1);
	}
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0)
		die_errno("bind");
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	return nl;
}

static void
join_group(struct mnl_socket *nl, int group)
{
	if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		die_errno("NETLINK_ADD_MEMBERSHIP");
}

/* Receive one datagram and record it; returns its length, or -1 with errno. */
static ssize_t
recv_record(struct mnl_socket *nl, uint16_t source, int flags)
{
	ssize_t n = recv(mnl_socket_get_fd(nl), rx_buf, sizeof(rx_buf), flags | MSG_TRUNC);

	if (n < 0)
		return -1;
	if ((size_t)n > sizeof(rx_buf)) {
		fprintf(stderr, "nlrec: datagram of %zd bytes truncated\n", n);
		exit(1);
	}
	record(source, NLREC_DIR_RECV, rx_buf, (size_t)n);
	return n;
}

typedef void (*msg_cb)(const struct nlmsghdr *nlh, void *arg);

/*
 * Send nlh on nl (recorded), then record replies until the NLMSG_DONE of a
 * dump or the NLMSG_ERROR (ack) of a request. Calls cb for each data
 * message. Returns the kernel's error (0 or negative errno).
 */
static int
transact(struct mnl_socket *nl, uint16_t source, struct nlmsghdr *nlh, msg_cb cb, void *arg)
{
	int dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	unsigned int seq = nlh->nlmsg_seq;

	record(source, NLREC_DIR_SENT, nlh, nlh->nlmsg_len);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die_errno("sendto");
	for (;;) {
		ssize_t n = recv_record(nl, source, 0);
		const struct nlmsghdr *m = (const void *)rx_buf;
		int left;

		if (n < 0)
			die_errno("recv");
		for (left = (int)n; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_seq != seq)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

				return e->error;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				if (dump)
					return 0;
				continue;	/* multi-part doit: the ack follows */
			}
			if (cb != NULL)
				cb(m, arg);
		}
	}
}

static struct nlmsghdr *
msg_start(void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq_next++;
	return nlh;
}

/* ---- devlink family lookup ---- */

struct family {
	int id;
	int config_group;
};

static int
group_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= CTRL_ATTR_MCAST_GRP_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void
family_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct family *f = arg;
	struct nlattr *attr, *grp;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
			f->id = mnl_attr_get_u16(attr);
		if (mnl_attr_get_type(attr) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		mnl_attr_for_each_nested(grp, attr) {
			const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };

			mnl_attr_parse_nested(grp, group_attr_cb, tb);
			if (tb[CTRL_ATTR_MCAST_GRP_NAME] != NULL && tb[CTRL_ATTR_MCAST_GRP_ID] != NULL &&
			    strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]), "config") == 0)
				f->config_group = (int)mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
		}
	}
}

static struct family
devlink_family(struct mnl_socket *nl)
{
	char buf[256];
	struct nlmsghdr *nlh = msg_start(buf, GENL_ID_CTRL, NLM_F_ACK);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	struct family f = { -1, -1 };
	int err;

	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "devlink");
	err = transact(nl, NLREC_SRC_GENERIC, nlh, family_cb, &f);
	if (err < 0 || f.id < 0 || f.config_group < 0) {
		fprintf(stderr, "nlrec: no devlink genl family or no \"config\" group (%s)\n",
			strerror(-err));
		exit(1);
	}
	return f;
}

static void
record_meta(const struct family *f)
{
	struct utsname u;
	char text[256];

	uname(&u);
	if (f != NULL)
		snprintf(text, sizeof(text), "kernel=%s devlink_family=%d devlink_config_group=%d",
			 u.release, f->id, f->config_group);
	else
		snprintf(text, sizeof(text), "kernel=%s", u.release);
	record_text(NLREC_SRC_META, text);
}

/* ---- monitor ---- */

static void
drain(struct mnl_socket *nl, uint16_t source)
{
	while (recv_record(nl, source, MSG_DONTWAIT) >= 0)
		;
	if (errno == ENOBUFS) {
		/* Lost events: say so in the file and keep going. */
		record_text(NLREC_SRC_MARK, "ENOBUFS");
		drain(nl, source);
	} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
		die_errno("recv");
	}
}

static int
open_fifo(const char *path)
{
	int fd;

	if (mkfifo(path, 0600) < 0 && errno != EEXIST)
		die_errno(path);
	/* O_RDWR: never EOF when the writer closes, never blocks on open. */
	fd = open(path, O_RDWR);
	if (fd < 0)
		die_errno(path);
	return fd;
}

static int
cmd_monitor(const char *ctl_path, const char *ack_path)
{
	struct mnl_socket *socks[3], *req;
	static const uint16_t sources[3] = { NLREC_SRC_RDMA, NLREC_SRC_GENERIC, NLREC_SRC_UEVENT };
	struct pollfd pfd[4];
	struct family f;
	char line[256];
	size_t have = 0;
	int ctl, ack;

	req = open_socket(NETLINK_GENERIC, 0);
	f = devlink_family(req);
	mnl_socket_close(req);
	record_meta(&f);

	socks[0] = open_socket(NETLINK_RDMA, 0);
	join_group(socks[0], NLREC_RDMA_GROUP_NOTIFY);
	socks[1] = open_socket(NETLINK_GENERIC, 0);
	join_group(socks[1], f.config_group);
	socks[2] = open_socket(NETLINK_KOBJECT_UEVENT, 1);
	ctl = open_fifo(ctl_path);
	ack = open_fifo(ack_path);
	for (int i = 0; i < 3; i++)
		pfd[i] = (struct pollfd){ .fd = mnl_socket_get_fd(socks[i]), .events = POLLIN };
	pfd[3] = (struct pollfd){ .fd = ctl, .events = POLLIN };
	fprintf(stderr, "nlrec: monitoring (devlink family %d, config group %d)\n", f.id,
		f.config_group);

	for (;;) {
		if (poll(pfd, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("poll");
		}
		for (int i = 0; i < 3; i++)
			if (pfd[i].revents != 0)
				drain(socks[i], sources[i]);
		if (pfd[3].revents == 0)
			continue;
		ssize_t n = read(ctl, line + have, sizeof(line) - 1 - have);

		if (n <= 0)
			die_errno("read control FIFO");
		have += (size_t)n;
		line[have] = '\0';
		char *nl;

		while ((nl = strchr(line, '\n')) != NULL) {
			int quit;

			*nl = '\0';
			for (int i = 0; i < 3; i++)
				drain(socks[i], sources[i]);
			quit = strcmp(line, "quit") == 0;
			record_text(NLREC_SRC_MARK, quit ? "end" : line);
			if (write(ack, "ok\n", 3) != 3)
				die_errno("write ack FIFO");
			if (quit) {
				for (int i = 0; i < 3; i++)
					mnl_socket_close(socks[i]);
				close(ctl);
				close(ack);
				return 0;
			}
			have -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, have + 1);
		}
		if (have == sizeof(line) - 1)
			have = 0;	/* an overlong line: drop it */
	}
}

/* ---- RDMA requests ---- */

static void
sys_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *attr;
	int *mode = arg;

	*mode = 0;
	mnl_attr_for_each(attr, nlh, 0)
		if (mnl_attr_get_type(attr) == NLREC_RDMA_SYS_ATTR_MONITOR_MODE)
			*mode = mnl_attr_get_u8(attr);
}

static int
cmd_rdma_sys(void)
{
	struct mnl_socket *nl = open_socket(NETLINK_RDMA, 0);
	char buf[256];
	struct nlmsghdr *nlh = msg_start(
		buf, NLREC_RDMA_TYPE(NLREC_RDMA_CMD_SYS_GET), NLM_F_ACK);
	int mode = -1, err;

	record_meta(NULL);
	err = transact(nl, NLREC_SRC_RDMA, nlh, sys_cb, &mode);
	mnl_socket_close(nl);
	if (err < 0) {
		fprintf(stderr, "nlrec: RDMA SYS_GET: %s\n", strerror(-err));
		return 1;
	}
	printf("monitor_mode=%d\n", mode);
	return 0;
}

struct devs {
	uint32_t index[MAX_RDMA_DEVS];
	int n;
};

static void
dev_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct devs *d = arg;
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, 0)
		if (mnl_attr_get_type(attr) == NLREC_RDMA_ATTR_DEV_INDEX && d->n < MAX_RDMA_DEVS)
			d->index[d->n++] = mnl_attr_get_u32(attr);
}

static int
cmd_rdma_dump(void)
{
	struct mnl_socket *nl = open_socket(NETLINK_RDMA, 0);
	char buf[256];
	struct nlmsghdr *nlh;
	struct devs d = { .n = 0 };
	int err;

	record_meta(NULL);
	nlh = msg_start(buf, NLREC_RDMA_TYPE(NLREC_RDMA_CMD_GET), NLM_F_DUMP);
	err = transact(nl, NLREC_SRC_RDMA, nlh, dev_cb, &d);
	for (int i = 0; err == 0 && i < d.n; i++) {
		nlh = msg_start(buf, NLREC_RDMA_TYPE(NLREC_RDMA_CMD_PORT_GET),
				NLM_F_DUMP);
		mnl_attr_put_u32(nlh, NLREC_RDMA_ATTR_DEV_INDEX, d.index[i]);
		err = transact(nl, NLREC_SRC_RDMA, nlh, NULL, NULL);
	}
	mnl_socket_close(nl);
	if (err < 0) {
		fprintf(stderr, "nlrec: RDMA dump: %s\n", strerror(-err));
		return 1;
	}
	printf("rdma devices: %d\n", d.n);
	return 0;
}

/* ---- devlink requests ---- */

static int
cmd_devlink(uint8_t cmd, uint16_t flags, int argc, char **argv)
{
	struct mnl_socket *nl = open_socket(NETLINK_GENERIC, 0);
	struct family f = devlink_family(nl);
	char buf[1024];
	struct nlmsghdr *nlh = msg_start(buf, (uint16_t)f.id, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	int err;

	record_meta(&f);
	g->cmd = cmd;
	g->version = 1;
	if (argc == 3) {
		mnl_attr_put_strz(nlh, NLREC_DL_ATTR_BUS_NAME, argv[0]);
		mnl_attr_put_strz(nlh, NLREC_DL_ATTR_DEV_NAME, argv[1]);
		mnl_attr_put_strz(nlh, NLREC_DL_ATTR_HR_NAME, argv[2]);
	}
	err = transact(nl, NLREC_SRC_GENERIC, nlh, NULL, NULL);
	mnl_socket_close(nl);
	if (err < 0) {
		fprintf(stderr, "nlrec: devlink cmd %u: %s\n", cmd, strerror(-err));
		return 1;
	}
	return 0;
}

/* ---- print ---- */

static int
cmd_print(int argc, char **argv)
{
	static uint8_t data[NLREC_MAX_FILE];
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t size;

		if (f == NULL)
			die_errno(argv[i]);
		size = fread(data, 1, sizeof(data), f);
		fclose(f);
		if (size == sizeof(data)) {
			fprintf(stderr, "nlrec: %s: larger than %d bytes\n", argv[i], NLREC_MAX_FILE);
			return 1;
		}
		if (nlrec_print_file(argv[i], data, size, stdout) < 0) {
			fprintf(stderr, "nlrec: %s: bad record\n", argv[i]);
			rc = 1;
		}
	}
	return rc;
}

static const char *
source_name(uint16_t source)
{
	switch (source) {
	case NLREC_SRC_RDMA:
		return "rdma";
	case NLREC_SRC_GENERIC:
		return "genl";
	case NLREC_SRC_UEVENT:
		return "uevent";
	default:
		return NULL;
	}
}

static int
cmd_split(const char *dir, int argc, char **argv)
{
	static uint8_t data[NLREC_MAX_FILE];
	int written = 0;

	for (int i = 0; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		const char *base = strrchr(argv[i], '/') != NULL ? strrchr(argv[i], '/') + 1 : argv[i];
		size_t size, off = 0;
		struct nlrec rec;
		int r, n = 0;

		if (f == NULL)
			die_errno(argv[i]);
		size = fread(data, 1, sizeof(data), f);
		fclose(f);
		while ((r = nlrec_next(data, size, &off, &rec)) == 1) {
			char path[4096];
			FILE *o;

			n++;
			if (rec.dir != NLREC_DIR_RECV || source_name(rec.source) == NULL)
				continue;
			snprintf(path, sizeof(path), "%s/%.*s-%03d-%s.bin", dir,
				 (int)strcspn(base, "."), base, n, source_name(rec.source));
			o = fopen(path, "wb");
			if (o == NULL || fwrite(rec.payload, 1, rec.len, o) != rec.len || fclose(o) != 0)
				die_errno(path);
			written++;
		}
		if (r < 0) {
			fprintf(stderr, "nlrec: %s: bad record at offset %zu\n", argv[i], off);
			return 1;
		}
	}
	printf("%d files written to %s\n", written, dir);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: nlrec monitor OUT CTL ACK | rdma-sys OUT | rdma-dump OUT |\n"
			"       devlink-health OUT | devlink-dump OUT BUS DEV REPORTER |\n"
			"       devlink-diagnose OUT BUS DEV REPORTER | print FILE... |\n"
			"       split DIR FILE...\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *cmd;
	int rc;

	if (argc < 3)
		return usage();
	cmd = argv[1];
	if (strcmp(cmd, "print") == 0)
		return cmd_print(argc - 2, argv + 2);
	if (strcmp(cmd, "split") == 0 && argc >= 4)
		return cmd_split(argv[2], argc - 3, argv + 3);
	out = fopen(argv[2], "wb");
	if (out == NULL)
		die_errno(argv[2]);
	if (nlrec_write_magic(out) < 0)
		die_errno(argv[2]);
	if (strcmp(cmd, "monitor") == 0 && argc == 5)
		rc = cmd_monitor(argv[3], argv[4]);
	else if (strcmp(cmd, "rdma-sys") == 0 && argc == 3)
		rc = cmd_rdma_sys();
	else if (strcmp(cmd, "rdma-dump") == 0 && argc == 3)
		rc = cmd_rdma_dump();
	else if (strcmp(cmd, "devlink-health") == 0 && argc == 3)
		rc = cmd_devlink(DL_CMD_HEALTH_REPORTER_GET, NLM_F_DUMP, 0, NULL);
	else if (strcmp(cmd, "devlink-dump") == 0 && argc == 6)
		rc = cmd_devlink(DL_CMD_HEALTH_REPORTER_DUMP_GET, NLM_F_DUMP, 3, argv + 3);
	else if (strcmp(cmd, "devlink-diagnose") == 0 && argc == 6)
		rc = cmd_devlink(DL_CMD_HEALTH_REPORTER_DIAGNOSE, NLM_F_ACK, 3, argv + 3);
	else
		rc = usage();
	if (fclose(out) != 0)
		die_errno(argv[2]);
	return rc;
}
