// SPDX-License-Identifier: GPL-2.0
/*
 * ktest: the in-guest half of the knetstat kernel module test.
 *
 * Runs inside a qemu guest (as /init's child) with knetstat.ko loaded. It
 * opens real sockets, sets real options with setsockopt(), reads
 * /proc/net/{tcp,tcp6,udp,udp6}stat and checks every line against the
 * kernel's own /proc/net/{tcp,tcp6,udp,udp6} and against the values it set.
 *
 * Output: one line per check, "KTEST ok NAME" or "KTEST not ok NAME: WHY".
 *
 *   ktest check          the static checks
 *   ktest churn SECONDS  read the four files while connections churn
 *   ktest perf SOCKETS   time reading tcpstat against tcp with that many
 *                        established sockets
 *   ktest bucket UDP TCP the one-bucket stress: UDP sockets on one port and
 *                        SO_REUSEPORT listeners on one address and port; the
 *                        slowest read() of udpstat and tcpstat against udp
 *                        and tcp
 *   ktest bpfiter        whether this kernel runs BPF socket iterators as
 *                        root, as the library's bpf options source needs:
 *                        /sys/kernel/btf/vmlinux names bpf_iter_tcp and
 *                        bpf_iter_udp, and a program on each loads, attaches
 *                        and is read to the end
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures, passes;

static void result(int ok, const char *name, const char *fmt, ...)
{
	char why[4096] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	if (ok) {
		passes++;
		printf("KTEST ok %s\n", name);
	} else {
		failures++;
		printf("KTEST not ok %s: %s\n", name, why);
	}
	fflush(stdout);
}

static void count_results(void);

static void die(const char *what)
{
	printf("KTEST not ok setup: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(2);
}

#include "guest_sockets.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- files --------------------------------------------------------------- */

/*
 * Read an open file to its end with reads of at most chunk bytes. NULL with
 * errno set on a read error; the file stays open.
 */
static char *slurp_fd(int fd, size_t chunk)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		die("malloc");
	for (;;) {
		ssize_t n;

		if (len + chunk > cap) {
			cap = (cap + chunk) * 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				die("realloc");
		}
		n = read(fd, buf + len, chunk);
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = 0;
	return buf;
}

/* Read a whole file with reads of at most chunk bytes; NULL with errno. */
static char *slurp(const char *path, size_t chunk)
{
	int fd = open(path, O_RDONLY);
	char *buf;
	int e;

	if (fd < 0)
		return NULL;
	buf = slurp_fd(fd, chunk);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

struct lines {
	char **v;
	int n;
};

static struct lines split(char *text)
{
	struct lines l = { NULL, 0 };
	int cap = 0;
	char *p = text;

	while (p && *p) {
		char *nl = strchr(p, '\n');

		if (l.n == cap) {
			cap = cap ? cap * 2 : 64;
			l.v = realloc(l.v, cap * sizeof(*l.v));
		}
		l.v[l.n++] = p;
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	return l;
}

/* ---- the kernel's own /proc/net files ------------------------------------ */

struct entry {
	char local[64];
	char remote[64];
	unsigned int state;
	unsigned long txq, rxq;
	unsigned int uid;
};

static void fmt_endpoint(char *out, size_t sz, int family, const void *addr,
			 unsigned int port)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, a, sizeof(a));
	if (port)
		snprintf(out, sz, "%s:%u", a, port);
	else
		snprintf(out, sz, "%s:*", a);
}

static int parse_hex_endpoint(const char *s, int family, char *out, size_t sz)
{
	unsigned int port;

	if (family == AF_INET) {
		unsigned int a;
		struct in_addr in;

		if (sscanf(s, "%8X:%4X", &a, &port) != 2)
			return -1;
		in.s_addr = a;
		fmt_endpoint(out, sz, AF_INET, &in, port);
	} else {
		struct in6_addr in6;
		char w[9];
		int i;

		for (i = 0; i < 4; i++) {
			memcpy(w, s + 8 * i, 8);
			w[8] = 0;
			in6.s6_addr32[i] = (uint32_t)strtoul(w, NULL, 16);
		}
		if (s[32] != ':' || sscanf(s + 33, "%4X", &port) != 1)
			return -1;
		fmt_endpoint(out, sz, AF_INET6, &in6, port);
	}
	return 0;
}

/* One line of /proc/net/{tcp,udp}{,6}. */
static int parse_proc_line(const char *line, int family, struct entry *e)
{
	char local[64], remote[64];

	if (sscanf(line, " %*d: %63s %63s %X %lX:%lX %*X:%*X %*X %u", local,
		   remote, &e->state, &e->txq, &e->rxq, &e->uid) != 6)
		return -1;
	if (parse_hex_endpoint(local, family, e->local, sizeof(e->local)) ||
	    parse_hex_endpoint(remote, family, e->remote, sizeof(e->remote)))
		return -1;
	return 0;
}

/* ---- the knetstat text format -------------------------------------------- */

static const char *const state_codes[] = {
	"UNKN", "ESTB", "SYNS", "SYNR", "FNW1", "FNW2", "TIMW", "CLSD", "CLSW",
	"LACK", "LSTN", "CLSG", "SYNR", "BNDI",
};

static const char *const tcp_opts[] = {
	"SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE", "TCP_KEEPIDLE",
	"TCP_KEEPCNT", "TCP_KEEPINTVL", "TCP_USER_TIMEOUT", "SO_RCVBUF",
	"SO_SNDBUF", "SO_RCVTIMEO", "SO_SNDTIMEO", "SO_LINGER", "TCP_NODELAY",
	"TCP_FASTOPEN", "TCP_DEFER_ACCEPT", NULL,
};

static const char *const udp_opts[] = {
	"SO_REUSEADDR", "SO_REUSEPORT", "SO_RCVBUF", "SO_SNDBUF", "SO_RCVTIMEO",
	"SO_SNDTIMEO", "SO_LINGER", "SO_BROADCAST", NULL,
};

#define TCP_HEADER "Recv-Q Send-Q Local Address           Foreign Address         Stat Diag Options"
#define UDP_HEADER "Recv-Q Send-Q Local Address           Foreign Address         Options"

struct kline {
	unsigned long recvq, sendq;
	char local[64], remote[64];
	char state[5];
	char diag[5];
	const char *options;	/* NULL: no full socket (TIME_WAIT, request) */
};

static int is_always(const char *name, int tcp, int listen)
{
	static const char *const t[] = { "SO_REUSEADDR", "SO_REUSEPORT",
		"SO_KEEPALIVE", "TCP_NODELAY", "TCP_DEFER_ACCEPT", NULL };
	static const char *const u[] = { "SO_REUSEADDR", "SO_REUSEPORT",
		"SO_BROADCAST", NULL };
	const char *const *p;

	if (tcp && listen && !strcmp(name, "TCP_FASTOPEN"))
		return 1;
	for (p = tcp ? t : u; *p; p++)
		if (!strcmp(*p, name))
			return 1;
	return 0;
}

/* Validate an options field strictly: names, order, value syntax. */
static int check_options(const char *opts, int tcp, int listen, char *why,
			 size_t wsz)
{
	const char *const *names = tcp ? tcp_opts : udp_opts;
	char seen[32] = { 0 };
	const char *p = opts;
	int last = -1, i;

	if (!*p) {
		snprintf(why, wsz, "empty options");
		return -1;
	}
	while (*p) {
		const char *eq = strchr(p, '='), *v, *end;
		size_t nlen;
		int idx = -1;

		if (!eq) {
			snprintf(why, wsz, "option without '=' at \"%s\"", p);
			return -1;
		}
		nlen = eq - p;
		for (i = 0; names[i]; i++)
			if (strlen(names[i]) == nlen && !strncmp(names[i], p, nlen))
				idx = i;
		if (idx < 0) {
			snprintf(why, wsz, "unknown option \"%.*s\"", (int)nlen, p);
			return -1;
		}
		if (idx <= last) {
			snprintf(why, wsz, "option %s out of order", names[idx]);
			return -1;
		}
		last = idx;
		seen[idx] = 1;
		v = eq + 1;
		end = v;
		while (*end >= '0' && *end <= '9')
			end++;
		if (end == v || (end - v > 1 && *v == '0')) {
			snprintf(why, wsz, "bad number for %s", names[idx]);
			return -1;
		}
		if (!strcmp(names[idx], "SO_RCVTIMEO") ||
		    !strcmp(names[idx], "SO_SNDTIMEO")) {
			if (strncmp(end, "ms", 2)) {
				snprintf(why, wsz, "%s without ms", names[idx]);
				return -1;
			}
			end += 2;
		} else if (!strcmp(names[idx], "SO_LINGER")) {
			if (*end != 's') {
				snprintf(why, wsz, "SO_LINGER without s");
				return -1;
			}
			end++;
		} else if (is_always(names[idx], tcp, listen) &&
			   strcmp(names[idx], "TCP_DEFER_ACCEPT") &&
			   strcmp(names[idx], "TCP_FASTOPEN") &&
			   (end - v != 1 || *v > '1')) {
			snprintf(why, wsz, "%s not 0/1", names[idx]);
			return -1;
		}
		if (*end == ',' && end[1]) {
			p = end + 1;
		} else if (*end == 0) {
			p = end;
		} else {
			snprintf(why, wsz, "junk after %s", names[idx]);
			return -1;
		}
	}
	for (i = 0; names[i]; i++) {
		if (!seen[i] && is_always(names[i], tcp, listen)) {
			snprintf(why, wsz, "%s missing", names[i]);
			return -1;
		}
		if (seen[i] && !strcmp(names[i], "TCP_FASTOPEN") && !listen) {
			snprintf(why, wsz, "TCP_FASTOPEN on a non-listener");
			return -1;
		}
	}
	return 0;
}

/*
 * Whether this process may see every socket's options (root, or
 * CAP_SYS_PTRACE): then a full socket's line without options is malformed.
 * A reader that may not ends the lines of others' sockets after the state
 * and diag (TCP) or after the foreign address (UDP).
 */
static int reader_sees_all = 1;

static int is_minisocket_state(const char *state)
{
	return !strcmp(state, "TIMW") || !strcmp(state, "SYNR") ||
	       !strcmp(state, "FNW2");
}

static int is_diag_code(const char *d)
{
	return !strcmp(d, ">|<") || !strcmp(d, ">|") || !strcmp(d, "|<") ||
	       !strcmp(d, ">#");
}

/* Parse and strictly validate one knetstat line. */
static int parse_kline(const char *line, int tcp, struct kline *k, char *why,
		       size_t wsz)
{
	const char *p = line;
	int field;

	memset(k, 0, sizeof(*k));
	/* "%6u ": right-aligned in 6 columns; a larger number is wider. */
	for (field = 0; field < 2; field++) {
		const char *d = p;
		unsigned long v;
		char *end;

		while (*d == ' ')
			d++;
		v = strtoul(d, &end, 10);
		if (*d < '0' || *d > '9' || *end != ' ' ||
		    (end - p < 6) || (end - p > 6 && d != p) ||
		    (end - d > 1 && *d == '0')) {
			snprintf(why, wsz, "queue column %d malformed", field);
			return -1;
		}
		if (field == 0)
			k->recvq = v;
		else
			k->sendq = v;
		p = end + 1;
	}
	for (field = 0; field < 2; field++) {
		const char *sp = strchr(p, ' ');
		size_t len, pad;
		char *dst = field ? k->remote : k->local;

		if (!sp && field == 1 && !tcp && *p && strlen(p) < 64) {
			/* A UDP line without options ends here. */
			strcpy(dst, p);
			if (!strchr(dst, ':')) {
				snprintf(why, wsz, "address 1 without port");
				return -1;
			}
			if (reader_sees_all) {
				snprintf(why, wsz, "UDP line without options");
				return -1;
			}
			k->options = NULL;
			return 0;
		}
		if (!sp || sp == p || sp - p >= 64) {
			snprintf(why, wsz, "address %d malformed", field);
			return -1;
		}
		len = sp - p;
		memcpy(dst, p, len);
		dst[len] = 0;
		if (!strchr(dst, ':')) {
			snprintf(why, wsz, "address %d without port", field);
			return -1;
		}
		pad = len < 23 ? 23 - len + 1 : 1;
		if (strspn(sp, " ") < pad) {
			snprintf(why, wsz, "address %d padding short", field);
			return -1;
		}
		p = sp + pad;
		if (*p == ' ') {
			snprintf(why, wsz, "address %d padding long", field);
			return -1;
		}
	}
	if (!tcp) {
		k->options = p;
		return check_options(p, 0, 0, why, wsz);
	}
	if (strlen(p) < 4) {
		snprintf(why, wsz, "state missing");
		return -1;
	}
	memcpy(k->state, p, 4);
	p += 4;
	if (*p == 0) {
		if (reader_sees_all && !is_minisocket_state(k->state)) {
			snprintf(why, wsz, "state %s without options", k->state);
			return -1;
		}
		return 0;
	}
	if (*p == ' ' && strlen(p) >= 2 && strlen(p) <= 4 && !strchr(p + 1, ' ')) {
		/* Options hidden: the line ends after the diag flags. */
		strcpy(k->diag, p + 1);
		if (!is_diag_code(k->diag)) {
			snprintf(why, wsz, "unknown diag \"%s\" ending the line",
				 k->diag);
			return -1;
		}
		if (strcmp(k->state, "ESTB")) {
			snprintf(why, wsz, "diag on a non-ESTB socket");
			return -1;
		}
		if (reader_sees_all) {
			snprintf(why, wsz, "ESTB %s without options", k->diag);
			return -1;
		}
		return 0;
	}
	if (*p != ' ' || strlen(p) < 7 || p[5] != ' ') {
		snprintf(why, wsz, "diag column malformed");
		return -1;
	}
	memcpy(k->diag, p + 1, 4);
	{
		int i = 3;

		while (i >= 0 && k->diag[i] == ' ')
			k->diag[i--] = 0;
	}
	if (k->diag[0] && !is_diag_code(k->diag)) {
		snprintf(why, wsz, "unknown diag \"%s\"", k->diag);
		return -1;
	}
	if (k->diag[0] && strcmp(k->state, "ESTB")) {
		snprintf(why, wsz, "diag on a non-ESTB socket");
		return -1;
	}
	k->options = p + 6;
	return check_options(k->options, 1, !strcmp(k->state, "LSTN"), why,
			     wsz);
}

/* ---- sockets ------------------------------------------------------------- */

static int sock_bind(int family, int type, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, family, addr, port);
	int fd = socket(family, type, 0);

	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	return fd;
}

static int do_connect(int fd, int family, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, family, addr, port);

	return connect(fd, (struct sockaddr *)&ss, len);
}

static int tcp_client(int family, const char *addr, int port)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (do_connect(fd, family, addr, port))
		die("connect");
	return fd;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* ---- comparing the module's files with the kernel's ---------------------- */

struct file_pair {
	const char *name;	/* tcp, tcp6, udp, udp6 */
	int family;
	int tcp;
};

static const struct file_pair files[] = {
	{ "tcp", AF_INET, 1 }, { "tcp6", AF_INET6, 1 },
	{ "udp", AF_INET, 0 }, { "udp6", AF_INET6, 0 },
};

struct snapshot {
	char *text;
	struct lines lines;
	struct kline *k;
	long *uid;	/* per line, from the kernel's file; -1 unknown */
};

/*
 * Read both files, compare them line by line; returns the parsed module
 * lines. Sockets that come or go between the two reads (a TIME_WAIT that
 * expires) make them differ: then both are read again, up to three times.
 * A malformed line is never retried away.
 */
static int compare_with_kernel(const char *procdir, const struct file_pair *f,
			       struct snapshot *snap, const char *tag)
{
	char path[128], name[160], why[512];
	char *ptext, *ktext;
	struct lines pl, kl;
	int i, bad, malformed, attempt;

	for (attempt = 1;; attempt++) {
		int last = attempt == 3;

		bad = malformed = 0;
		snprintf(path, sizeof(path), "%s/%s", procdir, f->name);
		ptext = slurp(path, 1 << 16);
		snprintf(path, sizeof(path), "%s/%sstat", procdir, f->name);
		ktext = slurp(path, 1 << 16);
		snprintf(name, sizeof(name), "%s%sstat-readable", tag, f->name);
		if (!ptext || !ktext) {
			result(0, name, "cannot read %s", path);
			return -1;
		}
		pl = split(ptext);
		kl = split(strdup(ktext));
		snap->k = calloc(kl.n + 1, sizeof(*snap->k));
		snap->uid = calloc(kl.n + 1, sizeof(*snap->uid));
		for (i = 0; i <= kl.n; i++)
			snap->uid[i] = -1;
		for (i = 1; i < kl.n && i < pl.n; i++) {
			struct entry e;
			struct kline *k = &snap->k[i];

			if (parse_kline(kl.v[i], f->tcp, k, why, sizeof(why))) {
				if (malformed++ < 5)
					printf("  %sstat line %d: %s: \"%s\"\n",
					       f->name, i, why, kl.v[i]);
				continue;
			}
			if (parse_proc_line(pl.v[i], f->family, &e)) {
				if (malformed++ < 5)
					printf("  %s line %d unparsable: \"%s\"\n",
					       f->name, i, pl.v[i]);
				continue;
			}
			snap->uid[i] = e.uid;
			if (strcmp(k->local, e.local) ||
			    strcmp(k->remote, e.remote) ||
			    k->recvq != e.rxq || k->sendq != e.txq ||
			    (f->tcp && strcmp(k->state,
					      state_codes[e.state < 14 ?
							  e.state : 0]))) {
				if (last && bad < 5)
					printf("  %sstat line %d \"%s\" differs from %s: %s %s st=%u rx=%lu tx=%lu\n",
					       f->name, i, kl.v[i], f->name,
					       e.local, e.remote, e.state,
					       e.rxq, e.txq);
				bad++;
			}
		}
		if (last || malformed || (!bad && kl.n == pl.n))
			break;
		free(ptext);
		free(ktext);
		if (kl.n)
			free(kl.v[0]);
		free(kl.v);
		free(pl.v);
		free(snap->k);
		free(snap->uid);
		msleep(50);
	}
	if (attempt > 1)
		printf("  %s%sstat: read %d times (sockets came or went)\n", tag,
		       f->name, attempt);
	snprintf(name, sizeof(name), "%s%sstat-readable", tag, f->name);
	result(1, name, NULL);
	snprintf(name, sizeof(name), "%s%sstat-header", tag, f->name);
	result(kl.n > 0 && !strcmp(kl.v[0], f->tcp ? TCP_HEADER : UDP_HEADER),
	       name, "header is \"%s\"", kl.n ? kl.v[0] : "");
	snprintf(name, sizeof(name), "%s%sstat-line-count", tag, f->name);
	result(kl.n == pl.n, name, "%d lines in %sstat, %d in %s", kl.n - 1,
	       f->name, pl.n - 1, f->name);
	snprintf(name, sizeof(name), "%s%sstat-lines-match-%s", tag, f->name,
		 f->name);
	result(!bad && !malformed, name, "%d lines differ, %d are malformed",
	       bad, malformed);
	snap->text = ktext;
	snap->lines = kl;
	free(ptext);
	return 0;
}

/* The line whose local and remote endpoints are these, or NULL. */
static const char *find_line(struct snapshot *s, const char *local,
			     const char *remote, struct kline **kp)
{
	int i;

	for (i = 1; i < s->lines.n; i++) {
		if (!s->k || !s->k[i].local[0])
			continue;
		if (!strcmp(s->k[i].local, local) &&
		    (!remote || !strcmp(s->k[i].remote, remote))) {
			if (kp)
				*kp = &s->k[i];
			return s->lines.v[i];
		}
	}
	return NULL;
}

static void expect_line(struct snapshot *s, const char *name,
			const char *expected)
{
	int i;

	for (i = 1; i < s->lines.n; i++)
		if (!strcmp(s->lines.v[i], expected))
			break;
	result(i < s->lines.n, name, "no line is exactly\n    \"%s\"",
	       expected);
}

static void expect_endpoints(struct snapshot *s, const char *name,
			     const char *local, const char *remote,
			     const char *expected)
{
	const char *got = find_line(s, local, remote, NULL);

	result(got && !strcmp(got, expected), name,
	       "want \"%s\"\n    got  \"%s\"", expected, got ? got : "(none)");
}

static char *line_fmt(char *buf, size_t sz, unsigned long rq, unsigned long sq,
		      const char *local, const char *remote, const char *rest)
{
	snprintf(buf, sz, "%6lu %6lu %-23s %-23s %s", rq, sq, local, remote,
		 rest);
	return buf;
}

static char *ep(char *buf, const char *addr, int port)
{
	if (port)
		sprintf(buf, "%s:%d", addr, port);
	else
		sprintf(buf, "%s:*", addr);
	return buf;
}

/* ---- the static checks --------------------------------------------------- */

#define P_LISTEN4	6010
#define P_DEFER4	6011
#define P_ZERO4		6012
#define P_STALL4	6013
#define P_TW4		6014
#define P_LISTEN6	6020
#define P_DEFER6	6021
#define P_TW6		6022
#define P_MAPPED	6023
#define P_REUSE6	6024
#define P_LONG6		6025
#define LONG6		"2001:db8:1:2:3:4:5:6"
#define P_BULK4		6030
#define P_BULK6		6031
#define P_NETNS		6040
#define U_BOUND4	7010
#define U_CONN4		7011
#define U_BOUND6	7020
#define U_CONN6		7021

#define N_REUSE6	120
#define N_BULK		40

static void check_files_mode(const char *procdir, const char *tag)
{
	const char *names[] = { "tcpstat", "tcp6stat", "udpstat", "udp6stat" };
	char path[128], name[128];
	struct stat st;
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", procdir, names[i]);
		snprintf(name, sizeof(name), "%s%s-mode-0444", tag, names[i]);
		if (stat(path, &st)) {
			result(0, name, "stat %s: %s", path, strerror(errno));
			continue;
		}
		result((st.st_mode & 07777) == 0444, name, "mode is %o",
		       st.st_mode & 07777);
	}
}

/* Reading in small pieces must give the same text as one big read. */
static void check_chunked_reads(void)
{
	static const size_t chunks[] = { 1, 7, 100, 4095, 4097 };
	const char *names[] = { "tcpstat", "tcp6stat", "udpstat", "udp6stat" };
	char path[128], name[128];
	int i, c;

	for (i = 0; i < 4; i++) {
		char *whole;

		snprintf(path, sizeof(path), "/proc/net/%s", names[i]);
		whole = slurp(path, 1 << 20);
		for (c = 0; c < 5; c++) {
			char *part = slurp(path, chunks[c]);

			snprintf(name, sizeof(name), "%s-read-by-%zu-bytes",
				 names[i], chunks[c]);
			result(whole && part && !strcmp(whole, part), name,
			       "%zu bytes in one read, %zu in reads of %zu",
			       whole ? strlen(whole) : 0,
			       part ? strlen(part) : 0, chunks[c]);
			free(part);
		}
		snprintf(name, sizeof(name), "%s-larger-than-a-page", names[i]);
		if (i < 2)
			result(whole && strlen(whole) > 8192, name,
			       "only %zu bytes", whole ? strlen(whole) : 0);
		free(whole);
	}
}

static void check_netns(void)
{
	int to_child[2], to_parent[2];
	char c, name[64], l[64];
	pid_t pid;

	if (pipe(to_child) || pipe(to_parent))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		struct snapshot s4 = { 0 }, su = { 0 };
		int lfd, ufd, i, leaked = 0;

		passes = failures = 0;	/* the child counts its own */
		if (unshare(CLONE_NEWNET))
			die("unshare(CLONE_NEWNET)");
		lo_up(100);
		lfd = sock_bind(AF_INET, SOCK_STREAM, "127.0.0.1", P_NETNS);
		if (listen(lfd, 5))
			die("listen");
		ufd = sock_bind(AF_INET, SOCK_DGRAM, "127.0.0.1", P_NETNS);
		check_files_mode("/proc/self/net", "netns-");
		compare_with_kernel("/proc/self/net", &files[0], &s4, "netns-");
		compare_with_kernel("/proc/self/net", &files[2], &su, "netns-");
		ep(l, "127.0.0.1", P_NETNS);
		result(find_line(&s4, l, NULL, NULL) != NULL,
		       "netns-listener-shown-in-its-namespace", "no line for %s", l);
		result(find_line(&su, l, NULL, NULL) != NULL,
		       "netns-udp-shown-in-its-namespace", "no line for %s", l);
		for (i = 1; i < s4.lines.n; i++)
			if (strstr(s4.lines.v[i], ":601"))
				leaked++;
		result(s4.lines.n == 2 && !leaked,
		       "netns-tcpstat-shows-only-its-namespace",
		       "%d lines, %d from the initial namespace", s4.lines.n - 1,
		       leaked);
		result(su.lines.n == 2, "netns-udpstat-shows-only-its-namespace",
		       "%d lines", su.lines.n - 1);
		fflush(stdout);
		if (write(to_parent[1], "r", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(3);
		close(lfd);
		close(ufd);
		count_results();
		_exit(failures ? 1 : 0);
	}
	if (read(to_parent[0], &c, 1) != 1) {
		result(0, "netns-child", "child died");
	} else {
		char *t = slurp("/proc/net/tcpstat", 4096);
		char *u = slurp("/proc/net/udpstat", 4096);

		snprintf(name, sizeof(name), ":%d ", P_NETNS);
		result(t && !strstr(t, name),
		       "netns-socket-absent-from-initial-namespace-tcpstat",
		       "%s", "the other namespace's listener shows here");
		result(u && !strstr(u, name),
		       "netns-socket-absent-from-initial-namespace-udpstat",
		       "%s", "the other namespace's socket shows here");
		free(t);
		free(u);
	}
	if (write(to_child[1], "x", 1) != 1)
		die("write");
	{
		int status;

		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failures++;
	}
}

/* ---- who sees options ---------------------------------------------------- */

#define P_NOBODY	6050
#define U_NOBODY	7050
#define P_NS_ROOT	6061
#define P_NS_MAPPED	6062
#define P_NS_OWN	6063
#define NS_UID_BASE	100000
#define NOBODY		65534

/* Set the permitted and effective capabilities to exactly these. */
static void set_caps(uint64_t caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].permitted = d[0].effective = (uint32_t)caps;
	d[1].permitted = d[1].effective = (uint32_t)(caps >> 32);
	if (syscall(SYS_capset, &h, d))
		die("capset");
}

static uint64_t get_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		die("capget");
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

#define CAP(c) (1ULL << (c))

/* Become uid/gid with exactly the capabilities caps. */
static void become(uid_t uid, gid_t gid, uint64_t caps)
{
	if (prctl(PR_SET_KEEPCAPS, 1))
		die("PR_SET_KEEPCAPS");
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		die("setresuid");
	set_caps(caps);
	reader_sees_all = 0;
}

/* A child that reports its own results (counted by its KTEST-COUNT). */
static pid_t fork_checker(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		passes = failures = 0;
	return pid;
}

static void end_checker(void)
{
	count_results();
	_exit(0);
}

static void wait_checker(pid_t pid, const char *name)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	result(WIFEXITED(status) && !WEXITSTATUS(status), name,
	       "the checking process %s %d",
	       WIFEXITED(status) ? "exited" : "was killed by signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static void send_fds(int sock, const int *fds, int n)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))], byte = 'f';
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	if (sendmsg(sock, &mh, 0) != 1)
		die("sendmsg SCM_RIGHTS");
}

/* Receives n descriptors; returns -1 when the peer went away. */
static int recv_fds(int sock, int *fds, int n)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return 0;
}

/* A peer that died shows as a failed check where it matters, not here. */
static void send_byte(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		printf("  sync write failed: %s\n", strerror(errno));
}

static int recv_byte(int fd, char want)
{
	char c;

	return read(fd, &c, 1) == 1 && c == want ? 0 : -1;
}

/* Whether text has a line that is exactly line. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while (p && (p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/* A line as a reader that may not see its options gets it. */
static void hidden_form(char *out, size_t sz, const char *line,
			const struct kline *k)
{
	size_t n = k->options ? (size_t)(k->options - line) : strlen(line);

	if (n >= sz)
		n = sz - 1;
	memcpy(out, line, n);
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = 0;
}

/*
 * Reads the four files (checking every line against the kernel's) and
 * checks, line by line, that options are shown exactly for the sockets this
 * reader may see: its own uid's (the uid column of /proc/net/tcp), or all.
 */
static void check_view(const char *tag, unsigned int my_uid, int sees_all,
		       struct snapshot *snap)
{
	char name[160];
	int f, i;

	for (f = 0; f < 4; f++) {
		int shown = 0, hidden = 0, leaked = 0, missing = 0;
		struct snapshot *s = &snap[f];

		memset(s, 0, sizeof(*s));
		if (compare_with_kernel("/proc/net", &files[f], s, tag))
			continue;
		for (i = 1; i < s->lines.n; i++) {
			struct kline *k = &s->k[i];
			int has = k->options != NULL, may;

			if (!k->local[0] || s->uid[i] < 0)
				continue;
			if (!has && files[f].tcp && is_minisocket_state(k->state))
				continue;
			may = sees_all || s->uid[i] == my_uid;
			if (has && !may) {
				if (leaked++ < 3)
					printf("  %s%sstat: uid %ld's options shown: \"%s\"\n",
					       tag, files[f].name, s->uid[i],
					       s->lines.v[i]);
			} else if (!has && may) {
				if (missing++ < 3)
					printf("  %s%sstat: uid %ld's options missing: \"%s\"\n",
					       tag, files[f].name, s->uid[i],
					       s->lines.v[i]);
			} else if (has) {
				shown++;
			} else {
				hidden++;
			}
		}
		snprintf(name, sizeof(name), "%s%sstat-options-exactly-where-allowed",
			 tag, files[f].name);
		result(!leaked && !missing, name,
		       "%d lines show others' options, %d lack the reader's own (%d shown, %d hidden)",
		       leaked, missing, shown, hidden);
		printf("  %s%sstat: options shown on %d lines, hidden on %d\n",
		       tag, files[f].name, shown, hidden);
	}
}

static char *read_fd_text(int fd)
{
	char *t = slurp_fd(fd, 1 << 16);

	close(fd);
	return t;
}

/* The lines of this reader's view that the checks below look for. */
struct vis_lines {
	char root_l4[1024], root_l4_hidden[1024];	/* root's listener */
	char root_uc4[1024], root_uc4_hidden[1024];	/* root's UDP */
	char nb_l4[1024], nb_l4_hidden[1024];		/* nobody's listener */
	char nb_u4[1024], nb_u4_hidden[1024];		/* nobody's UDP */
};

static void expect_in_view(struct snapshot *snap, const char *tag,
			   const char *what, const char *line)
{
	char name[160];

	snprintf(name, sizeof(name), "%s%s", tag, what);
	expect_line(snap, name, line);
}

static void nobody_sockets(void)
{
	int l, c, u;

	l = sock_bind(AF_INET, SOCK_STREAM, "127.0.0.1", P_NOBODY);
	setint(l, SOL_SOCKET, SO_KEEPALIVE, 1);
	setint(l, IPPROTO_TCP, TCP_KEEPIDLE, 42);
	setint(l, SOL_SOCKET, SO_RCVBUF, 5000);
	if (listen(l, 4))
		die("listen nobody");
	c = tcp_client(AF_INET, "127.0.0.1", P_NOBODY);
	accept_one(l);
	setint(c, IPPROTO_TCP, TCP_NODELAY, 1);
	u = sock_bind(AF_INET, SOCK_DGRAM, "127.0.0.1", U_NOBODY);
	setint(u, SOL_SOCKET, SO_BROADCAST, 1);
}

/* A reader as uid/caps, in a child: the rule over every line, and four lines. */
static void reader_as(const char *tag, uid_t uid, uint64_t caps, int sees_all,
		      const struct vis_lines *v)
{
	struct snapshot snap[4];
	pid_t pid = fork_checker();
	char name[160];

	if (pid == 0) {
		become(uid, uid, caps);
		reader_sees_all = sees_all;
		check_view(tag, uid, sees_all, snap);
		expect_in_view(&snap[0], tag,
			       sees_all || uid == 0 ? "root-listener-options-shown" :
			       "root-listener-options-hidden",
			       sees_all || uid == 0 ? v->root_l4 : v->root_l4_hidden);
		expect_in_view(&snap[2], tag,
			       sees_all || uid == 0 ? "root-udp-options-shown" :
			       "root-udp-options-hidden",
			       sees_all || uid == 0 ? v->root_uc4 : v->root_uc4_hidden);
		expect_in_view(&snap[0], tag,
			       sees_all || uid == NOBODY ? "nobody-listener-options-shown" :
			       "nobody-listener-options-hidden",
			       sees_all || uid == NOBODY ? v->nb_l4 : v->nb_l4_hidden);
		expect_in_view(&snap[2], tag,
			       sees_all || uid == NOBODY ? "nobody-udp-options-shown" :
			       "nobody-udp-options-hidden",
			       sees_all || uid == NOBODY ? v->nb_u4 : v->nb_u4_hidden);
		end_checker();
	}
	snprintf(name, sizeof(name), "%sreader-ran", tag);
	wait_checker(pid, name);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

/*
 * In a user namespace (uids 100000-100001 mapped as 0-1) with its own
 * network namespace: the namespace's root (uid 100000) holds
 * CAP_SYS_PTRACE there. Root of the initial namespace puts two listeners
 * into it, one its own (uid 0, not mapped in the namespace) and one given
 * to uid 100001 (mapped); the namespace's root opens one of its own.
 */
static void check_userns(void)
{
	static const char lsn[] = "LSTN      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=1,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0";
	int to_u[2], from_u[2], to_h[2], from_h[2];
	char path[64], l[64], exp[3][512], hid[3][512];
	pid_t u, h;
	int i;

	for (i = 0; i < 3; i++) {
		static const int ports[] = { P_NS_ROOT, P_NS_MAPPED, P_NS_OWN };

		line_fmt(exp[i], sizeof(exp[i]), 0, 0, ep(l, "0.0.0.0", ports[i]),
			 "0.0.0.0:*", lsn);
		line_fmt(hid[i], sizeof(hid[i]), 0, 0, l, "0.0.0.0:*", "LSTN");
	}
	if (pipe(to_u) || pipe(from_u) || pipe(to_h) || pipe(from_h))
		die("pipe");
	u = fork_checker();
	if (u == 0) {
		struct snapshot t = { 0 };
		int fd;

		if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
			result(0, "userns-unshare", "unshare: %s", strerror(errno));
			send_byte(from_u[1], 'e');
			end_checker();
		}
		send_byte(from_u[1], 'u');
		if (recv_byte(to_u[0], 'm'))	/* the maps are written */
			_exit(3);
		if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
			die("setresuid in the user namespace");
		reader_sees_all = 0;
		fd = sock_bind(AF_INET, SOCK_STREAM, "0.0.0.0", P_NS_OWN);
		setint(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
		if (listen(fd, 4))
			die("listen userns");
		if (recv_byte(to_u[0], 's'))	/* root's sockets are there */
			_exit(3);
		compare_with_kernel("/proc/self/net", &files[0], &t, "userns-");
		expect_line(&t, "userns-own-listener-options-shown", exp[2]);
		expect_line(&t, "userns-mapped-owner-options-shown-with-cap-sys-ptrace",
			    exp[1]);
		expect_line(&t, "userns-unmapped-owner-options-hidden", hid[0]);
		/* Without CAP_SYS_PTRACE in the namespace: only its own. */
		set_caps(get_caps() & ~CAP(CAP_SYS_PTRACE));
		memset(&t, 0, sizeof(t));
		compare_with_kernel("/proc/self/net", &files[0], &t,
				    "userns-no-ptrace-");
		expect_line(&t, "userns-no-ptrace-own-listener-options-shown",
			    exp[2]);
		expect_line(&t, "userns-no-ptrace-mapped-owner-options-hidden",
			    hid[1]);
		expect_line(&t, "userns-no-ptrace-unmapped-owner-options-hidden",
			    hid[0]);
		send_byte(from_u[1], 'd');
		end_checker();
	}
	{
		char c = 0;

		if (read(from_u[0], &c, 1) != 1 || c != 'u') {
			result(c == 'e', "userns-child-ready", "no user namespace");
			wait_checker(u, "userns-reader-ran");
			return;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)u);
	write_file(path, "0 100000 2\n");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)u);
	write_file(path, "0 100000 2\n");
	send_byte(to_u[1], 'm');

	/* Root's two listeners in the namespace, held by a helper. */
	h = fork();
	if (h < 0)
		die("fork");
	if (h == 0) {
		int nfd, a, b;

		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)u);
		nfd = open(path, O_RDONLY);
		if (nfd < 0 || setns(nfd, CLONE_NEWNET))
			die("setns into the user namespace's network namespace");
		a = sock_bind(AF_INET, SOCK_STREAM, "0.0.0.0", P_NS_ROOT);
		setint(a, SOL_SOCKET, SO_KEEPALIVE, 1);
		b = sock_bind(AF_INET, SOCK_STREAM, "0.0.0.0", P_NS_MAPPED);
		setint(b, SOL_SOCKET, SO_KEEPALIVE, 1);
		/* The owner of a socket follows its inode (sockfs_setattr). */
		if (fchown(b, NS_UID_BASE + 1, NS_UID_BASE + 1))
			die("fchown socket");
		if (listen(a, 4) || listen(b, 4))
			die("listen in the namespace");
		send_byte(from_h[1], 's');
		recv_byte(to_h[0], 'q');
		_exit(0);
	}
	if (recv_byte(from_h[0], 's'))
		result(0, "userns-root-sockets", "the helper died");
	send_byte(to_u[1], 's');
	recv_byte(from_u[0], 'd');
	send_byte(to_h[1], 'q');
	waitpid(h, NULL, 0);
	wait_checker(u, "userns-reader-ran");
}

static void check_visibility(void)
{
	struct vis_lines v;
	struct snapshot s[4];
	struct kline *k;
	const char *line;
	char l[64], r[64];
	int sp[2], fds[2];
	pid_t nb;
	char *t, *ut;

	printf("  who sees options\n");
	memset(&v, 0, sizeof(v));
	/* Root's view of its own sockets. */
	memset(s, 0, sizeof(s));
	compare_with_kernel("/proc/net", &files[0], &s[0], "vis-root-");
	compare_with_kernel("/proc/net", &files[2], &s[2], "vis-root-");
	line = find_line(&s[0], ep(l, "127.0.0.1", P_LISTEN4), "0.0.0.0:*", &k);
	if (line) {
		snprintf(v.root_l4, sizeof(v.root_l4), "%s", line);
		hidden_form(v.root_l4_hidden, sizeof(v.root_l4_hidden), line, k);
	}
	line = find_line(&s[2], ep(l, "127.0.0.1", U_CONN4),
			 ep(r, "127.0.0.1", U_BOUND4), &k);
	if (line) {
		snprintf(v.root_uc4, sizeof(v.root_uc4), "%s", line);
		hidden_form(v.root_uc4_hidden, sizeof(v.root_uc4_hidden), line, k);
	}
	result(v.root_l4[0] && v.root_uc4[0], "vis-root-lines-found", "%s",
	       "root's listener or UDP socket is missing");
	line_fmt(v.nb_l4, sizeof(v.nb_l4), 0, 0, ep(l, "127.0.0.1", P_NOBODY),
		 "0.0.0.0:*",
		 "LSTN      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=1,TCP_KEEPIDLE=42,SO_RCVBUF=5000,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0");
	line_fmt(v.nb_l4_hidden, sizeof(v.nb_l4_hidden), 0, 0, l, "0.0.0.0:*",
		 "LSTN");
	line_fmt(v.nb_u4, sizeof(v.nb_u4), 0, 0, ep(l, "127.0.0.1", U_NOBODY),
		 "0.0.0.0:*", "SO_REUSEADDR=0,SO_REUSEPORT=0,SO_BROADCAST=1");
	snprintf(v.nb_u4_hidden, sizeof(v.nb_u4_hidden), "%6d %6d %-23s %s", 0,
		 0, l, "0.0.0.0:*");

	/* nobody (uid 65534, no capabilities) with sockets of its own. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp))
		die("socketpair");
	nb = fork_checker();
	if (nb == 0) {
		struct snapshot n[4];
		int fd, i;

		close(sp[0]);
		become(NOBODY, NOBODY, 0);
		nobody_sockets();
		check_view("nobody-", NOBODY, 0, n);
		expect_in_view(&n[0], "nobody-", "root-listener-options-hidden",
			       v.root_l4_hidden);
		expect_in_view(&n[2], "nobody-", "root-udp-options-hidden",
			       v.root_uc4_hidden);
		expect_in_view(&n[0], "nobody-", "own-listener-options-shown",
			       v.nb_l4);
		expect_in_view(&n[2], "nobody-", "own-udp-options-shown", v.nb_u4);
		/* The diag flags stay: root's zero-window receiver. */
		line = NULL;
		k = NULL;
		ep(l, "127.0.0.1", P_ZERO4);
		for (i = 1; i < n[0].lines.n && !line; i++) {
			if (!strcmp(n[0].k[i].local, l) &&
			    !strcmp(n[0].k[i].state, "ESTB")) {
				line = n[0].lines.v[i];
				k = &n[0].k[i];
			}
		}
		result(line && k && !k->options && !strcmp(k->diag, "|<") &&
		       strlen(line) > 7 &&
		       !strcmp(line + strlen(line) - 7, "ESTB |<"),
		       "nobody-root-zero-window-diag-shown-options-hidden",
		       "line \"%s\"", line ? line : "(none)");
		/* Descriptors opened here, read by root: still nobody's view. */
		fds[0] = open("/proc/net/tcpstat", O_RDONLY);
		fds[1] = open("/proc/net/udpstat", O_RDONLY);
		if (fds[0] < 0 || fds[1] < 0)
			die("open as nobody");
		send_fds(sp[1], fds, 2);
		close(fds[0]);
		close(fds[1]);
		/* A descriptor root opened, read here: root's view. */
		if (recv_fds(sp[1], &fd, 1))
			die("recv_fds");
		t = read_fd_text(fd);
		result(t && has_line(t, v.root_l4),
		       "fd-opened-by-root-read-by-nobody-shows-options",
		       "no line \"%s\"", v.root_l4);
		free(t);
		send_byte(sp[1], 'd');
		recv_byte(sp[1], 'q');	/* keep the sockets until root is done */
		end_checker();
	}
	close(sp[1]);
	if (recv_fds(sp[0], fds, 2)) {
		result(0, "fd-opened-by-nobody-passed-to-root", "%s",
		       "nobody's process sent no descriptors");
	} else {
		int fd;

		t = read_fd_text(fds[0]);
		ut = read_fd_text(fds[1]);
		result(t && has_line(t, v.root_l4_hidden) && !has_line(t, v.root_l4),
		       "fd-opened-by-nobody-read-by-root-hides-tcp-options",
		       "want \"%s\"", v.root_l4_hidden);
		result(ut && has_line(ut, v.root_uc4_hidden) &&
		       !has_line(ut, v.root_uc4),
		       "fd-opened-by-nobody-read-by-root-hides-udp-options",
		       "want \"%s\"", v.root_uc4_hidden);
		result(t && has_line(t, v.nb_l4),
		       "fd-opened-by-nobody-read-by-root-shows-nobodys-options",
		       "want \"%s\"", v.nb_l4);
		free(t);
		free(ut);
		fd = open("/proc/net/tcpstat", O_RDONLY);
		if (fd < 0)
			die("open tcpstat");
		send_fds(sp[0], &fd, 1);
		close(fd);
		recv_byte(sp[0], 'd');

		/* Root (every capability) sees every socket's options. */
		check_view("root-", 0, 1, s);
		expect_in_view(&s[0], "root-", "nobody-listener-options-shown",
			       v.nb_l4);
		expect_in_view(&s[2], "root-", "nobody-udp-options-shown",
			       v.nb_u4);
		/* Root without CAP_SYS_PTRACE: its own sockets only. */
		reader_as("root-no-ptrace-", 0,
			  get_caps() & ~CAP(CAP_SYS_PTRACE), 0, &v);
		/* A non-root user with CAP_SYS_PTRACE: every socket. */
		reader_as("nobody-cap-ptrace-", NOBODY, CAP(CAP_SYS_PTRACE), 1,
			  &v);
		/* CAP_NET_ADMIN is not enough. */
		reader_as("nobody-cap-net-admin-", NOBODY, CAP(CAP_NET_ADMIN), 0,
			  &v);
	}
	send_byte(sp[0], 'q');
	close(sp[0]);
	wait_checker(nb, "nobody-reader-ran");
	check_userns();
}

static int check(void)
{
	struct snapshot snap[4] = { { 0 } };
	char exp[1024], l[64], r[64], opts[512];
	int l4, c4a, c4b, s4a, d4, cd4, cd4b, z4, cz4, sz4, a4, ca4, sa4, t4, ct4, st4;
	int l6, c6, s6, d6, cd6, t6, ct6, st6, m6, cm4, sm6, lg6;
	int u4, uc4, u6, uc6, i, n, flags;
	int reuse[N_REUSE6];
	char buf[65536];
	struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { 1, &drop };
	int ctw4port, ctw6port;

	lo_up(100);

	/* IPv4 listener with every option set. */
	l4 = socket(AF_INET, SOCK_STREAM, 0);
	setint(l4, SOL_SOCKET, SO_REUSEADDR, 1);
	setint(l4, SOL_SOCKET, SO_KEEPALIVE, 1);
	setint(l4, IPPROTO_TCP, TCP_KEEPIDLE, 75);
	setint(l4, IPPROTO_TCP, TCP_KEEPCNT, 4);
	setint(l4, IPPROTO_TCP, TCP_KEEPINTVL, 13);
	setint(l4, IPPROTO_TCP, TCP_USER_TIMEOUT, 12345);
	setint(l4, SOL_SOCKET, SO_RCVBUF, 65536);
	setint(l4, SOL_SOCKET, SO_SNDBUF, 32768);
	settimeo(l4, SO_RCVTIMEO, 1500);
	settimeo(l4, SO_SNDTIMEO, 2500);
	setlinger(l4, 7);
	setint(l4, IPPROTO_TCP, TCP_NODELAY, 1);
	setint(l4, IPPROTO_TCP, TCP_FASTOPEN, 5);
	{
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, AF_INET, "127.0.0.1", P_LISTEN4);

		if (bind(l4, (struct sockaddr *)&ss, len) || listen(l4, 16))
			die("bind/listen l4");
	}
	c4a = socket(AF_INET, SOCK_STREAM, 0);
	setint(c4a, IPPROTO_TCP, TCP_NODELAY, 1);
	if (do_connect(c4a, AF_INET, "127.0.0.1", P_LISTEN4))
		die("connect c4a");
	s4a = accept_one(l4);
	c4b = tcp_client(AF_INET, "127.0.0.1", P_LISTEN4);	/* not accepted */
	memset(buf, 'x', sizeof(buf));
	if (write(c4a, buf, 100) != 100)
		die("write c4a");

	/* IPv4 listener with TCP_DEFER_ACCEPT: a connection without data
	 * stays a request socket (SYN_RECV). */
	d4 = socket(AF_INET, SOCK_STREAM, 0);
	setint(d4, SOL_SOCKET, SO_REUSEPORT, 1);
	setint(d4, IPPROTO_TCP, TCP_DEFER_ACCEPT, 30);
	{
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, AF_INET, "127.0.0.1", P_DEFER4);

		if (bind(d4, (struct sockaddr *)&ss, len) || listen(d4, 16))
			die("bind/listen d4");
	}
	cd4 = tcp_client(AF_INET, "127.0.0.1", P_DEFER4);
	/* With data the connection completes; the child does not inherit
	 * TCP_DEFER_ACCEPT. */
	cd4b = tcp_client(AF_INET, "127.0.0.1", P_DEFER4);
	if (write(cd4b, "hello", 5) != 5)
		die("write cd4b");

	/* Zero window: a small receive buffer never read, a small MSS on the
	 * sender which writes until it cannot. */
	z4 = socket(AF_INET, SOCK_STREAM, 0);
	setint(z4, SOL_SOCKET, SO_RCVBUF, 4096);
	{
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, AF_INET, "127.0.0.1", P_ZERO4);

		if (bind(z4, (struct sockaddr *)&ss, len) || listen(z4, 16))
			die("bind/listen z4");
	}
	cz4 = socket(AF_INET, SOCK_STREAM, 0);
	setint(cz4, IPPROTO_TCP, TCP_MAXSEG, 536);
	if (do_connect(cz4, AF_INET, "127.0.0.1", P_ZERO4))
		die("connect cz4");
	sz4 = accept_one(z4);
	flags = fcntl(cz4, F_GETFL);
	fcntl(cz4, F_SETFL, flags | O_NONBLOCK);
	for (i = 0; i < 200; i++) {
		if (write(cz4, buf, sizeof(buf)) < 0 && errno == EAGAIN) {
			msleep(20);
			if (write(cz4, buf, 1) < 0 && errno == EAGAIN)
				break;
		}
	}

	/* Stalled ACKs: the receiver drops every segment (socket filter). */
	a4 = sock_bind(AF_INET, SOCK_STREAM, "127.0.0.1", P_STALL4);
	if (listen(a4, 16))
		die("listen a4");
	ca4 = tcp_client(AF_INET, "127.0.0.1", P_STALL4);
	sa4 = accept_one(a4);
	if (setsockopt(sa4, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		die("SO_ATTACH_FILTER");
	if (write(ca4, buf, 10) != 10)
		die("write ca4");

	/* TIME_WAIT: the client closes first. */
	t4 = sock_bind(AF_INET, SOCK_STREAM, "127.0.0.1", P_TW4);
	if (listen(t4, 16))
		die("listen t4");
	ct4 = tcp_client(AF_INET, "127.0.0.1", P_TW4);
	ctw4port = local_port(ct4);
	st4 = accept_one(t4);
	close(ct4);
	msleep(50);
	/* The orphaned client waits for the peer's FIN as a timewait socket
	 * in substate FIN_WAIT2: no full socket, state FNW2. */
	{
		char l[64], r[64], exp[256];
		char *t = slurp("/proc/net/tcpstat", 1 << 16);

		const char *at;

		/* Depending on timing the kernel keeps the orphan as a full
		 * socket (then it has options) or as a timewait socket. */
		line_fmt(exp, sizeof(exp), 0, 0, ep(l, "127.0.0.1", ctw4port),
			 ep(r, "127.0.0.1", P_TW4), "FNW2");
		at = t ? strstr(t, exp) : NULL;
		result(at && (at[strlen(exp)] == '\n' ||
			      !strncmp(at + strlen(exp), "      SO_REUSEADDR=", 19)),
		       "tcp4-orphaned-fin-wait2", "no line \"%s\"", exp);
		if (at)
			printf("  orphaned FIN_WAIT2 seen as a %s\n",
			       at[strlen(exp)] == '\n' ? "timewait socket" :
			       "full socket");
		free(t);
	}
	close(st4);

	/* IPv6 listener, connection, deferred request, TIME_WAIT. */
	l6 = socket(AF_INET6, SOCK_STREAM, 0);
	setint(l6, SOL_SOCKET, SO_REUSEPORT, 1);
	setint(l6, SOL_SOCKET, SO_SNDBUF, 16384);
	setint(l6, IPPROTO_TCP, TCP_KEEPCNT, 9);
	setint(l6, IPPROTO_TCP, TCP_NODELAY, 0);
	{
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, AF_INET6, "::1", P_LISTEN6);

		if (bind(l6, (struct sockaddr *)&ss, len) || listen(l6, 16))
			die("bind/listen l6");
	}
	c6 = socket(AF_INET6, SOCK_STREAM, 0);
	setint(c6, SOL_SOCKET, SO_KEEPALIVE, 1);
	setint(c6, IPPROTO_TCP, TCP_USER_TIMEOUT, 3000);
	settimeo(c6, SO_RCVTIMEO, 20);
	if (do_connect(c6, AF_INET6, "::1", P_LISTEN6))
		die("connect c6");
	s6 = accept_one(l6);
	setint(s6, IPPROTO_TCP, TCP_NODELAY, 1);

	d6 = socket(AF_INET6, SOCK_STREAM, 0);
	/* 10 s is stored as 4 retransmissions: reads back as 1+2+4+8 = 15;
	 * the request stays a request socket for at least that long. */
	setint(d6, IPPROTO_TCP, TCP_DEFER_ACCEPT, 10);
	{
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, AF_INET6, "::1", P_DEFER6);

		if (bind(d6, (struct sockaddr *)&ss, len) || listen(d6, 16))
			die("bind/listen d6");
	}
	cd6 = tcp_client(AF_INET6, "::1", P_DEFER6);

	t6 = sock_bind(AF_INET6, SOCK_STREAM, "::1", P_TW6);
	if (listen(t6, 16))
		die("listen t6");
	ct6 = tcp_client(AF_INET6, "::1", P_TW6);
	ctw6port = local_port(ct6);
	st6 = accept_one(t6);
	close(ct6);
	msleep(50);
	close(st6);

	/* A dual-stack listener and a v4 client: v4-mapped addresses. */
	m6 = socket(AF_INET6, SOCK_STREAM, 0);
	setint(m6, IPPROTO_IPV6, IPV6_V6ONLY, 0);
	{
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, AF_INET6, "::", P_MAPPED);

		if (bind(m6, (struct sockaddr *)&ss, len) || listen(m6, 16))
			die("bind/listen m6");
	}
	cm4 = tcp_client(AF_INET, "127.0.0.1", P_MAPPED);
	sm6 = accept_one(m6);

	/* A local address longer than the 23-column field (IPV6_FREEBIND:
	 * the address need not be configured). */
	lg6 = socket(AF_INET6, SOCK_STREAM, 0);
	setint(lg6, IPPROTO_IPV6, IPV6_FREEBIND, 1);
	{
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, AF_INET6, LONG6, P_LONG6);

		if (bind(lg6, (struct sockaddr *)&ss, len) || listen(lg6, 4))
			die("bind/listen lg6");
	}

	/* Many SO_REUSEPORT listeners on one port share one lhash2 bucket:
	 * one seq_file record larger than a page. */
	for (i = 0; i < N_REUSE6; i++) {
		reuse[i] = socket(AF_INET6, SOCK_STREAM, 0);
		setint(reuse[i], SOL_SOCKET, SO_REUSEPORT, 1);
		{
			struct sockaddr_storage ss;
			socklen_t len = mkaddr(&ss, AF_INET6, "::1", P_REUSE6);

			if (bind(reuse[i], (struct sockaddr *)&ss, len) ||
			    listen(reuse[i], 4))
				die("bind/listen reuse");
		}
	}

	/* Bulk connections so that the files span several pages. */
	{
		int b4 = sock_bind(AF_INET, SOCK_STREAM, "127.0.0.1", P_BULK4);
		int b6 = sock_bind(AF_INET6, SOCK_STREAM, "::1", P_BULK6);

		if (listen(b4, N_BULK + 1) || listen(b6, N_BULK + 1))
			die("listen bulk");
		for (i = 0; i < N_BULK; i++) {
			int c = socket(AF_INET, SOCK_STREAM, 0);

			setint(c, SOL_SOCKET, SO_KEEPALIVE, i & 1);
			setint(c, IPPROTO_TCP, TCP_KEEPIDLE, 10 + i);
			if (do_connect(c, AF_INET, "127.0.0.1", P_BULK4))
				die("connect bulk4");
			accept_one(b4);
			c = socket(AF_INET6, SOCK_STREAM, 0);
			setint(c, SOL_SOCKET, SO_RCVBUF, 10000 + i);
			if (do_connect(c, AF_INET6, "::1", P_BULK6))
				die("connect bulk6");
			accept_one(b6);
		}
	}

	/* UDP. */
	u4 = socket(AF_INET, SOCK_DGRAM, 0);
	setint(u4, SOL_SOCKET, SO_REUSEADDR, 1);
	setint(u4, SOL_SOCKET, SO_BROADCAST, 1);
	setint(u4, SOL_SOCKET, SO_RCVBUF, 8192);
	setint(u4, SOL_SOCKET, SO_SNDBUF, 9000);
	settimeo(u4, SO_RCVTIMEO, 1000);
	setlinger(u4, 3);
	{
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, AF_INET, "0.0.0.0", U_BOUND4);

		if (bind(u4, (struct sockaddr *)&ss, len))
			die("bind u4");
	}
	uc4 = socket(AF_INET, SOCK_DGRAM, 0);
	setint(uc4, SOL_SOCKET, SO_REUSEPORT, 1);
	settimeo(uc4, SO_SNDTIMEO, 2000);
	{
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, AF_INET, "127.0.0.1", U_CONN4);

		if (bind(uc4, (struct sockaddr *)&ss, len))
			die("bind uc4");
	}
	if (do_connect(uc4, AF_INET, "127.0.0.1", U_BOUND4))
		die("connect uc4");
	for (i = 0; i < 3; i++)
		if (write(uc4, buf, 50) != 50)
			die("send uc4");
	u6 = sock_bind(AF_INET6, SOCK_DGRAM, "::1", U_BOUND6);
	uc6 = socket(AF_INET6, SOCK_DGRAM, 0);
	setint(uc6, SOL_SOCKET, SO_RCVBUF, 6000);
	setint(uc6, SOL_SOCKET, SO_BROADCAST, 1);
	{
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, AF_INET6, "::1", U_CONN6);

		if (bind(uc6, (struct sockaddr *)&ss, len))
			die("bind uc6");
	}
	if (do_connect(uc6, AF_INET6, "::1", U_BOUND6))
		die("connect uc6");
	if (write(uc6, buf, 20) != 20)
		die("send uc6");

	/* Let the zero window settle and the unacknowledged data age > 1 s. */
	msleep(1600);

	check_files_mode("/proc/net", "");
	for (i = 0; i < 4; i++)
		compare_with_kernel("/proc/net", &files[i], &snap[i], "");

	/* --- exact lines --- */
	line_fmt(exp, sizeof(exp), 1, 0, ep(l, "127.0.0.1", P_LISTEN4),
		 "0.0.0.0:*",
		 "LSTN      SO_REUSEADDR=1,SO_REUSEPORT=0,SO_KEEPALIVE=1,TCP_KEEPIDLE=75,TCP_KEEPCNT=4,TCP_KEEPINTVL=13,TCP_USER_TIMEOUT=12345,SO_RCVBUF=65536,SO_SNDBUF=32768,SO_RCVTIMEO=1500ms,SO_SNDTIMEO=2500ms,SO_LINGER=7s,TCP_NODELAY=1,TCP_FASTOPEN=5,TCP_DEFER_ACCEPT=0");
	expect_line(&snap[0], "tcp4-listener-all-options", exp);

	/* The accepted socket inherits the listener's options. */
	ep(r, "127.0.0.1", local_port(c4a));
	line_fmt(exp, sizeof(exp), 100, 0, ep(l, "127.0.0.1", P_LISTEN4), r,
		 "ESTB      SO_REUSEADDR=1,SO_REUSEPORT=0,SO_KEEPALIVE=1,TCP_KEEPIDLE=75,TCP_KEEPCNT=4,TCP_KEEPINTVL=13,TCP_USER_TIMEOUT=12345,SO_RCVBUF=65536,SO_SNDBUF=32768,SO_RCVTIMEO=1500ms,SO_SNDTIMEO=2500ms,SO_LINGER=7s,TCP_NODELAY=1,TCP_DEFER_ACCEPT=0");
	expect_endpoints(&snap[0], "tcp4-accepted-inherits-options-recvq-100",
			 l, r, exp);
	line_fmt(exp, sizeof(exp), 0, 0, r, l,
		 "ESTB      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=1,TCP_DEFER_ACCEPT=0");
	expect_endpoints(&snap[0], "tcp4-client-nodelay", r, l, exp);
	ep(r, "127.0.0.1", local_port(c4b));
	line_fmt(exp, sizeof(exp), 0, 0, r, l,
		 "ESTB      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_DEFER_ACCEPT=0");
	expect_endpoints(&snap[0], "tcp4-client-defaults", r, l, exp);

	/* TCP_DEFER_ACCEPT=30 is stored as 5 retransmissions: getsockopt
	 * reports 1+2+4+8+16 = 31 s. */
	{
		int v = 0;
		socklen_t len = sizeof(v);

		getsockopt(d4, IPPROTO_TCP, TCP_DEFER_ACCEPT, &v, &len);
		snprintf(opts, sizeof(opts),
			 "LSTN      SO_REUSEADDR=0,SO_REUSEPORT=1,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=%d",
			 v);
		result(v == 31, "tcp4-getsockopt-defer-accept-is-31",
		       "getsockopt says %d", v);
	}
	/* Recv-Q 1: the connection that sent data waits to be accepted. */
	line_fmt(exp, sizeof(exp), 1, 0, ep(l, "127.0.0.1", P_DEFER4),
		 "0.0.0.0:*", opts);
	expect_line(&snap[0], "tcp4-listener-defer-accept-as-getsockopt", exp);
	ep(r, "127.0.0.1", local_port(cd4));
	line_fmt(exp, sizeof(exp), 0, 0, l, r, "SYNR");
	expect_endpoints(&snap[0], "tcp4-request-sock-local-port-ir_num", l, r,
			 exp);

	ep(r, "127.0.0.1", local_port(cd4b));
	line_fmt(exp, sizeof(exp), 5, 0, l, r,
		 "ESTB      SO_REUSEADDR=0,SO_REUSEPORT=1,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_DEFER_ACCEPT=0");
	expect_endpoints(&snap[0], "tcp4-defer-accept-child-not-inherited", l,
			 r, exp);

	/* TIME_WAIT. */
	line_fmt(exp, sizeof(exp), 0, 0, ep(l, "127.0.0.1", ctw4port),
		 ep(r, "127.0.0.1", P_TW4), "TIMW");
	expect_endpoints(&snap[0], "tcp4-time-wait", l, r, exp);

	/* Diag flags. */
	{
		struct kline *k = NULL;

		ep(l, "127.0.0.1", P_ZERO4);
		ep(r, "127.0.0.1", local_port(cz4));
		find_line(&snap[0], l, r, &k);
		result(k && !strcmp(k->diag, "|<"),
		       "tcp4-zero-window-receiver-diag", "diag \"%s\"",
		       k ? k->diag : "(no line)");
		result(k && strstr(k->options, ",SO_RCVBUF=4096,"),
		       "tcp4-zero-window-receiver-rcvbuf", "options \"%s\"",
		       k ? k->options : "(no line)");
		k = NULL;
		find_line(&snap[0], r, l, &k);
		result(k && !strcmp(k->diag, ">|"),
		       "tcp4-zero-window-sender-diag", "diag \"%s\"",
		       k ? k->diag : "(no line)");
		result(k && k->sendq > 0, "tcp4-zero-window-sender-sendq",
		       "send-q %lu", k ? k->sendq : 0);
		k = NULL;
		ep(l, "127.0.0.1", local_port(ca4));
		ep(r, "127.0.0.1", P_STALL4);
		find_line(&snap[0], l, r, &k);
		result(k && !strcmp(k->diag, ">#"),
		       "tcp4-ack-stalled-diag", "diag \"%s\"",
		       k ? k->diag : "(no line)");
		result(k && k->sendq == 10, "tcp4-ack-stalled-sendq-10",
		       "send-q %lu", k ? k->sendq : 0);
		k = NULL;
		find_line(&snap[0], r, l, &k);
		result(k && !k->diag[0], "tcp4-ack-stalled-receiver-no-diag",
		       "diag \"%s\"", k ? k->diag : "(no line)");
		/* Healthy connections carry no flag. */
		n = 0;
		for (i = 1; i < snap[0].lines.n; i++) {
			struct kline *x = &snap[0].k[i];

			if (x->diag[0] && !strstr(x->local, ":6012") &&
			    !strstr(x->remote, ":6012") &&
			    !strstr(x->remote, ":6013"))
				n++;
		}
		result(n == 0, "tcp4-no-diag-on-healthy-connections",
		       "%d lines flagged", n);
	}

	/* IPv6. */
	line_fmt(exp, sizeof(exp), 0, 0, ep(l, "::1", P_LISTEN6), ":::*",
		 "LSTN      SO_REUSEADDR=0,SO_REUSEPORT=1,SO_KEEPALIVE=0,TCP_KEEPCNT=9,SO_SNDBUF=16384,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0");
	expect_line(&snap[1], "tcp6-listener", exp);
	ep(r, "::1", local_port(c6));
	line_fmt(exp, sizeof(exp), 0, 0, r, l,
		 "ESTB      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=1,TCP_USER_TIMEOUT=3000,SO_RCVTIMEO=20ms,TCP_NODELAY=0,TCP_DEFER_ACCEPT=0");
	expect_endpoints(&snap[1], "tcp6-client-keepalive-user-timeout", r, l,
			 exp);
	line_fmt(exp, sizeof(exp), 0, 0, l, r,
		 "ESTB      SO_REUSEADDR=0,SO_REUSEPORT=1,SO_KEEPALIVE=0,TCP_KEEPCNT=9,SO_SNDBUF=16384,TCP_NODELAY=1,TCP_DEFER_ACCEPT=0");
	expect_endpoints(&snap[1], "tcp6-accepted", l, r, exp);
	line_fmt(exp, sizeof(exp), 0, 0, ep(l, "::1", P_DEFER6), ":::*",
		 "LSTN      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=15");
	expect_line(&snap[1], "tcp6-listener-defer-accept-10-reads-15", exp);
	ep(r, "::1", local_port(cd6));
	line_fmt(exp, sizeof(exp), 0, 0, l, r, "SYNR");
	expect_endpoints(&snap[1], "tcp6-request-sock", l, r, exp);
	line_fmt(exp, sizeof(exp), 0, 0, ep(l, "::1", ctw6port),
		 ep(r, "::1", P_TW6), "TIMW");
	expect_endpoints(&snap[1], "tcp6-time-wait", l, r, exp);
	line_fmt(exp, sizeof(exp), 0, 0, ep(l, "::", P_MAPPED), ":::*",
		 "LSTN      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0");
	expect_line(&snap[1], "tcp6-dual-stack-listener", exp);
	ep(l, "::ffff:127.0.0.1", P_MAPPED);
	ep(r, "::ffff:127.0.0.1", local_port(cm4));
	line_fmt(exp, sizeof(exp), 0, 0, l, r,
		 "ESTB      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_DEFER_ACCEPT=0");
	expect_endpoints(&snap[1], "tcp6-v4-mapped-address", l, r, exp);
	line_fmt(exp, sizeof(exp), 0, 0, ep(l, LONG6, P_LONG6), ":::*",
		 "LSTN      SO_REUSEADDR=0,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_FASTOPEN=0,TCP_DEFER_ACCEPT=0");
	result(strlen(l) > 23 && strstr(exp, " :::*") != NULL,
	       "tcp6-long-address-expectation", "%s", exp);
	expect_line(&snap[1], "tcp6-long-address-gets-one-space", exp);
	n = 0;
	for (i = 1; i < snap[1].lines.n; i++)
		if (!strcmp(snap[1].k[i].local, ep(l, "::1", P_REUSE6)) &&
		    !strcmp(snap[1].k[i].state, "LSTN"))
			n++;
	result(n == N_REUSE6, "tcp6-reuseport-bucket-larger-than-a-page",
	       "%d of %d listeners shown", n, N_REUSE6);

	/* UDP. */
	{
		struct kline *k = NULL;

		find_line(&snap[2], ep(l, "0.0.0.0", U_BOUND4), "0.0.0.0:*", &k);
		result(k && k->recvq > 0, "udp4-bound-recvq-nonzero",
		       "recv-q %lu", k ? k->recvq : 0);
		line_fmt(exp, sizeof(exp), k ? k->recvq : 0, 0, l, "0.0.0.0:*",
			 "SO_REUSEADDR=1,SO_REUSEPORT=0,SO_RCVBUF=8192,SO_SNDBUF=9000,SO_RCVTIMEO=1000ms,SO_LINGER=3s,SO_BROADCAST=1");
		expect_line(&snap[2], "udp4-bound-all-options", exp);
	}
	line_fmt(exp, sizeof(exp), 0, 0, ep(l, "127.0.0.1", U_CONN4),
		 ep(r, "127.0.0.1", U_BOUND4),
		 "SO_REUSEADDR=0,SO_REUSEPORT=1,SO_SNDTIMEO=2000ms,SO_BROADCAST=0");
	expect_line(&snap[2], "udp4-connected", exp);
	{
		struct kline *k = NULL;

		find_line(&snap[3], ep(l, "::1", U_BOUND6), ":::*", &k);
		result(k && k->recvq > 0, "udp6-bound-recvq-nonzero",
		       "recv-q %lu", k ? k->recvq : 0);
		line_fmt(exp, sizeof(exp), k ? k->recvq : 0, 0, l, ":::*",
			 "SO_REUSEADDR=0,SO_REUSEPORT=0,SO_BROADCAST=0");
		expect_line(&snap[3], "udp6-bound", exp);
	}
	line_fmt(exp, sizeof(exp), 0, 0, ep(l, "::1", U_CONN6),
		 ep(r, "::1", U_BOUND6),
		 "SO_REUSEADDR=0,SO_REUSEPORT=0,SO_RCVBUF=6000,SO_BROADCAST=1");
	expect_line(&snap[3], "udp6-connected", exp);

	check_chunked_reads();
	check_netns();
	check_visibility();

	close(sa4);
	close(s4a);
	close(sz4);
	close(s6);
	close(sm6);
	(void)u6;
	return failures ? 1 : 0;
}

/* ---- stress: readers, churn, namespaces, unload ---------------------------- */

/*
 * ktest churn SECONDS: for SECONDS, four reader processes read the four
 * files in a loop while connections churn in the initial namespace and in
 * a second long-lived one, and network namespaces with sockets in them
 * (listening, connected, closed into TIME_WAIT) are created and destroyed
 * one after another. At the end the module is removed while all of that
 * still runs and two files are held open in the middle of a read. The
 * readers:
 *   0  root, /proc/net/{tcp,tcp6,udp,udp6}stat, 64 KiB reads
 *   1  uid 65534 without capabilities, the same files, 512-byte reads: every
 *      socket is root's, so no line may show options
 *   2  root in a network namespace of its own, reading the long-lived
 *      namespace's files through /proc/PID/net, 4 KiB reads
 *   3  root, reading the files of the short-lived namespace of the moment
 *      through /proc/PID/net, slowly, so that namespaces exit while it
 *      holds their files open
 * Every complete read must be well-formed. The only errors allowed: for
 * reader 3, ENOENT, ESRCH and ENXIO (its namespace went away); for all,
 * once the unload has begun, ENOENT and EIO.
 */

#define N_READERS	4
#define P_CHURN4	6100
#define P_CHURN6	6200
#define P_HOLDER	6300
#define P_NSW4		9000
#define P_NSW6		9001

struct reader_stats {
	long reads, lines, bad, leaks, expected, after_unload, unexpected;
	int unexpected_errno;
	char first_bad[512];
};

struct stress_shared {
	volatile int stop;
	volatile int unloading;
	volatile int unloaded;
	volatile pid_t ns_child;	/* the short-lived namespace's process */
	volatile pid_t holder;		/* the long-lived namespace's process */
	long connects[3];		/* per churn worker */
	long ns_made, ns_failed, ns_bad_lines;
	struct reader_stats r[N_READERS];
};

static struct stress_shared *sh;

static const char *const stat_names[] = {
	"tcpstat", "tcp6stat", "udpstat", "udp6stat",
};

/* A listener; for ::1, which appears shortly after lo comes up, retried. */
static int churn_listen(int family, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, family, addr, port);
	int fd = socket(family, SOCK_STREAM, 0), i;

	if (fd < 0)
		die("socket");
	setint(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	for (i = 0; bind(fd, (struct sockaddr *)&ss, len); i++) {
		if (errno != EADDRNOTAVAIL || i > 200)
			die("churn bind");
		msleep(5);
	}
	if (listen(fd, 128))
		die("churn listen");
	return fd;
}

/* Connects, accepts and closes (FIN both ways, or RST) until told to stop. */
static void churn_worker(int id, int family, const char *addr, int port)
{
	int lfd = churn_listen(family, addr, port);
	long n = 0;

	while (!sh->stop) {
		int c[8], s[8], u, i;

		for (i = 0; i < 8; i++) {
			c[i] = socket(family, SOCK_STREAM, 0);
			if (c[i] < 0)
				die("churn socket");
			setint(c[i], IPPROTO_TCP, TCP_NODELAY, i & 1);
			while (do_connect(c[i], family, addr, port)) {
				/* Ephemeral ports in TIME_WAIT: wait, retry. */
				if (errno != EADDRNOTAVAIL || sh->stop)
					die("churn connect");
				close(c[i]);
				msleep(1);
				c[i] = socket(family, SOCK_STREAM, 0);
			}
			s[i] = accept_one(lfd);
		}
		u = socket(family, SOCK_DGRAM, 0);
		if (do_connect(u, family, addr, port + 1))
			die("churn udp connect");
		for (i = 0; i < 8; i++) {
			if (i % 4 == 1) {
				/* The client closes first: TIME_WAIT. */
				close(c[i]);
				close(s[i]);
			} else {
				setlinger(s[i], 0);	/* RST */
				close(s[i]);
				close(c[i]);
			}
		}
		close(u);
		n += 8;
		sh->connects[id] = n;
	}
	_exit(0);
}

/* The long-lived second namespace: churns in it until told to stop. */
static void holder_main(void)
{
	if (unshare(CLONE_NEWNET))
		die("unshare holder");
	lo_up(0);
	sh->holder = getpid();
	churn_worker(2, AF_INET, "127.0.0.1", P_HOLDER);
}

/* Parses one complete read; counts lines, malformed lines and shown options. */
static void check_text(struct reader_stats *st, int i, char *t)
{
	struct lines l = split(t);
	char why[256];
	int j;

	if (!l.n || strcmp(l.v[0], i < 2 ? TCP_HEADER : UDP_HEADER)) {
		if (!st->bad++)
			snprintf(st->first_bad, sizeof(st->first_bad),
				 "%s: header \"%.80s\"", stat_names[i],
				 l.n ? l.v[0] : "");
	}
	for (j = 1; j < l.n; j++) {
		struct kline k;

		st->lines++;
		if (parse_kline(l.v[j], i < 2, &k, why, sizeof(why))) {
			if (!st->bad++)
				snprintf(st->first_bad, sizeof(st->first_bad),
					 "%s: %.100s: \"%.150s\"", stat_names[i],
					 why, l.v[j]);
		} else if (!reader_sees_all && k.options) {
			if (!st->leaks++)
				snprintf(st->first_bad, sizeof(st->first_bad),
					 "%s: options shown to uid 65534: \"%.150s\"",
					 stat_names[i], l.v[j]);
		}
	}
	free(l.v);
}

/* Reader 3's read: in 512-byte pieces, now and then pausing in the middle. */
static char *slurp_slowly(const char *path, int pause)
{
	size_t cap = 1 << 16, len = 0;
	char *buf;
	int fd = open(path, O_RDONLY), e;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	for (;;) {
		ssize_t n;

		if (len + 512 > cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				die("realloc");
		}
		n = read(fd, buf + len, 512);
		if (n < 0) {
			e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		if (len == 0 && pause)
			msleep(pause);
		len += n;
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

static void stress_reader(int id)
{
	struct reader_stats *st = &sh->r[id];
	long round = 0;

	if (id == 1)
		become(NOBODY, NOBODY, 0);
	if (id == 2 && unshare(CLONE_NEWNET))
		die("unshare reader");
	while (!sh->stop) {
		int i;

		for (i = 0; i < 4 && !sh->stop; i++) {
			char path[96];
			char *t;
			int e;

			if (id == 2) {
				snprintf(path, sizeof(path), "/proc/%d/net/%s",
					 (int)sh->holder, stat_names[i]);
			} else if (id == 3) {
				pid_t pid = sh->ns_child;

				if (!pid) {
					msleep(5);
					continue;
				}
				snprintf(path, sizeof(path), "/proc/%d/net/%s",
					 (int)pid, stat_names[i]);
			} else {
				snprintf(path, sizeof(path), "/proc/net/%s",
					 stat_names[i]);
			}
			round++;
			if (id == 3)
				t = slurp_slowly(path, round % 3 ? 0 : 20);
			else
				t = slurp(path, id == 0 ? 1 << 16 :
						id == 1 ? 512 : 4096);
			if (t) {
				st->reads++;
				check_text(st, i, t);
				free(t);
				continue;
			}
			e = errno;
			if (sh->unloading && (e == ENOENT || e == EIO)) {
				st->after_unload++;
				msleep(2);
			} else if (id == 3 && (e == ENOENT || e == ESRCH ||
					       e == ENXIO)) {
				st->expected++;
				msleep(1);
			} else {
				if (!st->unexpected++)
					st->unexpected_errno = e;
				msleep(2);
			}
		}
	}
	_exit(0);
}

/*
 * One short-lived namespace after another, each with a listener per
 * family, connections closed into TIME_WAIT, reset, and left established,
 * and a UDP socket; its process reads its own files once and exits, which
 * destroys the namespace with all of that in it.
 */
static void netns_once(unsigned int seed)
{
	int l4, l6, c[12], s[12], u, i;
	char *t;

	if (unshare(CLONE_NEWNET))
		die("unshare netns worker");
	lo_up(0);
	l4 = churn_listen(AF_INET, "127.0.0.1", P_NSW4);
	l6 = churn_listen(AF_INET6, "::1", P_NSW6);
	for (i = 0; i < 12; i++) {
		int fam = i < 6 ? AF_INET : AF_INET6;

		c[i] = socket(fam, SOCK_STREAM, 0);
		setint(c[i], SOL_SOCKET, SO_KEEPALIVE, i & 1);
		if (do_connect(c[i], fam, fam == AF_INET ? "127.0.0.1" : "::1",
			       fam == AF_INET ? P_NSW4 : P_NSW6))
			die("netns connect");
		s[i] = accept_one(fam == AF_INET ? l4 : l6);
	}
	for (i = 0; i < 12; i++) {
		switch (i % 6) {
		case 0:
		case 1:		/* client first: TIME_WAIT */
			close(c[i]);
			close(s[i]);
			break;
		case 2:		/* reset */
			setlinger(c[i], 0);
			close(c[i]);
			break;
		default:	/* left established until the exit */
			break;
		}
	}
	u = socket(AF_INET, SOCK_DGRAM, 0);
	if (do_connect(u, AF_INET, "127.0.0.1", P_NSW4))
		die("netns udp");
	sh->ns_child = getpid();
	t = slurp("/proc/self/net/tcpstat", 4096);
	if (t) {
		struct reader_stats st;

		memset(&st, 0, sizeof(st));
		check_text(&st, 0, t);
		if (st.bad) {
			printf("  netns: %s\n", st.first_bad);
			__sync_fetch_and_add(&sh->ns_bad_lines, st.bad);
		}
		free(t);
	}
	msleep(seed % 150);
	_exit(0);
}

static void netns_worker(void)
{
	unsigned int seed = 1;

	while (!sh->stop) {
		pid_t pid;
		int status;

		seed = seed * 1103515245 + 12345;
		pid = fork();
		if (pid < 0)
			die("fork netns");
		if (pid == 0)
			netns_once(seed >> 8);
		waitpid(pid, &status, 0);
		sh->ns_child = 0;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			sh->ns_failed++;
		sh->ns_made++;
	}
	_exit(0);
}

static pid_t spawn_worker(void (*fn)(int), int arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn(arg);
		_exit(0);
	}
	return pid;
}

static void run_churn4(int id) { churn_worker(id, AF_INET, "127.0.0.1", P_CHURN4); }
static void run_churn6(int id) { churn_worker(id, AF_INET6, "::1", P_CHURN6); }
static void run_holder(int id) { (void)id; holder_main(); }
static void run_netns(int id) { (void)id; netns_worker(); }

static int proc_modules_has_knetstat(void)
{
	char *t = slurp("/proc/modules", 4096);
	int has = t && (!strncmp(t, "knetstat ", 9) || strstr(t, "\nknetstat "));

	free(t);
	return has;
}

/* Opens a file and reads its first bytes: a reader in the middle of a read. */
static int open_mid_read(const char *path)
{
	char buf[40];	/* less than the header */
	int fd = open(path, O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf)) != sizeof(buf))
		return -1;
	return fd;
}

static int churn(int seconds)
{
	pid_t readers[N_READERS], workers[4];
	int held[2], i, rc, e;
	double t0, t_unload, elapsed;
	char path[96], name[96];
	long connects;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	memset(sh, 0, sizeof(*sh));
	lo_up(100);
	t0 = now();
	workers[0] = spawn_worker(run_churn4, 0);
	workers[1] = spawn_worker(run_churn6, 1);
	workers[2] = spawn_worker(run_holder, 2);
	workers[3] = spawn_worker(run_netns, 3);
	while (!sh->holder && now() < t0 + 30)
		msleep(10);
	for (i = 0; i < N_READERS; i++)
		readers[i] = spawn_worker(stress_reader, i);

	/* Unload while everything runs, two files held open mid-read. */
	while (now() < t0 + seconds - 2)
		msleep(100);
	snprintf(path, sizeof(path), "/proc/%d/net/tcpstat", (int)sh->holder);
	held[0] = open_mid_read("/proc/net/tcpstat");
	held[1] = open_mid_read(path);
	result(held[0] >= 0 && held[1] >= 0, "stress-files-open-mid-read",
	       "%s", "could not open and start reading");
	sh->unloading = 1;
	t_unload = now();
	rc = syscall(SYS_delete_module, "knetstat", O_NONBLOCK);
	e = errno;
	sh->unloaded = 1;
	result(rc == 0, "stress-rmmod-while-reading-and-churning",
	       "delete_module: %s", rc ? strerror(e) : "");
	printf("  stress: rmmod took %.0f ms\n", (now() - t_unload) * 1000);
	for (i = 0; i < 2; i++) {
		char buf[100];
		ssize_t n = held[i] >= 0 ? read(held[i], buf, sizeof(buf)) : 0;

		e = errno;
		snprintf(name, sizeof(name), "stress-held-%s-read-after-rmmod-eio",
			 i ? "other-netns-file" : "file");
		result(n < 0 && e == EIO, name, "read returned %zd (%s)", n,
		       n < 0 ? strerror(e) : "no error");
		if (held[i] >= 0)
			close(held[i]);
	}
	msleep(2000);	/* the readers go on meeting the removed files */
	sh->stop = 1;
	elapsed = now() - t0;

	for (i = 0; i < N_READERS; i++) {
		struct reader_stats *st = &sh->r[i];
		int status;

		waitpid(readers[i], &status, 0);
		printf("  stress reader %d: %ld reads, %ld lines, %ld expected errors, %ld after the unload\n",
		       i, st->reads, st->lines, st->expected, st->after_unload);
		snprintf(name, sizeof(name), "stress-reader%d-survived", i);
		result(WIFEXITED(status) && !WEXITSTATUS(status), name,
		       "status %#x", status);
		snprintf(name, sizeof(name), "stress-reader%d-every-line-well-formed", i);
		result(st->reads >= 10 && !st->bad, name,
		       "%ld bad of %ld lines in %ld reads; first: %s", st->bad,
		       st->lines, st->reads, st->first_bad);
		snprintf(name, sizeof(name), "stress-reader%d-no-unexpected-errors", i);
		result(!st->unexpected, name, "%ld errors, the first %s",
		       st->unexpected, strerror(st->unexpected_errno));
		if (i == 1) {
			result(!st->leaks, "stress-reader1-nobody-sees-no-options",
			       "%ld lines: %s", st->leaks, st->first_bad);
		}
	}
	for (i = 0; i < 4; i++) {
		int status;

		waitpid(workers[i], &status, 0);
		snprintf(name, sizeof(name), "stress-worker%d-ran", i);
		result(WIFEXITED(status) && !WEXITSTATUS(status), name,
		       "status %#x", status);
	}
	connects = sh->connects[0] + sh->connects[1] + sh->connects[2];
	printf("  stress: %.0f s, %ld connections (%.0f/s), %ld namespaces (%.1f/s)\n",
	       elapsed, connects, connects / elapsed, sh->ns_made,
	       sh->ns_made / elapsed);
	result(connects > 1000, "stress-connections-churned", "%ld connections",
	       connects);
	result(sh->ns_made >= 10 && !sh->ns_failed && !sh->ns_bad_lines,
	       "stress-namespaces-created-and-destroyed",
	       "%ld namespaces, %ld failed, %ld bad lines", sh->ns_made,
	       sh->ns_failed, sh->ns_bad_lines);
	result(sh->r[3].reads > 0, "stress-reader3-read-short-lived-namespaces",
	       "%ld reads", sh->r[3].reads);

	/* After the unload: no module, no files, in any namespace. */
	result(!proc_modules_has_knetstat(), "stress-module-gone-after-rmmod",
	       "%s", "knetstat still in /proc/modules");
	for (i = 0; i < 4; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "/proc/net/%s", stat_names[i]);
		snprintf(name, sizeof(name), "stress-%s-gone-after-rmmod",
			 stat_names[i]);
		result(stat(path, &st) && errno == ENOENT, name, "%s exists",
		       path);
	}
	return failures ? 1 : 0;
}

/* ---- one-bucket stress --------------------------------------------------- */

/*
 * Any user can put every socket of a table into one hash bucket: UDP
 * sockets bound to one port on distinct 127/8 addresses share the port's
 * slot of udp_table.hash, and SO_REUSEPORT listeners on one address and port
 * share a listener bucket. The module must then read like the kernel's own
 * file: one socket per record, a bucket lock held for one buffer at a time.
 * The measure is the slowest single read(), which is how long a bucket lock
 * (and, for UDP and established TCP, BH) stays taken.
 */
#define P_BUCKET_UDP	7010
#define P_BUCKET_TCP	7020

struct read_timing {
	double slowest;		/* the slowest read(), seconds */
	double total;		/* the whole file, seconds */
	size_t bytes;
	long lines;
	int reads;
};

static int time_reads(const char *path, struct read_timing *rt)
{
	static char buf[1 << 17];
	int fd = open(path, O_RDONLY);
	double t0 = now();

	memset(rt, 0, sizeof(*rt));
	if (fd < 0)
		return -1;
	for (;;) {
		double t = now();
		ssize_t n = read(fd, buf, sizeof(buf));
		ssize_t i;

		t = now() - t;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return -1;
		}
		if (t > rt->slowest)
			rt->slowest = t;
		if (n == 0)
			break;
		rt->reads++;
		rt->bytes += n;
		for (i = 0; i < n; i++)
			rt->lines += buf[i] == '\n';
	}
	rt->total = now() - t0;
	close(fd);
	return 0;
}

/*
 * Read the kernel's file and the module's, in turn, and judge the slowest
 * read() of each. The bound is generous (5x, where the goal is 2x): the
 * guest runs under TCG on a shared host, where one read can be held up by
 * the host. A pass over the bound is measured once more before it counts.
 */
static void bucket_measure(const char *tag, const char *kfile,
			   const char *mfile, int sockets)
{
	struct read_timing k, mod;
	char name[96];
	double ratio = 0;
	int pass, ok = 0;

	for (pass = 0; pass < 2; pass++) {
		if (time_reads(kfile, &k) || time_reads(mfile, &mod)) {
			snprintf(name, sizeof(name), "bucket-%s-read", tag);
			result(0, name, "read: %s", strerror(errno));
			return;
		}
		ratio = k.slowest > 0 ? mod.slowest / k.slowest : 0;
		printf("KPERF bucket-%s pass=%d sockets=%d %s_slowest_ms=%.1f %s_slowest_ms=%.1f ratio=%.2f %s_total_s=%.1f %s_total_s=%.1f %s_reads=%d %s_reads=%d\n",
		       tag, pass + 1, sockets, kfile + 10, k.slowest * 1000,
		       mfile + 10, mod.slowest * 1000, ratio, kfile + 10,
		       k.total, mfile + 10, mod.total, kfile + 10, k.reads,
		       mfile + 10, mod.reads);
		fflush(stdout);
		ok = ratio <= 5.0;
		if (ok)
			break;
	}
	snprintf(name, sizeof(name), "bucket-%s-lines-match-kernel", tag);
	result(k.lines == mod.lines && k.lines >= sockets + 1, name,
	       "%s has %ld lines, %s %ld, for %d sockets", kfile, k.lines,
	       mfile, mod.lines, sockets);
	snprintf(name, sizeof(name), "bucket-%s-slowest-read-within-5x", tag);
	result(ok, name, "slowest read() of %s %.1f ms, of %s %.1f ms (%.2fx)",
	       mfile, mod.slowest * 1000, kfile, k.slowest * 1000, ratio);
}

static int bucket(int nudp, int ntcp)
{
	struct rlimit rl = { nudp + ntcp + 1000, nudp + ntcp + 1000 };
	struct sockaddr_storage ss;
	char addr[32];
	int i, fd;

	lo_up(0);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	/*
	 * One port, distinct addresses: one slot of udp_table.hash, which is
	 * hashed by port alone. 127.0.0.1 and its neighbours stay free.
	 */
	for (i = 0; i < nudp; i++) {
		snprintf(addr, sizeof(addr), "127.%d.%d.%d", 1 + i / (254 * 254),
			 1 + i / 254 % 254, 1 + i % 254);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			die("bucket udp socket");
		if (bind(fd, (struct sockaddr *)&ss,
			 mkaddr(&ss, AF_INET, addr, P_BUCKET_UDP)))
			die("bucket udp bind");
	}
	result(1, "bucket-udp-sockets-bound", NULL);
	bucket_measure("udp", "/proc/net/udp", "/proc/net/udpstat", nudp);

	/* One address and port: one listener bucket, in every kernel. */
	for (i = 0; i < ntcp; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			die("bucket tcp socket");
		setint(fd, SOL_SOCKET, SO_REUSEPORT, 1);
		if (bind(fd, (struct sockaddr *)&ss,
			 mkaddr(&ss, AF_INET, "127.0.0.2", P_BUCKET_TCP)))
			die("bucket tcp bind");
		if (listen(fd, 1))
			die("bucket tcp listen");
	}
	result(1, "bucket-tcp-listeners-bound", NULL);
	bucket_measure("tcp", "/proc/net/tcp", "/proc/net/tcpstat", ntcp);
	return failures ? 1 : 0;
}

/* ---- perf ---------------------------------------------------------------- */

static double time_read(const char *path, size_t *bytes)
{
	double t0 = now();
	char *t = slurp(path, 1 << 17);
	double dt = now() - t0;

	*bytes = t ? strlen(t) : 0;
	free(t);
	return dt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void perf_measure(const char *label, int sockets)
{
	double tp[9], tk[9];
	size_t bp = 0, bk = 0;
	int i;

	for (i = 0; i < 9; i++) {
		tp[i] = time_read("/proc/net/tcp", &bp);
		tk[i] = time_read("/proc/net/tcpstat", &bk);
	}
	qsort(tp, 9, sizeof(double), cmp_double);
	qsort(tk, 9, sizeof(double), cmp_double);
	printf("KPERF %s sockets=%d tcp_median_ms=%.1f tcpstat_median_ms=%.1f ratio=%.2f tcp_bytes=%zu tcpstat_bytes=%zu\n",
	       label, sockets, tp[4] * 1000, tk[4] * 1000, tk[4] / tp[4], bp,
	       bk);
}

static int perf(int sockets)
{
	struct rlimit rl = { sockets + 1000, sockets + 1000 };
	int pairs = sockets / 2, ports = (pairs + 19999) / 20000, i, p;
	int *lfd, *fds;

	lo_up(100);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	lfd = calloc(ports, sizeof(*lfd));
	fds = calloc(pairs * 2, sizeof(*fds));
	for (p = 0; p < ports; p++) {
		lfd[p] = sock_bind(AF_INET, SOCK_STREAM, "127.0.0.1", 8000 + p);
		if (listen(lfd[p], 4096))
			die("listen");
	}
	for (i = 0; i < pairs; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		if (c < 0 || do_connect(c, AF_INET, "127.0.0.1", 8000 + i % ports))
			die("perf connect");
		fds[2 * i] = c;
		fds[2 * i + 1] = accept_one(lfd[i % ports]);
	}
	msleep(500);
	perf_measure("default-options", pairs * 2);

	/* The same sockets with many options set: longer lines. */
	for (i = 0; i < pairs * 2; i++) {
		setint(fds[i], SOL_SOCKET, SO_KEEPALIVE, 1);
		setint(fds[i], IPPROTO_TCP, TCP_KEEPIDLE, 3600);
		setint(fds[i], IPPROTO_TCP, TCP_KEEPCNT, 5);
		setint(fds[i], IPPROTO_TCP, TCP_KEEPINTVL, 10);
		setint(fds[i], IPPROTO_TCP, TCP_USER_TIMEOUT, 600000);
		settimeo(fds[i], SO_RCVTIMEO, 1500);
		setlinger(fds[i], 5);
		setint(fds[i], IPPROTO_TCP, TCP_NODELAY, 1);
	}
	perf_measure("many-options", pairs * 2);
	result(1, "perf-measured", NULL);
	return 0;
}

/* The host checks that it saw as many results as were printed. */
/* ---- BPF socket iterators ----------------------------------------------- */

/* The BTF id of the function NAME (kind FUNC) in the kernel's BTF, 0 if none. */
static unsigned int btf_func_id(const char *btf, size_t len, const char *name)
{
	const struct btf_header *h = (const void *)btf;
	const char *types, *strs, *p, *end;
	unsigned int id = 1;

	if (len < sizeof(*h) || h->magic != BTF_MAGIC ||
	    h->hdr_len + h->str_off + h->str_len > len)
		return 0;
	types = btf + h->hdr_len + h->type_off;
	strs = btf + h->hdr_len + h->str_off;
	end = types + h->type_len;
	for (p = types; p + sizeof(struct btf_type) <= end; id++) {
		const struct btf_type *t = (const void *)p;
		unsigned int vlen = BTF_INFO_VLEN(t->info);

		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC &&
		    t->name_off < h->str_len && !strcmp(strs + t->name_off, name))
			return id;
		p += sizeof(*t);
		switch (BTF_INFO_KIND(t->info)) {
		case 1:			/* INT */
		case 14:		/* VAR */
		case 17:		/* DECL_TAG */
			p += 4;
			break;
		case 3:			/* ARRAY */
			p += 12;
			break;
		case 4:			/* STRUCT */
		case 5:			/* UNION */
		case 15:		/* DATASEC */
		case 19:		/* ENUM64 */
			p += 12 * vlen;
			break;
		case 6:			/* ENUM */
		case 13:		/* FUNC_PROTO */
			p += 8 * vlen;
			break;
		default:		/* PTR, FWD, TYPEDEF, qualifiers, FUNC, FLOAT, TYPE_TAG */
			break;
		}
	}
	return 0;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/*
 * Loads "return 0" as an iterator program on TARGET's function (bpf_iter_tcp,
 * bpf_iter_udp), attaches it, and reads the iterator to the end: it walks
 * every socket of the namespace. 0 when it did, else why in WHY.
 */
static int bpf_iter_runs(const char *btf, size_t len, const char *target,
			 char *why, size_t sz)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static char log[65536];
	union bpf_attr attr;
	unsigned int id = btf_func_id(btf, len, target);
	int prog, link, it, n;
	char buf[4096];

	if (!id) {
		snprintf(why, sz, "%s not in /sys/kernel/btf/vmlinux", target);
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_TRACING;
	attr.expected_attach_type = BPF_TRACE_ITER;
	attr.attach_btf_id = id;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (unsigned long)"GPL";
	attr.log_buf = (unsigned long)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	log[0] = 0;
	prog = sys_bpf(BPF_PROG_LOAD, &attr);
	if (prog < 0) {
		snprintf(why, sz, "BPF_PROG_LOAD (btf id %u): %s; %.200s", id,
			 strerror(errno), log);
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog;
	attr.link_create.attach_type = BPF_TRACE_ITER;
	link = sys_bpf(BPF_LINK_CREATE, &attr);
	if (link < 0) {
		snprintf(why, sz, "BPF_LINK_CREATE: %s", strerror(errno));
		close(prog);
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.iter_create.link_fd = link;
	it = sys_bpf(BPF_ITER_CREATE, &attr);
	if (it < 0) {
		snprintf(why, sz, "BPF_ITER_CREATE: %s", strerror(errno));
		close(link);
		close(prog);
		return -1;
	}
	while ((n = read(it, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		snprintf(why, sz, "read of the iterator: %s", strerror(errno));
	close(it);
	close(link);
	close(prog);
	return n < 0 ? -1 : 0;
}

static int bpfiter(void)
{
	static const char *const targets[] = { "bpf_iter_tcp", "bpf_iter_udp" };
	char name[64], why[512];
	struct rlimit rl;
	char *btf;
	size_t len = 0;
	unsigned int i;

	if (!getrlimit(RLIMIT_MEMLOCK, &rl))
		printf("KTEST-INFO bpfiter: RLIMIT_MEMLOCK %llu\n",
		       (unsigned long long)rl.rlim_cur);
	btf = slurp("/sys/kernel/btf/vmlinux", 1 << 20);
	if (btf) {
		struct stat st;

		/* slurp() gives no length: the bin file's size is the BTF's. */
		len = stat("/sys/kernel/btf/vmlinux", &st) ? 0 : st.st_size;
	}
	result(btf && len > 0, "bpf-btf-vmlinux-present", "%s",
	       "/sys/kernel/btf/vmlinux missing (sysfs, CONFIG_DEBUG_INFO_BTF)");
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		why[0] = 0;
		snprintf(name, sizeof(name), "bpf-iter-%s-runs-as-root",
			 targets[i] + strlen("bpf_iter_"));
		result(btf && len > 0 &&
		       !bpf_iter_runs(btf, len, targets[i], why, sizeof(why)),
		       name, "%s", why[0] ? why : "no BTF");
	}
	free(btf);
	return 0;
}

static void count_results(void)
{
	printf("KTEST-COUNT %d %d\n", passes, failures);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && !strcmp(argv[1], "churn"))
		rc = churn(argc >= 3 ? atoi(argv[2]) : 20);
	else if (argc >= 2 && !strcmp(argv[1], "perf"))
		rc = perf(argc >= 3 ? atoi(argv[2]) : 50000);
	else if (argc >= 2 && !strcmp(argv[1], "bucket"))
		rc = bucket(argc >= 3 ? atoi(argv[2]) : 100000,
			    argc >= 4 ? atoi(argv[3]) : 25000);
	else if (argc >= 2 && !strcmp(argv[1], "bpfiter"))
		rc = bpfiter();
	else
		rc = check();
	count_results();
	return rc;
}
