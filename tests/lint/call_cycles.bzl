"""call_cycles_test: no two files of a library call each other (issue 10).

    load("//tests/lint:call_cycles.bzl", "call_cycles_test")

    call_cycles_test(
        name = "call_cycles_test",
        libs = ["//proto:mbox", "//pmd:mana_pmd_lib"],
    )

For each target in libs (a cc_library; a cc_binary's own sources work too),
the test runs nm on the objects the target compiles from its own sources and
fails on every circle of files that use each other's symbols, printing each
cycle with the symbols on its edges (tests/lint/call_cycles_check.py).
want_cycles names cycles that must be found instead, for fixtures, each as
the test prints it ("a.c -> b.c -> a.c"); then the test passes only when
exactly those are found.

The result does not depend on the build config: nm reads the objects of the
config under test (default, asan, tsan), whose calls between files are the same.
"""

load("//tools/bazel:cc_objects.bzl", "cc_objects")

def call_cycles_test(name, libs, want_cycles = [], size = "small", **kwargs):
    """An sh_test NAME over the objects of libs, and NAME_objects (their manifest)."""
    cc_objects(
        name = name + "_objects",
        targets = libs,
        testonly = True,
    )
    native.sh_test(
        name = name,
        size = size,
        srcs = [Label("//tests/lint:call_cycles_check.py")],
        args = ["$(rootpath :%s_objects)" % name] +
               ["--want-cycle='%s'" % c for c in want_cycles],
        data = [":%s_objects" % name],
        **kwargs
    )
