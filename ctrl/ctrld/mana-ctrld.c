/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * mana-ctrld: watches the kernel for MANA service events (RDMA netlink
 * monitor on 6.12+, else uevents + dump diffs; devlink health) and reports
 * service event started / hardware back / gone for good. For simulation
 * only, a simulated host (sim_kernel = DIR, sim_kernel.h) stands in for the
 * kernel. systemd Type=notify with watchdog; SIGHUP reloads the
 * configuration, SIGTERM stops.
 * One thread, one epoll loop; it wakes only for events and deadlines.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "ctrl/ctrld/atomic_file.h"
#include "ctrl/ctrld/config.h"
#include "ctrl/ctrld/detect.h"
#include "ctrl/ctrld/http_req.h"
#include "ctrl/ctrld/fake_kernel.h"
#include "ctrl/ctrld/log.h"
#include "ctrl/ctrld/metrics.h"
#include "ctrl/ctrld/metrics_http.h"
#include "ctrl/ctrld/sd_notify.h"
#include "ctrl/ctrld/sim_kernel.h"
#include "ctrl/ctrld/sink_log.h"
#include "ctrl/ctrld/sink_mbox.h"
#include "ctrl/ctrld/status.h"
#include "ctrl/ctrld/tracker.h"
#include "netlink/nl_devlink.h"
#include "netlink/nl_loop.h"
#include "netlink/nl_rdma.h"
#include "netlink/nl_uevent.h"

struct ctrld {
	struct config conf;
	const char *conf_path;
	int argc;		/* the flags, re-applied over the file on SIGHUP */
	char **argv;
	struct nl_loop *loop;
	struct nl_rdma *rdma;
	struct nl_devlink *dl;
	struct nl_uevent_sock *uev;
	struct tracker *tr;
	struct detect det;
	struct sink_mbox *mbox;		/* NULL: no mbox_path */
	struct fake_kernel *fk;		/* tests only */
	struct sim_kernel *sk;		/* simulation only: sim_kernel = DIR */
	int sigfd;
	int monitor;			/* RDMA monitor in use */
	uint64_t next_poll;		/* 0: no polling */
	uint64_t next_watchdog;		/* 0: no watchdog */
	uint64_t watchdog_ns;
	int stop;
	/* The status file (status.h): mbox_path + ".status"; "" without a mailbox. */
	char status_path[CONFIG_PATH_MAX + 8];
	struct ctrld_status status;	/* as last written */
	bool status_failed;		/* the last write failed (logged once) */
	struct metrics *metrics;	/* NULL: no metrics_listen nor metrics_textfile */
	struct metrics_http *http;	/* NULL: no metrics_listen */
	uint64_t next_textfile;		/* 0: no metrics_textfile */
	bool textfile_failed;		/* the last write failed (logged once) */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The RDMA source in use, as the status file, the metrics and the logs say it. */
static const char *
rdma_mode(const struct ctrld *c)
{
	if (c->fk != NULL)
		return "fake";
	if (c->sk != NULL)
		return c->conf.rdma == CONFIG_ON ? "sim" : "off";
	return c->rdma == NULL ? "off" : (c->monitor ? "monitor" : "dump-diff");
}

/* devlink in use: the kernel's family, or the simulated kernel's. */
static bool
devlink_on(const struct ctrld *c)
{
	return c->dl != NULL || (c->sk != NULL && c->conf.devlink == CONFIG_ON);
}

/*
 * sim_kernel = DIR: the sysfs root is DIR/sys (config.h); not with the
 * tests' fake kernel. 0, or -1 with a sentence in err.
 */
static int
apply_sim(struct config *c, char *err, size_t n)
{
	if (c->sim_kernel[0] == '\0')
		return 0;
	if (c->fake_kernel[0] != '\0') {
		snprintf(err, n, "sim_kernel and fake_kernel exclude each other");
		return -1;
	}
	snprintf(c->sysfs, sizeof(c->sysfs), "%s/sys", c->sim_kernel);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: mana-ctrld [ --config FILE ] [ OPTIONS ]\n"
		"       mana-ctrld --check-config [ --config FILE ] [ OPTIONS ]\n"
		"Options (same keys as the config file; flags win):\n");
	config_usage(f);
}

/* The command line's own options; config_long_opts adds one per config key (val 1). */
static const struct option cli_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check-config", no_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Pass 2 of the command line: the configuration flags over c. */
static int
apply_flags(struct config *c, int argc, char **argv, char *err, size_t n)
{
	const struct option *long_opts = config_long_opts(cli_opts);
	char msg[256];
	int opt, idx;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "c:h", long_opts, &idx)) != -1) {
		if (opt != 1)
			continue;
		if (config_set(c, long_opts[idx].name, optarg, msg, sizeof(msg)) < 0) {
			snprintf(err, n, "bad option --%s: %s", long_opts[idx].name, msg);
			return -1;
		}
	}
	return 0;
}

/* The file first, then the flags over it. Returns 0, 1 (exit 0), or -1 (exit 1). */
static int
parse_config(struct config *c, const char **path, int argc, char **argv, int *check)
{
	const struct option *long_opts = config_long_opts(cli_opts);
	char err[512];
	int opt, idx;

	config_defaults(c);
	/* Pass 1: --config and --help. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "c:h", long_opts, &idx)) != -1) {
		if (opt == 'c')
			*path = optarg;
		else if (opt == 'h') {
			usage(stdout);
			return 1;
		} else if (opt == 'C')
			*check = 1;
		else if (opt == '?') {
			fprintf(stderr, "mana-ctrld: unknown option \"%s\"\n", argv[optind - 1]);
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mana-ctrld: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	if (*path != NULL && config_load(c, *path, err, sizeof(err)) < 0) {
		fprintf(stderr, "mana-ctrld: bad configuration: %s\n", err);
		return -1;
	}
	if (apply_flags(c, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "mana-ctrld: %s\n", err);
		return -1;
	}
	if (config_mbox_check(&c->mbox, err, sizeof(err)) < 0 ||
	    apply_sim(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "mana-ctrld: bad configuration: %s\n", err);
		return -1;
	}
	return 0;
}

/* ---- the backend: netlink/ behind detect_backend ---- */

static int
be_rdma_dump(void *ctx, nl_rdma_dev_cb cb, void *arg)
{
	struct ctrld *c = ctx;

	return c->rdma != NULL ? nl_rdma_dump(c->rdma, cb, arg) : 0;
}

static int
be_rdma_dev_get(void *ctx, uint32_t index, struct nl_rdma_dev *dev)
{
	struct ctrld *c = ctx;

	return c->rdma != NULL ? nl_rdma_dev_get(c->rdma, index, dev) : -ENODEV;
}

static int
be_devlink_dump(void *ctx, void (*cb)(void *arg, const struct nl_dl_msg *m), void *arg)
{
	struct ctrld *c = ctx;

	return c->dl != NULL ? nl_devlink_health_get(c->dl, NULL, cb, arg) : 0;
}

/* ---- fd callbacks ---- */

static void
on_rdma(void *arg, int fd, uint32_t events)
{
	struct ctrld *c = arg;
	int ret;

	(void)fd;
	(void)events;
	ret = nl_rdma_monitor_read(c->rdma, detect_rdma_event, &c->det);
	if (ret < 0)
		detect_read_error(&c->det, "rdma", ret);
}

static void
on_devlink(void *arg, int fd, uint32_t events)
{
	struct ctrld *c = arg;
	int ret;

	(void)fd;
	(void)events;
	ret = nl_devlink_events_read(c->dl);
	if (ret < 0)
		detect_read_error(&c->det, "devlink", ret);
}

static void
on_uevent(void *arg, int fd, uint32_t events)
{
	struct ctrld *c = arg;
	struct nl_uevent ev;
	int ret;

	(void)fd;
	(void)events;
	while ((ret = nl_uevent_read(c->uev, &ev)) > 0)
		detect_uevent(&c->det, &ev);
	if (ret < 0)
		detect_read_error(&c->det, "uevent", ret);
}

/* ---- metrics ---- */

static int
metrics_render_cb(void *ctx, char **body, size_t *len)
{
	struct ctrld *c = ctx;
	struct metrics_daemon d = {
		.started_unix = c->status.started_unix,
		.rdma = rdma_mode(c),
		.devlink = devlink_on(c),
		.uevent = c->uev != NULL,
		.reloads = c->status.reloads,
		.det = &c->det.st,
		.mb = c->mbox != NULL ? sink_mbox_mbox(c->mbox) : NULL,
		.devlink_dump = c->sk != NULL ? c->det.be.devlink_dump :
				(c->dl != NULL ? be_devlink_dump : NULL),
		.devlink_ctx = c->sk != NULL ? (void *)c->sk : (void *)c,
		.reporters = c->det.rep,
		.nb_reporters = c->det.nb_rep,
	};

	return metrics_render(c->metrics, &d, body, len);
}

static void
metrics_count_cb(void *ctx, int status)
{
	struct ctrld *c = ctx;

	metrics_http_count(c->metrics, status);
}

/* The node_exporter textfile, written whole (atomic_file.h), mode 0644. */
static void
textfile_write(struct ctrld *c)
{
	char err[512];
	char *body;
	size_t len;
	int ret;

	ret = metrics_render_cb(c, &body, &len);
	if (ret == 0) {
		ret = atomic_file_write(c->conf.metrics_textfile, body, len, 0644, err,
					sizeof(err));
		free(body);
	} else {
		snprintf(err, sizeof(err), "%s: cannot render: %s", c->conf.metrics_textfile,
			 strerror(-ret));
	}
	if (ret < 0 && !c->textfile_failed)
		log_rec(LOG_LVL_WARN, "cannot write the metrics textfile", "error", err, NULL);
	c->textfile_failed = ret < 0;
}

/* The mailbox's fd: its events, then the resets the PMD records now show. */
static void
on_mbox(void *arg, int fd, uint32_t events)
{
	struct ctrld *c = arg;

	sink_mbox_on_fd(c->mbox, fd, events);
	if (c->metrics != NULL)
		metrics_mbox_poll(c->metrics, sink_mbox_mbox(c->mbox));
}

static int
metrics_open(struct ctrld *c)
{
	struct http_listen addr;
	char err[512];

	if (c->conf.metrics_listen[0] == '\0' && c->conf.metrics_textfile[0] == '\0')
		return 0;
	c->metrics = metrics_new(c->mbox != NULL ? sink_mbox_sink(c->mbox) : &sink_log);
	if (c->metrics == NULL) {
		log_rec(LOG_LVL_ERR, "out of memory", NULL);
		return -1;
	}
	if (c->conf.metrics_listen[0] != '\0') {
		/* Checked when the configuration was read. */
		if (http_listen_parse(c->conf.metrics_listen, &addr, err, sizeof(err)) < 0)
			goto err_log;
		c->http = metrics_http_open(&addr, c->loop, metrics_render_cb, metrics_count_cb, c,
					    err, sizeof(err));
		if (c->http == NULL)
			goto err_log;
		c->status.metrics_listen = metrics_http_addr(c->http);
		log_rec(LOG_LVL_INFO, "metrics endpoint", "listen", metrics_http_addr(c->http),
			NULL);
	}
	return 0;
err_log:
	log_rec(LOG_LVL_ERR, "cannot serve the metrics", "listen", c->conf.metrics_listen,
		"error", err, NULL);
	return -1;
}

/* The status file, when force or the detection counters changed since the last write. */
static void
status_update(struct ctrld *c, bool force, const char *state)
{
	char err[512];

	if (c->status_path[0] == '\0')
		return;
	if (!force && memcmp(&c->status.det, &c->det.st, sizeof(c->det.st)) == 0)
		return;
	c->status.state = state;
	c->status.updated_mono_ns = now_ns();
	c->status.rdma = rdma_mode(c);
	c->status.devlink = devlink_on(c);
	c->status.uevent = c->uev != NULL;
	c->status.det = c->det.st;
	if (status_write(c->status_path, &c->status, err, sizeof(err)) < 0) {
		if (!c->status_failed)
			log_rec(LOG_LVL_WARN, "cannot write the status file", "error", err, NULL);
		c->status_failed = true;
		return;
	}
	c->status_failed = false;
}

static void
reload(struct ctrld *c)
{
	struct config nc;
	char err[512];

	sd_notify_send("RELOADING=1");
	/* As at start: defaults, the file, then the command-line flags. */
	config_defaults(&nc);
	if ((c->conf_path != NULL && config_load(&nc, c->conf_path, err, sizeof(err)) < 0) ||
	    apply_flags(&nc, c->argc, c->argv, err, sizeof(err)) < 0) {
		log_rec(LOG_LVL_ERR, "reload failed, keeping the configuration", "error", err, NULL);
		sd_notify_send("READY=1");
		return;
	}
	if (nc.rdma != c->conf.rdma || nc.devlink != c->conf.devlink || nc.uevent != c->conf.uevent)
		log_rec(LOG_LVL_WARN, "rdma/devlink/uevent changes need a restart", NULL);
	nc.rdma = c->conf.rdma;
	nc.devlink = c->conf.devlink;
	nc.uevent = c->conf.uevent;
	nc.mbox = c->conf.mbox;		/* the mailbox too */
	if (strcmp(nc.metrics_listen, c->conf.metrics_listen) != 0 ||
	    strcmp(nc.metrics_textfile, c->conf.metrics_textfile) != 0)
		log_rec(LOG_LVL_WARN, "metrics_listen/metrics_textfile changes need a restart",
			NULL);
	memcpy(nc.metrics_listen, c->conf.metrics_listen, sizeof(nc.metrics_listen));
	memcpy(nc.metrics_textfile, c->conf.metrics_textfile, sizeof(nc.metrics_textfile));
	memcpy(nc.fake_kernel, c->conf.fake_kernel, sizeof(nc.fake_kernel));
	if (strcmp(nc.sim_kernel, c->conf.sim_kernel) != 0)
		log_rec(LOG_LVL_WARN, "sim_kernel changes need a restart", NULL);
	memcpy(nc.sim_kernel, c->conf.sim_kernel, sizeof(nc.sim_kernel));
	(void)apply_sim(&nc, err, sizeof(err));	/* the file's fake_kernel is not taken */
	c->conf = nc;
	log_setup(stderr, c->conf.log_json, c->conf.log_debug);
	tracker_set_timeout(c->tr, c->conf.gone_timeout_ms * 1000000ull);
	log_rec(LOG_LVL_INFO, "configuration reloaded", NULL);
	detect_resync_rdma(&c->det, "reload");
	detect_resync_devlink(&c->det, "reload");
	c->status.reloads++;
	status_update(c, true, "running");
	sd_notify_send("READY=1");
}

static void
on_signal(void *arg, int fd, uint32_t events)
{
	struct ctrld *c = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(c);
		else
			c->stop = 1;
	}
}

/* ---- setup ---- */

static int
open_sources(struct ctrld *c)
{
	int err = 0;

	if (c->conf.rdma == CONFIG_ON) {
		c->rdma = nl_rdma_open(&err);
		if (c->rdma == NULL) {
			log_rec(LOG_LVL_ERR, nl_rdma_strerror(err), "hint",
				"run with --rdma off to watch devlink only", NULL);
			return -1;
		}
		err = nl_rdma_sys_get(c->rdma, &c->monitor);
		c->status.rdma_monitor_mode = err < 0 ? -1 : c->monitor;
		if (err < 0) {
			log_rec(LOG_LVL_WARN, "RDMA SYS_GET failed; assuming no monitor", "error",
				nl_rdma_strerror(err), NULL);
			c->monitor = 0;
		}
		if (c->monitor) {
			err = nl_rdma_monitor_open(c->rdma);
			if (err < 0 || nl_loop_add(c->loop, nl_rdma_monitor_fd(c->rdma), on_rdma,
						    c) < 0) {
				log_rec(LOG_LVL_WARN, "RDMA monitor unavailable; using uevents",
					"error", nl_rdma_strerror(err), NULL);
				c->monitor = 0;
			}
		}
	}
	if (c->conf.devlink == CONFIG_ON) {
		c->dl = nl_devlink_open(&err);
		if (c->dl == NULL) {
			log_rec(LOG_LVL_ERR, nl_devlink_strerror(err), "hint",
				"run with --devlink off on kernels without devlink", NULL);
			return -1;
		}
		err = nl_devlink_events_open(c->dl, detect_devlink_event, &c->det);
		if (err < 0 ||
		    nl_loop_add(c->loop, nl_devlink_events_fd(c->dl), on_devlink, c) < 0) {
			log_rec(LOG_LVL_ERR, "devlink events unavailable", "error",
				nl_devlink_strerror(err), NULL);
			return -1;
		}
	}
	if (c->conf.uevent == CONFIG_ON && !c->monitor) {
		c->uev = nl_uevent_open();
		if (c->uev == NULL ||
		    nl_loop_add(c->loop, nl_uevent_fd(c->uev), on_uevent, c) < 0) {
			log_rec(LOG_LVL_ERR, "cannot listen to kobject uevents", "error",
				strerror(errno), NULL);
			return -1;
		}
	}
	if (c->rdma != NULL && !c->monitor && c->conf.poll_interval_ms != 0)
		c->next_poll = now_ns() + c->conf.poll_interval_ms * 1000000ull;
	return 0;
}

static int
setup_signals(struct ctrld *c)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	c->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (c->sigfd < 0)
		return -1;
	return nl_loop_add(c->loop, c->sigfd, on_signal, c);
}

static uint64_t
min_nonzero(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* The epoll timeout: the nearest of tracker deadline, poll, watchdog. */
static int
loop_timeout_ms(struct ctrld *c, uint64_t now)
{
	int64_t trk = tracker_next_deadline(c->tr, now);
	uint64_t due = min_nonzero(c->next_poll, c->next_watchdog);

	due = min_nonzero(due, c->next_textfile);
	if (c->http != NULL)
		due = min_nonzero(due, metrics_http_deadline(c->http));

	if (trk >= 0)
		due = min_nonzero(due, now + (uint64_t)trk);
	if (due == 0)
		return -1;
	if (due <= now)
		return 0;
	/* Round up: waking a hair early would spin once more. */
	return (int)((due - now + 999999) / 1000000);
}

static void
run(struct ctrld *c)
{
	char status[128];

	snprintf(status, sizeof(status), "STATUS=watching: rdma %s, devlink %s, uevents %s",
		 rdma_mode(c), devlink_on(c) ? "on" : "off", c->uev == NULL ? "off" : "on");
	status_update(c, true, "running");
	sd_notify_send("READY=1");
	sd_notify_send(status);
	log_rec(LOG_LVL_INFO, "started", "rdma", rdma_mode(c), "devlink",
		devlink_on(c) ? "on" : "off", "uevent", c->uev == NULL ? "off" : "on", NULL);
	while (!c->stop) {
		uint64_t now = now_ns();
		int ret = nl_loop_run_once(c->loop, loop_timeout_ms(c, now));

		if (ret < 0) {
			log_rec(LOG_LVL_ERR, "epoll_wait failed", "error", strerror(-ret), NULL);
			break;
		}
		now = now_ns();
		tracker_tick(c->tr, now);
		status_update(c, false, "running");
		if (c->next_poll != 0 && now >= c->next_poll) {
			detect_resync_rdma(&c->det, "poll");
			c->next_poll = now + c->conf.poll_interval_ms * 1000000ull;
		}
		if (c->next_textfile != 0 && now >= c->next_textfile) {
			textfile_write(c);
			c->next_textfile = now + c->conf.metrics_interval_ms * 1000000ull;
		}
		if (c->http != NULL)
			metrics_http_tick(c->http, now);
		if (c->next_watchdog != 0 && now >= c->next_watchdog) {
			sd_notify_send("WATCHDOG=1");
			c->next_watchdog = now + c->watchdog_ns;
		}
	}
	sd_notify_send("STOPPING=1");
	status_update(c, true, "stopped");
}

int
main(int argc, char **argv)
{
	struct ctrld c = { .sigfd = -1, .status.rdma_monitor_mode = -1 };
	struct detect_backend be = {
		.rdma_dump = be_rdma_dump,
		.rdma_dev_get = be_rdma_dev_get,
		.devlink_dump = be_devlink_dump,
		.ctx = &c,
	};
	char wake[24];
	int check = 0, ret, rc = 1;

	c.argc = argc;
	c.argv = argv;
	ret = parse_config(&c.conf, &c.conf_path, argc, argv, &check);
	if (ret != 0)
		return ret > 0 ? 0 : 1;
	if (check) {
		config_print(&c.conf, stdout);
		return 0;
	}
	log_setup(stderr, c.conf.log_json, c.conf.log_debug);
	c.status.pid = (uint32_t)getpid();
	c.status.started_mono_ns = now_ns();
	c.status.started_unix = (int64_t)time(NULL);
	if (c.conf.mbox.path[0] != '\0')
		snprintf(c.status_path, sizeof(c.status_path), "%s.status", c.conf.mbox.path);
	c.loop = nl_loop_new();
	if (c.loop != NULL && c.conf.mbox.path[0] != '\0') {
		char err[512] = "";

		c.mbox = sink_mbox_open(&c.conf, &sink_log, err, sizeof(err));
		if (c.mbox != NULL && nl_loop_add(c.loop, sink_mbox_fd(c.mbox), on_mbox, &c) < 0)
			snprintf(err, sizeof(err), "cannot watch the mailbox fd: too many fds");
		if (c.mbox == NULL || err[0] != '\0') {
			log_rec(LOG_LVL_ERR, "cannot publish through the mailbox", "error", err, NULL);
			goto out;
		}
	}
	if (c.loop != NULL && metrics_open(&c) < 0)
		goto out;
	c.tr = tracker_new(c.conf.gone_timeout_ms * 1000000ull,
			   c.metrics != NULL ? metrics_sink(c.metrics) :
			   c.mbox != NULL ? sink_mbox_sink(c.mbox) : &sink_log);
	if (c.loop == NULL || c.tr == NULL) {
		log_rec(LOG_LVL_ERR, "out of memory", NULL);
		goto out;
	}
	if (c.mbox != NULL)
		tracker_set_present_cb(c.tr, sink_mbox_present, c.mbox);
	if (setup_signals(&c) < 0) {
		log_rec(LOG_LVL_ERR, "signalfd setup failed", "error", strerror(errno), NULL);
		goto out;
	}
	if (c.conf.fake_kernel[0] != '\0') {
		c.fk = fake_kernel_open(c.conf.fake_kernel, c.loop, &c.det);
		if (c.fk == NULL)
			goto out;
		c.monitor = 1;
		c.status.rdma_monitor_mode = 1;
		be = fake_kernel_backend(c.fk);
	} else if (c.conf.sim_kernel[0] != '\0') {
		/* Simulation only: no netlink source is opened. */
		struct sim_kernel_cfg sc = {
			.dir = c.conf.sim_kernel, .rdma = c.conf.rdma == CONFIG_ON,
			.devlink = c.conf.devlink == CONFIG_ON, .loop = c.loop, .det = &c.det,
			.pci_removed = c.mbox != NULL ? sink_mbox_pci_removed : NULL,
			.pci_ctx = c.mbox,
		};
		char err[512] = "";

		c.sk = sim_kernel_open(&sc, err, sizeof(err));
		if (c.sk == NULL) {
			log_rec(LOG_LVL_ERR, "cannot use the simulated kernel", "error", err, NULL);
			goto out;
		}
		/* As a 6.12 kernel in RDMA monitor mode. */
		c.monitor = sc.rdma;
		c.status.rdma_monitor_mode = sc.rdma ? 1 : -1;
		be = sim_kernel_backend(c.sk);
	} else if (open_sources(&c) < 0) {
		goto out;
	}
	/* Sources that are off take no part in resyncs. */
	if (c.rdma == NULL && c.fk == NULL && c.sk == NULL) {
		be.rdma_dump = NULL;
		be.rdma_dev_get = NULL;
	}
	if (c.dl == NULL && c.sk == NULL)
		be.devlink_dump = NULL;
	detect_init(&c.det, &c.conf, c.tr, &be, now_ns);
	c.watchdog_ns = sd_watchdog_period_ns();
	if (c.watchdog_ns != 0)
		c.next_watchdog = now_ns() + c.watchdog_ns;
	ret = detect_resync_rdma(&c.det, "start");
	detect_resync_devlink(&c.det, "start");
	/* The segment's devices absent from a good first dump went while we were away. */
	if (c.mbox != NULL && ret == 0 && be.rdma_dump != NULL)
		sink_mbox_adopt(c.mbox, c.tr, now_ns());
	if (c.metrics != NULL && c.mbox != NULL)
		metrics_mbox_poll(c.metrics, sink_mbox_mbox(c.mbox));
	if (c.conf.metrics_textfile[0] != '\0') {
		textfile_write(&c);
		c.next_textfile = now_ns() + c.conf.metrics_interval_ms * 1000000ull;
	}
	run(&c);
	snprintf(wake, sizeof(wake), "%" PRIu64, nl_loop_wakeups(c.loop));
	log_rec(LOG_LVL_INFO, "stopped", "loop_wakeups", wake, NULL);
	rc = 0;
out:
	metrics_http_close(c.http);
	fake_kernel_close(c.fk);
	sim_kernel_close(c.sk);
	sink_mbox_close(c.mbox);
	nl_uevent_close(c.uev);
	nl_devlink_close(c.dl);
	nl_rdma_close(c.rdma);
	if (c.sigfd >= 0)
		close(c.sigfd);
	tracker_free(c.tr);
	metrics_free(c.metrics);
	nl_loop_free(c.loop);
	return rc;
}
