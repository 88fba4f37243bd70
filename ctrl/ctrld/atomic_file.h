/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 */
#ifndef MANA_CTRL_ATOMIC_FILE_H
#define MANA_CTRL_ATOMIC_FILE_H

/*
 * Replace a file whole: write path + ".tmp", then rename it over path, so a
 * reader (manactl, node_exporter's textfile collector) sees the old or the
 * new content, never a mix. Used for the status file and the metrics
 * textfile. No state: any thread (two writers of one path must not race).
 */
#include <stddef.h>
#include <sys/types.h>

/*
 * Write len bytes of buf to path atomically, file mode mode. 0, or a
 * negative errno with a sentence naming the file in err (size n); the
 * temporary file is removed on failure.
 */
int atomic_file_write(const char *path, const void *buf, size_t len, mode_t mode, char *err,
		      size_t n);

#endif /* MANA_CTRL_ATOMIC_FILE_H */
