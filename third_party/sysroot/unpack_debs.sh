#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# unpack_debs.sh DEBDIR: run by deb_sysroot.bzl inside the repository.
# Unpacks every .deb of DEBDIR into root/ (documentation, static archives and
# programs dropped), merges root/lib into root/usr/lib as a usr-merged Debian
# does, then links each shared object of root/usr/lib/x86_64-linux-gnu into
# lib/ with a relative link, so `-L lib -Wl,-rpath-link,lib` sees them all.
# DEBDIR is removed afterwards (the repository cache keeps the .debs).
set -eu
debdir=$1
triplet=x86_64-linux-gnu

mkdir -p root lib
for deb in "$debdir"/*.deb; do
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C root --exclude='./usr/share/*' --exclude='./etc/*' \
			--exclude='./usr/bin/*' --exclude='./usr/sbin/*' --exclude='*.a'
done
rm -rf "$debdir"

if [ -d root/lib ] && [ ! -L root/lib ]; then
	mkdir -p root/usr/lib
	cp -a root/lib/. root/usr/lib/
	rm -rf root/lib
	ln -s usr/lib root/lib
fi

# resolve PATH: follow symlinks of PATH (under root/) inside root/.
resolve() {
	p=$1
	n=0
	while [ -L "$p" ]; do
		t=$(readlink "$p")
		case $t in
		/*) p=root$t ;;
		*) p=$(dirname "$p")/$t ;;
		esac
		n=$((n + 1))
		[ "$n" -lt 16 ] || return 1
	done
	[ -f "$p" ] || return 1
	realpath -s --relative-to=lib "$p"
}

# libdpdk-dev has development links for every DPDK library; those whose
# library is not locked lead nowhere and are left out (-l of one fails).
for so in "root/usr/lib/$triplet"/lib*.so*; do
	target=$(resolve "$so") || continue
	ln -s "$target" "lib/${so##*/}"
done
