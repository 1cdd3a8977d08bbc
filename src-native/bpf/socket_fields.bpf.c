// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * knetstat's socket programs: one record per full socket of the iter/tcp and
 * iter/udp socket iterators (Linux >= 5.9), for the bpf options source.
 *
 * The programs only read. They copy spans of the socket, and a few fields
 * behind its pointers, into a record with bpf_probe_read_kernel() and hand
 * it to the reader with bpf_seq_write(). The one helper that may write is
 * bpf_get_socket_cookie(), which gives a socket without a cookie its cookie,
 * as the netlink dump of the same listing does. Which bytes to copy is not compiled in: field offsets differ from
 * kernel to kernel, so each offset is an ld_imm64 the loader rewrites with
 * what the running kernel's BTF says (patch_ids.h). The reader decodes the
 * fields from the record (src-native/bpf/socket_fields.cc).
 *
 * Built with clang -target bpf into socket_fields.bpf.inc by
 * src-native/tools/build-bpf.sh; no vmlinux.h, no libbpf: the context
 * structures are the iterators' stable ABI.
 */
#include "patch_ids.h"

_Static_assert(KNS_MAX_SPANS == 16 && KNS_MAX_DEREFS == 3,
	       "show() copies 16 spans and 3 pointer fields");

typedef unsigned char __u8;
typedef unsigned int __u32;
typedef unsigned long long __u64;

struct bpf_iter_meta {
	void *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct bpf_iter__tcp {
	struct bpf_iter_meta *meta;
	void *sk_common;
	__u32 uid;
};

struct bpf_iter__udp {
	struct bpf_iter_meta *meta;
	void *udp_sk;
	__u32 uid;
	int bucket;
};

/* Helper ids of include/uapi/linux/bpf.h. */
static long (*bpf_probe_read_kernel)(void *dst, __u32 size,
				     const void *src) = (void *)113;
static long (*bpf_seq_write)(void *seq, const void *data,
			     __u32 len) = (void *)127;
/*
 * The socket's cookie, given one if it has none yet (as a netlink sock_diag
 * dump or SO_COOKIE would): the key records are joined to netlink entries
 * by. Tracing programs have it from Linux 5.12; before, the loader replaces
 * the call by "r0 = 0" and the reader falls back on the cookie field.
 */
static __u64 (*bpf_get_socket_cookie)(void *sk) = (void *)46;

#define PATCHED(what, index) ({						\
	__u64 __v;							\
	asm volatile("%0 = %1 ll" : "=r"(__v)				\
		     : "i"(KNS_PATCH_ID(what, index)));			\
	__v;								\
})

/* TCP_TIME_WAIT and TCP_NEW_SYN_RECV: minisockets, which have no options. */
#define KNS_TCP_TIME_WAIT 6
#define KNS_TCP_NEW_SYN_RECV 12

#define COPY_SPAN(i)							\
	do {								\
		if (PATCHED(KNS_SPAN_COUNT, 0) > (i))			\
			bpf_probe_read_kernel(				\
				record + PATCHED(KNS_SPAN_DST, i),	\
				PATCHED(KNS_SPAN_LEN, i),		\
				sk + PATCHED(KNS_SPAN_SRC, i));		\
	} while (0)

#define COPY_DEREF(i)							\
	do {								\
		if (PATCHED(KNS_DEREF_ON, i)) {				\
			const char *p = 0;				\
									\
			bpf_probe_read_kernel(&p, sizeof(p),		\
				sk + PATCHED(KNS_DEREF_PTR, i));	\
			if (p)						\
				bpf_probe_read_kernel(			\
					record + PATCHED(KNS_DEREF_DST, i), \
					PATCHED(KNS_DEREF_LEN, i),	\
					p + PATCHED(KNS_DEREF_OFF, i));	\
		}							\
	} while (0)

static __attribute__((always_inline)) int show(void *seq, const char *sk)
{
	char record[KNS_RECORD_MAX];
	__u64 state_at, cookie;

	__builtin_memset(record, 0, sizeof(record));
	/* The first span holds the state: minisockets end there. */
	COPY_SPAN(0);
	state_at = PATCHED(KNS_STATE_AT, 0);
	if (state_at < KNS_RECORD_MAX) {
		__u8 state = record[state_at];

		if (state == KNS_TCP_TIME_WAIT || state == KNS_TCP_NEW_SYN_RECV)
			return 0;
	}
	COPY_SPAN(1);
	COPY_SPAN(2);
	COPY_SPAN(3);
	COPY_SPAN(4);
	COPY_SPAN(5);
	COPY_SPAN(6);
	COPY_SPAN(7);
	COPY_SPAN(8);
	COPY_SPAN(9);
	COPY_SPAN(10);
	COPY_SPAN(11);
	COPY_SPAN(12);
	COPY_SPAN(13);
	COPY_SPAN(14);
	COPY_SPAN(15);
	COPY_DEREF(0);
	COPY_DEREF(1);
	COPY_DEREF(2);
	/* The first KNS_COOKIE_BYTES of the record: minisockets never get here. */
	cookie = bpf_get_socket_cookie((void *)sk);
	__builtin_memcpy(record, &cookie, sizeof(cookie));
	bpf_seq_write(seq, record, PATCHED(KNS_RECORD_LEN, 0));
	return 0;
}

__attribute__((section("iter/tcp"), used))
int knetstat_tcp(struct bpf_iter__tcp *ctx)
{
	const char *sk = ctx->sk_common;

	if (!sk)
		return 0;
	return show(ctx->meta->seq, sk);
}

__attribute__((section("iter/udp"), used))
int knetstat_udp(struct bpf_iter__udp *ctx)
{
	const char *sk = ctx->udp_sk;

	if (!sk)
		return 0;
	return show(ctx->meta->seq, sk);
}

char _license[] __attribute__((section("license"), used)) = "Dual MIT/GPL";
