"""libFuzzer tests: C sources built by clang with -fsanitize=fuzzer,address.

    load("//tools/bazel:fuzz.bzl", "mana_fuzz_test")

    mana_fuzz_test(
        name = "mbox_fuzz_test",
        srcs = ["mbox_fuzz.c", "//proto:mbox_seg.c", ...],
        hdr_deps = ["//proto:mbox_internal_lib"],
        corpus = glob(["corpus/*"]),
        max_total_time = 20,
    )

The project builds with gcc-12, which has no libFuzzer; the fuzzer is built
by the host's clang (tools/setup installs clang and libclang-rt-14-dev), by
absolute path, outside the cc toolchain: --config=asan/tsan do not change
it, and it is the same binary in every config (always ASan + libFuzzer).

  srcs      every .c file to instrument, the target with LLVMFuzzerTestOneInput
            included; files of other packages by label (exports_files).
  hdr_deps  cc_library targets whose headers, include paths and defines the
            sources need; nothing of them is linked (their code, built by
            gcc, would not be instrumented: put it in srcs).
  deps      cc_library targets of third-party libraries (@sysroot//:libmnl,
            @sysroot//:libnl): headers as hdr_deps, and their libraries and
            link flags are linked in.
  includes  extra -I directories (relative to the execution root).
  copts, linkopts
  corpus    seed inputs (checked in); copied to a scratch corpus per run.
  max_total_time  seconds of fuzzing (libFuzzer -max_total_time).
  max_len   largest input (-max_len).

The test passes when libFuzzer finds nothing in the time. Its log ends with
one line "fuzz summary: ..." with the executions, cov and ft figures; the
whole libFuzzer output and any crash input are in the test's undeclared
outputs (bazel-testlogs/.../test.outputs/).
"""

load("//tools/bazel:defs.bzl", "COPTS")

FUZZ_CLANG = "/usr/bin/clang-14"

FUZZ_COPTS = COPTS + [
    "-g",
    "-O1",
    "-fno-omit-frame-pointer",
    "-fsanitize=fuzzer,address",
]

def _fuzz_binary_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name)
    headers = []
    includes = ["."] + ctx.attr.includes
    defines = []
    libs = []
    link_flags = []
    for dep in ctx.attr.hdr_deps + ctx.attr.deps:
        cc = dep[CcInfo].compilation_context
        headers.append(cc.headers)
        includes += cc.includes.to_list() + cc.quote_includes.to_list()
        includes += cc.system_includes.to_list()
        defines += cc.defines.to_list()
    for dep in ctx.attr.deps:
        for li in dep[CcInfo].linking_context.linker_inputs.to_list():
            link_flags += li.user_link_flags
            for lib in li.libraries:
                f = (lib.pic_static_library or lib.static_library or
                     lib.dynamic_library or lib.interface_library)
                if f:
                    libs.append(f)
    srcs = [f for f in ctx.files.srcs if f.extension == "c"]
    args = ctx.actions.args()
    args.add_all(FUZZ_COPTS + ctx.attr.copts)
    args.add_all(includes, format_each = "-I%s", uniquify = True)
    args.add_all(defines, format_each = "-D%s", uniquify = True)
    args.add_all(srcs)
    args.add_all(libs)
    args.add_all(link_flags + ctx.attr.linkopts)
    args.add("-o", out)
    ctx.actions.run(
        executable = ctx.attr.clang,
        arguments = [args],
        inputs = depset(ctx.files.srcs + libs, transitive = headers),
        outputs = [out],
        use_default_shell_env = True,
        mnemonic = "FuzzBuild",
        progress_message = "Building libFuzzer target %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([out]), executable = out)]

_fuzz_binary = rule(
    implementation = _fuzz_binary_impl,
    executable = True,
    attrs = {
        "srcs": attr.label_list(allow_files = [".c", ".h"]),
        "hdr_deps": attr.label_list(providers = [CcInfo]),
        "deps": attr.label_list(providers = [CcInfo]),
        "includes": attr.string_list(),
        "copts": attr.string_list(),
        "linkopts": attr.string_list(),
        "clang": attr.string(default = FUZZ_CLANG),
    },
)

def mana_fuzz_test(
        name,
        srcs,
        hdr_deps = [],
        deps = [],
        includes = [],
        copts = [],
        linkopts = [],
        corpus = [],
        max_total_time = 20,
        max_len = 4096,
        size = "medium",
        tags = [],
        **kwargs):
    """A libFuzzer binary NAME_bin and an sh_test NAME that runs it for
    max_total_time seconds from the corpus. See the file's docstring."""
    _fuzz_binary(
        name = name + "_bin",
        srcs = srcs,
        hdr_deps = hdr_deps,
        deps = deps,
        includes = includes,
        copts = copts,
        linkopts = linkopts,
        testonly = True,
    )
    native.sh_test(
        name = name,
        size = size,
        srcs = ["//tools/bazel:fuzz_run.sh"],
        args = [
            "$(rootpath :%s_bin)" % name,
            str(max_total_time),
            str(max_len),
        ] + ["$(rootpath %s)" % c for c in corpus],
        data = [":%s_bin" % name] + corpus,
        # Busy on one core for max_total_time.
        tags = tags + ["exclusive"],
        **kwargs
    )
