#!/bin/sh
# The C/C++ compiler and linker of `npm run build:prebuilds` (build-prebuilds.sh):
# Zig's clang for the target in KNETSTAT_ZIG_TARGET (x86_64-linux-gnu.2.17,
# aarch64-linux-musl, ...). `zig c++` links its own libc++ and libunwind
# (Apache-2.0 WITH LLVM-exception) statically, so the addon needs no libstdc++ or
# libgcc_s on the host; -s (LINK, build-prebuilds.sh) leaves the symbol table out.
# Called as `zig-cxx.sh cc ARGS` for C, `zig-cxx.sh c++ ARGS` for C++ and linking.
set -e
: "${KNETSTAT_ZIG:?set by build-prebuilds.sh}" "${KNETSTAT_ZIG_TARGET:?set by build-prebuilds.sh}"
lang=$1
shift
extra=
# Each function and object in its own section, so that the link (--gc-sections, in
# build-prebuilds.sh's LINK) can drop what nothing reaches. It saves little today
# (the x64 glibc prebuild: 812 KB with or without): the size is libc++, linked in.
for arg; do [ "$arg" = -c ] && extra="-ffunction-sections -fdata-sections"; done
# shellcheck disable=SC2086
exec "$KNETSTAT_ZIG" "$lang" -target "$KNETSTAT_ZIG_TARGET" $extra "$@"
