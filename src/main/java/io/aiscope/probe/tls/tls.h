/* SPDX-License-Identifier: GPL-2.0 */
/* Event layout of the tls family: the single definition; Java reads it from this object's BTF. */
#pragma once
#include "capture.h"

/* The probed OpenSSL functions, as attach cookies of the data programs. */
enum tls_function {
	TLS_FN_WRITE = 1,    /* int SSL_write(SSL *, const void *buf, int num): bytes written, <= 0 on failure */
	TLS_FN_READ = 2,     /* int SSL_read(SSL *, void *buf, int num): bytes read, <= 0 on failure */
	TLS_FN_WRITE_EX = 3, /* int SSL_write_ex(SSL *, const void *buf, size_t num, size_t *written): 1 = success */
	TLS_FN_READ_EX = 4,  /* int SSL_read_ex(SSL *, void *buf, size_t num, size_t *readbytes): 1 = success */
};

enum tls_event_kind {
	TLS_EV_DATA = 1,      /* plaintext handed to SSL_write*, or returned by SSL_read*; or the stream's socket ended */
	TLS_EV_FREE = 2,      /* SSL_free: the stream is over (and its SSL pointer may be reused) */
	TLS_EV_HANDSHAKE = 3, /* SSL_do_handshake/SSL_connect/SSL_accept returned 1 for the first time on this SSL */
};

enum tls_flags {
	TLS_INBOUND = 1,              /* data: read (else write) */
	TLS_FIRST_DATA = 2,           /* data: a call on this SSL that moved no plaintext (the handshake) came before:
	                                 the stream's first bytes, not the middle of one opened before tracing began */
	TLS_HANDSHAKE_UNFINISHED = 4, /* free: a handshake began on it and never returned 1 */
};

struct aiscope_tls_event {
	__u32 kind;              /* enum tls_event_kind */
	__u32 tgid;
	__u32 tid;
	__u32 flags;             /* enum tls_flags */
	__u64 ts_ns;             /* CLOCK_MONOTONIC; data: a write's entry (plaintext handed over), a read's return
	                            (plaintext available), or the socket call that ended the stream; handshake: its
	                            first entry on this SSL; free: the call */
	__u64 ssl;               /* the SSL pointer: with tgid, the stream's identity */
	__u64 sock;              /* kernel address of the stream's struct sock; 0 while not known */
	__s64 bytes;             /* data: plaintext bytes moved, 0 at the socket's end of stream, -errno when a socket
	                            call failed; handshake: its duration in ns */
	__u32 lport;             /* the socket's local port ... */
	__u32 rport;             /* ... and its peer's; 0 while the socket is not known */
	__u32 head_len;          /* bytes of head[] that are valid */
	__u32 tail_len;          /* bytes of tail[] that are valid: the call's last bytes, when it moved more than head */
	__u64 run_delay_ns;      /* the calling thread's run-queue wait so far (sched_info.run_delay) */
	__u64 on_cpu_ns;         /* the calling thread's CPU time so far (se.sum_exec_runtime) */
	__u64 proc_run_delay_ns; /* the process's run-queue wait since tracing began: all its threads */
	__u8 tail[CAPTURE_TAIL_BYTES];
	__u8 head[CAPTURE_HEAD_BYTES]; /* last: a record is sent only up to head + head_len */
};
