"""mana_reset_deps(): the repositories mana-reset's targets need, in any workspace.

This repository's WORKSPACE calls it; so does a workspace that pulls
mana-reset in as the external repository @mana_reset (the example:
tests/consumer/workspace/WORKSPACE):

    local_repository(name = "mana_reset", path = "/src/mana-reset")
    load("@mana_reset//:deps.bzl", "mana_reset_deps")
    mana_reset_deps()

It defines, each unless the workspace has a repository of that name already
(mana-reset's BUILD files name them so: a workspace with other repositories
of these names maps them with local_repository's repo_mapping):
  @rules_cc, @rules_java, @remote_coverage_tools
      offline stand-ins for what Bazel 4.2.3's @bazel_tools would download
      (third_party/bazel_stubs/);
  @sysroot, @sysroot_host_check
      the Debian packages pinned in third_party/sysroot/debs.lock, and the
      check that the host runs the same versions;
  @dpdk_sdk
      DPDK's driver-SDK headers from the pinned orig tarball.
Everything is read from this repository's third_party/, the pinned files
from third_party/distdir/ (filled by tools/setup): nothing is downloaded.
See third_party/README.md.
"""

load("//third_party/dpdk:sdk.bzl", "dpdk_sdk")
load("//third_party/sysroot:deb_sysroot.bzl", "deb_sysroot")

# Label(): resolved in this repository, wherever the macro is called from.
_LOCK = Label("//third_party/sysroot:debs.lock")

def _stub_repository_impl(rctx):
    # third_party/ of whichever repository holds this file: the lock is a
    # file of a package there (the stubs' own folders are repositories, not
    # packages, and .bazelignore hides them from //...).
    third_party = rctx.path(rctx.attr._lock).dirname.dirname
    src = third_party.get_child("bazel_stubs").get_child(rctx.attr.stub)
    if not src.exists:
        fail("%s does not exist" % src)
    for child in src.readdir():
        rctx.symlink(child, child.basename)

# A repository whose files are links to third_party/bazel_stubs/<stub>/:
# local_repository with a path relative to this repository, which Bazel 4.2.3
# has not (relative paths are the main workspace's).
_stub_repository = repository_rule(
    implementation = _stub_repository_impl,
    attrs = {
        "stub": attr.string(mandatory = True),
        "_lock": attr.label(default = _LOCK, allow_single_file = True),
    },
    local = True,
)

def mana_reset_deps():
    """Defines the repositories above that the workspace does not have yet."""
    for stub in ["rules_cc", "rules_java", "remote_coverage_tools"]:
        if not native.existing_rule(stub):
            _stub_repository(name = stub, stub = stub)
    if not native.existing_rule("sysroot"):
        deb_sysroot(name = "sysroot", lock = _LOCK)
    if not native.existing_rule("dpdk_sdk"):
        dpdk_sdk(name = "dpdk_sdk", lock = _LOCK, sysroot = "@sysroot")
