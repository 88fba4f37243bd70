/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
/*
 * Every row of mana-ctrld's key table (config_keys[]), through the real
 * binary: a sample value given as the flag and, separately, as a line of a
 * config file comes out of --check-config as the expected "key = value"
 * line (which differs from the default's line, so the check can fail); a
 * bad value exits 1 naming the key; --help lists the flag with its argument
 * and help. In-process: the flag is the name with '-' for '_', both
 * spellings find the row, each default parses. A row without a sample here
 * fails: a new key needs one.
 *
 * Usage: config_keys_test MANA_CTRLD
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrl/ctrld/config.h"
#include "tests/lib/test_util.h"

struct sample {
	const char *key;
	const char *value;	/* as given */
	const char *shown;	/* as --check-config shows it */
	const char *bad;	/* rejected (NULL: the key takes anything) */
	const char *pre_key;	/* another key the value needs, or NULL */
	const char *pre_value;
};

static const struct sample samples[] = {
	{ "driver", "*", "*", "a/b", NULL, NULL },
	{ "pci_allow", "0000:00:02.0, 7870:00:00.0", "0000:00:02.0,7870:00:00.0", "00:02.0",
	  NULL, NULL },
	{ "reporters", "fw tx", "fw,tx", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,"
	  "aa,bb,cc,dd,ee,ff,gg", NULL, NULL },
	{ "gone_timeout", "1.5min", "90000ms", "0", NULL, NULL },
	{ "poll_interval", "250ms", "250ms", "50ms", NULL, NULL },
	{ "rdma", "off", "off", "maybe", NULL, NULL },
	{ "devlink", "no", "off", "nope", NULL, NULL },
	{ "uevent", "0", "off", "2", NULL, NULL },
	{ "log_format", "kv", "kv", "xml", NULL, NULL },
	{ "log_level", "debug", "debug", "trace", NULL, NULL },
	{ "sysfs", "/tmp/fake-sys", "/tmp/fake-sys", "sys", NULL, NULL },
	{ "mbox_path", "/run/mana-test/mbox", "/run/mana-test/mbox", "mbox", NULL, NULL },
	{ "mbox_socket", "/run/mana-test/s.sock", "/run/mana-test/s.sock", "s.sock", NULL, NULL },
	{ "mbox_uid", "root", "0", "no-such-user-here", NULL, NULL },
	{ "mbox_gid", "0", "0", "no-such-group-here", NULL, NULL },
	{ "mbox_mode", "0660", "0660", "0666", "mbox_gid", "0" },
	{ "mbox_replace", "yes", "on", "maybe", NULL, NULL },
	{ "metrics_listen", "[::1]:9477", "[::1]:9477", "0.0.0.0:9477", NULL, NULL },
	{ "metrics_textfile", "/var/lib/node_exporter/mana.prom",
	  "/var/lib/node_exporter/mana.prom", "/tmp/mana.txt", NULL, NULL },
	{ "metrics_interval", "30s", "30000ms", "500ms", NULL, NULL },
	{ "fake_kernel", "/tmp/fake-fifo", "/tmp/fake-fifo", NULL, NULL, NULL },
	{ "sim_kernel", "/run/mana/sim", "/run/mana/sim", "run/mana/sim", NULL, NULL },
};

static const char *daemon_path;
static char tmp[1024];

/* Run mana-ctrld with args (NULL-terminated); stdout and stderr into out. Exit status. */
static int
run(const char *const *args, char *out, size_t n)
{
	const char *argv[16] = { daemon_path };
	size_t len = 0;
	int fd[2], st;
	ssize_t r;
	pid_t pid;

	for (unsigned int i = 0; args[i] != NULL && i < 14; i++)
		argv[i + 1] = args[i];
	if (pipe(fd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		execv(daemon_path, (char *const *)argv);
		_exit(127);
	}
	close(fd[1]);
	while (len + 1 < n && (r = read(fd[0], out + len, n - len - 1)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The line "key = ..." of --check-config output (without the newline), or "". */
static void
line_of(const char *out, const char *key, char *line, size_t n)
{
	size_t kl = strlen(key);

	line[0] = '\0';
	for (const char *l = out; l != NULL && *l != '\0'; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (strncmp(l, key, kl) == 0 && strncmp(l + kl, " =", 2) == 0) {
			snprintf(line, n, "%.*s", (int)strcspn(l, "\n"), l);
			return;
		}
	}
}

static const struct sample *
sample_of(const char *key)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (strcmp(samples[i].key, key) == 0)
			return &samples[i];
	return NULL;
}

static void
check_key(const struct config_key *k, const struct sample *s, const char *defaults)
{
	char out[8192], want[256], line[256], flag[64], pre[64], conf[1200];
	const char *args[8];
	struct config c;
	char err[256];
	FILE *f;

	/* The spellings and the default. */
	snprintf(flag, sizeof(flag), "%s", k->name);
	for (char *p = flag; *p != '\0'; p++)
		*p = *p == '_' ? '-' : *p;
	CHECK(strcmp(flag, k->flag) == 0);
	CHECK(config_key_find(k->name) == k && config_key_find(k->flag) == k);
	config_defaults(&c);
	if (k->def != NULL)
		CHECK(k->parse(k, (char *)&c + k->off, k->def, err, sizeof(err)) == 0);

	snprintf(want, sizeof(want), "%s = %s", k->name, s->shown);
	line_of(defaults, k->name, line, sizeof(line));
	if (strcmp(line, want) == 0)
		fprintf(stderr, "%s: the sample shows as the default does\n", k->name);
	CHECK(strcmp(line, want) != 0);

	/* Flag -> --check-config. */
	snprintf(flag, sizeof(flag), "--%s", k->flag);
	snprintf(pre, sizeof(pre), "--%s", s->pre_key != NULL ? config_key_find(s->pre_key)->flag :
		 "help");
	args[0] = "--check-config";
	args[1] = flag;
	args[2] = s->value;
	args[3] = s->pre_key != NULL ? pre : NULL;
	args[4] = s->pre_value;
	args[5] = NULL;
	CHECK(run(args, out, sizeof(out)) == 0);
	line_of(out, k->name, line, sizeof(line));
	if (strcmp(line, want) != 0)
		fprintf(stderr, "%s %s: got \"%s\", want \"%s\"\n%s", flag, s->value, line, want, out);
	CHECK(strcmp(line, want) == 0);

	/* File -> --check-config. */
	snprintf(conf, sizeof(conf), "%s/%s.conf", tmp, k->name);
	f = fopen(conf, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fprintf(f, "# %s\n%s = %s\n", k->name, k->name, s->value);
		if (s->pre_key != NULL)
			fprintf(f, "%s = %s\n", s->pre_key, s->pre_value);
		fclose(f);
	}
	args[1] = "--config";
	args[2] = conf;
	args[3] = NULL;
	CHECK(run(args, out, sizeof(out)) == 0);
	line_of(out, k->name, line, sizeof(line));
	if (strcmp(line, want) != 0)
		fprintf(stderr, "%s: got \"%s\", want \"%s\"\n%s", conf, line, want, out);
	CHECK(strcmp(line, want) == 0);

	/* A bad value: exit 1, the key named. */
	if (s->bad != NULL) {
		args[1] = flag;
		args[2] = s->bad;
		CHECK(run(args, out, sizeof(out)) == 1);
		if (strstr(out, k->name) == NULL)
			fprintf(stderr, "%s %s: no \"%s\" in: %s", flag, s->bad, k->name, out);
		CHECK(strstr(out, k->name) != NULL);
	}
}

int
main(int argc, char **argv)
{
	const char *check[] = { "--check-config", NULL }, *help[] = { "--help", NULL };
	char defaults[8192], usage[8192], opt[128];

	if (argc != 2) {
		fprintf(stderr, "usage: config_keys_test MANA_CTRLD\n");
		return 2;
	}
	daemon_path = argv[1];
	snprintf(tmp, sizeof(tmp), "%s/cfgkeysXXXXXX",
		 getenv("TEST_TMPDIR") != NULL ? getenv("TEST_TMPDIR") : "/tmp");
	if (mkdtemp(tmp) == NULL) {
		perror(tmp);
		return 1;
	}
	CHECK(run(check, defaults, sizeof(defaults)) == 0);
	CHECK(run(help, usage, sizeof(usage)) == 0);
	for (unsigned int i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];
		const struct sample *s = sample_of(k->name);
		size_t hl = strcspn(k->help, "\n");

		if (s == NULL)
			fprintf(stderr, "key %s: no sample in config_keys_test.c\n", k->name);
		CHECK(s != NULL);
		if (s != NULL)
			check_key(k, s, defaults);
		/* Usage: the flag, its argument and the first line of its help. */
		snprintf(opt, sizeof(opt), "\n  --%s %s ", k->flag, k->arg);
		if (hl == 0)
			opt[strlen(opt) - 1] = '\n';
		CHECK(strstr(usage, opt) != NULL);
		CHECK(hl == 0 || memmem(usage, strlen(usage), k->help, hl) != NULL);
		if (strstr(usage, opt) == NULL)
			fprintf(stderr, "usage lacks \"%s\":\n%s", opt + 1, usage);
	}
	/* No sample for a key that is gone. */
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		CHECK(config_key_find(samples[i].key) != NULL);
	snprintf(usage, sizeof(usage), "rm -rf %s", tmp);
	CHECK(system(usage) == 0);
	if (test_failures != 0) {
		fprintf(stderr, "config_keys_test: %d failure(s)\n", test_failures);
		return 1;
	}
	printf("config_keys_test: ok (%u keys)\n", CONFIG_NKEYS);
	return 0;
}
