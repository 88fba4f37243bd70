"""The null-pointer lint (tools/lint/null_lint.py) as a build action.

    load("//tools/bazel:null_lint.bzl", "null_lint_report")

    null_lint_report(
        name = "pmd_null_lint",
        srcs = ["//pmd:sources"],          # .c files (headers come along)
        hdr_deps = ["//pmd:mana_pmd_lib"], # include paths, defines, headers
        copts = ["-include", "rte_config.h"],
    )

produces <name>.txt: one line per finding and "N finding(s) in M file(s)"
last; a test reads it (tests/lint). clang-14 by absolute path, as fuzz.bzl.
"""

LINT_CLANG = "/usr/bin/clang-14"

def _null_lint_report_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".txt")
    headers = []
    includes = ["."]
    defines = []
    for dep in ctx.attr.hdr_deps:
        cc = dep[CcInfo].compilation_context
        headers.append(cc.headers)
        includes += cc.includes.to_list() + cc.quote_includes.to_list()
        includes += cc.system_includes.to_list()
        defines += cc.defines.to_list()
    srcs = [f for f in ctx.files.srcs if f.extension == "c"]
    args = ctx.actions.args()
    args.add(ctx.file._script)
    args.add("--clang", ctx.attr.clang)
    args.add("--out", out)
    args.add("--")
    args.add_all(["-std=c11", "-D_GNU_SOURCE", "-w"] + ctx.attr.copts)
    args.add_all(includes, format_each = "-I%s", uniquify = True)
    args.add_all(defines, format_each = "-D%s", uniquify = True)
    args.add("--")
    args.add_all(srcs)
    ctx.actions.run(
        executable = "/usr/bin/python3",
        arguments = [args],
        inputs = depset(ctx.files.srcs + [ctx.file._script], transitive = headers),
        outputs = [out],
        use_default_shell_env = True,
        mnemonic = "NullLint",
        progress_message = "Looking for 0 as a null pointer in %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

null_lint_report = rule(
    implementation = _null_lint_report_impl,
    attrs = {
        "srcs": attr.label_list(allow_files = [".c", ".h"]),
        "hdr_deps": attr.label_list(providers = [CcInfo]),
        "copts": attr.string_list(),
        "clang": attr.string(default = LINT_CLANG),
        "_script": attr.label(default = "//tools/lint:null_lint.py", allow_single_file = True),
    },
)
