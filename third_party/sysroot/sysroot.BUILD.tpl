# Generated into @{repo} by third_party/sysroot/deb_sysroot.bzl from the .debs
# pinned in third_party/sysroot/debs.lock. root/ holds the unpacked packages,
# lib/ a flat directory of links to their shared objects.
#
# Headers are system includes (-isystem). Link inputs are -L/-l flags with
# -Wl,--as-needed, so binaries get DT_NEEDED only for the libraries they use
# and no RUNPATH: at run time they use the host's libraries of the same
# version (the lock is checked against the host by @{repo}_host_check).

load("{link_inputs}", "cc_link_inputs")

package(default_visibility = ["//visibility:public"])

LIBDIR = "external/{repo}/lib"

LINK_SEARCH = [
    "-L" + LIBDIR,
    "-Wl,-rpath-link," + LIBDIR,
    "-Wl,--as-needed",
]

DPDK_LIBS = [
    "rte_bus_vdev",
    "rte_bus_pci",
    "rte_pci",
    "rte_ethdev",
    "rte_net",
    "rte_mbuf",
    "rte_mempool",
    "rte_mempool_ring",
    "rte_meter",
    "rte_ring",
    "rte_rcu",
    "rte_eal",
    "rte_telemetry",
    "rte_kvargs",
]

# Every target stages all of lib/: ld resolves the DT_NEEDED entries of the
# named libraries through -rpath-link.
SHARED_OBJECTS = glob(["lib/*"])

cc_library(
    name = "libbsd_headers",
    hdrs = glob(["root/usr/include/bsd/**"]),
    includes = ["root/usr/include"],
    visibility = ["//visibility:private"],
)

cc_link_inputs(
    name = "dpdk_link",
    srcs = SHARED_OBJECTS,
    linkopts = LINK_SEARCH + ["-l" + lib for lib in DPDK_LIBS],
    visibility = ["//visibility:private"],
)

# DPDK 22.11 public headers and libraries. Users compile with
# DPDK_COPTS from //tools/bazel:defs.bzl ("-include rte_config.h").
cc_library(
    name = "dpdk",
    hdrs = glob([
        "root/usr/include/dpdk/**",
        "root/usr/include/x86_64-linux-gnu/dpdk/**",
    ]),
    includes = [
        "root/usr/include/dpdk",
        "root/usr/include/x86_64-linux-gnu/dpdk",
    ],
    deps = [
        ":dpdk_link",
        ":libbsd_headers",  # rte_string_fns.h includes <bsd/string.h>
        "{host_check}",
    ],
)

cc_link_inputs(
    name = "libnl_link",
    srcs = SHARED_OBJECTS,
    linkopts = LINK_SEARCH + [
        "-lnl-genl-3",
        "-lnl-route-3",
        "-lnl-3",
    ],
    visibility = ["//visibility:private"],
)

# libnl-3 with its genl and route parts: #include <netlink/genl/genl.h>.
cc_library(
    name = "libnl",
    hdrs = glob(["root/usr/include/libnl3/**"]),
    includes = ["root/usr/include/libnl3"],
    deps = [
        ":libnl_link",
        "{host_check}",
    ],
)

cc_link_inputs(
    name = "libmnl_link",
    srcs = SHARED_OBJECTS,
    linkopts = LINK_SEARCH + ["-lmnl"],
    visibility = ["//visibility:private"],
)

# #include <libmnl/libmnl.h>
cc_library(
    name = "libmnl",
    hdrs = glob(["root/usr/include/libmnl/**"]),
    includes = ["root/usr/include"],
    deps = [
        ":libmnl_link",
        "{host_check}",
    ],
)

cc_link_inputs(
    name = "ibverbs_link",
    srcs = SHARED_OBJECTS,
    linkopts = LINK_SEARCH + ["-libverbs"],
    visibility = ["//visibility:private"],
)

# libibverbs: #include <infiniband/verbs.h>
cc_library(
    name = "ibverbs",
    hdrs = glob(
        ["root/usr/include/infiniband/*.h"],
        exclude = ["root/usr/include/infiniband/manadv.h"],
    ),
    includes = ["root/usr/include"],
    deps = [
        ":ibverbs_link",
        "{host_check}",
    ],
)

cc_link_inputs(
    name = "manadv_link",
    srcs = SHARED_OBJECTS,
    linkopts = LINK_SEARCH + ["-lmana"],
    visibility = ["//visibility:private"],
)

# The MANA provider's direct-verbs API: #include <infiniband/manadv.h>
cc_library(
    name = "manadv",
    hdrs = ["root/usr/include/infiniband/manadv.h"],
    includes = ["root/usr/include"],
    deps = [
        ":ibverbs",
        ":manadv_link",
    ],
)
