#!/usr/bin/env bash
# Install the host packages the kernel-module VM harness (test/kernel/run.sh)
# needs. Idempotent: apt-get install of already-installed packages is a no-op.
set -euo pipefail

pkgs=(
	build-essential   # gcc-12, make, libc6-dev (static libc.a for the guest program)
	bc flex bison     # kbuild helpers invoked by Debian's header Makefiles
	libelf-dev        # objtool/modpost expectations of kernel headers
	libssl-dev
	kmod              # modinfo, for checking the built module
	cpio              # initramfs packing
	busybox-static    # the guest userland
	qemu-system-x86   # qemu-system-x86_64 -accel tcg
	debootstrap       # sid build chroot (--kernel sid)
	dkms              # the harness builds the module with DKMS too
	zstd xz-utils     # dpkg-deb payloads, compressed modules
	dwarves           # pahole, for kernels whose headers ask for BTF
	ca-certificates
	debian-archive-keyring  # fetch.sh's and debootstrap's signed-by keyring
)

. "$(cd "$(dirname "$0")" && pwd)/../helpers/apt.sh"
apt_install_missing "install-deps" "${pkgs[@]}"
