"""cc_link_inputs: link flags plus the files they read, as a CcInfo.

Bazel 4.2.3's cc_library has no additional_linker_inputs, and cc_import of a
system library writes RUNPATH entries into every binary. This rule hands the
linker `-L`/`-l` flags and declares the shared objects as link inputs, so the
sandbox stages them and the outputs name only sonames.
"""

def _cc_link_inputs_impl(ctx):
    linker_input = cc_common.create_linker_input(
        owner = ctx.label,
        user_link_flags = depset(ctx.attr.linkopts),
        additional_inputs = depset(ctx.files.srcs),
    )
    return [CcInfo(linking_context = cc_common.create_linking_context(
        linker_inputs = depset([linker_input]),
    ))]

cc_link_inputs = rule(
    implementation = _cc_link_inputs_impl,
    attrs = {
        "linkopts": attr.string_list(doc = "Flags for the link line, after the objects."),
        "srcs": attr.label_list(allow_files = True, doc = "Files the linker reads."),
    },
    provides = [CcInfo],
)
