#!/usr/bin/env bash
# The knetstat kernel-module test: for each kernel, fetch Debian's image and
# headers, build kernel/ against them, boot the kernel under
# qemu-system-x86_64 -accel tcg with a busybox initramfs holding the module
# and the static test program guest/ktest.c, and count the checks the guest
# reports.
#
#   bash test/kernel/run.sh                   the stable matrix: 5.10 6.1 6.12
#   bash test/kernel/run.sh --kernel 6.1      one kernel (repeatable)
#   bash test/kernel/run.sh --kernel sid      sid's newest kernel (built in a
#                                             debootstrap chroot of sid)
#   bash test/kernel/run.sh --perf 50000      time /proc/net/tcpstat against
#                                             /proc/net/tcp with that many sockets
#   --churn SECONDS  the stress: four readers, connection churn and network
#                    namespaces created and destroyed for that long, ending
#                    with rmmod while it all runs (60)
#   --bucket-udp N   the one-bucket stress: N UDP sockets on one port
#                    (100000) and --bucket-tcp N SO_REUSEPORT listeners on
#                    one port (25000), each file's slowest read() against
#                    the kernel's
#   --jobs N         VMs run at the same time (default: 2)
#
# Host packages: test/kernel/install-deps.sh. Downloads are cached in
# test/kernel/.cache (KNETSTAT_CACHE overrides). Each kernel's seconds are
# printed ("kernel 6.1: N s"); the last line is "kernel: N passed, N failed";
# the exit status is 0 only when none failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export KNETSTAT_CACHE=${KNETSTAT_CACHE:-$here/.cache}
cache=$KNETSTAT_CACHE

kernels=()
perf=
churn=60
bucket_udp=100000
bucket_tcp=25000
jobs=2
vm_timeout=${KNETSTAT_VM_TIMEOUT:-}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels+=("${2:-}"); shift; [ $# -gt 0 ] && shift ;;
	--kernel=*) kernels+=("${1#*=}"); shift ;;
	--perf) perf=${2:-50000}; shift; [ $# -gt 0 ] && shift ;;
	--churn) churn=${2:-60}; shift; [ $# -gt 0 ] && shift ;;
	--bucket-udp) bucket_udp=${2:-100000}; shift; [ $# -gt 0 ] && shift ;;
	--bucket-tcp) bucket_tcp=${2:-25000}; shift; [ $# -gt 0 ] && shift ;;
	--jobs) jobs=${2:-2}; shift; [ $# -gt 0 ] && shift ;;
	-h|--help) sed -n '2,26p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; echo "kernel: 0 passed, 1 failed"; exit 2 ;;
	esac
done
[ "${#kernels[@]}" -gt 0 ] || kernels=(5.10 6.1 6.12)
# Bounds: a guest normally finishes in a few minutes, the stresses included
# (the one-bucket stress reads each file twice, quadratic in the sockets of
# the bucket, as the kernel's own files are); a download in a minute or two.
# The host may be busy with other work: room for the guest to run at half
# speed.
if [ -z "$vm_timeout" ]; then
	if [ -n "$perf" ]; then vm_timeout=1200; else vm_timeout=$((600 + 2 * churn)); fi
fi
fetch_timeout=${KNETSTAT_FETCH_TIMEOUT:-600}
# A debootstrap of sid from an empty cache downloads and unpacks a compiler
# and a base system: more than a kernel download.
chroot_timeout=${KNETSTAT_CHROOT_TIMEOUT:-1800}

suite_of() {
	case $1 in
	5.10|bullseye) echo bullseye ;;
	6.1|bookworm) echo bookworm ;;
	6.12|bookworm-backports) echo bookworm-backports ;;
	sid|unstable|newest) echo sid ;;
	*) return 1 ;;
	esac
}

start=$(date +%s)
mkdir -p "$cache"
work=$(mktemp -d "${TMPDIR:-/tmp}/knetstat-ktest.XXXXXX")
trap 'rm -rf "$work"' EXIT

total_pass=0
total_fail=0

# Infrastructure failures count as failed checks too.
note_fail() { # suite name why
	echo "KTEST not ok $2: $3" >> "$work/$1.host"
	echo "[$1] not ok $2: $3" >&2
}
note_ok() {
	echo "KTEST ok $2" >> "$work/$1.host"
}

for tool in qemu-system-x86_64 busybox cpio gcc make dpkg-deb apt-get; do
	if ! command -v "$tool" > /dev/null; then
		echo "run.sh: $tool missing; run test/kernel/install-deps.sh" >&2
		echo "kernel: 0 passed, 1 failed"
		exit 1
	fi
done

# The static guest program, built once.
if ! gcc -O2 -Wall -static -o "$work/ktest" "$here/guest/ktest.c" 2> "$work/ktest.log"; then
	cat "$work/ktest.log" >&2
	echo "kernel: 0 passed, 1 failed"
	exit 1
fi

# The library's guest part (knode.sh): node and its shared libraries, the built
# package (dist/ compiled here, the addon) and kholder, packed
# once into a gzip'd cpio that is appended to each kernel's initramfs.
node_cpio=
pack_node() {
	local r=$work/noderoot node lib
	node=$(command -v node) || { echo "node not found" >&2; return 1; }
	mkdir -p "$r/usr/bin" "$r/pkg/node_modules"
	cp "$node" "$r/usr/bin/node"
	for lib in $(ldd "$node" "$repo/prebuilds/linux-x64/knetstat.glibc.node" 2> /dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
	(cd "$repo" && npx tsc -p tsconfig.build.json --outDir "$r/pkg/dist") || return 1
	cp "$repo/package.json" "$r/pkg/"
	if [ -f "$repo/build/Release/knetstat.node" ]; then
		mkdir -p "$r/pkg/build/Release"
		cp "$repo/build/Release/knetstat.node" "$r/pkg/build/Release/"
	fi
	[ -d "$repo/prebuilds" ] && cp -r "$repo/prebuilds" "$r/pkg/"
	cp "$here/guest/knode.mjs" "$r/pkg/knode.mjs"
	cp "$here/guest/knode.sh" "$r/knode.sh"
	gcc -O2 -Wall -static -o "$r/kholder" "$here/guest/kholder.c" || return 1
	(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/node.cpio.gz"
}
if [ -z "$perf" ]; then
	if pack_node > "$work/node.log" 2>&1; then
		node_cpio=$work/node.cpio.gz
	else
		tail -n 20 "$work/node.log" >&2
	fi
fi

suites=()
for k in "${kernels[@]}"; do
	s=$(suite_of "$k") || {
		echo "run.sh: unknown kernel $k (5.10, 6.1, 6.12, sid)" >&2
		echo "kernel: 0 passed, 1 failed"
		exit 2
	}
	suites+=("$s")
	: > "$work/$s.host"
done

# 1. Fetch every kernel (network bound: in parallel).
for s in "${suites[@]}"; do
	(
		t0=$(date +%s)
		if timeout "$fetch_timeout" bash "$here/fetch.sh" "$s" > "$work/$s.release" 2> "$work/$s.fetch.log"; then
			note_ok "$s" "fetch-$s"
			echo "$(( $(date +%s) - t0 ))" > "$work/$s.fetch-seconds"
			echo "[$s] fetch: $(( $(date +%s) - t0 )) s" >&2
		else
			tail -n 20 "$work/$s.fetch.log" >&2
			note_fail "$s" "fetch-$s" "could not download the kernel"
		fi
	) &
done
wait

# sid's build chroot, a debootstrap of minutes from an empty cache, only sid's
# build needs: it runs while the other kernels build and boot, as one of the
# --jobs (it takes a core too), and sid goes last.
chroot_pid=
if [ -s "$work/sid.release" ]; then
	(
		t0=$(date +%s)
		if timeout "$chroot_timeout" bash "$here/sid-chroot.sh" > "$work/sid.chroot.log" 2>&1; then
			note_ok sid "sid-build-chroot"
			echo "[sid] build chroot: $(( $(date +%s) - t0 )) s" >&2
		else
			tail -n 20 "$work/sid.chroot.log" >&2
			note_fail sid "sid-build-chroot" "debootstrap of sid failed"
		fi
	) &
	chroot_pid=$!
fi

# 2. Build the module for each kernel and boot it.
build_module() { # suite release -> $work/$suite/knetstat.ko
	local s=$1 rel=$2 b=$work/$1/build kdir
	kdir=$cache/$s/root/usr/src/linux-headers-$rel
	rm -rf "$b"
	mkdir -p "$b"
	cp "$repo"/kernel/*.c "$repo"/kernel/Kbuild "$repo"/kernel/Makefile "$b/"
	if [ "$s" = sid ]; then
		# sid's kbuild tools need sid's glibc and gcc: build in the chroot,
		# with the unpacked kernel tree bind-mounted where Debian puts it.
		# Not a second, unbounded debootstrap after a failed one.
		grep -q '^KTEST ok sid-build-chroot$' "$work/sid.host" ||
			{ echo "no sid build chroot" >&2; return 1; }
		bash "$here/sid-chroot.sh" build "$cache/$s/root" "$rel" "$b"
	else
		# Debian's headers name the compiler they were built with
		# (gcc-10 for 5.10, gcc-12 for 6.1 and 6.12-bpo); the machine
		# has gcc-12, which builds all three.
		make -C "$b" KDIR="$kdir" CC=gcc-12 HOSTCC=gcc-12 modules
	fi
}

run_one() { # suite
	local s=$1 rel kver vmlinuz initrd log ok=1
	rel=$(cat "$work/$s.release" 2> /dev/null)
	[ -n "$rel" ] || return 0
	local t0=$(date +%s)
	if ! build_module "$s" "$rel" > "$work/$s.build.log" 2>&1; then
		tail -n 30 "$work/$s.build.log" >&2
		note_fail "$s" "build-$rel" "module does not build"
		return 0
	fi
	echo "[$s] module build: $(( $(date +%s) - t0 )) s" >&2
	if grep -qiE 'warning:|error:' "$work/$s.build.log"; then
		grep -iE 'warning:|error:' "$work/$s.build.log" | head -n 10 >&2
		note_fail "$s" "build-$rel-no-warnings" "compiler warnings"
	else
		note_ok "$s" "build-$rel-no-warnings"
	fi
	kver=$(modinfo -F vermagic "$work/$s/build/knetstat.ko" 2> /dev/null | awk '{ print $1 }')
	if [ "$kver" = "$rel" ]; then
		note_ok "$s" "vermagic-$rel"
	else
		note_fail "$s" "vermagic-$rel" "vermagic says '$kver'"
	fi

	# make install (into a private tree) and a DKMS build (private DKMS
	# trees), both against this kernel's headers. sid's kbuild tools only
	# run in its chroot, where the plain build above is what is checked.
	local root=$work/$s/initramfs
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
	if [ "$s" != sid ]; then
		local kdir=$cache/$s/root/usr/src/linux-headers-$rel inst=$work/$s/inst
		if make -C "$work/$s/build" KDIR="$kdir" KVER="$rel" CC=gcc-12 HOSTCC=gcc-12 \
			INSTALL_MOD_PATH="$inst" install > "$work/$s.install.log" 2>&1 &&
		   ls "$inst/lib/modules/$rel/updates"/knetstat.ko* > /dev/null 2>&1 &&
		   grep -qE '^updates/knetstat\.ko(\.xz|\.zst|\.gz)?:' "$inst/lib/modules/$rel/modules.dep"; then
			note_ok "$s" "make-install-$rel"
			cp -r "$inst/lib" "$root/lib"
		else
			tail -n 20 "$work/$s.install.log" >&2
			note_fail "$s" "make-install-$rel" "no updates/knetstat.ko in modules.dep"
		fi
		if command -v dkms > /dev/null; then
			local dk=$work/$s/dkms ko
			mkdir -p "$dk/src" "$dk/tree"
			cp -r "$repo/kernel" "$dk/src/knetstat-0.1.0"
			rm -f "$dk/src/knetstat-0.1.0"/*.ko "$dk/src/knetstat-0.1.0"/*.o
			# DKMS runs make with the compiler the headers name; where
			# that is gcc-10 (5.10), which bookworm lacks, a gcc-10 on
			# PATH that is gcc-12 stands in, as CC=gcc-12 does above.
			mkdir -p "$dk/bin"
			command -v gcc-10 > /dev/null || ln -sf "$(command -v gcc-12)" "$dk/bin/gcc-10"
			PATH="$dk/bin:$PATH" dkms build --dkmstree "$dk/tree" --sourcetree "$dk/src" \
				-m knetstat -v 0.1.0 -k "$rel" --kernelsourcedir "$kdir" \
				> "$work/$s.dkms.log" 2>&1
			ko=$(find "$dk/tree/knetstat/0.1.0/$rel" -name 'knetstat.ko*' 2> /dev/null | head -n1)
			if [ -n "$ko" ] && [ "$(modinfo -F vermagic "$ko" | awk '{ print $1 }')" = "$rel" ]; then
				note_ok "$s" "dkms-build-$rel"
			else
				tail -n 20 "$work/$s.dkms.log" >&2
				find "$dk/tree" -name make.log -exec tail -n 20 {} \; >&2
				note_fail "$s" "dkms-build-$rel" "dkms build produced no module for $rel"
			fi
		fi
	fi

	# The initramfs: busybox, /init, the module, the test program (and the
	# tree make install wrote, for modprobe).
	cp "$(command -v busybox)" "$root/bin/busybox"
	cp "$here/guest/init" "$root/init"
	cp "$work/ktest" "$root/ktest"
	cp "$work/$s/build/knetstat.ko" "$root/knetstat.ko"
	# The kernel's sock_diag modules (fetch.sh keeps them), for the library's netlink dump.
	if [ -d "$cache/$s/diag" ]; then
		mkdir -p "$root/diag"
		cp "$cache/$s/diag"/*.ko "$root/diag/"
	fi
	initrd=$work/$s/initrd.gz
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd"
	if [ -z "$perf" ]; then
		if [ -n "$node_cpio" ]; then
			cat "$node_cpio" >> "$initrd"
			note_ok "$s" "pack-node-and-package"
		else
			note_fail "$s" "pack-node-and-package" "could not pack node and the built package (see above)"
		fi
	fi

	# /boot/vmlinuz-REL; from 7.x Debian ships it as /usr/lib/modules/REL/vmlinuz.
	vmlinuz=$cache/$s/root/boot/vmlinuz-$rel
	[ -f "$vmlinuz" ] || vmlinuz=$cache/$s/root/usr/lib/modules/$rel/vmlinuz
	log=$work/$s.console
	local append="console=ttyS0 panic=-1 oops=panic quiet loglevel=4 ktest.churn=$churn ktest.bucket_udp=$bucket_udp ktest.bucket_tcp=$bucket_tcp"
	local mem=1024
	# node and the package unpack to ~110 MB of initramfs.
	[ -n "$node_cpio" ] && mem=2048
	if [ -n "$perf" ]; then
		append="$append ktest.mode=perf ktest.sockets=$perf"
		mem=3072
	fi
	echo "[$s] booting $rel under qemu (tcg)" >&2
	t0=$(date +%s)
	timeout "$vm_timeout" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m "$mem" \
		-nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$vmlinuz" -initrd "$initrd" -append "$append" \
		< /dev/null > "$log" 2>&1
	local rc=$?
	echo "[$s] guest finished in $(( $(date +%s) - t0 )) s (qemu exit $rc)" >&2
	tr -d '\r' < "$log" > "$log.txt"
	if grep -q '^KTEST-DONE' "$log.txt"; then
		note_ok "$s" "guest-$rel-ran-to-completion"
	else
		note_fail "$s" "guest-$rel-ran-to-completion" "no KTEST-DONE (qemu exit $rc; crash, panic or timeout)"
		tail -n 40 "$log.txt" | sed "s/^/[$s console] /" >&2
	fi
	# Every result line printed must have arrived intact.
	local want got
	want=$(awk '/^KTEST-COUNT / { n += $2 + $3 } END { print n + 0 }' "$log.txt")
	got=$(grep -cE '^KTEST (ok|not ok) ' "$log.txt")
	if [ "$want" -eq "$got" ] && [ "$got" -gt 0 ]; then
		note_ok "$s" "console-$rel-all-results-received"
	else
		note_fail "$s" "console-$rel-all-results-received" "$got result lines on the console, the guest printed $want"
	fi
	if grep -qE 'Kernel panic|BUG:|Oops' "$log.txt"; then
		note_fail "$s" "console-$rel-no-panic" "panic/BUG/Oops on the console"
		grep -E -A20 'Kernel panic|BUG:|Oops' "$log.txt" | head -n 60 >&2
	fi
	return 0
}

order=()
for s in "${suites[@]}"; do [ "$s" = sid ] || order+=("$s"); done
for s in "${suites[@]}"; do [ "$s" != sid ] || order+=("$s"); done
for s in "${order[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	if [ "$s" = sid ] && [ -n "$chroot_pid" ]; then
		wait "$chroot_pid"
	fi
	# The wall time of each kernel's build, host checks and guest, for the
	# report (what one more kernel costs CI; the downloads run before, in
	# parallel, and are reported apart).
	{
		t0=$(date +%s)
		run_one "$s"
		echo "$(( $(date +%s) - t0 ))" > "$work/$s.seconds"
	} &
done
wait

# 3. Report.
timings=()
for i in "${!suites[@]}"; do
	s=${suites[$i]}
	rel=$(cat "$work/$s.release" 2> /dev/null)
	rel=${rel:-$s}
	cat "$work/$s.host" > "$work/$s.all"
	[ -f "$work/$s.console.txt" ] && grep -E '^(KTEST|KPERF|  )' "$work/$s.console.txt" >> "$work/$s.all"
	grep -E '^KTEST not ok|^  |^KPERF' "$work/$s.all" | sed "s/^/[$rel] /"
	p=$(grep -c '^KTEST ok ' "$work/$s.all")
	f=$(grep -c '^KTEST not ok ' "$work/$s.all")
	echo "kernel ${kernels[$i]} ($rel): $p passed, $f failed"
	secs="kernel ${kernels[$i]}: $(cat "$work/$s.seconds" 2> /dev/null || echo '?') s"
	[ -f "$work/$s.fetch-seconds" ] && secs="$secs (fetch $(cat "$work/$s.fetch-seconds") s before it)"
	timings+=("$secs")
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ -n "${KNETSTAT_KEEP_LOGS:-}" ]; then
		mkdir -p "$KNETSTAT_KEEP_LOGS"
		cp "$work/$s".* "$KNETSTAT_KEEP_LOGS/" 2> /dev/null
	fi
done
# One line per kernel: build, host checks (make install, dkms build) and the
# guest, wall seconds with --jobs guests sharing the machine.
printf '%s\n' "${timings[@]}"
echo "time: $(( $(date +%s) - start )) s"
echo "kernel: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
