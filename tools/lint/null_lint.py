#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Find the integer literal 0 used as a null pointer in C sources.

    null_lint.py --clang CLANG --out REPORT [--] CLANG_FLAGS... -- FILE.c...

Review finding 11 of the reset patch: "(void *)0 is used in mp.c
(proc_priv->db_page = (void *)0; and if (proc_priv->db_page != 0)). Use
NULL." A grep finds the cast but not the comparison; clang knows both: every
conversion of a literal 0 to a pointer is a NullToPointer cast in its AST.
Those whose 0 is spelled in the project's own files (but for { 0 }, the
universal zero initializer) (paths relative to the
execution root, not external/) are findings; NULL (whose 0 is spelled in
stddef.h) and code in other projects' headers are not.

Writes one line per finding (file:line:col: what) to REPORT and the number
of findings last; exits 0 when clang ran, 2 when it could not.
"""
import re
import subprocess
import sys

LOC = re.compile(r"(?:\bline:(?P<line>\d+):(?P<lc>\d+)|\bcol:(?P<col>\d+)"
                 r"|(?P<file>[^\s<>,:][^\s<>,]*?):(?P<fl>\d+):(?P<fc>\d+))")
NULL_CAST = re.compile(r"-(ImplicitCastExpr|CStyleCastExpr) .*<NullToPointer>")
LITERAL0 = re.compile(r"-IntegerLiteral 0x[0-9a-f]+ <([^>]*)> '[^']*' 0$")


def own(path):
    """A file of the project: relative to the execution root, not external."""
    return not path.startswith(("/", "external/", "bazel-out/", "<"))


def scan(dump):
    """Yield (file, line, col, kind) of literal-0 null pointers spelled in
    the project's own files."""
    cur_file, cur_line = None, 0
    pending = None                  # the NullToPointer cast just seen
    prev = ""
    for text in dump.splitlines():
        m_cast = NULL_CAST.search(text)
        m_lit = LITERAL0.search(text)
        # Locations print relative to the last one printed: follow them.
        span = text[text.find("<"):] if "<" in text else ""
        first = None
        for m in LOC.finditer(span):
            if m.group("file"):
                cur_file, cur_line = m.group("file"), int(m.group("fl"))
                col = int(m.group("fc"))
            elif m.group("line"):
                cur_line, col = int(m.group("line")), int(m.group("lc"))
            else:
                col = int(m.group("col"))
            if first is None:
                first = (cur_file, cur_line, col)
        if m_lit and pending is not None and first is not None:
            f, line, col = first
            if f is not None and own(f):
                yield f, line, col, pending
        pending = None
        # { 0 }, the universal zero initializer, is fine: a 0 that is the
        # first element of an initializer list.
        if m_cast and "-InitListExpr " not in prev:
            pending = "explicit (void *)0" if m_cast.group(1) == "CStyleCastExpr" \
                else "0 used as a pointer"
        prev = text


def main(argv):
    if "--clang" not in argv or "--out" not in argv or "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    clang = argv[argv.index("--clang") + 1]
    out = argv[argv.index("--out") + 1]
    rest = argv[argv.index("--out") + 2:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    split = len(rest) - 1 - rest[::-1].index("--")
    flags, files = rest[:split], rest[split + 1:]
    findings = []
    seen = set()
    for path in files:
        res = subprocess.run([clang, "-fsyntax-only", "-Xclang", "-ast-dump",
                              "-fno-color-diagnostics"] + flags + [path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if res.returncode != 0:
            print("null_lint: clang failed on %s:\n%s" % (path, res.stderr), file=sys.stderr)
            return 2
        for f, line, col, kind in scan(res.stdout):
            if (f, line, col) not in seen:     # a header seen by several files
                seen.add((f, line, col))
                findings.append("%s:%d:%d: %s: use NULL" % (f, line, col, kind))
    with open(out, "w") as f:
        for x in findings:
            f.write(x + "\n")
        f.write("%d finding(s) in %d file(s)\n" % (len(findings), len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
