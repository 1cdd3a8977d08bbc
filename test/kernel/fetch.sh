#!/usr/bin/env bash
# fetch.sh SUITE: download Debian's kernel image and headers of SUITE with
# apt-get download (private apt config, never installed into the machine) and
# unpack them with dpkg-deb -x under test/kernel/.cache/SUITE/root.
# Prints the kernel release on success. Cached: a second run does nothing.
set -euo pipefail

suite=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../helpers/apt.sh"
cache=${KNETSTAT_CACHE:-$here/.cache}
aptdir=$cache/apt
kdir=$cache/$suite
mkdir -p "$cache"

# The sock_diag modules (inet_diag, tcp_diag, udp_diag: modules in Debian's
# kernels) are all the guest needs of the kernel's own modules: the library's
# netlink dump (knode.sh) needs them. Kept uncompressed, for busybox insmod.
keep_diag_modules() { # unpacked-root dest
	local m f d dirs=()
	# Only the trees this image has: find over a missing one fails, and
	# with pipefail so would the lookup (bookworm has no usr/lib/modules).
	for d in "$1/lib/modules" "$1/usr/lib/modules"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	[ "${#dirs[@]}" -gt 0 ] || { echo "fetch: no lib/modules in the image" >&2; return 1; }
	mkdir -p "$2.tmp"
	for m in inet_diag tcp_diag udp_diag; do
		f=$(find "${dirs[@]}" -path "*/kernel/net/ipv4/$m.ko*" -print -quit)
		[ -n "$f" ] || { echo "fetch: $m.ko not in the image" >&2; return 1; }
		case $f in
		*.xz) xz -dc "$f" > "$2.tmp/$m.ko" ;;
		*.zst) zstd -qdc "$f" > "$2.tmp/$m.ko" ;;
		*.gz) gzip -dc "$f" > "$2.tmp/$m.ko" ;;
		*) cp "$f" "$2.tmp/$m.ko" ;;
		esac
	done
	rm -rf "$2"
	mv "$2.tmp" "$2"
}

# Debian's per-flavour header Makefile names the -common tree (include) and,
# on newer kernels, itself (KBUILD_OUTPUT) by absolute path under /usr/src;
# point those at our unpacked copy, again when the cache was copied or moved.
point_headers_here() { # kdir release
	local mk=$1/root/usr/src/linux-headers-$2/Makefile
	[ -f "$mk" ] || { echo "fetch: headers for $2 missing" >&2; return 1; }
	grep -qE "^(include |KBUILD_OUTPUT=)$kdir/root/usr/src/" "$mk" && return 0
	sed -i -E "s#^(include |KBUILD_OUTPUT=)(/.*)?/usr/src/#\1$kdir/root/usr/src/#" "$mk"
}

# One fetch of a suite at a time: runs sharing a cache (KNETSTAT_CACHE) would
# otherwise unpack into the same $kdir.tmp.
exec 8> "$cache/$suite.lock"
flock 8

if [ -f "$kdir/release" ] && [ -d "$kdir/root" ] && [ -d "$kdir/diag" ]; then
	point_headers_here "$kdir" "$(cat "$kdir/release")"
	cat "$kdir/release"
	exit 0
fi

# The same archive the machine is configured for, other suite names.
uri=$(apt_uri)
[ -n "$uri" ] || { echo "fetch: no Debian archive URI configured in /etc/apt" >&2; exit 1; }

apt_private_options "$aptdir"
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
# One apt update at a time when several suites are fetched in parallel.
exec 9> "$aptdir/lock"
flock 9
want="bullseye bookworm bookworm-backports sid"
: > "$aptdir/sources.list.new"
for s in $want; do
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main" >> "$aptdir/sources.list.new"
done
# Refresh the lists when the URI changed or they are older than a day.
if ! cmp -s "$aptdir/sources.list.new" "$aptdir/sources.list" ||
   [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -n1)" ]; then
	mv "$aptdir/sources.list.new" "$aptdir/sources.list"
	apt-get "${aptopts[@]}" -q update >&2
else
	rm -f "$aptdir/sources.list.new"
fi
# Built (when stale) once here, under the lock, not by each parallel fetch.
apt-cache "${aptopts[@]}" gencaches >&2
flock -u 9

# A cache from before the diag modules were kept: try the image package alone
# (where it holds the modules); otherwise fetch everything again below.
if [ -f "$kdir/release" ] && [ -d "$kdir/root" ]; then
	release=$(cat "$kdir/release")
	rm -rf "$kdir/img.tmp"
	mkdir -p "$kdir/img.tmp/root"
	# The modules are in the image package, or (Debian 7.x) in linux-modules-REL.
	for p in "linux-image-$release" "linux-modules-$release"; do
		(cd "$kdir/img.tmp" && apt-get "${aptopts[@]}" -q download "$p/$suite" >&2) || true
	done
	for deb in "$kdir"/img.tmp/*.deb; do
		[ -f "$deb" ] && dpkg-deb -x "$deb" "$kdir/img.tmp/root"
	done
	if keep_diag_modules "$kdir/img.tmp/root" "$kdir/diag"; then
		rm -rf "$kdir/img.tmp"
		point_headers_here "$kdir" "$release"
		echo "$release"
		exit 0
	fi
	rm -rf "$kdir/img.tmp"
fi

# Follow the Depends of the meta packages, within SUITE, through linux-*
# packages: one apt-cache call per level of that tree, as each call costs a
# second or more of CPU (it maps the lists of four suites).
deps_of() { # package...
	local a=() p
	for p; do a+=("$p/$suite"); done
	apt-cache "${aptopts[@]}" show --no-all-versions "${a[@]}" 2>/dev/null |
		awk -F': ' '/^(Pre-)?Depends:/ { print $2 }' | tr ',' '\n' |
		sed -e 's/(.*)//' -e 's/|.*//' -e 's/[[:space:]]//g' -e 's/:any$//' |
		grep -E '^linux-(image|modules|headers|kbuild|compiler|binary|base-[0-9])' | sort -u || true
}
declare -A seen=()
level=(linux-image-amd64 linux-headers-amd64)
pkgs=()
while [ "${#level[@]}" -gt 0 ]; do
	for p in "${level[@]}"; do
		seen[$p]=1
		case $p in
		linux-image-amd64|linux-headers-amd64) ;;
		*) pkgs+=("$p") ;;
		esac
	done
	next=()
	for d in $(deps_of "${level[@]}"); do
		[ -n "${seen[$d]:-}" ] || next+=("$d")
	done
	level=("${next[@]}")
done
img=$(printf '%s\n' "${pkgs[@]}" | grep -E '^linux-image-[0-9].*-amd64(-unsigned)?$' | head -n1)
[ -n "$img" ] || { echo "fetch: no kernel image found in $suite" >&2; exit 1; }
release=${img#linux-image-}
release=${release%-unsigned}

rm -rf "$kdir.tmp"
mkdir -p "$kdir.tmp/debs" "$kdir.tmp/root"
# One apt-get for all of them, for the same reason.
(cd "$kdir.tmp/debs" && apt-get "${aptopts[@]}" -q download "${pkgs[@]/%//$suite}" >&2)
for deb in "$kdir.tmp"/debs/*.deb; do
	dpkg-deb -x "$deb" "$kdir.tmp/root"
done
point_headers_here "$kdir.tmp" "$release"
rm -rf "$kdir.tmp/debs"
# The guest boots the image with an initramfs of our own and needs none of
# the kernel's modules: keep the cache small.
keep_diag_modules "$kdir.tmp/root" "$kdir.tmp/diag"
rm -rf "$kdir.tmp"/root/lib/modules/*/kernel "$kdir.tmp"/root/usr/lib/modules/*/kernel
echo "$release" > "$kdir.tmp/release"
rm -rf "$kdir"
mv "$kdir.tmp" "$kdir"
echo "$release"
