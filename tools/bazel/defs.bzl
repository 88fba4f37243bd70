"""Compiler flags and thin cc_* wrappers shared by the project's BUILD files.

    load("//tools/bazel:defs.bzl", "COPTS", "DPDK_COPTS", "mana_cc_library", "mana_cc_test")

PMD_COPTS / PMD_PLAIN_COPTS add hidden visibility for the driver's libraries.

COPTS is for all project C code; DPDK_COPTS for translation units that include
DPDK headers (libdpdk's own cflags: -include rte_config.h; -march=corei7 comes
from the toolchain in //tools/toolchain). The wrappers prepend the right list
to `copts`; `dpdk = True` selects DPDK_COPTS.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")

COPTS = [
    "-std=c11",
    "-D_GNU_SOURCE",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wshadow",
    "-Wstrict-prototypes",
    "-Wpointer-arith",
    "-Wformat-security",
]

DPDK_COPTS = COPTS + [
    "-include",
    "rte_config.h",
]

# The driver's libraries: nothing of theirs is visible outside the module
# they are linked into (the plugin also has a version script that exports
# nothing: pmd/librte_net_mana.map). Static links (tests) are unaffected.
PMD_COPTS = DPDK_COPTS + ["-fvisibility=hidden"]

# The driver's plain-C libraries (guard, reset engine), likewise.
PMD_PLAIN_COPTS = COPTS + ["-fvisibility=hidden"]

def _copts(dpdk, copts):
    return (DPDK_COPTS if dpdk else COPTS) + (copts or [])

def mana_cc_library(name, dpdk = False, copts = None, **kwargs):
    """cc_library with the project's copts (DPDK_COPTS when dpdk = True)."""
    cc_library(name = name, copts = _copts(dpdk, copts), **kwargs)

def mana_cc_binary(name, dpdk = False, copts = None, **kwargs):
    """cc_binary with the project's copts (DPDK_COPTS when dpdk = True)."""
    cc_binary(name = name, copts = _copts(dpdk, copts), **kwargs)

def mana_cc_test(name, dpdk = False, copts = None, **kwargs):
    """cc_test with the project's copts (DPDK_COPTS when dpdk = True)."""
    cc_test(name = name, copts = _copts(dpdk, copts), **kwargs)
