#!/bin/busybox sh
# The library on the module, in the guest: run by /init with `unshare -n` (a fresh
# network namespace: only kholder's sockets, nothing churning) while the module is
# loaded. kholder opens the sockets; knode.mjs (from /pkg, the built package, with
# /usr/bin/node and its shared libraries) checks the listings as root, then as uid
# 1000 through `kholder runas`. knode.mjs prints the KTEST lines and its own
# KTEST-COUNT; this script exits non-zero when a step did not run to the end.
# netlink sock_diag for inet sockets: modules in Debian's kernels (from fetch.sh).
for m in inet_diag tcp_diag udp_diag; do
	if [ ! -f /diag/$m.ko ]; then
		echo "KTEST-INFO /diag/$m.ko missing: the netlink dump will fail"
	elif ! grep -q "^$m " /proc/modules && ! insmod /diag/$m.ko; then
		echo "KTEST-INFO insmod $m failed"
	fi
done
/kholder hold > /tmp/kholder.out 2> /tmp/kholder.err &
holder=$!
n=0
until grep -q '^KHOLD ready' /tmp/kholder.out 2> /dev/null; do
	n=$((n + 1))
	if [ "$n" -gt 60 ] || ! kill -0 "$holder" 2> /dev/null; then
		echo "KTEST-INFO kholder did not get ready: $(cat /tmp/kholder.err)"
		kill "$holder" 2> /dev/null
		exit 1
	fi
	sleep 1
done
export HOME=/tmp
cd /pkg || exit 1
rc=0
t0=$(date +%s)
KHOLD_OUT=/tmp/kholder.out timeout 150 /usr/bin/node /pkg/knode.mjs root > /tmp/knode.root 2>&1
r=$?
cat /tmp/knode.root
grep -q '^KTEST-COUNT ' /tmp/knode.root || { echo "KTEST-INFO knode.mjs root exited $r without its count"; rc=1; }
t1=$(date +%s)
timeout 150 /kholder runas 1000 1000 /usr/bin/node /pkg/knode.mjs user > /tmp/knode.user 2>&1
r=$?
cat /tmp/knode.user
grep -q '^KTEST-COUNT ' /tmp/knode.user || { echo "KTEST-INFO knode.mjs user exited $r without its count"; rc=1; }
echo "KTEST-INFO node checks took $((t1 - t0)) s as root, $(( $(date +%s) - t1 )) s as uid 1000"
kill "$holder" 2> /dev/null
wait "$holder" 2> /dev/null
exit $rc
