#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every folder's README file table matches the folder's files (issue 10).

usage: readme_tables_check.py README.md...

For each README given: the file names in backticks in its tables (any
column; `name.[ch]` and `sim_*.c` patterns allowed; a subfolder, `name/`, in a
row's first column) must match files of the README's folder, and every file
of the folder that is code or configuration (.c .h .py .sh .bzl .pml .map
.tpl .conf .service; not BUILD) must be named in a table. Prints each
mismatch; exit 1 on any.
"""
import fnmatch
import os
import re
import sys

KINDS = re.compile(r'\.(c|h|py|sh|bzl|pml|map|tpl|conf|service)$')


def table_names(text):
    """File names in backticks in table rows; a subfolder (name/) counts
    only in a row's first column (elsewhere it is prose about a folder)."""
    names = set()
    for line in text.splitlines():
        if not line.startswith('|') or re.match(r'^\|[-\s|]+\|$', line):
            continue
        cols = line.split('|')
        for tok in re.findall(r'`([^`]+)`', line):
            if tok.strip().endswith('/') and f'`{tok}`' not in cols[1]:
                continue
            tok = tok.strip()
            # "mana_sim.c, mana_sim.h" or "sim_*.c" style groups
            for part in re.split(r'[,\s]+', tok):
                if part:
                    names.add(part)
    return names


def main(argv):
    problems = 0
    for readme in argv:
        # Under Bazel the README is a runfiles link into the source tree:
        # its folder there is the one to compare with.
        readme = os.path.realpath(readme)
        folder = os.path.dirname(readme)
        text = open(readme, encoding='utf-8').read()
        names = table_names(text)
        files = sorted(f for f in os.listdir(folder)
                       if not f.startswith('.') and os.path.isfile(os.path.join(folder, f)))
        patterns = []
        for n in names:
            if n.endswith('/') and '/' not in n[:-1]:
                if not os.path.isdir(os.path.join(folder, n)):
                    print(f'{os.path.relpath(readme)}: table names {n}, which is not a folder here')
                    problems += 1
                continue
            if '/' in n or ':' in n or not KINDS.search(n.replace('[ch]', 'c')):
                continue   # a path elsewhere, a Bazel label, or not a file kind
            patterns.append(n)
            if not any(fnmatch.fnmatchcase(f, n) for f in files):
                print(f'{os.path.relpath(readme)}: table names {n}, which is not in its folder')
                problems += 1
        for f in files:
            if f == 'README.md' or not KINDS.search(f):
                continue
            if not any(fnmatch.fnmatchcase(f, n) for n in patterns):
                print(f'{os.path.relpath(readme)}: {f} is in its folder but not in its file table')
                problems += 1
    if problems:
        print(f'FAIL: {problems} mismatch(es) between READMEs and their folders')
        return 1
    print(f'ok: {len(argv)} READMEs match their folders')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
