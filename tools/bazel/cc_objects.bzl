"""The object files a cc target compiles from its own sources, for tests that read them.

    load("//tools/bazel:cc_objects.bzl", "cc_objects")

    cc_objects(
        name = "pmd_objects",
        targets = ["//pmd:mana_pmd_lib", "//ctrl:manactl"],
    )

gives the targets' objects as runfiles and a manifest, <name>.objects, for a
test to read (tests/lint/call_cycles.bzl runs nm on them):

    nm<TAB>/usr/bin/nm                       the cc toolchain's nm
    target<TAB>//pmd:mana_pmd_lib            one line per target, then
    object<TAB>pmd/mana_ethdev.c<TAB>pmd/_objs/mana_pmd_lib/mana_ethdev.pic.o
                                             one per object: its source
                                             and the object (runfiles paths)

Only the target's own translation units, never its dependencies'. The objects
are the ones the build links: a cc_library's come from its CcInfo (the
LibraryToLink of the linker input it owns: PIC objects where it has them);
a cc_binary or cc_test, which provides none, gives the outputs of its C/C++
compile actions (CppCompile). The source of an object is found by name among
the target's srcs; it is the object's path when two sources share a stem.
"""

_CcSrcsInfo = provider(
    doc = "The C/C++ sources of one cc target and the objects compiled from them.",
    fields = {
        "srcs": "list of File: the target's srcs",
        "compiled": "list of File: outputs of its CppCompile actions",
    },
)

def _srcs_aspect_impl(target, ctx):
    srcs = getattr(ctx.rule.files, "srcs", [])
    compiled = []
    for action in target.actions:
        if action.mnemonic == "CppCompile":
            compiled += [f for f in action.outputs.to_list() if f.extension == "o"]
    return [_CcSrcsInfo(srcs = srcs, compiled = compiled)]

_srcs_aspect = aspect(implementation = _srcs_aspect_impl)

def _stem(basename):
    for ext in [".pic.o", ".o", ".c", ".cc", ".cpp", ".S", ".s"]:
        if basename.endswith(ext):
            return basename[:-len(ext)]
    return basename

def _own_objects(target):
    """The objects of the linker input `target` owns, PIC first; else its compile outputs."""
    if CcInfo in target:
        for li in target[CcInfo].linking_context.linker_inputs.to_list():
            if li.owner != target.label:
                continue
            objs = []
            for lib in li.libraries:
                objs += lib.pic_objects or lib.objects or []
            if objs:
                return objs
    compiled = target[_CcSrcsInfo].compiled
    pic = [f for f in compiled if f.basename.endswith(".pic.o")]
    return pic or compiled

def _cc_objects_impl(ctx):
    cc_toolchain = ctx.attr._cc_toolchain[cc_common.CcToolchainInfo]
    lines = ["nm\t" + cc_toolchain.nm_executable]
    objects = []
    for target in ctx.attr.targets:
        by_stem = {}
        for src in target[_CcSrcsInfo].srcs:
            if src.extension in ["c", "cc", "cpp", "S", "s"]:
                stem = _stem(src.basename)
                by_stem[stem] = None if stem in by_stem else src.short_path
        lines.append("target\t" + str(target.label))
        for obj in _own_objects(target):
            src = by_stem.get(_stem(obj.basename)) or obj.short_path
            lines.append("object\t%s\t%s" % (src, obj.short_path))
            objects.append(obj)
    manifest = ctx.actions.declare_file(ctx.label.name + ".objects")
    ctx.actions.write(manifest, "\n".join(lines) + "\n")
    return [DefaultInfo(
        files = depset([manifest]),
        runfiles = ctx.runfiles(files = [manifest] + objects),
    )]

cc_objects = rule(
    implementation = _cc_objects_impl,
    doc = "The objects cc targets compile from their own sources, and a manifest of them.",
    attrs = {
        "targets": attr.label_list(
            aspects = [_srcs_aspect],
            mandatory = True,
            doc = "cc_library, cc_binary or cc_test targets",
        ),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
)
