// SPDX-License-Identifier: MIT
/*
 * kholder: the socket-holding side of the library checks in the guest
 * (knode.sh, knode.mjs). Static, like ktest.
 *
 *   kholder hold              bring lo up, open TCP and UDP sockets over IPv4
 *                             and IPv6 with options set to known values (ports
 *                             7101-7190), fork a child that drops to uid/gid
 *                             65534 and holds a listener of its own (7190),
 *                             print "KHOLD ready", then sleep until killed.
 *   kholder runas UID GID PROG [ARGS...]
 *                             drop to UID/GID and exec PROG.
 *
 * The options differ per socket (and per SO_REUSEPORT sibling) so that a
 * socket given another socket's line by the join shows up as a mismatch.
 *
 * The zoo, by port (knode.mjs compares the module, pidfd and bpf sources on
 * every one of them):
 *
 *   7101  TCP4 listener with the module's whole TCP set, a connection to it
 *   7102  TCP6 listener, a connection with linger and timeouts
 *   7103  TCP6 SO_REUSEPORT listeners x3 (SO_RCVBUF 10000/20000/30000)
 *   7104  TCP4 SO_REUSEPORT listeners x3 (SO_SNDBUF 5000/10000/15000)
 *   7105  TCP4 zero-window pair
 *   7106  UDP4 on 0.0.0.0 (SO_BROADCAST, SO_RCVBUF, SO_SNDTIMEO)
 *   7107  UDP6 on ::1 (SO_REUSEADDR, linger)
 *   7108  UDP4 SO_REUSEADDR siblings x2 (SO_RCVBUF 6000/9000)
 *   7109  TCP6 deferring Fast Open listener
 *   7110  TCP4 listener with the extras: SO_MARK, IP_TOS then SO_PRIORITY,
 *         TCP_CONGESTION reno, TCP_MAXSEG, IP_FREEBIND, TCP_NOTSENT_LOWAT
 *   7111  TCP6 listener on :: with IPV6_V6ONLY, IPV6_TCLASS, IP_TRANSPARENT,
 *         SO_BINDTODEVICE lo, TCP_MAXSEG, Fast Open and deferred accept
 *   7112  TCP4 deferring Fast Open listener, linger on with 0 s
 *   7113  TCP4 established pair, extras set on both ends (after accept on
 *         the server's end)
 *   7114  TCP6 established pair, the client bound to lo, traffic classes
 *   7115  TCP4 listener holding a connection never accept()ed: the child
 *         in its accept queue has no file, no process holds it
 *   7116  TCP6 the same
 *   7117  TCP4 listener, SO_RCVBUF/SO_SNDBUF at exactly the new-socket
 *         default (tcp_rmem[1] / 2, tcp_wmem[1] / 2: the kernel doubles)
 *   7118  TCP4 listener, buffers at half that
 *   7119  UDP4, buffers at exactly the default (rmem_default / 2,
 *         wmem_default / 2)
 *   7120  UDP6, buffers at half that
 *   7121  UDP6, buffers at exactly the default
 *   7122  UDP4 with the extras: SO_MARK, IP_TOS then SO_PRIORITY,
 *         IP_FREEBIND, SO_BINDTODEVICE lo, SO_BROADCAST, SO_RCVTIMEO
 *   7123  UDP6 on :: with IPV6_V6ONLY, IPV6_TCLASS, IP_TRANSPARENT, SO_MARK
 *   7124  UDP6 on :: dual-stack (IPV6_V6ONLY 0), SO_BROADCAST, SO_PRIORITY
 *   7125  UDP4 SO_REUSEPORT siblings x3, different marks, TOS, buffers
 *   7126  UDP6 SO_REUSEPORT siblings x2, different traffic classes, buffers
 *   7127  TCP6 SO_REUSEPORT listeners x2, reno on one, different marks
 *   7190  TCP4 listener of uid 65534 (the forked child)
 *
 * Values are distinct per socket and none equals the kernel's default,
 * except the buffers of 7117, 7119 and 7121, which equal it on purpose:
 * only the lock bit (the module, bpf) tells they were set; getsockopt
 * (pidfd) cannot.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_FREEBIND
#define IP_FREEBIND		15
#endif
#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT		19
#endif
#ifndef TCP_NOTSENT_LOWAT
#define TCP_NOTSENT_LOWAT	25
#endif

static void die(const char *what)
{
	fprintf(stderr, "kholder: %s: %s\n", what, strerror(errno));
	exit(1);
}

#include "guest_sockets.h"

/*
 * The idx-th number of a /proc/sys/net file (tcp_rmem holds three), printed as
 * "KHOLD sysctl NAME VALUE" for knode.mjs. net.core.{r,w}mem_default are not
 * per namespace before Linux 6.x (5.10 and 6.1 show them only in the initial
 * one, which every namespace's new sockets use): read there, through init's.
 */
static int sysctl_int(const char *name, int idx)
{
	char path[128];
	FILE *f;
	int i, v = -1, self = -1, init;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	f = fopen(path, "r");
	if (!f && errno == ENOENT) {
		self = open("/proc/self/ns/net", O_RDONLY);
		init = open("/proc/1/ns/net", O_RDONLY);
		if (self < 0 || init < 0 || setns(init, CLONE_NEWNET))
			die("setns to the initial network namespace");
		close(init);
		f = fopen(path, "r");
		if (setns(self, CLONE_NEWNET))
			die("setns back");
		close(self);
	}
	if (!f)
		die(path);
	for (i = 0; i <= idx; i++)
		if (fscanf(f, "%d", &v) != 1)
			die(path);
	fclose(f);
	printf("KHOLD sysctl %s %d%s\n", name, v,
	       self < 0 ? "" : " (the initial namespace's)");
	fflush(stdout);
	return v;
}

static void setstr(int fd, int level, int opt, const char *val)
{
	if (setsockopt(fd, level, opt, val, strlen(val) + 1))
		die("setsockopt string");
}

static void bind_to_lo(int fd)
{
	setstr(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo");
}

static void congestion(int fd, const char *name)
{
	if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, strlen(name)))
		die("setsockopt TCP_CONGESTION");
}

/* IP_TOS first: it sets the priority too, which SO_PRIORITY then overrides. */
static void tos_prio(int fd, int tos, int prio)
{
	setint(fd, IPPROTO_IP, IP_TOS, tos);
	setint(fd, SOL_SOCKET, SO_PRIORITY, prio);
}

static int family_of(const char *addr)
{
	return strchr(addr, ':') ? AF_INET6 : AF_INET;
}

static void do_bind(int fd, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, family_of(addr), addr, port);

	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
}

static void do_connect(int fd, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, family_of(addr), addr, port);

	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
}

static int tcp(const char *addr)
{
	int fd = socket(family_of(addr), SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

static int udp(const char *addr)
{
	int fd = socket(family_of(addr), SOCK_DGRAM, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

static void listen_on(int fd, const char *addr, int port)
{
	do_bind(fd, addr, port);
	if (listen(fd, 16))
		die("listen");
}

static void other_user(void)
{
	int fd;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		die("drop to 65534");
	fd = tcp("127.0.0.1");
	setint(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
	setint(fd, IPPROTO_TCP, TCP_KEEPIDLE, 77);
	setint(fd, SOL_SOCKET, SO_RCVBUF, 7777);
	setint(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	listen_on(fd, "127.0.0.1", 7190);
	for (;;)
		pause();
}

/*
 * The sockets beyond the module's set (7110-7127): the extras, the buffers
 * at the kernel's default, the un-accepted children, UDP over both families.
 * They stay open (the process holds them until killed).
 */
static void hold_zoo(void)
{
	int tcp_rmem = sysctl_int("net/ipv4/tcp_rmem", 1);
	int tcp_wmem = sysctl_int("net/ipv4/tcp_wmem", 1);
	int rmem = sysctl_int("net/core/rmem_default", 0);
	int wmem = sysctl_int("net/core/wmem_default", 0);
	int fd, c, s, i;

	/* 7110: the extras on an IPv4 listener. */
	fd = tcp("127.0.0.1");
	setint(fd, SOL_SOCKET, SO_MARK, 0x110);
	tos_prio(fd, 0x28, 3);
	congestion(fd, "reno");
	setint(fd, IPPROTO_TCP, TCP_MAXSEG, 1200);
	setint(fd, IPPROTO_IP, IP_FREEBIND, 1);
	setint(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 70001);
	setint(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
	setint(fd, IPPROTO_TCP, TCP_KEEPIDLE, 110);
	settimeo(fd, SO_SNDTIMEO, 1100);
	listen_on(fd, "127.0.0.1", 7110);

	/* 7111: the IPv6 extras on a wildcard listener. */
	fd = tcp("::");
	setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	setint(fd, IPPROTO_IPV6, IPV6_TCLASS, 0x48);
	setint(fd, IPPROTO_IP, IP_TRANSPARENT, 1);
	bind_to_lo(fd);
	setint(fd, IPPROTO_TCP, TCP_MAXSEG, 1300);
	setint(fd, IPPROTO_TCP, TCP_FASTOPEN, 9);
	setint(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, 10);
	setint(fd, SOL_SOCKET, SO_PRIORITY, 2);
	setint(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	listen_on(fd, "::", 7111);

	/* 7112: an IPv4 deferring Fast Open listener, linger on with 0 s. */
	fd = tcp("127.0.0.1");
	setint(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, 3);
	setint(fd, IPPROTO_TCP, TCP_FASTOPEN, 11);
	setlinger(fd, 0);
	setint(fd, IPPROTO_TCP, TCP_KEEPCNT, 12);
	listen_on(fd, "127.0.0.1", 7112);

	/* 7113: an IPv4 pair, the extras on both ends. */
	fd = tcp("127.0.0.1");
	setint(fd, SOL_SOCKET, SO_RCVBUF, 21000);
	listen_on(fd, "127.0.0.1", 7113);
	c = tcp("127.0.0.1");
	congestion(c, "reno");
	setint(c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 50001);
	tos_prio(c, 0x10, 5);
	setint(c, SOL_SOCKET, SO_MARK, 0x113);
	setint(c, IPPROTO_TCP, TCP_USER_TIMEOUT, 7000);
	settimeo(c, SO_RCVTIMEO, 3300);
	do_connect(c, "127.0.0.1", 7113);
	s = accept_one(fd);
	setint(s, SOL_SOCKET, SO_MARK, 0x213);
	setint(s, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 40001);
	setint(s, SOL_SOCKET, SO_KEEPALIVE, 1);
	setint(s, IPPROTO_TCP, TCP_KEEPCNT, 8);
	setint(s, IPPROTO_IP, IP_FREEBIND, 1);
	tos_prio(s, 0x30, 1);

	/* 7114: an IPv6 pair, the client bound to lo. */
	fd = tcp("::1");
	setint(fd, SOL_SOCKET, SO_SNDBUF, 22000);
	listen_on(fd, "::1", 7114);
	c = tcp("::1");
	bind_to_lo(c);
	setint(c, IPPROTO_IPV6, IPV6_TCLASS, 0x70);
	setint(c, IPPROTO_IP, IP_TRANSPARENT, 1);
	setint(c, IPPROTO_TCP, TCP_KEEPINTVL, 14);
	do_connect(c, "::1", 7114);
	s = accept_one(fd);
	settimeo(s, SO_SNDTIMEO, 4400);
	setint(s, IPPROTO_TCP, TCP_NODELAY, 1);
	setint(s, IPPROTO_IPV6, IPV6_TCLASS, 0x20);
	congestion(s, "reno");

	/* 7115, 7116: a connection left in the accept queue: the child has
	 * the listener's options, no file and no holder. */
	for (i = 0; i < 2; i++) {
		const char *a = i ? "::1" : "127.0.0.1";

		fd = tcp(a);
		setint(fd, SOL_SOCKET, SO_RCVBUF, 24000 + 1000 * i);
		setint(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
		setint(fd, IPPROTO_TCP, TCP_KEEPIDLE, 115 + i);
		setint(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 33001 + i);
		setint(fd, SOL_SOCKET, SO_MARK, 0x115 + i);
		setlinger(fd, 4 + i);
		congestion(fd, "reno");
		listen_on(fd, a, 7115 + i);
		c = tcp(a);
		setint(c, IPPROTO_TCP, TCP_NODELAY, 1);
		setint(c, SOL_SOCKET, SO_SNDBUF, 12000 + 1000 * i);
		do_connect(c, a, 7115 + i);
	}

	/* 7117, 7118: TCP buffers at exactly the new-socket default, at half. */
	for (i = 0; i < 2; i++) {
		fd = tcp("127.0.0.1");
		setint(fd, SOL_SOCKET, SO_RCVBUF, tcp_rmem / (2 << i));
		setint(fd, SOL_SOCKET, SO_SNDBUF, tcp_wmem / (2 << i));
		listen_on(fd, "127.0.0.1", 7117 + i);
	}

	/* 7119-7121: UDP buffers at exactly the default, at half, exactly. */
	for (i = 0; i < 3; i++) {
		const char *a = i ? "::1" : "127.0.0.1";
		int half = i == 1;

		fd = udp(a);
		setint(fd, SOL_SOCKET, SO_RCVBUF, rmem / (2 << half));
		setint(fd, SOL_SOCKET, SO_SNDBUF, wmem / (2 << half));
		do_bind(fd, a, 7119 + i);
	}

	/* 7122: the extras on UDP over IPv4. */
	fd = udp("127.0.0.1");
	setint(fd, SOL_SOCKET, SO_MARK, 0x122);
	tos_prio(fd, 0x38, 4);
	setint(fd, IPPROTO_IP, IP_FREEBIND, 1);
	bind_to_lo(fd);
	setint(fd, SOL_SOCKET, SO_BROADCAST, 1);
	settimeo(fd, SO_RCVTIMEO, 1700);
	do_bind(fd, "127.0.0.1", 7122);

	/* 7123, 7124: UDP on ::, IPv6 only and dual-stack. */
	fd = udp("::");
	setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	setint(fd, IPPROTO_IPV6, IPV6_TCLASS, 0x88);
	setint(fd, IPPROTO_IP, IP_TRANSPARENT, 1);
	setint(fd, SOL_SOCKET, SO_MARK, 0x123);
	settimeo(fd, SO_SNDTIMEO, 900);
	do_bind(fd, "::", 7123);
	fd = udp("::");
	setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
	setint(fd, SOL_SOCKET, SO_BROADCAST, 1);
	setint(fd, SOL_SOCKET, SO_PRIORITY, 6);
	do_bind(fd, "::", 7124);

	/* 7125, 7126: UDP SO_REUSEPORT siblings over both families. */
	for (i = 0; i < 3; i++) {
		fd = udp("127.0.0.1");
		setint(fd, SOL_SOCKET, SO_REUSEPORT, 1);
		setint(fd, SOL_SOCKET, SO_MARK, 0x1250 + i);
		tos_prio(fd, 0x08 * (i + 1), i + 1);
		setint(fd, SOL_SOCKET, SO_SNDBUF, 7000 + 1000 * i);
		setint(fd, SOL_SOCKET, SO_BROADCAST, i == 2);
		do_bind(fd, "127.0.0.1", 7125);
	}
	for (i = 0; i < 2; i++) {
		fd = udp("::1");
		setint(fd, SOL_SOCKET, SO_REUSEPORT, 1);
		setint(fd, IPPROTO_IPV6, IPV6_TCLASS, 0x40 + 0x20 * i);
		setint(fd, SOL_SOCKET, SO_RCVBUF, 11000 + 2000 * i);
		do_bind(fd, "::1", 7126);
	}

	/* 7127: TCP6 SO_REUSEPORT siblings, reno on one, different marks. */
	for (i = 0; i < 2; i++) {
		fd = tcp("::1");
		setint(fd, SOL_SOCKET, SO_REUSEPORT, 1);
		setint(fd, SOL_SOCKET, SO_MARK, 0x1270 + i);
		if (i)
			congestion(fd, "reno");
		setint(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 60001 + i);
		setint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 8000 + 1000 * i);
		listen_on(fd, "::1", 7127);
	}
}

static int hold(void)
{
	static char buf[65536];
	int l4, c4, s4, l6, c6, s6, d6, z, cz, sz, u4, u6, i, flags;
	int r6[3], r4[3], ur[2];
	pid_t child;

	lo_up(200);

	/* An IPv4 listener with every option of the module's TCP set, and a
	 * connection to it (the accepted socket inherits most of them). */
	l4 = tcp("127.0.0.1");
	setint(l4, SOL_SOCKET, SO_REUSEADDR, 1);
	setint(l4, SOL_SOCKET, SO_KEEPALIVE, 1);
	setint(l4, IPPROTO_TCP, TCP_KEEPIDLE, 75);
	setint(l4, IPPROTO_TCP, TCP_KEEPCNT, 4);
	setint(l4, IPPROTO_TCP, TCP_KEEPINTVL, 13);
	setint(l4, IPPROTO_TCP, TCP_USER_TIMEOUT, 12345);
	setint(l4, SOL_SOCKET, SO_RCVBUF, 60000);
	setint(l4, SOL_SOCKET, SO_SNDBUF, 32768);
	settimeo(l4, SO_RCVTIMEO, 1500);
	settimeo(l4, SO_SNDTIMEO, 2500);
	setlinger(l4, 7);
	setint(l4, IPPROTO_TCP, TCP_NODELAY, 1);
	setint(l4, IPPROTO_TCP, TCP_FASTOPEN, 5);
	listen_on(l4, "127.0.0.1", 7101);
	c4 = tcp("127.0.0.1");
	setint(c4, IPPROTO_TCP, TCP_NODELAY, 1);
	setint(c4, SOL_SOCKET, SO_KEEPALIVE, 1);
	setint(c4, IPPROTO_TCP, TCP_KEEPCNT, 6);
	do_connect(c4, "127.0.0.1", 7101);
	s4 = accept_one(l4);

	/* IPv6: a listener, a connection with linger and timeouts. */
	l6 = tcp("::1");
	setint(l6, SOL_SOCKET, SO_SNDBUF, 16384);
	setint(l6, IPPROTO_TCP, TCP_KEEPINTVL, 21);
	listen_on(l6, "::1", 7102);
	c6 = tcp("::1");
	setlinger(c6, 3);
	settimeo(c6, SO_RCVTIMEO, 1000);
	setint(c6, SOL_SOCKET, SO_REUSEADDR, 1);
	do_connect(c6, "::1", 7102);
	s6 = accept_one(l6);

	/* A deferring, Fast Open listener with no connection. */
	d6 = tcp("::1");
	setint(d6, IPPROTO_TCP, TCP_DEFER_ACCEPT, 5);
	setint(d6, IPPROTO_TCP, TCP_FASTOPEN, 3);
	setint(d6, IPPROTO_TCP, TCP_USER_TIMEOUT, 4000);
	listen_on(d6, "::1", 7109);

	/* SO_REUSEPORT siblings: identical join keys, different options. */
	for (i = 0; i < 3; i++) {
		r6[i] = tcp("::1");
		setint(r6[i], SOL_SOCKET, SO_REUSEPORT, 1);
		setint(r6[i], SOL_SOCKET, SO_RCVBUF, 10000 * (i + 1));
		setint(r6[i], SOL_SOCKET, SO_KEEPALIVE, i & 1);
		listen_on(r6[i], "::1", 7103);
		r4[i] = tcp("127.0.0.1");
		setint(r4[i], SOL_SOCKET, SO_REUSEPORT, 1);
		setint(r4[i], SOL_SOCKET, SO_SNDBUF, 5000 * (i + 1));
		setint(r4[i], IPPROTO_TCP, TCP_NODELAY, i == 1);
		listen_on(r4[i], "127.0.0.1", 7104);
	}

	/* Zero window: a small receive buffer never read, a small MSS on the
	 * sender, which writes until it cannot. */
	z = tcp("127.0.0.1");
	setint(z, SOL_SOCKET, SO_RCVBUF, 4096);
	listen_on(z, "127.0.0.1", 7105);
	cz = tcp("127.0.0.1");
	setint(cz, IPPROTO_TCP, TCP_MAXSEG, 536);
	do_connect(cz, "127.0.0.1", 7105);
	sz = accept_one(z);
	flags = fcntl(cz, F_GETFL);
	fcntl(cz, F_SETFL, flags | O_NONBLOCK);
	for (i = 0; i < 200; i++) {
		if (write(cz, buf, sizeof(buf)) < 0 && errno == EAGAIN) {
			msleep(20);
			if (write(cz, buf, 1) < 0 && errno == EAGAIN)
				break;
		}
	}

	/* UDP: a bound IPv4 socket, an IPv6 one, two SO_REUSEADDR siblings. */
	u4 = udp("0.0.0.0");
	setint(u4, SOL_SOCKET, SO_BROADCAST, 1);
	setint(u4, SOL_SOCKET, SO_RCVBUF, 8192);
	settimeo(u4, SO_SNDTIMEO, 2000);
	do_bind(u4, "0.0.0.0", 7106);
	u6 = udp("::1");
	setint(u6, SOL_SOCKET, SO_REUSEADDR, 1);
	setlinger(u6, 2);
	do_bind(u6, "::1", 7107);
	for (i = 0; i < 2; i++) {
		ur[i] = udp("127.0.0.1");
		setint(ur[i], SOL_SOCKET, SO_REUSEADDR, 1);
		setint(ur[i], SOL_SOCKET, SO_BROADCAST, i);
		setint(ur[i], SOL_SOCKET, SO_RCVBUF, 6000 + 3000 * i);
		do_bind(ur[i], "127.0.0.1", 7108);
	}

	hold_zoo();

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		other_user();
	}
	/* Let the zero window settle and the other user's listener appear. */
	msleep(1000);
	printf("KHOLD ready %d\n", (int)getpid());
	fflush(stdout);
	(void)c4; (void)s4; (void)c6; (void)s6; (void)sz; (void)u4; (void)u6;
	for (;;)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "hold"))
		return hold();
	if (argc >= 5 && !strcmp(argv[1], "runas")) {
		gid_t gid = (gid_t)atoi(argv[3]);

		if (setgroups(0, NULL) || setgid(gid) || setuid((uid_t)atoi(argv[2])))
			die("runas");
		execv(argv[4], argv + 4);
		die("execv");
	}
	fprintf(stderr, "usage: kholder hold | kholder runas UID GID PROG [ARGS...]\n");
	return 2;
}
