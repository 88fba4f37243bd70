/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * manactl sim: the simulated host's devices (proto/simhost/simhost.h), for
 * simulation only. `list` and `show` read the state files of DIR/dev/;
 * `service-event` asks a device's hypervisor channel (DIR/hv/NAME.sock,
 * served by the DPDK process that owns the device) for a service event, as
 * the hypervisor would start one on real hardware. DIR: `host DIR`, else
 * $MANA_SIM_HOST, else /run/mana/sim. Exit codes: 0 done, 1 error (usage,
 * bad input, refused), 2 no such device, 3 its process is gone, 4 the
 * device is not up.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/manactl/manactl.h"
#include "ctrl/print/print.h"
#include "proto/simhost/simhost.h"

#define SIM_EXIT_ERROR 1
#define SIM_EXIT_NO_DEVICE 2
#define SIM_EXIT_GONE 3
#define SIM_EXIT_NOT_UP 4
#define SIM_DOWN_DEFAULT_MS 2000u
#define SIM_DOWN_MAX_MS 3600000u
#define SIM_HV_TIMEOUT_MS 5000

static const char *
sim_default_dir(void)
{
	const char *e = getenv("MANA_SIM_HOST");

	return e != NULL && e[0] != '\0' ? e : SIMHOST_DEFAULT_DIR;
}

/* At "host": take DIR into *dir. */
static int
sim_host_arg(struct manactl *m, const char **dir)
{
	manactl_next(m);
	if (manactl_no_arg(m) || manactl_arg(m)[0] == '\0') {
		fprintf(stderr, "manactl sim: host needs a directory\n");
		return -EINVAL;
	}
	*dir = manactl_arg(m);
	manactl_next(m);
	return 0;
}

/* Is the process serving d alive? */
static bool
sim_served(const struct simhost_dev *d)
{
	return d->pid > 0 && d->pid <= INT32_MAX && (kill((pid_t)d->pid, 0) == 0 || errno == EPERM);
}

static const char *
sim_process(const struct simhost_dev *d)
{
	return d->pid == 0 ? "none" : sim_served(d) ? "running" : "gone";
}

static void
sim_print_dev(const struct simhost_dev *d, bool full)
{
	char guid[24];

	snprintf(guid, sizeof(guid), "0x%016" PRIx64, d->node_guid);
	open_json_object(NULL);
	print_string(PRINT_ANY, "name", "%s", d->name);
	print_string(PRINT_ANY, "pci", " pci %s", d->pci);
	print_string(PRINT_ANY, "ibdev", " ibdev %s", d->ibdev);
	print_uint(PRINT_ANY, "ib_index", " index %u", d->ib_index);
	print_string(PRINT_ANY, "netdev", " netdev %s", d->netdev);
	print_string(PRINT_ANY, "hw", " hw %s", simhost_hw_name(d->hw));
	print_string(PRINT_ANY, "health", " health %s", d->health_error ? "error" : "healthy");
	print_u64(PRINT_ANY, "pid", " pid %" PRIu64, (uint64_t)d->pid);
	print_string(PRINT_ANY, "process", " (%s)", sim_process(d));
	print_u64(PRINT_ANY, "service_events", " service_events %" PRIu64, d->service_events);
	if (full) {
		print_string(PRINT_FP, NULL, "%s", "\n ");
		print_bool(PRINT_ANY, "pci_present", " pci_present %s", d->pci_present);
		print_bool(PRINT_ANY, "registered", " registered %s", d->registered);
		print_string(PRINT_ANY, "node_guid", " node_guid %s", guid);
		print_uint(PRINT_ANY, "ifindex", " ifindex %u", d->ifindex);
		print_bool(PRINT_ANY, "devlink", " devlink %s", d->devlink);
		print_string(PRINT_ANY, "reporter", " reporter %s", d->reporter);
		print_u64(PRINT_ANY, "error_count", " error_count %" PRIu64, d->error_count);
		print_u64(PRINT_ANY, "recover_count", " recover_count %" PRIu64,
			  d->recover_count);
		print_string(PRINT_FP, NULL, "%s", "\n ");
		print_string(PRINT_ANY, "hv", " hv %s", d->hv);
	}
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();
}

static int
sim_list_one(void *arg, const struct simhost_dev *d)
{
	(void)arg;
	sim_print_dev(d, false);
	return 0;
}

static int
sim_list(struct manactl *m)
{
	const char *dir = sim_default_dir();
	int ret, nbad = 0;

	while (!manactl_no_arg(m)) {
		if (!manactl_match(m, "host")) {
			fprintf(stderr, "manactl sim list: unknown argument \"%s\" (host DIR)\n",
				manactl_arg(m));
			return -EINVAL;
		}
		if (sim_host_arg(m, &dir) < 0)
			return -EINVAL;
	}
	if (print_begin(stdout, m->json, m->pretty) < 0)
		return -ENOMEM;
	open_json_array(PRINT_JSON, NULL);
	ret = simhost_dev_foreach(dir, sim_list_one, NULL, &nbad);
	close_json_array(PRINT_JSON, NULL);
	print_end();
	if (ret < 0) {
		fprintf(stderr, "manactl sim: no simulated host at %s: %s\n", dir,
			simhost_errmsg());
		return SIM_EXIT_NO_DEVICE;
	}
	if (nbad > 0)
		fprintf(stderr, "manactl sim: %d unreadable state file(s) in %s/dev skipped\n",
			nbad, dir);
	return 0;
}

struct sim_find {
	const char *want;
	struct simhost_dev dev;
	int found;
};

static int
sim_find_one(void *arg, const struct simhost_dev *d)
{
	struct sim_find *f = arg;

	if (strcmp(d->name, f->want) == 0 || strcmp(d->ibdev, f->want) == 0 ||
	    strcasecmp(d->pci, f->want) == 0) {
		f->dev = *d;
		f->found++;
	}
	return 0;
}

/* DEV (a vdev name, IB device or PCI address) on the host at dir: 0 and *d,
 * or an exit code after a message.
 */
static int
sim_find(const char *dir, const char *dev, struct simhost_dev *d)
{
	struct sim_find f = { .want = dev };
	int ret = simhost_dev_foreach(dir, sim_find_one, &f, NULL);

	if (ret < 0) {
		fprintf(stderr, "manactl sim: no simulated host at %s: %s\n", dir,
			simhost_errmsg());
		return SIM_EXIT_NO_DEVICE;
	}
	if (f.found == 0) {
		fprintf(stderr, "manactl sim: no device %s on the simulated host %s (manactl sim "
			"list host %s)\n", dev, dir, dir);
		return SIM_EXIT_NO_DEVICE;
	}
	if (f.found > 1) {
		fprintf(stderr, "manactl sim: %s names %d devices on %s: give the vdev name\n",
			dev, f.found, dir);
		return SIM_EXIT_ERROR;
	}
	*d = f.dev;
	return 0;
}

static int
sim_show(struct manactl *m)
{
	const char *dir = sim_default_dir(), *dev = NULL;
	struct simhost_dev d;
	int ret;

	while (!manactl_no_arg(m)) {
		if (manactl_match(m, "host")) {
			if (sim_host_arg(m, &dir) < 0)
				return -EINVAL;
		} else if (dev == NULL) {
			dev = manactl_arg(m);
			manactl_next(m);
		} else {
			fprintf(stderr, "manactl sim show: unknown argument \"%s\"\n",
				manactl_arg(m));
			return -EINVAL;
		}
	}
	if (dev == NULL) {
		fprintf(stderr, "manactl sim show: which device? (DEV [host DIR])\n");
		return -EINVAL;
	}
	ret = sim_find(dir, dev, &d);
	if (ret != 0)
		return ret;
	if (print_begin(stdout, m->json, m->pretty) < 0)
		return -ENOMEM;
	sim_print_dev(&d, true);
	print_end();
	return 0;
}

/* "2s", "500ms", "1.5s", "1m", "0": milliseconds, 0..SIM_DOWN_MAX_MS. */
static int
sim_parse_duration(const char *s, uint32_t *ms)
{
	char *end;
	double v, scale;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0)
		return -EINVAL;
	if (strcmp(end, "ms") == 0)
		scale = 1;
	else if (strcmp(end, "s") == 0 || (end[0] == '\0' && v == 0))
		scale = 1000;
	else if (strcmp(end, "m") == 0)
		scale = 60000;
	else
		return -EINVAL;
	v *= scale;
	if (!(v >= 0 && v <= SIM_DOWN_MAX_MS) || v != (double)(uint32_t)v)
		return -EINVAL;
	*ms = (uint32_t)v;
	return 0;
}

static int
sim_service_event(struct manactl *m)
{
	struct simhost_hv_req req = { .verb = SIMHOST_HV_SERVICE_EVENT,
				      .down_ms = SIM_DOWN_DEFAULT_MS,
				      .outcome = SIMHOST_OUTCOME_OK };
	const char *dir = sim_default_dir(), *dev = NULL, *rest;
	char line[128], path[SIMHOST_PATH_MAX], reply[256];
	struct simhost_dev d;
	int ret;

	while (!manactl_no_arg(m)) {
		const char *a = manactl_arg(m);

		if (strcmp(a, "host") == 0) {
			if (sim_host_arg(m, &dir) < 0)
				return -EINVAL;
			continue;
		}
		if (strcmp(a, "--down") == 0 || strcmp(a, "--outcome") == 0) {
			manactl_next(m);
			if (manactl_no_arg(m)) {
				fprintf(stderr, "manactl sim service-event: %s needs a value\n", a);
				return -EINVAL;
			}
			if (a[2] == 'd' && sim_parse_duration(manactl_arg(m), &req.down_ms) < 0) {
				fprintf(stderr, "manactl sim service-event: --down \"%s\": not a "
					"duration of 0 to 3600s (e.g. 2s, 500ms, 1.5s)\n",
					manactl_arg(m));
				return -EINVAL;
			}
			if (a[2] == 'o' && simhost_outcome_parse(manactl_arg(m), &req.outcome) < 0) {
				fprintf(stderr, "manactl sim service-event: --outcome \"%s\": not ok, "
					"fail, remove or rescan\n", manactl_arg(m));
				return -EINVAL;
			}
			manactl_next(m);
			continue;
		}
		if (dev != NULL || a[0] == '-') {
			fprintf(stderr, "manactl sim service-event: unknown argument \"%s\"\n", a);
			return -EINVAL;
		}
		dev = a;
		manactl_next(m);
	}
	if (dev == NULL) {
		fprintf(stderr, "manactl sim service-event: which device? (DEV [--down "
			"DURATION] [--outcome ok|fail|remove|rescan] [host DIR])\n");
		return -EINVAL;
	}
	ret = sim_find(dir, dev, &d);
	if (ret != 0)
		return ret;
	if (!sim_served(&d)) {
		fprintf(stderr, "manactl sim: %s: its process (pid %" PRId64 ") is gone: no one "
			"serves the device (start its DPDK application again)\n", d.name, d.pid);
		return SIM_EXIT_GONE;
	}
	if (simhost_hv_req_format(&req, line, sizeof(line)) < 0 ||
	    simhost_hv_path(dir, d.name, path, sizeof(path)) < 0) {
		fprintf(stderr, "manactl sim: %s\n", simhost_errmsg());
		return SIM_EXIT_ERROR;
	}
	ret = simhost_hv_call(path, line, reply, sizeof(reply), SIM_HV_TIMEOUT_MS);
	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		fprintf(stderr, "manactl sim: %s: its process (pid %" PRId64 ") is gone or no "
			"longer serves it: %s\n", d.name, d.pid, simhost_errmsg());
		return SIM_EXIT_GONE;
	}
	if (ret < 0) {
		fprintf(stderr, "manactl sim: %s: %s\n", d.name, simhost_errmsg());
		return SIM_EXIT_ERROR;
	}
	ret = simhost_hv_reply_parse(reply, &rest);
	if (ret == -EALREADY) {
		fprintf(stderr, "manactl sim: %s: device not up: %s\n", d.name, rest);
		return SIM_EXIT_NOT_UP;
	}
	if (ret < 0) {
		fprintf(stderr, "manactl sim: %s: refused: %s\n", d.name,
			ret == -EBADMSG ? simhost_errmsg() : rest);
		return SIM_EXIT_ERROR;
	}
	printf("%s: service event %s: down %" PRIu32 " ms, then %s\n", d.name,
	       strncmp(rest, "event=", 6) == 0 ? rest + 6 : rest, req.down_ms,
	       simhost_outcome_name(req.outcome));
	return 0;
}

static int
sim_help(struct manactl *m)
{
	(void)m;
	printf("Usage: manactl [ -j ] sim list [ host DIR ]\n"
	       "       manactl [ -j ] sim show DEV [ host DIR ]\n"
	       "       manactl sim service-event DEV [ --down DURATION ]\n"
	       "                 [ --outcome ok | fail | remove | rescan ] [ host DIR ]\n"
	       "DEV := vdev name | IB device | PCI address; DIR: $MANA_SIM_HOST, else %s;\n"
	       "DURATION: e.g. 2s (default), 500ms. For simulated devices only.\n",
	       SIMHOST_DEFAULT_DIR);
	return 0;
}

int
manactl_sim(struct manactl *m)
{
	static const struct manactl_cmd cmds[] = {
		{ "list", sim_list },
		{ "show", sim_show },
		{ "service-event", sim_service_event },
		{ "help", sim_help },
		{ NULL, NULL },
	};

	return manactl_dispatch(m, cmds, "sim");
}
