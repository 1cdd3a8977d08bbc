#!/usr/bin/env bash
# Host packages of the arm64 guest test (test/arm64/run.sh). Idempotent.
set -euo pipefail
pkgs=(
	qemu-system-arm          # qemu-system-aarch64 -accel tcg
	cpio gzip                # the initramfs
	xz-utils zstd            # dpkg-deb payloads, compressed kernel modules
	ca-certificates
	debian-archive-keyring   # fetch.sh's signed-by keyring
)
. "$(cd "$(dirname "$0")" && pwd)/../helpers/apt.sh"
apt_install_missing "arm64 install-deps" "${pkgs[@]}"
