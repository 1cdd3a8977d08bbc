#!/usr/bin/env bash
# The DKMS packaging of the kernel module, the way a user installs it, on this
# machine's real DKMS tree (/var/lib/dkms, /usr/src): installs dkms and the
# headers of one Debian kernel with apt, copies kernel/ to
# /usr/src/knetstat-VERSION, then `dkms add`, `dkms build -k KVER`,
# `dkms install -k KVER`, checks the installed .ko (modinfo: name, license,
# vermagic; modprobe finds it through depmod), re-installs it through the hook
# Debian's headers packages run on a kernel upgrade (AUTOINSTALL), and
# `dkms remove --all`. Nothing is loaded: building and installing need no
# module loading, and CI machines may not allow it.
#
#   bash test/kernel/dkms.sh                      (root)
#   KNETSTAT_DKMS_KERNEL=6.1.0-57-amd64 bash test/kernel/dkms.sh
#
# The kernel: KNETSTAT_DKMS_KERNEL when set, else the running kernel when apt
# has its headers (linux-headers-$(uname -r)), else the one the machine's
# linux-headers-amd64 metapackage depends on (Debian 12: 6.1.0-N-amd64; on
# other architectures linux-headers-ARCH). apt's lists must be current
# (.ci/run runs apt-get update before). The headers package stays installed
# (like the other packages CI installs); the knetstat DKMS entry and
# /usr/src/knetstat-VERSION do not, whatever happens: any knetstat entry of the
# DKMS tree (an interrupted run's) is removed first, and this run's on exit.
# One run at a time (a lock under /run/lock).
#
# The last line printed is "dkms: N passed, N failed"; the exit status is 0
# only when none failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export DEBIAN_FRONTEND=noninteractive

pass=0
fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok $1: $2"; fail=$((fail + 1)); }
check() { # name why command...
	local name=$1 why=$2
	shift 2
	if "$@"; then ok "$name"; else not_ok "$name" "$why"; fi
}
# The count is the last line, after the cleanup once anything was added.
armed=
finish() {
	trap - EXIT
	[ -z "$armed" ] || cleanup
	echo "dkms: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

if [ "$(id -u)" -ne 0 ]; then
	not_ok root "dkms.sh installs packages and modules: run it as root"
	finish
fi

# One run at a time on a machine: the DKMS tree and /usr/src are shared.
lockdir=/run/lock
[ -d "$lockdir" ] || lockdir=/tmp
exec 7> "$lockdir/knetstat-dkms.lock"
flock 7

# The module's name and version, as DKMS reads them: dkms.conf is shell that
# DKMS sources with $kernelver and $kernel_source_dir set.
conf=$repo/kernel/dkms.conf
name=$(bash -c '. "$1"; echo "$PACKAGE_NAME"' _ "$conf")
ver=$(bash -c '. "$1"; echo "$PACKAGE_VERSION"' _ "$conf")
[ -n "$name" ] && [ -n "$ver" ] || { not_ok dkms-conf-readable "no PACKAGE_NAME/PACKAGE_VERSION in $conf"; finish; }
src=/usr/src/$name-$ver

apt_install() {
	apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "$@"
}

# Removes every knetstat entry of the DKMS tree (its modules with it) and the
# sources this script copied. Run first (an earlier run killed before its
# trap) and on exit.
kver=
cleanup() {
	local v f
	if command -v dkms > /dev/null && [ -d "/var/lib/dkms/$name" ]; then
		for v in /var/lib/dkms/"$name"/*; do
			# Versions are directories; kernel-KVER-ARCH links mark installs.
			[ -d "$v" ] && [ ! -L "$v" ] || continue
			v=$(basename "$v")
			echo "dkms: removing $name/$v from the DKMS tree"
			dkms remove "$name/$v" --all > /dev/null 2>&1 || true
		done
	fi
	# What dkms could not remove (an entry whose source was already gone):
	# by hand, and the modules it had installed, with depmod after.
	if [ -d "/var/lib/dkms/$name" ]; then
		rm -rf "/var/lib/dkms/$name"
		for f in /lib/modules/*/updates/dkms/"$name".ko*; do
			[ -f "$f" ] || continue
			rm -f "$f"
			v=${f#/lib/modules/}
			depmod -a "${v%%/*}" 2> /dev/null || true
		done
	fi
	for f in /usr/src/"$name"-*/.knetstat-ci; do
		[ -f "$f" ] && rm -rf "$(dirname "$f")"
	done
	# Where only the headers are installed (no image: no modules.order, no
	# module), the depmod of dkms install/remove left index files over an
	# empty tree: remove them, leaving build and source as the package did.
	local d=/lib/modules/$kver
	if [ -n "$kver" ] && [ -d "$d" ] && [ ! -e "$d/modules.order" ] &&
	   [ -z "$(find "$d" -name '*.ko*' -print -quit)" ]; then
		rm -f "$d"/modules.{alias,dep,symbols,builtin.alias,builtin}.bin \
			"$d"/modules.{alias,dep,symbols,devname,softdep}
		rmdir "$d/updates/dkms" "$d/updates" 2> /dev/null || true
	fi
}

# 1. dkms and the headers.
if ! apt_install dkms kmod > /tmp/knetstat-dkms-apt.log 2>&1; then
	tail -n 20 /tmp/knetstat-dkms-apt.log
	not_ok apt-install-dkms "apt-get install dkms failed"
	finish
fi
ok apt-install-dkms

kver=${KNETSTAT_DKMS_KERNEL:-}
if [ -z "$kver" ] && apt-cache show "linux-headers-$(uname -r)" > /dev/null 2>&1; then
	kver=$(uname -r)
fi
if [ -z "$kver" ]; then
	kver=$(apt-cache depends "linux-headers-$(dpkg --print-architecture)" 2> /dev/null |
		sed -nE 's/^ *Depends: linux-headers-([0-9].*)$/\1/p' | head -n 1)
fi
if [ -z "$kver" ]; then
	not_ok headers "no kernel to build for: apt knows no linux-headers-$(dpkg --print-architecture)"
	finish
fi
echo "dkms: kernel $kver (linux-headers-$kver)"
# An interrupted run's entry goes before the headers' postinst would build it.
cleanup
if [ -d "/var/lib/dkms/$name" ] || compgen -G "/usr/src/$name-*/.knetstat-ci" > /dev/null; then
	not_ok clean-before "a knetstat entry of an earlier run could not be removed"
else
	ok clean-before
fi
if ! apt_install "linux-headers-$kver" > /tmp/knetstat-dkms-apt.log 2>&1 ||
   [ ! -e "/lib/modules/$kver/build/include" ]; then
	tail -n 20 /tmp/knetstat-dkms-apt.log
	not_ok "headers-$kver" "apt-get install linux-headers-$kver failed"
	finish
fi
ok "headers-$kver"
armed=1
trap 'not_ok exit "dkms.sh ended before its count"; finish' EXIT
trap 'not_ok interrupted "killed by a signal"; finish' TERM INT HUP

# 2. dkms.conf says what DKMS needs, in agreement with package.json.
conf_vars() { # kernelver kernel_source_dir
	bash -c '. "$1"; printf "%s\n" "$PACKAGE_NAME" "$PACKAGE_VERSION" "${BUILT_MODULE_NAME[0]}" \
		"${DEST_MODULE_LOCATION[0]}" "$AUTOINSTALL" "${MAKE[0]}" "$CLEAN"' _ "$conf"
}
mapfile -t c < <(kernelver=KVER kernel_source_dir=KDIR conf_vars)
pkg_ver=$(node -p 'require(process.argv[1]).version' "$repo/package.json" 2> /dev/null ||
	sed -nE 's/^  "version": "([^"]+)".*/\1/p' "$repo/package.json")
check dkms-conf-name "PACKAGE_NAME is '${c[0]}'" [ "${c[0]}" = knetstat ]
check dkms-conf-version "PACKAGE_VERSION ${c[1]}, package.json $pkg_ver" [ "${c[1]}" = "$pkg_ver" ]
check dkms-conf-module "BUILT_MODULE_NAME[0] is '${c[2]}'" [ "${c[2]}" = knetstat ]
check dkms-conf-dest "DEST_MODULE_LOCATION[0] is '${c[3]}'" [ "${c[3]}" = /updates/dkms ]
check dkms-conf-autoinstall "AUTOINSTALL is '${c[4]}'" [ "${c[4]}" = yes ]
check dkms-conf-make "MAKE[0] is '${c[5]}'" [ "${c[5]}" = "make KVER=KVER KDIR=KDIR modules" ]
check dkms-conf-clean "CLEAN is '${c[6]}'" [ "${c[6]}" = "make KVER=KVER KDIR=KDIR clean" ]

# 3. The source where DKMS looks for it, as the docs tell users to put it:
# kernel/ without anything a local build left.
mkdir -p "$src"
cp -r "$repo/kernel/." "$src/"
(cd "$src" && rm -rf ./*.o ./*.ko ./*.mod ./*.mod.c ./.*.cmd Module.symvers modules.order .tmp_versions)
touch "$src/.knetstat-ci"

status() { dkms status -m "$name" -v "$ver" -k "$kver" 2> /dev/null; }
status_is() { status | grep -qE "^$name/$ver, $kver, [^:]+: $1\$"; }

if dkms add "$name/$ver" > /tmp/knetstat-dkms.log 2>&1 &&
   dkms status -m "$name" -v "$ver" | grep -qE "^$name/$ver: added\$"; then
	ok dkms-add
else
	cat /tmp/knetstat-dkms.log
	not_ok dkms-add "dkms add $name/$ver failed"
	finish
fi

t0=$(date +%s)
if dkms build "$name/$ver" -k "$kver" > /tmp/knetstat-dkms.log 2>&1 && status_is built; then
	ok "dkms-build-$kver"
	echo "dkms: build $(( $(date +%s) - t0 )) s"
else
	cat /tmp/knetstat-dkms.log
	find "/var/lib/dkms/$name/$ver/build" -name make.log -exec tail -n 30 {} \;
	not_ok "dkms-build-$kver" "dkms build failed"
	finish
fi
# DKMS keeps the build's output in $dkms_tree/NAME/VER/KVER/ARCH/log/make.log.
mk=$(find "/var/lib/dkms/$name/$ver/$kver" -path '*/log/make.log' 2> /dev/null | head -n 1)
if [ -n "$mk" ] && grep -q 'knetstat\.ko' "$mk" && ! grep -qiE 'warning:|error:' "$mk"; then
	ok "dkms-build-$kver-no-warnings"
else
	[ -n "$mk" ] && grep -iE 'warning:|error:' "$mk" | head -n 10
	not_ok "dkms-build-$kver-no-warnings" "compiler warnings in ${mk:-make.log (not found)}"
fi

if dkms install "$name/$ver" -k "$kver" > /tmp/knetstat-dkms.log 2>&1 && status_is installed; then
	ok "dkms-install-$kver"
else
	cat /tmp/knetstat-dkms.log
	not_ok "dkms-install-$kver" "dkms install failed"
	finish
fi

# 4. The installed module.
check_installed() { # suffix
	local ko vm
	ko=$(find "/lib/modules/$kver/updates/dkms" -name "$name.ko*" 2> /dev/null | head -n 1)
	if [ -z "$ko" ]; then
		not_ok "ko-installed$1" "no $name.ko under /lib/modules/$kver/updates/dkms"
		return
	fi
	ok "ko-installed$1"
	echo "dkms: installed $ko"
	check "modinfo-name$1" "modinfo -F name says '$(modinfo -F name "$ko")'" \
		[ "$(modinfo -F name "$ko" 2> /dev/null)" = "$name" ]
	check "modinfo-license$1" "modinfo -F license says '$(modinfo -F license "$ko")'" \
		[ "$(modinfo -F license "$ko" 2> /dev/null)" = GPL ]
	vm=$(modinfo -F vermagic "$ko" 2> /dev/null | awk '{ print $1 }')
	check "modinfo-vermagic$1" "vermagic says '$vm', want $kver" [ "$vm" = "$kver" ]
	# depmod indexed it where modprobe looks (--show-depends loads nothing).
	check "modprobe-finds-it$1" "modprobe -S $kver --show-depends $name does not name $ko" \
		bash -c 'modprobe -S "$1" --show-depends "$2" 2> /dev/null | grep -qF "$3"' _ "$kver" "$name" "$ko"
}
check_installed ""

# 5. A kernel upgrade: the headers package's postinst runs
# /etc/kernel/header_postinst.d/dkms NEWKVER, which builds and installs every
# AUTOINSTALL module for it. Here the same kernel, after dkms uninstall and
# the removal of the built module.
# (Removing its only kernel deletes the module from the DKMS tree: add it again.)
readd() {
	[ -n "$(dkms status -m "$name" -v "$ver" 2> /dev/null)" ] || dkms add "$name/$ver"
}
if dkms remove "$name/$ver" -k "$kver" > /tmp/knetstat-dkms.log 2>&1 &&
   readd >> /tmp/knetstat-dkms.log 2>&1 && ! status_is installed &&
   [ -z "$(find "/lib/modules/$kver/updates/dkms" -name "$name.ko*" 2> /dev/null)" ]; then
	ok "dkms-remove-$kver"
else
	cat /tmp/knetstat-dkms.log
	not_ok "dkms-remove-$kver" "dkms remove -k $kver left the module installed"
fi
if /etc/kernel/header_postinst.d/dkms "$kver" > /tmp/knetstat-dkms.log 2>&1 && status_is installed; then
	ok "autoinstall-$kver"
	check_installed "-autoinstall"
else
	cat /tmp/knetstat-dkms.log
	not_ok "autoinstall-$kver" "the headers' postinst hook did not rebuild and install $name"
fi

# 6. Removal leaves nothing.
dkms remove "$name/$ver" --all > /tmp/knetstat-dkms.log 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ -z "$(dkms status -m "$name" 2> /dev/null)" ] &&
   [ ! -d "/var/lib/dkms/$name" ] &&
   [ -z "$(find "/lib/modules/$kver/updates" -name "$name.ko*" 2> /dev/null)" ]; then
	ok dkms-remove-all
else
	cat /tmp/knetstat-dkms.log
	not_ok dkms-remove-all "dkms remove --all left $(dkms status -m "$name" 2> /dev/null) $(ls -d "/var/lib/dkms/$name" 2> /dev/null)"
fi
armed=
cleanup
left=()
[ -d "/var/lib/dkms/$name" ] && left+=("/var/lib/dkms/$name")
[ -d "$src" ] && left+=("$src")
[ -n "$(find "/lib/modules/$kver" -name "$name.ko*" -print -quit)" ] &&
	left+=("$(find "/lib/modules/$kver" -name "$name.ko*")")
grep -qs "$name\.ko" "/lib/modules/$kver/modules.dep" && left+=("/lib/modules/$kver/modules.dep naming it")
check clean-after "left ${left[*]}" [ "${#left[@]}" -eq 0 ]
finish
