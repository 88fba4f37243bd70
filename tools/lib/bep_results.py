#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Test results from Bazel's Build Event Protocol (JSON), for tools/test.

  bep_results.py collect --config NAME --bep FILE --bazel-exit N
                         [--canary LABEL=SANITIZER=PATTERN ...] >> results.tsv
  bep_results.py report results.tsv    one line per result
  bep_results.py totals results.tsv    "N passed, N failed[, N skipped]"

A results.tsv row is: outcome (pass|fail|skip), status, label, config, time.
What counts:
  * every test with a testSummary: PASSED and FLAKY pass, anything else fails;
  * a canary (a test that must fail under its sanitizer) passes as
    "<sanitizer> bites" when it FAILED and its test.log holds PATTERN;
  * every target that failed to build or analyse (test or not), and every
    package that failed to load, fails once as FAILED_TO_BUILD;
  * a test that was built but not run (filtered by tags) is skipped, except
    a test tagged "vm" or "nested-bazel" outside the default config: the
    real-kernel VM tests and the nested-Bazel consumer test run once, in the
    default config (a VM runs no sanitizer build; a nested Bazel does not
    take the outer configuration), and the sanitizer configs filter them
    (.bazelrc); they are left out of their rows;
  * a bazel exit code that none of the above explains fails as BAZEL_ERROR.
"""

import argparse
import json
import re
import sys
from urllib.parse import unquote, urlparse

PASSING = {"PASSED", "FLAKY"}
DEFAULT_ONLY_TAGS = ("vm", "nested-bazel")
PACKAGE_ERROR = re.compile(r"^ERROR: package contains errors: (\S+)", re.M)


def read_events(path):
    events = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    events.append(json.loads(line))
    except (OSError, ValueError):
        pass
    return events


def uri_path(uri):
    return unquote(urlparse(uri).path)


def log_has(summary, pattern):
    for f in summary.get("failed", []) + summary.get("passed", []):
        try:
            with open(uri_path(f["uri"]), encoding="utf-8", errors="replace") as log:
                if pattern in log.read():
                    return True
        except (OSError, KeyError):
            continue
    return False


def collect(args):
    canaries = {}
    for spec in args.canary:
        label, sanitizer, pattern = spec.split("=", 2)
        canaries[label] = (sanitizer, pattern)

    tests, summaries, cached, built, broken = set(), {}, set(), set(), {}
    default_only = set()
    for e in read_events(args.bep):
        eid = e.get("id", {})
        kind = next(iter(eid), None)
        label = eid.get(kind, {}).get("label") if kind else None
        if kind == "targetConfigured" and "testSize" in e.get("configured", {}):
            tests.add(label)
            if any(tag in e["configured"].get("tag", []) for tag in DEFAULT_ONLY_TAGS):
                default_only.add(label)
        elif kind == "testSummary":
            summaries[label] = e["testSummary"]
        elif kind == "testResult" and e.get("testResult", {}).get("cachedLocally"):
            cached.add(label)
        elif kind in ("targetCompleted", "configuredLabel", "unconfiguredLabel") and label:
            if "aborted" in e or not e.get("completed", {}).get("success", False):
                broken.setdefault(label, "FAILED_TO_BUILD")
            else:
                built.add(label)
        elif kind == "progress":
            for pkg in PACKAGE_ERROR.findall(e.get("progress", {}).get("stderr", "")):
                broken.setdefault("//%s" % pkg, "FAILED_TO_BUILD")

    rows, raw_failures = [], 0
    for label in sorted(set(summaries) | set(broken) | (tests & built)):
        if label in summaries:
            s = summaries[label]
            status = s.get("overallStatus", "NO_STATUS")
            secs = int(s.get("totalRunDurationMillis", 0)) / 1000.0
            when = "%.1fs%s" % (secs, " cached" if label in cached else "")
            raw_failures += status not in PASSING
            if label in canaries:
                sanitizer, pattern = canaries[label]
                if status == "FAILED" and log_has(s, pattern):
                    rows.append(("pass", "%s bites" % sanitizer, label, when))
                elif status in PASSING:
                    rows.append(("fail", "%s MISSED" % sanitizer, label, when))
                else:
                    rows.append(("fail", "%s (no report)" % status, label, when))
            else:
                rows.append(("pass" if status in PASSING else "fail", status, label, when))
        elif label in broken:
            rows.append(("fail", broken[label], label, "-"))
        elif label in default_only and args.config != "default":
            continue
        else:
            rows.append(("skip", "SKIPPED", label, "-"))

    explained = any(r[0] == "fail" for r in rows) or (args.bazel_exit == 3 and raw_failures)
    if args.bazel_exit not in (0, 4) and not explained:
        rows.append(("fail", "BAZEL_ERROR", "(bazel exit %d)" % args.bazel_exit, "-"))
    for outcome, status, label, when in rows:
        print("\t".join((outcome, status, label, args.config, when)))


def load_rows(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def report(args):
    for outcome, status, label, config, when in load_rows(args.results):
        print("%-18s %-52s %-8s %s" % (status, label, config, when))


def totals(args):
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for row in load_rows(args.results):
        counts[row[0]] += 1
    line = "%d passed, %d failed" % (counts["pass"], counts["fail"])
    if counts["skip"]:
        line += ", %d skipped" % counts["skip"]
    print(line)
    return 1 if counts["fail"] else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--config", required=True)
    c.add_argument("--bep", required=True)
    c.add_argument("--bazel-exit", type=int, required=True)
    c.add_argument("--canary", action="append", default=[],
                   help="LABEL=SANITIZER=PATTERN, a test that must fail with PATTERN in its log")
    c.set_defaults(fn=collect)
    for name, fn in (("report", report), ("totals", totals)):
        s = sub.add_parser(name)
        s.add_argument("results")
        s.set_defaults(fn=fn)
    args = p.parse_args()
    return args.fn(args) or 0


if __name__ == "__main__":
    sys.exit(main())
