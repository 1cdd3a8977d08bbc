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
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "arm64 install-deps: all ${#pkgs[@]} packages already installed"
	exit 0
fi
echo "arm64 install-deps: installing ${missing[*]}"
apt-get update -q -o DPkg::Lock::Timeout=600
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${pkgs[@]}"
