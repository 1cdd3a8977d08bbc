#!/usr/bin/env bash
# fresh-cache.sh SUITE: runs fetch.sh SUITE into a new empty cache, as on a new
# machine (.ci/run does so on every run), then checks that what it left is complete, that a second fetch is served from the cache with no
# network at all (in a new network namespace), that the cache still works after
# being moved, and that the module builds against the moved headers. Prints
# "kernel-fresh-cache: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."

s=${1:?usage: fresh-cache.sh SUITE} p=0 f=0
ok() { echo "kernel-fresh-cache ok: $1"; p=$((p + 1)); }
not_ok() { echo "kernel-fresh-cache not ok: $1"; f=$((f + 1)); }
finish() { echo "kernel-fresh-cache: $p passed, $f failed"; [ "$f" -eq 0 ]; exit; }
c=$(mktemp -d "${TMPDIR:-/tmp}/knetstat-fresh-cache.XXXXXX")
trap 'rm -rf "$c" "$c.moved" "$c.log"' EXIT
t0=$SECONDS
if rel=$(KNETSTAT_CACHE=$c timeout 900 bash test/kernel/fetch.sh "$s" 2>"$c.log") &&
  [[ $rel =~ ^[0-9]+\.[0-9]+[^[:space:]]*-amd64$ ]]; then
  ok "fetch.sh $s from an empty cache: $rel ($((SECONDS - t0)) s)"
else
  tail -n 20 "$c.log"
  not_ok "fetch.sh $s from an empty cache printed '${rel:-}' (log above)"
  finish
fi
k=$c/$s/root
missing=()
[ "$(cat "$c/$s/release" 2>/dev/null)" = "$rel" ] || missing+=(release)
[ -f "$k/boot/vmlinuz-$rel" ] || [ -f "$k/usr/lib/modules/$rel/vmlinuz" ] || missing+=(vmlinuz)
[ -f "$k/usr/src/linux-headers-$rel/Makefile" ] || missing+=(headers)
for m in inet_diag tcp_diag udp_diag; do
  [ "$(modinfo -F vermagic "$c/$s/diag/$m.ko" 2>/dev/null | awk '{ print $1 }')" = "$rel" ] ||
    missing+=("$m.ko for $rel")
done
if [ "${#missing[@]}" -eq 0 ]; then
  ok "the cache holds $rel's image, headers and sock_diag modules"
else
  not_ok "the cache lacks: ${missing[*]}"
fi
mv "$c" "$c.moved"
k=$c.moved/$s/root
if again=$(KNETSTAT_CACHE=$c.moved unshare --net timeout 60 bash test/kernel/fetch.sh "$s" 2>"$c.log") &&
  [ "$again" = "$rel" ]; then
  ok "a second fetch, after moving the cache, is a cache hit with no network"
else
  tail -n 5 "$c.log"
  not_ok "a second fetch with no network was no cache hit (it printed '${again:-}'; log above)"
fi
mk=$k/usr/src/linux-headers-$rel/Makefile
if grep -qE "^(include |KBUILD_OUTPUT=)$c\.moved/" "$mk" &&
  ! grep -E '^(include |KBUILD_OUTPUT=)/' "$mk" | grep -vqF "$c.moved/"; then
  ok "the header Makefile follows the moved cache"
else
  grep -E '^(include |KBUILD_OUTPUT=)' "$mk"
  not_ok "the header Makefile points elsewhere than $c.moved"
fi
b=$c.moved/build
mkdir -p "$b"
cp kernel/*.c kernel/Kbuild kernel/Makefile "$b/"
if make -C "$b" KDIR="$k/usr/src/linux-headers-$rel" CC=gcc-12 HOSTCC=gcc-12 modules >"$b/log" 2>&1 &&
  [ "$(modinfo -F vermagic "$b/knetstat.ko" | awk '{ print $1 }')" = "$rel" ]; then
  ok "knetstat.ko builds against the moved cache's headers for $rel"
else
  tail -n 20 "$b/log"
  not_ok "knetstat.ko does not build against the moved cache's headers"
fi
finish
