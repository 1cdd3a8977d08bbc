/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Socket helpers shared by the guest programs (ktest.c, kholder.c). Each program
 * defines its own die(), which reports a setup failure its way, before including
 * this file.
 */
#ifndef KNETSTAT_GUEST_SOCKETS_H
#define KNETSTAT_GUEST_SOCKETS_H

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what);

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void setint(int fd, int level, int opt, int val)
{
	if (setsockopt(fd, level, opt, &val, sizeof(val)))
		die("setsockopt");
}

static void settimeo(int fd, int opt, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv)))
		die("setsockopt timeo");
}

static void setlinger(int fd, int secs)
{
	struct linger l = { 1, secs };

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)))
		die("setsockopt linger");
}

static socklen_t mkaddr(struct sockaddr_storage *ss, int family,
			const char *addr, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s->sin_addr);
		return sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s->sin6_addr);
		return sizeof(*s);
	}
}

static int accept_one(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		die("accept");
	return fd;
}

/*
 * Brings up lo in the current network namespace, then waits settle_ms: ::1
 * appears a moment after lo comes up (0 where only IPv4 is used at once).
 */
static void lo_up(int settle_ms)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		die("SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		die("SIOCSIFFLAGS");
	close(fd);
	if (settle_ms)
		msleep(settle_ms);
}

#endif
