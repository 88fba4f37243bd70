#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""call_cycles_check.py MANIFEST [--want-cycle "A -> B -> ..."]...

No two files of one library call each other, directly or round a circle.
MANIFEST comes from //tools/bazel:cc_objects.bzl: the toolchain's nm, and for
each target its objects with their sources. For each target, nm gives every
object's defined and undefined global symbols; an object that uses a symbol
another object of the same target defines has an edge to it (calls and data
alike; symbols from other targets are not looked at). Every elementary cycle
of that graph is printed with the symbols on each of its edges.

Passes when the cycles found are exactly the wanted ones: none by default; a
fixture names its cycles with --want-cycle, as they are printed, e.g.
--want-cycle "tests/lint/a.c -> tests/lint/b.c -> tests/lint/a.c" (from any
file of the circle; the closing file may be left out).
"""

import argparse
import subprocess
import sys

# nm -g types of a symbol an object needs from elsewhere: undefined, weak
# undefined (function, object). Every other type in nm -g output is defined.
UNDEFINED = {"U", "w", "v"}
# Stop listing a target's cycles past this many (a dense knot has thousands).
MAX_CYCLES = 200


def read_manifest(path):
    nm = None
    targets = []  # [(label, [(source, object)])]
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "nm":
                nm = fields[1]
            elif fields[0] == "target":
                targets.append((fields[1], []))
            elif fields[0] == "object" and targets:
                targets[-1][1].append((fields[1], fields[2]))
            else:
                sys.exit("call_cycles_check: %s: bad line %r" % (path, line))
    if nm is None or not targets:
        sys.exit("call_cycles_check: %s: no nm or no target" % path)
    return nm, targets


def symbols(nm, obj):
    """(defined, undefined): the global symbols of one object."""
    res = subprocess.run([nm, "-P", "-g", obj], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("call_cycles_check: %s -P -g %s failed: %s" % (nm, obj, res.stderr.strip()))
    defined, undefined = set(), set()
    for line in res.stdout.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        (undefined if fields[1] in UNDEFINED else defined).add(fields[0])
    return defined, undefined


def graph(nm, objects):
    """{source: {source: [symbol]}}: who uses what of whom, within one target."""
    syms = {src: symbols(nm, obj) for src, obj in objects}
    definers = {}
    for src, (defined, _) in syms.items():
        for sym in defined:
            definers.setdefault(sym, set()).add(src)
    edges = {src: {} for src in syms}
    for src, (_, undefined) in syms.items():
        for sym in sorted(undefined):
            for dst in sorted(definers.get(sym, ())):
                if dst != src:
                    edges[src].setdefault(dst, []).append(sym)
    return edges


def cycles(edges):
    """Every elementary cycle, each once, starting at its smallest node."""
    nodes = sorted(edges)
    found = []

    def walk(start, lowest, path, on_path):
        for nxt in sorted(edges[path[-1]]):
            if len(found) >= MAX_CYCLES:
                return
            if nxt == start:
                found.append(list(path))
            elif nxt > lowest and nxt not in on_path:
                path.append(nxt)
                on_path.add(nxt)
                walk(start, lowest, path, on_path)
                on_path.discard(nxt)
                path.pop()

    for start in nodes:
        walk(start, start, [start], {start})
    return found


def canonical(cycle):
    """The rotation of a cycle (open: no closing node) that starts at its smallest node."""
    i = cycle.index(min(cycle))
    return tuple(cycle[i:] + cycle[:i])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[2])
    ap.add_argument("manifest")
    ap.add_argument("--want-cycle", action="append", default=[],
                    help='a cycle that must be found: "a.c -> b.c -> a.c"')
    args = ap.parse_args()
    nm, targets = read_manifest(args.manifest)
    wanted = set()
    for w in args.want_cycle:
        nodes = [n.strip() for n in w.split("->")]
        if len(nodes) > 1 and nodes[0] == nodes[-1]:
            nodes.pop()
        wanted.add(canonical(nodes))

    found = set()
    fails = 0
    for label, objects in targets:
        if not objects:
            print("FAIL: %s has no object of its own: a header-only library, or not a cc target "
                  "(list the libraries that compile the sources)" % label)
            fails += 1
            continue
        edges = graph(nm, objects)
        n_edges = sum(len(d) for d in edges.values())
        cyc = cycles(edges)
        print("%s: %d object(s), %d use(s) between them, %d cycle(s)%s" % (
            label, len(objects), n_edges, len(cyc),
            " (listing stopped at %d)" % MAX_CYCLES if len(cyc) >= MAX_CYCLES else ""))
        for src in sorted(edges):
            for dst in sorted(edges[src]):
                print("  %s -> %s: %s" % (src, dst, ", ".join(edges[src][dst])))
        for i, c in enumerate(cyc, 1):
            found.add(canonical(c))
            print("  cycle %d: %s" % (i, " -> ".join(c + [c[0]])))
            for a, b in zip(c, c[1:] + [c[0]]):
                print("    %s -> %s: %s" % (a, b, ", ".join(edges[a][b])))

    for c in sorted(found - wanted):
        print("FAIL: cycle %s" % " -> ".join(c + (c[0],)))
        fails += 1
    for c in sorted(wanted - found):
        print("FAIL: wanted cycle not found: %s" % " -> ".join(c + (c[0],)))
        fails += 1
    if fails:
        print("FAIL: %d problem(s); move what two files both need into a third, lower one "
              "(tests/lint/README.md)" % fails)
        return 1
    print("ok: %d target(s), %s" % (
        len(targets), "%d cycle(s), as wanted" % len(found) if found else "no cycle"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
