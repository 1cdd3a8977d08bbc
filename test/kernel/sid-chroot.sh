#!/usr/bin/env bash
# sid's kernel headers want sid's compiler (gcc-16 today) and their kbuild
# tools (fixdep, modpost) link against sid's glibc, newer than the machine's.
# So the module for sid's kernel is built in a debootstrap chroot of sid.
#
#   sid-chroot.sh                         create the chroot (cached)
#   sid-chroot.sh build ROOT REL BUILDDIR build BUILDDIR against the headers
#                                         unpacked under ROOT (fetch.sh sid)
#
# The chroot lives in test/kernel/.cache/sid-chroot; the unpacked kernel tree
# and the build directory are bind-mounted into it at the same paths, so the
# absolute paths in Debian's header Makefiles stay valid.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${KNETSTAT_CACHE:-$here/.cache}
chroot=$cache/sid-chroot

uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
	uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)
fi

# The compiler the headers name: "CC = ... $(CROSS_COMPILE)gcc-16".
# Empty when sid is not fetched yet (the callers say so), not a silent exit.
headers_gcc() {
	local f
	for f in "$cache"/sid/root/usr/src/linux-headers-*-amd64/.kernelvariables; do
		[ -f "$f" ] || continue
		sed -n 's/^CC = .*\(gcc-[0-9][0-9]*\)$/\1/p' "$f"
	done | head -n1
}

create() {
	local gcc
	gcc=$(headers_gcc)
	[ -n "$gcc" ] || { echo "sid-chroot: fetch sid's headers first" >&2; exit 1; }
	# One debootstrap at a time for runs sharing the cache.
	mkdir -p "$cache"
	exec 7> "$cache/sid-chroot.lock"
	flock 7
	if [ -f "$chroot/.ready" ] && [ "$(cat "$chroot/.ready")" = "$gcc" ]; then
		return 0
	fi
	[ -n "$uri" ] || { echo "sid-chroot: no Debian archive URI in /etc/apt" >&2; exit 1; }
	command -v debootstrap > /dev/null || { echo "sid-chroot: debootstrap missing" >&2; exit 1; }
	rm -rf "$chroot.tmp"
	# In a private mount namespace: debootstrap's own /proc and /sys mounts
	# in the target cannot outlive it.
	unshare --mount --propagation private debootstrap --variant=minbase \
		--include="$gcc,make,libc6-dev,pahole,libelf1t64,libssl3t64,zlib1g,bc" \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		sid "$chroot.tmp" "$uri" >&2
	rm -rf "$chroot.tmp/var/cache/apt/archives"/*.deb
	echo "$gcc" > "$chroot.tmp/.ready"
	rm -rf "$chroot"
	mv "$chroot.tmp" "$chroot"
}

build() {
	local root=$1 rel=$2 b=$3 gcc
	gcc=$(headers_gcc)
	create
	mkdir -p "$chroot$root" "$chroot$b"
	# A private mount namespace: the bind mounts vanish with the build,
	# whatever way it ends.
	unshare --mount --propagation private /bin/sh -ec '
		mount --bind "$1" "$4$1"
		mount --bind "$3" "$4$3"
		mount -t proc proc "$4/proc"
		exec chroot "$4" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			make -C "$3" KDIR="$1/usr/src/linux-headers-$2" \
			CC="x86_64-linux-gnu-$5" HOSTCC="$5" modules
	' sh "$root" "$rel" "$b" "$chroot" "$gcc"
}

case ${1:-create} in
create) create ;;
build) shift; build "$@" ;;
*) echo "usage: sid-chroot.sh [create | build ROOT REL BUILDDIR]" >&2; exit 2 ;;
esac
