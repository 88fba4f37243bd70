"""Reading third_party/sysroot/debs.lock from repository rules.

Each non-comment line is `name version sha256 pool_path`; source entries are
named `src:<package>`. Inputs are taken only from third_party/distdir/, which
tools/setup fills; nothing here touches the network.
"""

LOCK = "third_party/sysroot/debs.lock"

def parse_lock(rctx, lock_label):
    """Reads the lock file.

    Args:
      rctx: the repository_ctx.
      lock_label: the lock file's label.

    Returns:
      The entries as structs: name, version, sha256, pool_path, basename,
      is_source.
    """
    entries = []
    for n, line in enumerate(rctx.read(rctx.path(lock_label)).splitlines()):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        f = [w for w in line.replace("\t", " ").split(" ") if w]
        if len(f) != 4:
            fail("%s:%d: want 'name version sha256 pool_path', got %r: re-pin with tools/relock" % (LOCK, n + 1, line))
        entries.append(struct(
            name = f[0],
            version = f[1],
            sha256 = f[2],
            pool_path = f[3],
            basename = f[3].split("/")[-1],
            is_source = f[0].startswith("src:"),
        ))
    return entries

def check_host_versions(rctx, entries):
    """Fails unless every locked binary package is installed at its locked version.

    The project's driver is loaded into the host's dpdk-testpmd and its tests
    run against the host's shared libraries, so the headers and link inputs
    taken from the lock must be the ABI the host runs.

    Args:
      rctx: the repository_ctx.
      entries: parse_lock's result.
    """
    debs = [e for e in entries if not e.is_source]
    dpkg_query = rctx.which("dpkg-query")
    if not dpkg_query:
        fail("dpkg-query not found: this build needs a Debian host (run tools/setup)")
    res = rctx.execute([dpkg_query, "-W", "-f", "${db:Status-Abbrev}|${Package}|${Version}\n"] + [e.name for e in debs])
    installed = {}
    for line in res.stdout.splitlines():
        f = line.split("|")
        if len(f) == 3 and f[0].startswith("ii"):
            installed.setdefault(f[1], []).append(f[2])
    problems = []
    for e in debs:
        have = installed.get(e.name)
        if not have:
            problems.append("%s is not installed (%s pins %s): run tools/setup" % (e.name, LOCK, e.version))
        elif e.version not in have:
            problems.append("installed %s %s differs from %s %s: run tools/setup, or re-pin with tools/relock" %
                            (e.name, " ".join(have), LOCK, e.version))
    if problems:
        fail("host packages drifted from the lock:\n  " + "\n  ".join(problems))

def fetch_locked(rctx, lock_label, entry, output):
    """Copies one locked file from third_party/distdir/ into the repository, checking its sha256.

    Args:
      rctx: the repository_ctx.
      lock_label: the lock file's label; the distdir is ../distdir from it.
      entry: the lock entry to fetch.
      output: the path in the repository to write.
    """
    distdir = rctx.path(lock_label).dirname.dirname.get_child("distdir")
    src = distdir.get_child(entry.basename)
    if not src.exists:
        fail("third_party/distdir/%s is missing: run tools/setup" % entry.basename)
    res = rctx.download(
        url = "file://%s" % src,
        output = output,
        sha256 = entry.sha256,
        allow_fail = True,
    )
    if not res.success:
        fail("third_party/distdir/%s does not match its sha256 in %s: run tools/setup (it re-downloads), or re-pin with tools/relock" % (entry.basename, LOCK))
