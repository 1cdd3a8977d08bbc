/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * The constants the loader writes into the socket programs before loading
 * them (socket_fields.bpf.c, socket_program.cc). Each is an ld_imm64 whose
 * immediate is KNS_PATCH_ID(what, index) in the compiled program: kernel
 * field offsets differ between kernels, and are read from the running
 * kernel's BTF at load time instead of being compiled in.
 */
#ifndef KNETSTAT_BPF_PATCH_IDS_H
#define KNETSTAT_BPF_PATCH_IDS_H

#define KNS_PATCH_MAGIC 0x4b4e530000000000ULL
#define KNS_PATCH_ID(what, index) \
	(KNS_PATCH_MAGIC | ((unsigned long long)(what) << 8) | (index))

/* Spans of the socket copied into the record: record offset, length, socket offset. */
#define KNS_SPAN_COUNT 0
#define KNS_SPAN_DST 1
#define KNS_SPAN_LEN 2
#define KNS_SPAN_SRC 3
/* Fields behind a pointer of the socket: *(sk + PTR) + OFF, LEN bytes, at DST. */
#define KNS_DEREF_ON 4
#define KNS_DEREF_PTR 5
#define KNS_DEREF_OFF 6
#define KNS_DEREF_LEN 7
#define KNS_DEREF_DST 8
/* The record: its length, and where the socket's state byte is in it (-1: none). */
#define KNS_RECORD_LEN 9
#define KNS_STATE_AT 10

#define KNS_MAX_SPANS 16
#define KNS_MAX_DEREFS 3
/* The record starts with the cookie bpf_get_socket_cookie() returned (0: none). */
#define KNS_COOKIE_BYTES 8
/* A record is built on the BPF stack (512 bytes at most). */
#define KNS_RECORD_MAX 384
#define KNS_DEREF_MAX 16

#endif
