/* SPDX-License-Identifier: GPL-2.0 */
/* Event layout of the http family: the single definition; Java reads it from this object's BTF. */
#pragma once

#include "capture.h"

/* Bytes copied from the start of each socket call's buffer, and from its end when it moved more. */
#define HTTP_HEAD_BYTES CAPTURE_HEAD_BYTES
#define HTTP_TAIL_BYTES CAPTURE_TAIL_BYTES

enum http_event_kind {
	HTTP_EV_DATA = 1,      /* a read/recv or write/send call on a TCP socket of a traced process returned */
	HTTP_EV_CLOSE = 2,     /* a socket that carried data was closed (by us: FIN_WAIT1/LAST_ACK; or reset) */
	HTTP_EV_RUNQ_WAIT = 3, /* a traced thread waited this long for a CPU (only when single events are wanted) */
};

enum http_flags {
	HTTP_INBOUND = 1,       /* data: read/recv (else write/send) */
	HTTP_FIRST_DATA = 2,    /* data: nothing was sent on the connection before, nor received unless by this call:
	                           its first bytes, not the middle of a connection opened before tracing began */
	HTTP_PEER_RESET = 4,    /* close: the kernel tore the connection down on an error (the peer's reset) */
};

struct aiscope_http_event {
	__u32 kind;             /* enum http_event_kind */
	__u32 tgid;
	__u32 tid;
	__u32 flags;            /* data: enum http_flags */
	__u64 ts_ns;            /* CLOCK_MONOTONIC; data: a read's end, when its bytes were in the buffer, or a send's
	                           start, when TCP began taking its bytes (its end can come much later, after the
	                           sender was preempted by the very thread its bytes woke); runq wait: wait start */
	__u64 sock;             /* kernel address of the struct sock (the tcp family's connection identity) */
	__u64 cookie;           /* data: the socket's cookie, never reused while the kernel runs (unlike the address):
	                           the key under which Java asks the kernel to skip the connection (skip_socks) */
	__s64 bytes;            /* data: bytes moved, 0 at end of stream, -errno on failure; runq wait: its length */
	__u32 lport;            /* data, close: the socket's local port ... */
	__u32 rport;            /* ... and its peer's */
	__u32 head_len;         /* bytes of head[] that are valid */
	__u32 tail_len;         /* bytes of tail[] that are valid: the call's last bytes, when it moved more than head */
	__u64 run_delay_ns;     /* the calling thread's run-queue wait so far (sched_info.run_delay) */
	__u64 on_cpu_ns;        /* the calling thread's CPU time so far (se.sum_exec_runtime) */
	__u64 proc_run_delay_ns; /* the process's run-queue wait since tracing began: all its threads */
	__u8 tail[HTTP_TAIL_BYTES];
	__u8 head[HTTP_HEAD_BYTES]; /* last: a record is sent only up to head + head_len */
};

/* Written by Java after load. */
struct aiscope_http_settings {
	__u32 runq_wait_events; /* send HTTP_EV_RUNQ_WAIT records (record, trace) */
	__u32 min_runq_wait_us; /* shorter waits are only counted */
};
