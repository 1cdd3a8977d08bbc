// SPDX-License-Identifier: GPL-2.0
/*
 * knetstat: /proc/net/{tcp,tcp6,udp,udp6}stat
 *
 * One line per socket, in the order of the kernel's own /proc/net/tcp,
 * tcp6, udp and udp6, with the socket options the owning process set and a
 * few TCP health flags. The text format is specified in the project's
 * docs/format.md and docs/kernel-module.md.
 *
 * The module walks the same hash tables as /proc/net/{tcp,udp} itself, in
 * the same order and under the same bucket locks, so it does not depend on
 * tcp_seq_*() / udp_seq_*() being exported (they are not from 6.15 on when
 * IPv6 is built in). As there, one seq_file record is one socket, a bucket
 * lock is held only while one buffer is filled, and a read resumes at the
 * bucket and offset where the last one stopped.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/version.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>
#include <net/netns/ipv4.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>
#include <net/inet_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/request_sock.h>
#include <net/udp.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 10, 0)
#error "knetstat needs Linux 5.10 or newer"
#endif

/* PDE_DATA() was renamed pde_data() in 5.17. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 17, 0)
#define pde_data(inode) PDE_DATA(inode)
#endif

/*
 * Which table /proc/net/tcp walks for listeners:
 *  - before 5.15: the 32-bucket listening_hash, hlist_nulls chains;
 *  - 5.15 to 5.18: lhash2, chained through icsk_listen_portaddr_node;
 *  - 5.19 and later: lhash2, hlist_nulls chains (listening_hash is gone).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 15, 0)
#define KNETSTAT_LISTENING_HASH 1
#elif defined(inet_lhash2_for_each_icsk)
#define KNETSTAT_LHASH2_ICSK 1
#else
#define KNETSTAT_LHASH2_NULLS 1
#endif

/* TCP_BOUND_INACTIVE (6.7) is a pseudo-state right after TCP_NEW_SYN_RECV. */
#define KNETSTAT_TCP_BOUND_INACTIVE (TCP_NEW_SYN_RECV + 1)

#define KNETSTAT_ADDR_WIDTH 23

struct knetstat_afinfo {
	int protocol;		/* IPPROTO_TCP or IPPROTO_UDP */
	sa_family_t family;	/* AF_INET or AF_INET6 */
};

static const struct knetstat_afinfo knetstat_tcp4 = { IPPROTO_TCP, AF_INET };
static const struct knetstat_afinfo knetstat_udp4 = { IPPROTO_UDP, AF_INET };
#if IS_ENABLED(CONFIG_IPV6)
static const struct knetstat_afinfo knetstat_tcp6 = { IPPROTO_TCP, AF_INET6 };
static const struct knetstat_afinfo knetstat_udp6 = { IPPROTO_UDP, AF_INET6 };
#endif

struct knetstat_iter {
	struct seq_net_private p;	/* first: seq_file_net() needs it */
	const struct knetstat_afinfo *afinfo;
	unsigned int bucket;		/* bucket of the current socket */
	unsigned int offset;		/* its index among the bucket's matches */
	loff_t last_pos;		/* the position after the last next() */
	bool cred_checked;		/* cap_ptrace is known */
	bool cap_ptrace;		/* the opener may see others' options */
};

static const char *const knetstat_state_codes[] = {
	[TCP_ESTABLISHED]		= "ESTB",
	[TCP_SYN_SENT]			= "SYNS",
	[TCP_SYN_RECV]			= "SYNR",
	[TCP_FIN_WAIT1]			= "FNW1",
	[TCP_FIN_WAIT2]			= "FNW2",
	[TCP_TIME_WAIT]			= "TIMW",
	[TCP_CLOSE]			= "CLSD",
	[TCP_CLOSE_WAIT]		= "CLSW",
	[TCP_LAST_ACK]			= "LACK",
	[TCP_LISTEN]			= "LSTN",
	[TCP_CLOSING]			= "CLSG",
	[TCP_NEW_SYN_RECV]		= "SYNR",
	[KNETSTAT_TCP_BOUND_INACTIVE]	= "BNDI",
};

static const char *knetstat_state_code(unsigned int state)
{
	if (state < ARRAY_SIZE(knetstat_state_codes) &&
	    knetstat_state_codes[state])
		return knetstat_state_codes[state];
	return "UNKN";
}

/* ---- hash tables, per network namespace --------------------------------- */

static struct inet_hashinfo *knetstat_tcp_hashinfo(struct net *net)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
	return net->ipv4.tcp_death_row.hashinfo;
#else
	return &tcp_hashinfo;
#endif
}

static struct udp_table *knetstat_udp_table(struct net *net)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return net->ipv4.udp_table;
#else
	return &udp_table;
#endif
}

static unsigned int knetstat_tcp_listen_slots(struct inet_hashinfo *h)
{
#ifdef KNETSTAT_LISTENING_HASH
	return INET_LHTABLE_SIZE;
#else
	return h->lhash2_mask + 1;
#endif
}

static struct inet_listen_hashbucket *
knetstat_tcp_listen_bucket(struct inet_hashinfo *h, unsigned int i)
{
#ifdef KNETSTAT_LISTENING_HASH
	return &h->listening_hash[i];
#else
	return &h->lhash2[i];
#endif
}

static bool knetstat_listen_bucket_empty(struct inet_listen_hashbucket *ilb)
{
#ifdef KNETSTAT_LHASH2_ICSK
	return hlist_empty(&ilb->head);
#else
	return hlist_nulls_empty(&ilb->nulls_head);
#endif
}

/* Number of buckets of a file, and whether one may hold sockets. */
static unsigned int knetstat_slots(struct net *net,
				   const struct knetstat_afinfo *afinfo)
{
	struct inet_hashinfo *h;

	if (afinfo->protocol == IPPROTO_UDP)
		return knetstat_udp_table(net)->mask + 1;
	h = knetstat_tcp_hashinfo(net);
	return knetstat_tcp_listen_slots(h) + h->ehash_mask + 1;
}

static bool knetstat_slot_empty(struct net *net,
				const struct knetstat_afinfo *afinfo,
				unsigned int slot)
{
	struct inet_hashinfo *h;
	unsigned int nlisten;

	if (afinfo->protocol == IPPROTO_UDP)
		return hlist_empty(&knetstat_udp_table(net)->hash[slot].head);
	h = knetstat_tcp_hashinfo(net);
	nlisten = knetstat_tcp_listen_slots(h);
	if (slot < nlisten)
		return knetstat_listen_bucket_empty(
				knetstat_tcp_listen_bucket(h, slot));
	return hlist_nulls_empty(&h->ehash[slot - nlisten].chain);
}

/* ---- formatting ---------------------------------------------------------- */

/*
 * The text is built with seq_put_decimal_*(), seq_puts() and seq_pad()
 * rather than seq_printf(): they are several times cheaper per field, which
 * keeps reading tcpstat as fast as reading tcp even with many options set.
 */

/* "%6u " (seq_put_decimal_ull_width() is not exported). */
static void knetstat_put_u32_6(struct seq_file *m, u32 v)
{
	int digits = 1;
	u32 t;

	for (t = v; t >= 10; t /= 10)
		digits++;
	if (digits < 6)
		seq_write(m, "      ", 6 - digits);
	seq_put_decimal_ull(m, "", v);
	seq_putc(m, ' ');
}

static void knetstat_put_queues(struct seq_file *m, u32 rx, u32 tx)
{
	knetstat_put_u32_6(m, rx);
	knetstat_put_u32_6(m, tx);
}

/*
 * ":port", or ":*" for port 0; then pad the address field to its width,
 * unless it is the last field of the line (lines never end in blanks).
 */
static void knetstat_put_port_pad(struct seq_file *m, u16 port, bool pad)
{
	if (port)
		seq_put_decimal_ull(m, ":", port);
	else
		seq_puts(m, ":*");
	/* Pads to the width set by seq_setwidth(), then always one space. */
	if (pad)
		seq_pad(m, ' ');
}

static void knetstat_put_addr4(struct seq_file *m, __be32 addr, u16 port,
			       bool pad)
{
	const u8 *b = (const u8 *)&addr;

	seq_setwidth(m, KNETSTAT_ADDR_WIDTH);
	seq_put_decimal_ull(m, "", b[0]);
	seq_put_decimal_ull(m, ".", b[1]);
	seq_put_decimal_ull(m, ".", b[2]);
	seq_put_decimal_ull(m, ".", b[3]);
	knetstat_put_port_pad(m, port, pad);
}

#if IS_ENABLED(CONFIG_IPV6)
static void knetstat_put_addr6(struct seq_file *m, const struct in6_addr *addr,
			       u16 port, bool pad)
{
	seq_setwidth(m, KNETSTAT_ADDR_WIDTH);
	seq_printf(m, "%pI6c", addr);
	knetstat_put_port_pad(m, port, pad);
}
#endif

/*
 * Local and remote address of a full socket (listener, connection, UDP);
 * pad_remote is false when the remote address ends the line.
 */
static void knetstat_put_sk_addrs(struct seq_file *m, struct sock *sk,
				  bool pad_remote)
{
	const struct inet_sock *inet = inet_sk(sk);
	u16 sport = ntohs(inet->inet_sport);
	u16 dport = ntohs(inet->inet_dport);

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		knetstat_put_addr6(m, &sk->sk_v6_rcv_saddr, sport, true);
		knetstat_put_addr6(m, &sk->sk_v6_daddr, dport, pad_remote);
		return;
	}
#endif
	knetstat_put_addr4(m, inet->inet_rcv_saddr, sport, true);
	knetstat_put_addr4(m, inet->inet_daddr, dport, pad_remote);
}

/* A timeout in jiffies as milliseconds, without overflowing. */
static unsigned long long knetstat_jiffies_to_ms(long t)
{
	unsigned long long j = t;

	return div_u64(j, HZ) * MSEC_PER_SEC +
	       div_u64((j % HZ) * MSEC_PER_SEC, HZ);
}

/*
 * The options common to TCP and UDP that come before the protocol's own,
 * in the order of docs/format.md.
 */
static void knetstat_put_buf_timeo_linger(struct seq_file *m, struct sock *sk)
{
	u8 userlocks = sk->sk_userlocks;	/* a bitfield before 5.15 */
	long timeo;

	if (userlocks & SOCK_RCVBUF_LOCK)
		seq_put_decimal_ll(m, ",SO_RCVBUF=", READ_ONCE(sk->sk_rcvbuf) / 2);
	if (userlocks & SOCK_SNDBUF_LOCK)
		seq_put_decimal_ll(m, ",SO_SNDBUF=", READ_ONCE(sk->sk_sndbuf) / 2);
	timeo = READ_ONCE(sk->sk_rcvtimeo);
	if (timeo != MAX_SCHEDULE_TIMEOUT) {
		seq_put_decimal_ull(m, ",SO_RCVTIMEO=",
				    knetstat_jiffies_to_ms(timeo));
		seq_puts(m, "ms");
	}
	timeo = READ_ONCE(sk->sk_sndtimeo);
	if (timeo != MAX_SCHEDULE_TIMEOUT) {
		seq_put_decimal_ull(m, ",SO_SNDTIMEO=",
				    knetstat_jiffies_to_ms(timeo));
		seq_puts(m, "ms");
	}
	if (sock_flag(sk, SOCK_LINGER)) {
		seq_put_decimal_ull(m, ",SO_LINGER=",
				    READ_ONCE(sk->sk_lingertime) / HZ);
		seq_putc(m, 's');
	}
}

/*
 * TCP_DEFER_ACCEPT as getsockopt() reports it: the kernel stores a number
 * of SYN-ACK retransmissions and converts it back to seconds, doubling the
 * initial timeout up to the maximum RTO for each retransmission.
 */
static int knetstat_defer_accept_secs(u8 retrans)
{
	int timeout = TCP_TIMEOUT_INIT / HZ;
	int rto_max = TCP_RTO_MAX / HZ;
	int period = 0;

	if (retrans > 0) {
		period = timeout;
		while (--retrans) {
			timeout <<= 1;
			if (timeout > rto_max)
				timeout = rto_max;
			period += timeout;
		}
	}
	return period;
}

static const char *knetstat_tcp_diag(const struct tcp_sock *tp)
{
	u32 snd_wnd = READ_ONCE(tp->snd_wnd);
	u32 rcv_wnd = READ_ONCE(tp->rcv_wnd);

	if (!snd_wnd && !rcv_wnd)
		return ">|<";
	if (!snd_wnd)
		return ">|";
	if (!rcv_wnd)
		return "|<";
	if (READ_ONCE(tp->packets_out) &&
	    time_after32(tcp_jiffies32, READ_ONCE(tp->rcv_tstamp) + HZ))
		return ">#";
	return "";
}

/* ---- who may see a socket's options -------------------------------------- */

/*
 * A socket's options are what its process set; the kernel shows them only
 * to whom may take the socket's file descriptor with pidfd_getfd(), which
 * needs ptrace access: the same user, or CAP_SYS_PTRACE over the owner.
 * The module asks the same of the file's opener (f_cred, not the reader:
 * a descriptor passed to a more privileged process still shows what its
 * opener may see):
 *  - the opener's fsuid is the socket's owner (sk_uid, the fsuid of the
 *    process that created it, as in /proc/net/tcp's uid column), or
 *  - the opener has CAP_SYS_PTRACE in the user namespace owning the
 *    socket's network namespace, and the owner's uid is mapped in that
 *    namespace: ptrace wants the capability in the target's user
 *    namespace, and a process whose uid is not mapped there is not in it
 *    (the same rule as CAP_FOWNER over an inode's owner).
 * CAP_NET_ADMIN does not suffice: it gives no access to other processes'
 * descriptors. The diag flags are shown to everyone, as netlink's tcp_info
 * is.
 */
static bool knetstat_opener_may_ptrace(const struct file *file,
				       struct net *net)
{
	const struct cred *old;
	bool ok;

	/*
	 * file_ns_capable() would audit every unprivileged reader's denial;
	 * security_capable() with CAP_OPT_NOAUDIT is not exported. The same
	 * check without audit: the capability of the opener's credentials.
	 */
	old = override_creds(file->f_cred);
	ok = ns_capable_noaudit(net->user_ns, CAP_SYS_PTRACE);
	revert_creds(old);
	return ok;
}

/* Called under the bucket lock: no capability check here (see seq_start). */
static bool knetstat_may_see_options(struct seq_file *m, struct sock *sk)
{
	const struct knetstat_iter *it = m->private;
	kuid_t owner = READ_ONCE(sk->sk_uid);

	if (uid_eq(m->file->f_cred->fsuid, owner))
		return true;
	return it->cap_ptrace &&
	       kuid_has_mapping(seq_file_net(m)->user_ns, owner);
}

static void knetstat_tcp_show_full(struct seq_file *m, struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	int state = inet_sk_state_load(sk);
	bool options = knetstat_may_see_options(m, sk);
	const char *diag = "";
	u32 rx, tx, val;

	if (state == TCP_LISTEN) {
		rx = READ_ONCE(sk->sk_ack_backlog);
		tx = 0;
	} else {
		rx = max_t(int, READ_ONCE(tp->rcv_nxt) -
				READ_ONCE(tp->copied_seq), 0);
		tx = READ_ONCE(tp->write_seq) - tp->snd_una;
	}
	knetstat_put_queues(m, rx, tx);
	knetstat_put_sk_addrs(m, sk, true);
	seq_puts(m, knetstat_state_code(state));
	if (state == TCP_ESTABLISHED)
		diag = knetstat_tcp_diag(tp);
	if (!options) {
		/* The line ends after the state, or after the diag flags. */
		if (*diag) {
			seq_putc(m, ' ');
			seq_puts(m, diag);
		}
		seq_putc(m, '\n');
		return;
	}
	seq_putc(m, ' ');
	seq_setwidth(m, 4);
	seq_puts(m, diag);
	seq_pad(m, ' ');

	seq_put_decimal_ull(m, "SO_REUSEADDR=", sk->sk_reuse != 0);
	seq_put_decimal_ull(m, ",SO_REUSEPORT=", sk->sk_reuseport != 0);
	seq_put_decimal_ull(m, ",SO_KEEPALIVE=", sock_flag(sk, SOCK_KEEPOPEN));
	val = READ_ONCE(tp->keepalive_time);
	if (val)
		seq_put_decimal_ull(m, ",TCP_KEEPIDLE=", val / HZ);
	val = READ_ONCE(tp->keepalive_probes);
	if (val)
		seq_put_decimal_ull(m, ",TCP_KEEPCNT=", val);
	val = READ_ONCE(tp->keepalive_intvl);
	if (val)
		seq_put_decimal_ull(m, ",TCP_KEEPINTVL=", val / HZ);
	val = READ_ONCE(icsk->icsk_user_timeout);
	if (val)
		seq_put_decimal_ull(m, ",TCP_USER_TIMEOUT=", val);
	knetstat_put_buf_timeo_linger(m, sk);
	seq_put_decimal_ull(m, ",TCP_NODELAY=",
			    (tp->nonagle & TCP_NAGLE_OFF) ? 1 : 0);
	if (state == TCP_LISTEN)
		seq_put_decimal_ll(m, ",TCP_FASTOPEN=",
			READ_ONCE(icsk->icsk_accept_queue.fastopenq.max_qlen));
	seq_put_decimal_ull(m, ",TCP_DEFER_ACCEPT=",
		knetstat_defer_accept_secs(
			READ_ONCE(icsk->icsk_accept_queue.rskq_defer_accept)));
	seq_putc(m, '\n');
}

static void knetstat_tcp_show_tw(struct seq_file *m, struct sock *sk)
{
	const struct inet_timewait_sock *tw = inet_twsk(sk);
	u16 sport = ntohs(tw->tw_sport);
	u16 dport = ntohs(tw->tw_dport);

	knetstat_put_queues(m, 0, 0);
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		knetstat_put_addr6(m, &tw->tw_v6_rcv_saddr, sport, true);
		knetstat_put_addr6(m, &tw->tw_v6_daddr, dport, true);
	} else
#endif
	{
		knetstat_put_addr4(m, tw->tw_rcv_saddr, sport, true);
		knetstat_put_addr4(m, tw->tw_daddr, dport, true);
	}
	/* tw_substate is TIME_WAIT, or FIN_WAIT2 for an orphaned socket. */
	seq_puts(m, knetstat_state_code(tw->tw_substate));
	seq_putc(m, '\n');
}

static void knetstat_tcp_show_req(struct seq_file *m, struct sock *sk)
{
	const struct inet_request_sock *ireq = inet_rsk(inet_reqsk(sk));
	u16 lport = ireq->ir_num;	/* host order, unlike ir_loc_port */
	u16 rport = ntohs(ireq->ir_rmt_port);

	knetstat_put_queues(m, 0, 0);
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		knetstat_put_addr6(m, &ireq->ir_v6_loc_addr, lport, true);
		knetstat_put_addr6(m, &ireq->ir_v6_rmt_addr, rport, true);
	} else
#endif
	{
		knetstat_put_addr4(m, ireq->ir_loc_addr, lport, true);
		knetstat_put_addr4(m, ireq->ir_rmt_addr, rport, true);
	}
	seq_puts(m, knetstat_state_code(TCP_SYN_RECV));
	seq_putc(m, '\n');
}

static void knetstat_udp_show_sk(struct seq_file *m, struct sock *sk)
{
	bool options = knetstat_may_see_options(m, sk);

	knetstat_put_queues(m, udp_rqueue_get(sk), sk_wmem_alloc_get(sk));
	knetstat_put_sk_addrs(m, sk, options);
	if (!options) {
		/* The line ends after the foreign address. */
		seq_putc(m, '\n');
		return;
	}
	seq_put_decimal_ull(m, "SO_REUSEADDR=", sk->sk_reuse != 0);
	seq_put_decimal_ull(m, ",SO_REUSEPORT=", sk->sk_reuseport != 0);
	knetstat_put_buf_timeo_linger(m, sk);
	seq_put_decimal_ull(m, ",SO_BROADCAST=", sock_flag(sk, SOCK_BROADCAST));
	seq_putc(m, '\n');
}

/* ---- one socket per record, bucket by bucket ---------------------------- */

/*
 * The walk follows tcp_seq_*() and udp_seq_*(): a file's buckets are
 * numbered 0 to knetstat_slots() - 1 (for TCP the listener buckets first,
 * then the established hash), and each record is one socket. The lock of
 * the bucket of the socket last returned is held until the walk moves to
 * the next bucket or seq_file calls stop(), which it does once a buffer is
 * full: no lock is held for more than one buffer's worth of sockets, and a
 * record is one line, so seq_file never retries with a larger buffer.
 */

static bool knetstat_match(struct sock *sk, struct net *net,
			   const struct knetstat_afinfo *afinfo)
{
	return sk->sk_family == afinfo->family && net_eq(sock_net(sk), net);
}

static void knetstat_lock(struct net *net, const struct knetstat_afinfo *af,
			  unsigned int slot)
{
	struct inet_hashinfo *h;
	unsigned int nlisten;

	if (af->protocol == IPPROTO_UDP) {
		spin_lock_bh(&knetstat_udp_table(net)->hash[slot].lock);
		return;
	}
	h = knetstat_tcp_hashinfo(net);
	nlisten = knetstat_tcp_listen_slots(h);
	/* /proc/net/tcp takes listener bucket locks without disabling BH. */
	if (slot < nlisten)
		spin_lock(&knetstat_tcp_listen_bucket(h, slot)->lock);
	else
		spin_lock_bh(inet_ehash_lockp(h, slot - nlisten));
}

static void knetstat_unlock(struct net *net, const struct knetstat_afinfo *af,
			    unsigned int slot)
{
	struct inet_hashinfo *h;
	unsigned int nlisten;

	if (af->protocol == IPPROTO_UDP) {
		spin_unlock_bh(&knetstat_udp_table(net)->hash[slot].lock);
		return;
	}
	h = knetstat_tcp_hashinfo(net);
	nlisten = knetstat_tcp_listen_slots(h);
	if (slot < nlisten)
		spin_unlock(&knetstat_tcp_listen_bucket(h, slot)->lock);
	else
		spin_unlock_bh(inet_ehash_lockp(h, slot - nlisten));
}

/* The first socket of a bucket, matching or not; called under its lock. */
static struct sock *knetstat_head(struct net *net,
				  const struct knetstat_afinfo *af,
				  unsigned int slot)
{
	struct inet_hashinfo *h;
	unsigned int nlisten;

	if (af->protocol == IPPROTO_UDP)
		return sk_head(&knetstat_udp_table(net)->hash[slot].head);
	h = knetstat_tcp_hashinfo(net);
	nlisten = knetstat_tcp_listen_slots(h);
	if (slot >= nlisten)
		return sk_nulls_head(&h->ehash[slot - nlisten].chain);
#ifdef KNETSTAT_LHASH2_ICSK
	return (struct sock *)hlist_entry_safe(
			knetstat_tcp_listen_bucket(h, slot)->head.first,
			struct inet_connection_sock, icsk_listen_portaddr_node);
#else
	return sk_nulls_head(&knetstat_tcp_listen_bucket(h, slot)->nulls_head);
#endif
}

/* The socket after sk in its bucket, matching or not; under its lock. */
static struct sock *knetstat_chain_next(const struct knetstat_afinfo *af,
					unsigned int nlisten,
					unsigned int slot, struct sock *sk)
{
	if (af->protocol == IPPROTO_UDP)
		return sk_next(sk);
#ifdef KNETSTAT_LHASH2_ICSK
	if (slot < nlisten)
		return (struct sock *)hlist_entry_safe(
			inet_csk(sk)->icsk_listen_portaddr_node.next,
			struct inet_connection_sock, icsk_listen_portaddr_node);
#endif
	return sk_nulls_next(sk);
}

static unsigned int knetstat_nlisten(struct net *net,
				     const struct knetstat_afinfo *af)
{
	if (af->protocol == IPPROTO_UDP)
		return 0;
	return knetstat_tcp_listen_slots(knetstat_tcp_hashinfo(net));
}

/*
 * The first matching socket in bucket it->bucket or a later one, with its
 * bucket locked; NULL, no lock held, past the last bucket. Empty buckets
 * are skipped without their lock, as tcp_seq_*() and udp_seq_*() do.
 */
static struct sock *knetstat_get_first(struct seq_file *m)
{
	struct knetstat_iter *it = m->private;
	const struct knetstat_afinfo *af = it->afinfo;
	struct net *net = seq_file_net(m);
	unsigned int n = knetstat_slots(net, af);
	unsigned int nlisten = knetstat_nlisten(net, af);
	struct sock *sk;

	it->offset = 0;
	for (; it->bucket < n; it->bucket++) {
		/* The established hash has many empty buckets. */
		cond_resched();
		if (knetstat_slot_empty(net, af, it->bucket))
			continue;
		knetstat_lock(net, af, it->bucket);
		for (sk = knetstat_head(net, af, it->bucket); sk;
		     sk = knetstat_chain_next(af, nlisten, it->bucket, sk)) {
			if (knetstat_match(sk, net, af))
				return sk;
		}
		knetstat_unlock(net, af, it->bucket);
	}
	return NULL;
}

/* The matching socket after sk, which is in bucket it->bucket, locked. */
static struct sock *knetstat_get_next(struct seq_file *m, struct sock *sk)
{
	struct knetstat_iter *it = m->private;
	const struct knetstat_afinfo *af = it->afinfo;
	struct net *net = seq_file_net(m);
	unsigned int nlisten = knetstat_nlisten(net, af);

	it->offset++;
	for (sk = knetstat_chain_next(af, nlisten, it->bucket, sk); sk;
	     sk = knetstat_chain_next(af, nlisten, it->bucket, sk)) {
		if (knetstat_match(sk, net, af))
			return sk;
	}
	knetstat_unlock(net, af, it->bucket);
	it->bucket++;
	return knetstat_get_first(m);
}

/* The socket at index pos (0 is the first socket), walking from the start. */
static struct sock *knetstat_get_idx(struct seq_file *m, loff_t pos)
{
	struct knetstat_iter *it = m->private;
	struct sock *sk;

	it->bucket = 0;
	sk = knetstat_get_first(m);
	while (sk && pos) {
		sk = knetstat_get_next(m, sk);
		pos--;
	}
	return sk;
}

/*
 * A read that continues where the last one stopped resumes at the bucket
 * and offset of the socket it did not show, as tcp_seek_last_pos() does,
 * instead of walking every bucket before it again. If the bucket lost
 * sockets meanwhile, the walk goes on with the next bucket: a socket may
 * be missed or shown twice, as in /proc/net/tcp.
 */
static struct sock *knetstat_seek_last_pos(struct seq_file *m)
{
	struct knetstat_iter *it = m->private;
	unsigned int bucket = it->bucket;
	unsigned int offset = it->offset;
	struct sock *sk;

	sk = knetstat_get_first(m);
	while (offset-- && sk && bucket == it->bucket)
		sk = knetstat_get_next(m, sk);
	return sk;
}

/* ---- seq_file ------------------------------------------------------------ */

/* Position 0 is the header; position n > 0 is the n-th socket. */
static void *knetstat_seq_start(struct seq_file *m, loff_t *pos)
{
	struct knetstat_iter *it = m->private;
	void *rc;

	it->afinfo = pde_data(file_inode(m->file));
	if (!it->cred_checked) {
		/* Once per open file, outside any lock: f_cred is fixed. */
		it->cap_ptrace = knetstat_opener_may_ptrace(m->file,
							    seq_file_net(m));
		it->cred_checked = true;
	}
	if (*pos && *pos == it->last_pos) {
		rc = knetstat_seek_last_pos(m);
	} else {
		it->bucket = 0;
		it->offset = 0;
		rc = *pos ? knetstat_get_idx(m, *pos - 1) : SEQ_START_TOKEN;
	}
	it->last_pos = *pos;
	return rc;
}

static void *knetstat_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct knetstat_iter *it = m->private;
	void *rc;

	if (v == SEQ_START_TOKEN)
		rc = knetstat_get_idx(m, 0);
	else
		rc = knetstat_get_next(m, v);
	++*pos;
	it->last_pos = *pos;
	return rc;
}

static void knetstat_seq_stop(struct seq_file *m, void *v)
{
	struct knetstat_iter *it = m->private;

	/* A socket returned by start() or next() has its bucket locked. */
	if (v && v != SEQ_START_TOKEN)
		knetstat_unlock(seq_file_net(m), it->afinfo, it->bucket);
}

static int knetstat_seq_show(struct seq_file *m, void *v)
{
	struct knetstat_iter *it = m->private;
	struct sock *sk = v;

	if (v == SEQ_START_TOKEN) {
		if (it->afinfo->protocol == IPPROTO_TCP)
			seq_puts(m, "Recv-Q Send-Q Local Address           Foreign Address         Stat Diag Options\n");
		else
			seq_puts(m, "Recv-Q Send-Q Local Address           Foreign Address         Options\n");
		return 0;
	}

	if (it->afinfo->protocol == IPPROTO_UDP)
		knetstat_udp_show_sk(m, sk);
	else if (sk->sk_state == TCP_TIME_WAIT)
		knetstat_tcp_show_tw(m, sk);
	else if (sk->sk_state == TCP_NEW_SYN_RECV)
		knetstat_tcp_show_req(m, sk);
	else
		knetstat_tcp_show_full(m, sk);
	return 0;
}

static const struct seq_operations knetstat_seq_ops = {
	.start	= knetstat_seq_start,
	.next	= knetstat_seq_next,
	.stop	= knetstat_seq_stop,
	.show	= knetstat_seq_show,
};

/* ---- per network namespace files ----------------------------------------- */

static const struct {
	const char *name;
	const struct knetstat_afinfo *afinfo;
} knetstat_files[] = {
	{ "tcpstat", &knetstat_tcp4 },
	{ "udpstat", &knetstat_udp4 },
#if IS_ENABLED(CONFIG_IPV6)
	{ "tcp6stat", &knetstat_tcp6 },
	{ "udp6stat", &knetstat_udp6 },
#endif
};

static void knetstat_remove_files(struct net *net, int count)
{
	while (count-- > 0)
		remove_proc_entry(knetstat_files[count].name, net->proc_net);
}

static int __net_init knetstat_net_init(struct net *net)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(knetstat_files); i++) {
		if (!proc_create_net_data(knetstat_files[i].name, 0444,
					  net->proc_net, &knetstat_seq_ops,
					  sizeof(struct knetstat_iter),
					  (void *)knetstat_files[i].afinfo)) {
			knetstat_remove_files(net, i);
			return -ENOMEM;
		}
	}
	return 0;
}

static void __net_exit knetstat_net_exit(struct net *net)
{
	knetstat_remove_files(net, ARRAY_SIZE(knetstat_files));
}

static struct pernet_operations knetstat_net_ops = {
	.init = knetstat_net_init,
	.exit = knetstat_net_exit,
};

static int __init knetstat_init(void)
{
	return register_pernet_subsys(&knetstat_net_ops);
}

static void __exit knetstat_exit(void)
{
	unregister_pernet_subsys(&knetstat_net_ops);
}

module_init(knetstat_init);
module_exit(knetstat_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The knetstat authors");
MODULE_DESCRIPTION("Socket options and TCP health flags in /proc/net/{tcp,tcp6,udp,udp6}stat");
MODULE_VERSION("0.1.0");
