/*
 * The floor of a TCP listing: receive the netlink sock_diag dump of every TCP
 * socket with the same attributes listSockets asks for, and do nothing with it but
 * count the messages.
 *
 * usage: floor                 IPv4 then IPv6: two requests, two walks of the tables
 *        floor --one-walk      both families in one request (TCPDIAG_GETSOCK), as knetstat does
 *        floor --port N        one walk, only sockets whose local port is N (kernel bytecode filter)
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define EXTENSIONS ((1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1)) | (1 << (INET_DIAG_TOS - 1)) | \
		    (1 << (INET_DIAG_TCLASS - 1)) | (1 << (INET_DIAG_SKMEMINFO - 1)))

static long receive(int fd)
{
	static char buf[65536];
	long count = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return count;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			count++;
		}
	}
}

static long dump(int fd, int family)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = ~0U;
	msg.req.idiag_ext = EXTENSIONS;
	if (send(fd, &msg, sizeof(msg), 0) < 0)
		return -1;
	return receive(fd);
}

/* Both families in one walk; with port >= 0, a bytecode filter on the local port. */
static long dump_one_walk(int fd, int port)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req req;
		struct nlattr attr;
		struct inet_diag_bc_op op[2];
	} msg;
	size_t len = sizeof(struct nlmsghdr) + sizeof(struct inet_diag_req);

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_type = TCPDIAG_GETSOCK;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.idiag_family = AF_INET;
	msg.req.idiag_states = ~0U;
	msg.req.idiag_ext = EXTENSIONS;
	if (port >= 0) {
		msg.attr.nla_len = sizeof(msg.attr) + sizeof(msg.op);
		msg.attr.nla_type = INET_DIAG_REQ_BYTECODE;
		msg.op[0].code = INET_DIAG_BC_S_EQ;
		msg.op[0].yes = sizeof(msg.op);
		msg.op[0].no = sizeof(msg.op) + 4;
		msg.op[1].no = port;
		len += sizeof(msg.attr) + sizeof(msg.op);
	}
	msg.nlh.nlmsg_len = len;
	if (send(fd, &msg, len, 0) < 0)
		return -1;
	return receive(fd);
}

int main(int argc, char **argv)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	int rcvbuf = 1 << 20;
	long count;

	if (fd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (argc > 1 && strcmp(argv[1], "--one-walk") == 0) {
		count = dump_one_walk(fd, -1);
	} else if (argc > 2 && strcmp(argv[1], "--port") == 0) {
		count = dump_one_walk(fd, atoi(argv[2]));
	} else {
		long v4 = dump(fd, AF_INET);
		long v6 = v4 < 0 ? -1 : dump(fd, AF_INET6);
		count = v4 < 0 || v6 < 0 ? -1 : v4 + v6;
	}
	if (count < 0) {
		perror("dump");
		return 1;
	}
	printf("%ld\n", count);
	return 0;
}
