#!/usr/bin/env bash
# The linux-arm64 glibc prebuild, run: Debian's arm64 kernel in qemu-system-aarch64
# (-accel tcg, -machine virt) with a busybox initramfs holding glibc and Node for
# arm64 (fetch.sh) and the built package (dist/, package.json, prebuilds/; no
# build/), where guest/check.mjs opens TCP and UDP sockets with options set and
# lists them through the pidfd and bpf sources. Works from an empty cache
# ($KNETSTAT_CACHE, default test/arm64/.cache): installs its apt packages
# (install-deps.sh), fetches, builds dist/ if missing. Last line:
# "arm64: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export KNETSTAT_CACHE=${KNETSTAT_CACHE:-$here/.cache}
t0=$SECONDS
fail() { echo "arm64: $1" >&2; echo "arm64: 0 passed, 1 failed"; exit 1; }

bash "$here/install-deps.sh" >&2 || fail "install-deps.sh failed"
release=$(bash "$here/fetch.sh") || fail "fetch.sh failed"
cache=$KNETSTAT_CACHE/arm64
[ -f "$repo/prebuilds/linux-arm64/knetstat.glibc.node" ] || fail "no prebuilds/linux-arm64/knetstat.glibc.node (npm run build:prebuilds)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The package as it installs: dist/ compiled here, package.json, prebuilds/, and
# the runtime dependencies' files. No build/: the loader must take the prebuild.
pkg=$work/pkg/pkg
mkdir -p "$pkg/node_modules"
(cd "$repo" && npx tsc -p tsconfig.build.json --outDir "$pkg/dist") >&2 || fail "tsc failed"
cp "$repo/package.json" "$pkg/"
cp -R "$repo/prebuilds" "$pkg/"
for dep in $(node -p "Object.keys(require('$repo/package.json').dependencies ?? {}).join(' ')"); do
	[ -d "$repo/node_modules/$dep" ] && cp -R "$repo/node_modules/$dep" "$pkg/node_modules/"
done
cp "$here/guest/check.mjs" "$pkg/"
install -m 0755 "$here/guest/init" "$work/pkg/init"
# The initramfs: the cached root (busybox, glibc, Node, the diag modules), then the package.
initrd=$work/initrd.cpio.gz
{
	(cd "$cache/root" && find . -path ./node/include -prune -o -path ./node/share -prune -o -print | cpio -o -H newc --quiet | gzip -1)
	(cd "$work/pkg" && find . | cpio -o -H newc --quiet | gzip -1)
} > "$initrd" || fail "could not pack the initramfs"
echo "arm64: kernel $release, node $(cat "$cache/node-version"), initramfs $(( $(stat -c %s "$initrd") / 1048576 )) MiB" >&2

boot=$SECONDS
timeout "${KNETSTAT_ARM64_TIMEOUT:-900}" qemu-system-aarch64 -accel tcg -machine virt -cpu cortex-a72 -smp 2 -m 2048 \
	-kernel "$cache/Image" -initrd "$initrd" \
	-append "console=ttyAMA0 panic=-1 quiet loglevel=3" \
	-nographic -no-reboot -nic none -monitor none -serial stdio < /dev/null > "$work/console.log" 2>&1
status=$?
tr -d '\r' < "$work/console.log" | grep -E '^ARM64' >&2
pass=$(tr -d '\r' < "$work/console.log" | grep -c '^ARM64 ok ')
failed=$(tr -d '\r' < "$work/console.log" | grep -c '^ARM64 not ok ')
if ! tr -d '\r' < "$work/console.log" | grep -q '^ARM64-COUNT '; then
	tr -d '\r' < "$work/console.log" | tail -n 40 >&2
	echo "arm64: the guest did not run check.mjs to the end (qemu exit $status)" >&2
	failed=$((failed + 1))
fi
echo "arm64: guest $((SECONDS - boot)) s, all $((SECONDS - t0)) s" >&2
echo "arm64: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
