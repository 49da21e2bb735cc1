/* SPDX-License-Identifier: GPL-2.0 */
/* Event layout of the tcp family: the single definition; Java reads it from this object's BTF. Every scalar is
 * 32 or 64 bits wide so the Java side reads it with the engine's EventLayout accessors. */
#pragma once

#define TCP_COMM_LEN 16

enum tcp_event_kind {
	TCP_EV_OPEN = 1,            /* a connection of a traced process is established (or first seen in use) */
	TCP_EV_CLOSE = 2,           /* it reached CLOSE: duration, bytes, retransmits */
	TCP_EV_RETRANSMIT = 3,      /* the kernel retransmitted segments of it */
	TCP_EV_SYNACK_RETRANSMIT = 4, /* a traced listener retransmitted a SYN-ACK (no connection exists yet) */
};

enum tcp_role {
	TCP_ROLE_UNKNOWN = 0,       /* first seen in use: opened before tracing began */
	TCP_ROLE_CLIENT = 1,        /* active open: connect() */
	TCP_ROLE_SERVER = 2,        /* passive open: accepted from a traced listener */
};

struct aiscope_tcp_event {
	__u32 kind;                 /* enum tcp_event_kind */
	__u32 tgid;                 /* the owning process, never the interrupted one */
	__u64 ts_ns;                /* CLOCK_MONOTONIC */
	__u64 sock;                 /* kernel address of the socket: the connection's identity while it lives */
	__u64 duration_ns;          /* close: since open (or since first seen) */
	__u64 connect_ns;           /* open/close of a client: SYN_SENT -> ESTABLISHED, 0 if it never got there */
	__u64 tx_bytes;             /* close: payload bytes the peer acknowledged (SYN and FIN taken out) */
	__u64 rx_bytes;             /* close: payload bytes received in sequence (FIN taken out) */
	__u32 retransmits;          /* close: segments retransmitted over the connection; retransmit: this time */
	__u32 family;               /* AF_INET or AF_INET6 */
	__u32 lport;                /* 0 for a connect refused before any event saw its port */
	__u32 rport;
	__u32 role;                 /* enum tcp_role */
	__u32 state;                /* close: the state it left for CLOSE; retransmit: the state at the time */
	__u8 laddr[16];             /* IPv4 in the first 4 bytes, network order */
	__u8 raddr[16];
	char comm[TCP_COMM_LEN];
};
