/* SPDX-License-Identifier: BSD-3-Clause */
/* nlrec files: framing, structural checks and a one-line-per-message view. */
#include "nlrec_file.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

static void
put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int
nlrec_write_magic(FILE *out)
{
	if (fwrite(NLREC_MAGIC, 1, NLREC_MAGIC_LEN, out) != NLREC_MAGIC_LEN || fflush(out) != 0)
		return -EIO;
	return 0;
}

int
nlrec_write(FILE *out, uint16_t source, uint8_t dir, const void *payload, uint32_t len)
{
	uint8_t hdr[NLREC_HDR_LEN] = { 0 };
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	put_le(hdr, len, 4);
	put_le(hdr + 4, source, 2);
	hdr[6] = dir;
	put_le(hdr + 8, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, 8);
	if (fwrite(hdr, 1, sizeof(hdr), out) != sizeof(hdr) ||
	    (len > 0 && fwrite(payload, 1, len, out) != len) || fflush(out) != 0)
		return -EIO;
	return 0;
}

int
nlrec_next(const uint8_t *buf, size_t size, size_t *off, struct nlrec *rec)
{
	if (*off == 0) {
		if (size < NLREC_MAGIC_LEN || memcmp(buf, NLREC_MAGIC, NLREC_MAGIC_LEN) != 0)
			return -EINVAL;
		*off = NLREC_MAGIC_LEN;
	}
	if (*off == size)
		return 0;
	if (size - *off < NLREC_HDR_LEN)
		return -EINVAL;
	rec->len = (uint32_t)get_le(buf + *off, 4);
	rec->source = (uint16_t)get_le(buf + *off + 4, 2);
	rec->dir = buf[*off + 6];
	rec->t_ns = get_le(buf + *off + 8, 8);
	if (rec->len > NLREC_MAX_PAYLOAD || rec->len > size - *off - NLREC_HDR_LEN)
		return -EINVAL;
	rec->payload = buf + *off + NLREC_HDR_LEN;
	*off += NLREC_HDR_LEN + rec->len;
	return 1;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int
is_text(const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (!isprint(p[i]))
			return 0;
	return 1;
}

struct attr_table {
	const struct nlattr *tb[NLREC_DL_ATTR_MAX + 1];
};

static int
collect_attr(const struct nlattr *attr, void *data)
{
	struct attr_table *t = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= NLREC_DL_ATTR_MAX)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

/* Walk the messages of one datagram; -1 when they do not tile it exactly. */
static int
check_datagram(const struct nlrec *rec, int devlink_family, char *err, size_t errlen)
{
	const struct nlmsghdr *nlh = (const void *)rec->payload;
	int left = (int)rec->len, n = 0;

	if (rec->len == 0)
		return fail(err, errlen, "empty netlink datagram");
	while (mnl_nlmsg_ok(nlh, left)) {
		struct attr_table t;
		size_t hdrlen = 0;

		memset(&t, 0, sizeof(t));
		n++;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nlmsgerr))
				return fail(err, errlen, "message %d: short NLMSG_ERROR", n);
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			/* payload: an int (the dump's status) */
		} else if (rec->source == NLREC_SRC_GENERIC) {
			hdrlen = sizeof(struct genlmsghdr);
		} else if (rec->source == NLREC_SRC_RDMA) {
			if ((nlh->nlmsg_type >> 10) != NLREC_RDMA_NL_NLDEV)
				return fail(err, errlen, "message %d: RDMA client %u is not nldev", n,
					    nlh->nlmsg_type >> 10);
			hdrlen = 0;
		}
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			if (mnl_nlmsg_get_payload_len(nlh) < hdrlen)
				return fail(err, errlen, "message %d: shorter than its family header", n);
			if (mnl_attr_parse(nlh, (unsigned int)hdrlen, collect_attr, &t) < 0)
				return fail(err, errlen, "message %d (type %u): attributes do not parse", n,
					    nlh->nlmsg_type);
			if (rec->source == NLREC_SRC_GENERIC && nlh->nlmsg_type == devlink_family &&
			    t.tb[NLREC_DL_ATTR_HEALTH_REPORTER] != NULL) {
				struct attr_table nt;

				memset(&nt, 0, sizeof(nt));
				if (mnl_attr_parse_nested(t.tb[NLREC_DL_ATTR_HEALTH_REPORTER], collect_attr,
							  &nt) < 0)
					return fail(err, errlen, "message %d: reporter nest does not parse", n);
			}
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	if (left != 0)
		return fail(err, errlen, "%d trailing bytes after %d message(s)", left, n);
	return 0;
}

static int
check_uevent(const struct nlrec *rec, char *err, size_t errlen)
{
	const char *p = (const char *)rec->payload, *end = p + rec->len;

	if (rec->len == 0 || rec->payload[rec->len - 1] != '\0')
		return fail(err, errlen, "uevent not NUL-terminated");
	/* udev's own "libudev" messages are not the kernel's: none expected. */
	if (strchr(p, '@') == NULL)
		return fail(err, errlen, "uevent header \"%s\" has no '@'", p);
	for (p += strlen(p) + 1; p < end; p += strlen(p) + 1)
		if (strchr(p, '=') == NULL)
			return fail(err, errlen, "uevent field \"%s\" is not KEY=VALUE", p);
	return 0;
}

int
nlrec_check(const struct nlrec *rec, int devlink_family, char *err, size_t errlen)
{
	if (rec->dir != NLREC_DIR_RECV && rec->dir != NLREC_DIR_SENT)
		return fail(err, errlen, "bad direction %u", rec->dir);
	switch (rec->source) {
	case NLREC_SRC_GENERIC:
	case NLREC_SRC_RDMA:
		return check_datagram(rec, devlink_family, err, errlen);
	case NLREC_SRC_UEVENT:
		return check_uevent(rec, err, errlen);
	case NLREC_SRC_MARK:
	case NLREC_SRC_META:
		if (rec->len == 0 || !is_text(rec->payload, rec->len))
			return fail(err, errlen, "MARK/META record is not text");
		return 0;
	default:
		return fail(err, errlen, "unknown source %u", rec->source);
	}
}

int
nlrec_meta_devlink_family(const struct nlrec *rec)
{
	char text[256];
	const char *p;
	uint32_t n = rec->len < sizeof(text) - 1 ? rec->len : (uint32_t)sizeof(text) - 1;

	if (rec->source != NLREC_SRC_META)
		return -1;
	memcpy(text, rec->payload, n);
	text[n] = '\0';
	p = strstr(text, "devlink_family=");
	return p != NULL ? atoi(p + strlen("devlink_family=")) : -1;
}

static const char *
rdma_event_name(unsigned int ev)
{
	static const char *const names[] = { "REGISTER", "UNREGISTER", "NETDEV_ATTACH",
					     "NETDEV_DETACH", "RENAME", "NETDEV_RENAME" };

	return ev < sizeof(names) / sizeof(names[0]) ? names[ev] : "EVENT?";
}

static void
describe_rdma(const struct nlmsghdr *nlh, FILE *out)
{
	struct attr_table t;
	unsigned int op = nlh->nlmsg_type & 0x3ff;

	memset(&t, 0, sizeof(t));
	mnl_attr_parse(nlh, 0, collect_attr, &t);
	switch (op) {
	case NLREC_RDMA_CMD_MONITOR:
		fprintf(out, "rdma MONITOR");
		if (t.tb[NLREC_RDMA_ATTR_EVENT_TYPE] != NULL)
			fprintf(out, " %s",
				rdma_event_name(mnl_attr_get_u8(t.tb[NLREC_RDMA_ATTR_EVENT_TYPE])));
		break;
	case NLREC_RDMA_CMD_SYS_GET:
		fprintf(out, "rdma SYS_GET");
		if (nlh->nlmsg_len > NLMSG_HDRLEN)
			fprintf(out, " monitor_mode=%u",
				t.tb[NLREC_RDMA_SYS_ATTR_MONITOR_MODE] != NULL ?
					mnl_attr_get_u8(t.tb[NLREC_RDMA_SYS_ATTR_MONITOR_MODE]) : 0);
		break;
	case NLREC_RDMA_CMD_GET:
		fprintf(out, "rdma GET");
		break;
	case NLREC_RDMA_CMD_PORT_GET:
		fprintf(out, "rdma PORT_GET");
		break;
	default:
		fprintf(out, "rdma op %u", op);
	}
	if (t.tb[NLREC_RDMA_ATTR_DEV_INDEX] != NULL)
		fprintf(out, " dev %u", mnl_attr_get_u32(t.tb[NLREC_RDMA_ATTR_DEV_INDEX]));
	if (t.tb[NLREC_RDMA_ATTR_DEV_NAME] != NULL)
		fprintf(out, " %s", mnl_attr_get_str(t.tb[NLREC_RDMA_ATTR_DEV_NAME]));
	if (t.tb[NLREC_RDMA_ATTR_PORT_INDEX] != NULL)
		fprintf(out, " port %u", mnl_attr_get_u32(t.tb[NLREC_RDMA_ATTR_PORT_INDEX]));
	if (t.tb[NLREC_RDMA_ATTR_NDEV_INDEX] != NULL)
		fprintf(out, " netdev %u", mnl_attr_get_u32(t.tb[NLREC_RDMA_ATTR_NDEV_INDEX]));
	if (t.tb[NLREC_RDMA_ATTR_NDEV_NAME] != NULL)
		fprintf(out, " %s", mnl_attr_get_str(t.tb[NLREC_RDMA_ATTR_NDEV_NAME]));
}

static void
describe_devlink(const struct nlmsghdr *nlh, FILE *out)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct attr_table t, r;

	memset(&t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	mnl_attr_parse(nlh, sizeof(*g), collect_attr, &t);
	fprintf(out, "devlink cmd %u", g->cmd);
	if (t.tb[NLREC_DL_ATTR_BUS_NAME] != NULL && t.tb[NLREC_DL_ATTR_DEV_NAME] != NULL)
		fprintf(out, " %s/%s", mnl_attr_get_str(t.tb[NLREC_DL_ATTR_BUS_NAME]),
			mnl_attr_get_str(t.tb[NLREC_DL_ATTR_DEV_NAME]));
	if (t.tb[NLREC_DL_ATTR_HR_NAME] != NULL)
		fprintf(out, " reporter %s", mnl_attr_get_str(t.tb[NLREC_DL_ATTR_HR_NAME]));
	if (t.tb[NLREC_DL_ATTR_FMSG] != NULL)
		fprintf(out, " fmsg %u bytes", mnl_attr_get_payload_len(t.tb[NLREC_DL_ATTR_FMSG]));
	if (t.tb[NLREC_DL_ATTR_HEALTH_REPORTER] == NULL ||
	    mnl_attr_parse_nested(t.tb[NLREC_DL_ATTR_HEALTH_REPORTER], collect_attr, &r) < 0)
		return;
	if (r.tb[NLREC_DL_ATTR_HR_NAME] != NULL)
		fprintf(out, " reporter %s", mnl_attr_get_str(r.tb[NLREC_DL_ATTR_HR_NAME]));
	if (r.tb[NLREC_DL_ATTR_HR_STATE] != NULL)
		fprintf(out, " state %u", mnl_attr_get_u8(r.tb[NLREC_DL_ATTR_HR_STATE]));
	if (r.tb[NLREC_DL_ATTR_HR_ERR_COUNT] != NULL)
		fprintf(out, " error %" PRIu64, mnl_attr_get_u64(r.tb[NLREC_DL_ATTR_HR_ERR_COUNT]));
	if (r.tb[NLREC_DL_ATTR_HR_RECOVER_COUNT] != NULL)
		fprintf(out, " recover %" PRIu64,
			mnl_attr_get_u64(r.tb[NLREC_DL_ATTR_HR_RECOVER_COUNT]));
}

static void
describe_datagram(const struct nlrec *rec, int devlink_family, FILE *out)
{
	const struct nlmsghdr *nlh = (const void *)rec->payload;
	int left = (int)rec->len;

	while (mnl_nlmsg_ok(nlh, left)) {
		fprintf(out, "     %s ", rec->dir == NLREC_DIR_SENT ? "sent" : "recv");
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			fprintf(out, "NLMSG_ERROR %d", e->error);
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			fprintf(out, "NLMSG_DONE");
		} else if (rec->source == NLREC_SRC_RDMA) {
			describe_rdma(nlh, out);
		} else if (nlh->nlmsg_type == devlink_family) {
			describe_devlink(nlh, out);
		} else if (nlh->nlmsg_type == GENL_ID_CTRL) {
			fprintf(out, "nlctrl cmd %u",
				((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd);
		} else {
			fprintf(out, "type %u", nlh->nlmsg_type);
		}
		fprintf(out, " (seq %u len %u%s)\n", nlh->nlmsg_seq, nlh->nlmsg_len,
			nlh->nlmsg_flags & NLM_F_MULTI ? " multi" : "");
		nlh = mnl_nlmsg_next(nlh, &left);
	}
}

void
nlrec_describe(const struct nlrec *rec, int devlink_family, FILE *out)
{
	const char *p = (const char *)rec->payload, *end = p + rec->len;

	switch (rec->source) {
	case NLREC_SRC_MARK:
		fprintf(out, "mark %.*s\n", (int)rec->len, p);
		break;
	case NLREC_SRC_META:
		fprintf(out, "meta %.*s\n", (int)rec->len, p);
		break;
	case NLREC_SRC_UEVENT:
		fprintf(out, "uevent %.*s", (int)strnlen(p, rec->len), p);
		for (p += strnlen(p, rec->len) + 1; p < end; p += strnlen(p, (size_t)(end - p)) + 1)
			if (strncmp(p, "SUBSYSTEM=", 10) == 0 || strncmp(p, "NAME=", 5) == 0 ||
			    strncmp(p, "INTERFACE=", 10) == 0)
				fprintf(out, " %.*s", (int)strnlen(p, (size_t)(end - p)), p);
		fprintf(out, "\n");
		break;
	case NLREC_SRC_GENERIC:
	case NLREC_SRC_RDMA:
		fprintf(out, "%s %u bytes\n", rec->source == NLREC_SRC_RDMA ? "rdma" : "genl", rec->len);
		describe_datagram(rec, devlink_family, out);
		break;
	default:
		fprintf(out, "source %u, %u bytes\n", rec->source, rec->len);
	}
}

int
nlrec_print_file(const char *name, const uint8_t *buf, size_t size, FILE *out)
{
	size_t off = 0;
	struct nlrec rec;
	int family = -1, r, n = 0;
	uint64_t t0 = 0;

	fprintf(out, "== %s\n", name);
	while ((r = nlrec_next(buf, size, &off, &rec)) == 1) {
		if (n++ == 0)
			t0 = rec.t_ns;
		if (family < 0)
			family = nlrec_meta_devlink_family(&rec);
		fprintf(out, "%4d %9.3f ", n, (double)(rec.t_ns - t0) / 1e6);
		nlrec_describe(&rec, family, out);
	}
	if (r < 0) {
		fprintf(out, "!! bad record at offset %zu\n", off);
		return -EINVAL;
	}
	return 0;
}
