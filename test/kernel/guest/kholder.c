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
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "kholder: %s: %s\n", what, strerror(errno));
	exit(1);
}

#include "guest_sockets.h"

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
