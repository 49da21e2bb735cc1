// SPDX-License-Identifier: GPL-2.0
/* TCP connections of traced processes, tcplife-style: open, close with duration and bytes, connect latency, and
 * retransmitted segments per connection. Only tracepoints (tp_btf: no tracefs, no kprobes, no fentry needed).
 *
 * Who owns a socket. Most TCP state changes and every retransmission run in softirq or timer context, where the
 * current task is whoever happened to be interrupted. So the owner is written down only where the kernel is
 * known to run on behalf of the process that uses the socket, and read back from the `conns` map everywhere
 * else:
 *   - CLOSE -> SYN_SENT: connect() (or sendmsg(MSG_FASTOPEN), or the process's io_uring worker);
 *   - -> LISTEN: listen(); connections later accepted from that listener inherit its owner (the child socket is
 *     created in softirq, so it is matched to the listener by network namespace and port);
 *   - sock_send_length / sock_recv_length: every sendmsg/recvmsg, in the calling process. They hand a socket to
 *     the process that really uses it (a pre-forked worker accepting from its parent's listener) and adopt
 *     connections that were open before tracing began. */
#include "aiscope.h"
#include "tcp.h"
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define TCP_MAX_CONNS 65536
#define TCP_MAX_LISTENERS 4096

const volatile struct aiscope_tcp_event aiscope_tcp_event_layout __attribute__((unused));

/* What we know of a connection of a traced process, keyed by its socket's address. */
struct conn {
	__u64 open_ns;
	__u64 connect_ns;
	__u64 base_tx;            /* bytes_acked that is not payload we saw sent: the SYN, or what came before adoption */
	__u64 base_rx;
	__u32 tgid;
	__u32 role;
	__u32 retransmits;        /* segments, as the kernel counts them */
	__u32 seen_retrans;       /* tcp_sock.total_retrans when last looked at */
	__u32 lport;              /* as last seen: the kernel clears it before the CLOSE transition is traced */
	__u32 _pad;
	char comm[TCP_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TCP_MAX_CONNS);
	__type(key, __u64);
	__type(value, struct conn);
} conns SEC(".maps");

struct listen_key {
	__u32 netns;              /* inode number of the network namespace */
	__u32 port;
};

struct owner {
	__u32 tgid;
	char comm[TCP_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TCP_MAX_LISTENERS);
	__type(key, struct listen_key);
	__type(value, struct owner);
} listeners SEC(".maps");

/* Counters Java reads (BpfMap.sumPerCpu): */
#define STAT_UNATTRIBUTED 0   /* retransmission attempts on sockets no traced process was seen to own */
#define STAT_CONNS_FULL 1     /* connections not followed because `conns` was full */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} tcp_stats SEC(".maps");

static __always_inline void count(__u32 stat)
{
	__u64 *n = bpf_map_lookup_elem(&tcp_stats, &stat);
	if (n)
		*n += 1;
}

static __always_inline bool is_tcp(struct sock *sk)
{
	/* A bitfield before 5.6: the probed read copes with both shapes. MPTCP sockets pass through
	 * inet_sock_set_state too and are not tcp_socks. */
	return BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) == IPPROTO_TCP;
}

static __always_inline struct listen_key listen_key_of(const struct sock_common *skc)
{
	struct listen_key k = {
		.netns = BPF_CORE_READ(skc, skc_net.net, ns.inum),
		.port = BPF_CORE_READ(skc, skc_num),
	};
	return k;
}

/* Older kernels keep sk_flags in struct sock rather than in sock_common. */
struct sock___old {
	unsigned long sk_flags;
} __attribute__((preserve_access_index));

static __always_inline unsigned long sock_flags(struct sock *sk)
{
	if (bpf_core_field_exists(sk->__sk_common.skc_flags))
		return BPF_CORE_READ(sk, __sk_common.skc_flags);
	return BPF_CORE_READ((struct sock___old *)sk, sk_flags);
}

/* The peer's FIN took a sequence number, which bytes_received counts: it is not payload. */
static __always_inline __u64 payload_received(struct sock *sk)
{
	__u64 rx = BPF_CORE_READ((struct tcp_sock *)sk, bytes_received);
	unsigned long flags = sock_flags(sk);
	if (rx && (flags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE))))
		rx--;
	return rx;
}

/* Our FIN has been queued (and write_seq counts it) in these states only: a close() with unread data goes
 * straight to CLOSE with a reset instead. */
static __always_inline bool fin_queued(int state)
{
	return state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2 || state == TCP_CLOSING || state == TCP_LAST_ACK ||
	       state == TCP_TIME_WAIT;
}

/* bytes_acked counts our FIN once the peer acknowledged it: when snd_una caught up with write_seq. */
static __always_inline __u64 acked_minus_fin(struct sock *sk, int state)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u64 tx = BPF_CORE_READ(tp, bytes_acked);
	if (tx && fin_queued(state) && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq))
		tx--;
	return tx;
}

static __always_inline __u32 total_retrans(struct sock *sk)
{
	return BPF_CORE_READ((struct tcp_sock *)sk, total_retrans);
}

/* Addresses and ports of a socket, or of a request socket (both start with a sock_common). */
static __always_inline void read_tuple(struct aiscope_tcp_event *e, const struct sock_common *skc)
{
	e->family = BPF_CORE_READ(skc, skc_family);
	e->lport = BPF_CORE_READ(skc, skc_num);
	e->rport = bpf_ntohs(BPF_CORE_READ(skc, skc_dport));
	__builtin_memset(e->laddr, 0, sizeof(e->laddr));
	__builtin_memset(e->raddr, 0, sizeof(e->raddr));
	if (e->family == AF_INET6) {
		BPF_CORE_READ_INTO(&e->laddr, skc, skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&e->raddr, skc, skc_v6_daddr.in6_u.u6_addr8);
	} else {
		BPF_CORE_READ_INTO((__u32 *)e->laddr, skc, skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)e->raddr, skc, skc_daddr);
	}
}

static __always_inline struct aiscope_tcp_event *new_event(__u32 kind, struct sock *sk, struct conn *c)
{
	struct aiscope_tcp_event *e = reserve_event(struct aiscope_tcp_event);
	if (!e)
		return NULL;
	e->kind = kind;
	e->tgid = c->tgid;
	e->ts_ns = bpf_ktime_get_ns();
	e->sock = (__u64)sk;
	e->duration_ns = 0;
	e->connect_ns = c->connect_ns;
	e->tx_bytes = 0;
	e->rx_bytes = 0;
	e->retransmits = 0;
	e->role = c->role;
	e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	__builtin_memcpy(e->comm, c->comm, sizeof(e->comm));
	read_tuple(e, &sk->__sk_common);
	if (e->lport)
		c->lport = e->lport;
	else
		e->lport = c->lport;  /* closing: the port went back to the kernel */
	return e;
}

static __always_inline void emit_open(struct sock *sk, struct conn *c)
{
	struct aiscope_tcp_event *e = new_event(TCP_EV_OPEN, sk, c);
	if (e)
		submit_batched(e);
}

static __always_inline struct conn *follow(struct sock *sk, struct conn *fresh)
{
	__u64 key = (__u64)sk;
	if (bpf_map_update_elem(&conns, &key, fresh, BPF_ANY)) {
		count(STAT_CONNS_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&conns, &key);
}

/* The segments the kernel counted as retransmitted (into TcpRetransSegs and the socket's total_retrans alike)
 * are the growth of total_retrans: an attempt that failed before sending counts nothing; a segment a local
 * netfilter rule dropped counts, as the kernel counts it. Kernels before the tracepoint got its error argument
 * fire it only for attempts that succeeded: what a failed one counted is picked up at the next, or at close. */
static __always_inline void note_retransmits(struct sock *sk, struct conn *c)
{
	__u32 total = total_retrans(sk);
	__u32 segs = total - c->seen_retrans;
	if (segs == 0)
		return;
	c->seen_retrans = total;
	c->retransmits += segs;
	struct aiscope_tcp_event *e = new_event(TCP_EV_RETRANSMIT, sk, c);
	if (e) {
		e->retransmits = segs;
		submit_batched(e);
	}
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcp_state, struct sock *sk, int oldstate, int newstate)
{
	if (!is_tcp(sk))
		return 0;
	__u64 key = (__u64)sk;
	__u64 id = bpf_get_current_pid_tgid();

	if (newstate == TCP_SYN_SENT) {
		/* connect(): process context, the caller owns the socket. */
		if (!is_target(id >> 32))
			return 0;
		struct conn fresh = { .open_ns = bpf_ktime_get_ns(), .tgid = id >> 32, .role = TCP_ROLE_CLIENT };
		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
		follow(sk, &fresh);
		return 0;
	}
	if (newstate == TCP_LISTEN) {
		/* listen(): process context. */
		if (!is_target(id >> 32))
			return 0;
		struct listen_key k = listen_key_of(&sk->__sk_common);
		struct owner o = { .tgid = id >> 32 };
		bpf_get_current_comm(o.comm, sizeof(o.comm));
		bpf_map_update_elem(&listeners, &k, &o, BPF_ANY);
		return 0;
	}
	if (newstate == TCP_SYN_RECV && oldstate == TCP_LISTEN) {
		/* A child socket cloned from its listener (softirq): the listener's owner owns it. */
		struct listen_key k = listen_key_of(&sk->__sk_common);
		struct owner *o = bpf_map_lookup_elem(&listeners, &k);
		if (!o)
			return 0;
		struct conn fresh = {
			.open_ns = bpf_ktime_get_ns(), .tgid = o->tgid, .role = TCP_ROLE_SERVER, .lport = k.port,
		};
		__builtin_memcpy(fresh.comm, o->comm, sizeof(fresh.comm));
		follow(sk, &fresh);
		return 0;
	}
	if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE) {
		struct listen_key k = listen_key_of(&sk->__sk_common);
		bpf_map_delete_elem(&listeners, &k);
		return 0;
	}

	struct conn *c = bpf_map_lookup_elem(&conns, &key);
	if (!c)
		return 0;
	if (newstate == TCP_ESTABLISHED) {
		if (oldstate == TCP_SYN_SENT) {
			c->connect_ns = bpf_ktime_get_ns() - c->open_ns;
			c->base_tx = 1;  /* the SYN, which bytes_acked counts (as it does data sent with it) */
		} else if (oldstate == TCP_SYN_RECV && c->retransmits == 0) {
			/* The child started with the request's SYN-ACK retransmits, already reported as such. */
			c->seen_retrans = total_retrans(sk);
		}
		emit_open(sk, c);
		return 0;
	}
	if (newstate != TCP_CLOSE)
		return 0;

	/* (A child that never got established still counts its request's SYN-ACK retransmits: reported already.) */
	if (oldstate != TCP_SYN_RECV)
		note_retransmits(sk, c);
	struct aiscope_tcp_event *e = new_event(TCP_EV_CLOSE, sk, c);
	if (e) {
		__u64 tx = acked_minus_fin(sk, oldstate), rx = payload_received(sk);
		e->duration_ns = e->ts_ns - c->open_ns;
		e->tx_bytes = tx > c->base_tx ? tx - c->base_tx : 0;
		e->rx_bytes = rx > c->base_rx ? rx - c->base_rx : 0;
		e->retransmits = c->retransmits;
		e->state = oldstate;
		submit_batched(e);
	}
	bpf_map_delete_elem(&conns, &key);
	return 0;
}

/* A connection open before tracing began, first seen in a send or receive of `done` bytes. Its baselines are
 * what the close-time formulas would read had the peer received and acknowledged exactly what the application
 * wrote, and had it received exactly what the application read, before this call: so the call's own bytes count
 * and nothing before it does. */
static __always_inline void adopt(struct sock *sk, struct conn *fresh, int state, __u64 done, bool send)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u32 unacked = BPF_CORE_READ(tp, write_seq) - BPF_CORE_READ(tp, snd_una);
	__u32 unread = BPF_CORE_READ(tp, rcv_nxt) - BPF_CORE_READ(tp, copied_seq);
	__u64 written = BPF_CORE_READ(tp, bytes_acked) + unacked - (fin_queued(state) ? 1 : 0);
	/* bytes_received counts the peer's FIN; copied_seq passes it once the application has read the EOF. */
	bool fin_read = unread == 0 && (sock_flags(sk) & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE)));
	__u64 read = BPF_CORE_READ(tp, bytes_received) - unread - (fin_read ? 1 : 0);
	fresh->base_tx = written - (send ? done : 0);
	fresh->base_rx = read - (send ? 0 : done);
	fresh->seen_retrans = total_retrans(sk);
}

/* A traced process sends or receives on a socket: it owns it from now on. */
static __always_inline void touch(struct sock *sk, int ret, bool send)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!sk || !is_target(tgid) || !is_tcp(sk))
		return;
	__u64 key = (__u64)sk;
	struct conn *c = bpf_map_lookup_elem(&conns, &key);
	if (c) {
		if (c->tgid != tgid) {
			c->tgid = tgid;
			bpf_get_current_comm(c->comm, sizeof(c->comm));
		}
		return;
	}
	int state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (state == TCP_LISTEN || state == TCP_CLOSE || state == TCP_SYN_SENT || state == TCP_SYN_RECV)
		return;
	/* A local port some traced listener has is a server's. */
	struct listen_key k = listen_key_of(&sk->__sk_common);
	struct conn fresh = {
		.open_ns = bpf_ktime_get_ns(),
		.tgid = tgid,
		.role = bpf_map_lookup_elem(&listeners, &k) ? TCP_ROLE_SERVER : TCP_ROLE_UNKNOWN,
		.lport = k.port,
	};
	adopt(sk, &fresh, state, ret > 0 ? ret : 0, send);
	bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
	c = follow(sk, &fresh);
	if (c)
		emit_open(sk, c);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tcp_send, struct sock *sk, int ret, int flags)
{
	touch(sk, ret, true);
	return 0;
}

#define MSG_PEEK 2

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tcp_recv, struct sock *sk, int ret, int flags)
{
	touch(sk, flags & MSG_PEEK ? 0 : ret, false);  /* peeked bytes are read again later */
	return 0;
}

/* Fires where a retransmission is attempted (softirq, timers). */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tcp_retransmit, struct sock *sk, struct sk_buff *skb)
{
	__u64 key = (__u64)sk;
	struct conn *c = bpf_map_lookup_elem(&conns, &key);
	if (c)
		note_retransmits(sk, c);
	else
		count(STAT_UNATTRIBUTED);
	return 0;
}

/* A SYN-ACK sent again for a request socket: no connection exists yet, so it is the listener's owner's. With
 * TCP Fast Open the socket given is the already created child. Fires only for SYN-ACKs that went out, which is
 * also when the kernel counts them. */
SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(tcp_retransmit_synack, struct sock *sk, struct request_sock *req)
{
	__u64 key = (__u64)sk;
	struct conn *c = bpf_map_lookup_elem(&conns, &key);
	struct conn owner = { .role = TCP_ROLE_SERVER };
	if (c) {
		/* The kernel counted it into the child's total_retrans too: keep the two in step. */
		c->seen_retrans++;
		c->retransmits++;
		owner.tgid = c->tgid;
		__builtin_memcpy(owner.comm, c->comm, sizeof(owner.comm));
	} else {
		struct listen_key k = listen_key_of(&sk->__sk_common);
		struct owner *o = bpf_map_lookup_elem(&listeners, &k);
		if (!o) {
			count(STAT_UNATTRIBUTED);
			return 0;
		}
		owner.tgid = o->tgid;
		__builtin_memcpy(owner.comm, o->comm, sizeof(owner.comm));
	}
	struct aiscope_tcp_event *e = new_event(TCP_EV_SYNACK_RETRANSMIT, sk, &owner);
	if (e) {
		e->sock = (__u64)req;
		e->retransmits = 1;
		e->state = TCP_SYN_RECV;
		read_tuple(e, &req->__req_common);
		submit_batched(e);
	}
	return 0;
}
