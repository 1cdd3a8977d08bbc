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

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all ${#pkgs[@]} packages already installed"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -q -o DPkg::Lock::Timeout=600
# Other jobs on the machine may be running apt: wait for its lock, not fail.
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${pkgs[@]}"
