#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# plugin_exports_check.sh SO ALLOWED...: the shared object SO defines no
# dynamic symbol but the ALLOWED ones (exact names). A DPDK -d plugin needs
# none by name: EAL dlopens it and its constructors, run from .init_array,
# register the driver; every other export is an internal another library
# could bind to by accident.
set -uo pipefail
so=$1
shift
declare -A allowed=()
for sym in "$@"; do
	allowed[$sym]=1
done

if ! syms=$(nm -D "$so" 2>&1); then
	echo "FAIL: nm -D $so: $syms"
	exit 1
fi
# What the plugin takes from EAL and ethdev: none would mean nm read no
# dynamic symbol table at all, and "no export" would prove nothing.
imports=$(awk '$1 == "U" || $1 == "w" { n++ } END { print n + 0 }' <<<"$syms")
if [ "$imports" -eq 0 ]; then
	echo "FAIL: nm -D $so lists no undefined symbol: not a DPDK plugin's symbol table"
	exit 1
fi

fails=0 exported=0
# nm -D lines: [value] type name; undefined ones have no value.
while read -r _ type name; do
	exported=$((exported + 1))
	if [ -n "${allowed[$name]:-}" ]; then
		echo "ok: $name ($type), allowed"
	else
		echo "FAIL: $name ($type) is exported"
		fails=$((fails + 1))
	fi
done < <(nm -D --defined-only "$so")

echo "$so: $exported defined dynamic symbol(s), $imports undefined (imports)"
if [ $fails -ne 0 ]; then
	echo "FAIL: $fails symbol(s) exported beyond the allowlist ($*): hide them with" \
		"the plugin's version script (pmd/librte_net_mana.map)"
	exit 1
fi
echo "ok: nothing exported beyond the allowlist"
