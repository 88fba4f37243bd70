#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Host-side check of manactl_scenario.sh (vm_test.sh --check hook):
# manactl_check.sh SERIES OUTDIR. health show: manactl's text, -j and -j -p
# equal devlink's byte for byte; dump show: devlink's output (which stops at
# netdevsim's extra NEST_END) is a prefix of manactl's, and manactl's JSON is
# valid; every step that should succeed did; mana-ctrld saw the breaks, the
# recoveries and the device removal, and exited 0 on SIGTERM.
set -uo pipefail
series=$1 out=$2
bad=0

say() { echo "manactl_check [$series]: $*"; }
fail() { say "FAIL $*"; bad=$((bad + 1)); }

rc_of() { awk -v s="$1" '$1 == s { sub(/^rc=/, "", $2); print $2 }' "$out/steps.log"; }

for step in mc_nsim_new mc_break mc_recover mc_dump_clear mc_rdma_show mc_rdma_show_j mc_ctrld; do
	[ "$(rc_of "$step")" = 0 ] || fail "step $step rc=$(rc_of "$step")"
done
for n in health_all health_show show_break show_break2 show_recovered show_cleared; do
	for sfx in "" _j _jp; do
		if ! cmp -s "$out/mc_$n$sfx.out" "$out/mc_dl_$n$sfx.out"; then
			fail "mc_$n$sfx differs from devlink: $(diff "$out/mc_dl_$n$sfx.out" "$out/mc_$n$sfx.out" | head -20)"
		fi
	done
done
python3 - "$out" <<'PY' || bad=$((bad + 1))
import glob, json, os, sys
out = sys.argv[1]
bad = 0
for f in sorted(glob.glob(out + "/mc_*_j.out") + glob.glob(out + "/mc_*_jp.out")):
    if os.path.basename(f).startswith("mc_dl_"):
        continue
    try:
        json.load(open(f))
    except Exception as e:
        print("manactl_check: invalid JSON in", os.path.basename(f), e)
        bad += 1
# dump show: devlink stopped at the extra NEST_END; manactl printed the same first.
for sfx, strip in (("", 0), ("_j", 2), ("_jp", 3)):
    dl = open(out + "/mc_dl_dump%s.out" % sfx).read()
    mc = open(out + "/mc_dump%s.out" % sfx).read()
    prefix = dl[:len(dl) - strip] if strip else dl
    if not prefix or not mc.startswith(prefix) or len(mc) <= len(dl):
        print("manactl_check: mc_dump%s: devlink's output is not a prefix of manactl's" % sfx)
        bad += 1
sys.exit(1 if bad else 0)
PY
log=$out/mc_ctrld.log
for want in '"event":"service_event_started","dev":"netdevsim/netdevsim7","source":"devlink"' \
	'"event":"hardware_back","dev":"netdevsim/netdevsim7"' '"reason":"dev del"'; do
	grep -qF "$want" "$log" || fail "mana-ctrld log lacks $want"
done
[ "$bad" -eq 0 ] && say "ok"
[ "$bad" -eq 0 ]
