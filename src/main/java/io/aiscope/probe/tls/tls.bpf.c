// SPDX-License-Identifier: GPL-2.0
/* OpenSSL's plaintext in traced processes, for the HTTP parser: uprobes on SSL_write/SSL_read and their _ex forms
 * (in every libssl.so* and in executables that export them, such as node) copy the bytes handed over or returned,
 * bounded as the http family bounds a socket call (capture.h).
 *
 * A stream is (tgid, SSL pointer). Its socket is learnt in the kernel: a socket call a thread makes while inside an
 * SSL call on it is that SSL's socket (OpenSSL's socket BIO: curl, python). Where ciphertext moves outside OpenSSL
 * (node hands it over through memory BIOs after libuv read it), an SSL not bound yet is bound at an SSL_read or
 * handshake return to the socket its thread read from since its previous SSL call returned. The socket's end of
 * stream or failure (recv 0, ECONNRESET, EPIPE...) reaches the stream as a data record with bytes <= 0: an SSL call
 * that fails says too little by itself (-1 is also "want more", which is no error for a non-blocking caller). */
#include "aiscope.h"
#include "capture.h"
#include "sched_clock.h"
#include "tls.h"
#include <bpf/bpf_endian.h>

#define MSG_PEEK 2
#define EINTR 4
#define EAGAIN 11
#define ERESTARTSYS 512
#define TLS_MAX_STREAMS 65536

const volatile struct aiscope_tls_event aiscope_tls_event_layout __attribute__((unused));

/* Room for one record plus what the verifier thinks a capture could write past head[] (capture.h). */
struct scratch {
	struct aiscope_tls_event e;
	__u8 spill[CAPTURE_HEAD_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct stream_key {
	__u32 tgid;
	__u32 pad;
	__u64 ssl;
};

enum stream_flags {
	STREAM_QUIET_CALL = 1,     /* a call moved no plaintext (a handshake, or a read that wanted more) */
	STREAM_DATA = 2,           /* plaintext moved */
	STREAM_HANDSHAKE_DONE = 4, /* a handshake call returned 1: later ones (renegotiation, a no-op) are not timed */
};

struct tls_stream {
	__u64 sock;         /* 0 while not bound */
	__u64 handshake_ns; /* first entry of a handshake not finished yet; 0 none */
	__u32 lport;
	__u32 rport;
	__u32 flags;        /* enum stream_flags */
	__u32 pad;
};

/* Every SSL of a traced process that a probed call was seen on, until SSL_free. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_MAX_STREAMS);
	__type(key, struct stream_key);
	__type(value, struct tls_stream);
} streams SEC(".maps");

/* The stream each bound socket carries, so that the socket's end reaches it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_MAX_STREAMS);
	__type(key, __u64); /* struct sock address */
	__type(value, struct stream_key);
} sock_streams SEC(".maps");

/* A data call in flight on a thread. */
struct tls_call {
	__u64 ssl;      /* 0: none */
	__u64 buf;
	__u64 out;      /* _ex: where the byte count goes */
	__u64 entry_ns;
	__u64 sp;       /* stack pointer at its entry: an inner call (deeper) or its return is not the call's */
	__u32 fn;       /* enum tls_function */
	__u32 pad;
};

/* Per traced thread: the SSL calls it is in, and the socket it last read from. A read and a write can be in flight
 * at once: node writes a request from a callback that OpenSSL makes inside SSL_read (handshake done). */
struct tls_thread {
	struct tls_call calls[2]; /* [0]: a write, [1]: a read */
	__u64 handshake_ssl;      /* handshake call in flight; 0 none */
	__u64 recv_sock;          /* the TCP socket it last received bytes from, and when */
	__u64 recv_ns;
	__u32 recv_lport;
	__u32 recv_rport;
	__u64 ssl_return_ns;      /* when its last SSL call returned */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tls_thread);
} thread_calls SEC(".maps");

static __always_inline struct tls_thread *this_thread(bool create)
{
	return bpf_task_storage_get(&thread_calls, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

static __always_inline struct tls_stream *stream_of(struct stream_key *key, bool create)
{
	struct tls_stream *st = bpf_map_lookup_elem(&streams, key);
	if (st || !create)
		return st;
	struct tls_stream fresh = {};
	bpf_map_update_elem(&streams, key, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&streams, key);
}

static __always_inline void bind(struct stream_key *key, struct tls_stream *st, __u64 sock, __u32 lport, __u32 rport)
{
	st->sock = sock;
	st->lport = lport;
	st->rport = rport;
	bpf_map_update_elem(&sock_streams, &sock, key, BPF_ANY);
}

/* An SSL not bound yet takes the socket its thread read from since its previous SSL call returned (memory BIOs). */
static __always_inline void bind_to_last_read(struct stream_key *key, struct tls_stream *st, struct tls_thread *t)
{
	if (!st->sock && t->recv_sock && t->recv_ns > t->ssl_return_ns)
		bind(key, st, t->recv_sock, t->recv_lport, t->recv_rport);
}

static __always_inline void fill_clock(struct aiscope_tls_event *e)
{
	struct task_struct *task = bpf_get_current_task_btf();
	e->run_delay_ns = task->sched_info.run_delay;
	e->on_cpu_ns = task->se.sum_exec_runtime;
	e->proc_run_delay_ns = process_run_delay(e->tgid, e->tid, e->run_delay_ns);
}

/* A data record of `bytes` (<= 0: no payload), built in the per-CPU scratch; the caller copies the payload and
 * sends it. */
static __always_inline struct scratch *data_record(struct stream_key *key, struct tls_stream *st, __u32 tid,
						   __u32 flags, __u64 ts, __s64 bytes)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	struct aiscope_tls_event *e = &s->e;
	e->kind = TLS_EV_DATA;
	e->tgid = key->tgid;
	e->tid = tid;
	e->flags = flags;
	e->ts_ns = ts;
	e->ssl = key->ssl;
	e->sock = st->sock;
	e->bytes = bytes;
	e->lport = st->lport;
	e->rport = st->rport;
	e->head_len = 0;
	e->tail_len = 0;
	fill_clock(e);
	return s;
}

static __always_inline void send_record(struct aiscope_tls_event *e)
{
	__u32 n = e->head_len;
	if (n > CAPTURE_HEAD_BYTES)
		n = CAPTURE_HEAD_BYTES;
	output_batched(e, offsetof(struct aiscope_tls_event, head) + n);
}

/* A record without payload (handshake, free) for the stream, reserved in the ring. */
static __always_inline struct aiscope_tls_event *reserve_short(__u32 kind, struct stream_key *key,
							   struct tls_stream *st, __u32 tid)
{
	struct aiscope_tls_event *e = bpf_ringbuf_reserve(&events, offsetof(struct aiscope_tls_event, tail), 0);
	if (!e) {
		count_drop();
		return 0;
	}
	__builtin_memset(e, 0, offsetof(struct aiscope_tls_event, tail));
	e->kind = kind;
	e->tgid = key->tgid;
	e->tid = tid;
	e->ts_ns = bpf_ktime_get_ns();
	e->ssl = key->ssl;
	e->sock = st->sock;
	e->lport = st->lport;
	e->rport = st->rport;
	return e;
}

/* SSL_write, SSL_read, SSL_write_ex, SSL_read_ex (the cookie says which): what the return needs. */
SEC("uprobe")
int BPF_KPROBE(tls_data_entry, void *ssl, const void *buf, __u64 num, __u64 *out)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!is_target(id >> 32))
		return 0;
	struct tls_thread *t = this_thread(true);
	if (!t)
		return 0;
	__u32 fn = (__u32)bpf_get_attach_cookie(ctx);
	struct tls_call *c = &t->calls[fn == TLS_FN_READ || fn == TLS_FN_READ_EX ? 1 : 0];
	__u64 sp = PT_REGS_SP(ctx);
	if (c->ssl == (__u64)ssl && sp < c->sp)
		return 0; /* one probed function calling another of its direction on the same SSL: the outer call counts */
	c->ssl = (__u64)ssl;
	c->buf = (__u64)buf;
	c->out = (__u64)out;
	c->entry_ns = bpf_ktime_get_ns();
	c->sp = sp;
	c->fn = fn;
	struct stream_key key = {.tgid = id >> 32, .ssl = (__u64)ssl};
	stream_of(&key, true); /* so that the socket calls inside this one bind it */
	return 0;
}

/* The same program on each function's return, with its cookie. */
SEC("uretprobe")
int BPF_KRETPROBE(tls_data_return, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	if (!is_target(tgid))
		return 0;
	struct tls_thread *t = this_thread(false);
	if (!t)
		return 0;
	__u32 fn = (__u32)bpf_get_attach_cookie(ctx);
	bool inbound = fn == TLS_FN_READ || fn == TLS_FN_READ_EX;
	struct tls_call *c = &t->calls[inbound ? 1 : 0];
	if (!c->ssl || PT_REGS_SP(ctx) <= c->sp)
		return 0; /* entered before the probes were attached, or an inner call's return */
	__u64 now = bpf_ktime_get_ns();
	struct stream_key key = {.tgid = tgid, .ssl = c->ssl};
	const void *buf = (const void *)c->buf;
	__u64 entry_ns = c->entry_ns;
	__s64 bytes = ret;
	if (c->fn == TLS_FN_WRITE_EX || c->fn == TLS_FN_READ_EX) {
		__u64 n = 0;
		bytes = ret == 1 && !bpf_probe_read_user(&n, sizeof(n), (void *)c->out) ? (__s64)n : 0;
	}
	c->ssl = 0;
	struct tls_stream *st = stream_of(&key, true);
	if (st && inbound)
		bind_to_last_read(&key, st, t);
	t->ssl_return_ns = now;
	if (!st)
		return 0;
	if (bytes <= 0) {
		st->flags |= STREAM_QUIET_CALL; /* its end or failure, if any, comes from the socket */
		return 0;
	}
	__u32 flags = inbound ? TLS_INBOUND : 0;
	if ((st->flags & (STREAM_QUIET_CALL | STREAM_DATA)) == STREAM_QUIET_CALL)
		flags |= TLS_FIRST_DATA;
	st->flags |= STREAM_DATA;
	struct scratch *s = data_record(&key, st, tid, flags, inbound ? now : entry_ns, bytes);
	if (!s)
		return 0;
	capture_user_buffer(s->e.head, &s->e.head_len, s->e.tail, &s->e.tail_len, buf, bytes);
	send_record(&s->e);
	return 0;
}

/* SSL_do_handshake, SSL_connect, SSL_accept: a non-blocking caller calls them until they return 1, and
 * SSL_connect calls SSL_do_handshake: the handshake is timed from the first entry on its SSL to the first 1. */
SEC("uprobe")
int BPF_KPROBE(tls_handshake_entry, void *ssl)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!is_target(id >> 32))
		return 0;
	struct tls_thread *t = this_thread(true);
	if (!t)
		return 0;
	t->handshake_ssl = (__u64)ssl;
	struct stream_key key = {.tgid = id >> 32, .ssl = (__u64)ssl};
	struct tls_stream *st = stream_of(&key, true);
	if (st && !st->handshake_ns && !(st->flags & STREAM_HANDSHAKE_DONE))
		st->handshake_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(tls_handshake_return, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!is_target(tgid))
		return 0;
	struct tls_thread *t = this_thread(false);
	if (!t || !t->handshake_ssl)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	struct stream_key key = {.tgid = tgid, .ssl = t->handshake_ssl};
	t->handshake_ssl = 0; /* an outer SSL_connect's return then finds nothing: the inner one timed it */
	struct tls_stream *st = stream_of(&key, false);
	if (st)
		bind_to_last_read(&key, st, t);
	t->ssl_return_ns = now;
	if (!st)
		return 0;
	st->flags |= STREAM_QUIET_CALL;
	if (ret != 1 || !st->handshake_ns || (st->flags & STREAM_HANDSHAKE_DONE))
		return 0;
	struct aiscope_tls_event *e = reserve_short(TLS_EV_HANDSHAKE, &key, st, (__u32)id);
	if (!e)
		return 0;
	e->ts_ns = st->handshake_ns;
	e->bytes = now - st->handshake_ns;
	st->flags |= STREAM_HANDSHAKE_DONE;
	st->handshake_ns = 0;
	submit_batched(e);
	return 0;
}

/* SSL_free: the stream ends; its pointer may be the next SSL's. */
SEC("uprobe")
int BPF_KPROBE(tls_free_entry, void *ssl)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!is_target(tgid))
		return 0;
	struct stream_key key = {.tgid = tgid, .ssl = (__u64)ssl};
	struct tls_stream *st = bpf_map_lookup_elem(&streams, &key);
	if (!st)
		return 0;
	struct aiscope_tls_event *e = reserve_short(TLS_EV_FREE, &key, st, (__u32)id);
	if (e) {
		e->flags = st->handshake_ns && !(st->flags & STREAM_HANDSHAKE_DONE) ? TLS_HANDSHAKE_UNFINISHED : 0;
		submit_batched(e);
	}
	if (st->sock) {
		__u64 sock = st->sock;
		struct stream_key *owner = bpf_map_lookup_elem(&sock_streams, &sock);
		if (owner && owner->tgid == key.tgid && owner->ssl == key.ssl)
			bpf_map_delete_elem(&sock_streams, &sock);
	}
	bpf_map_delete_elem(&streams, &key);
	return 0;
}

/* A socket call of a traced thread: binds the SSL the thread is inside, remembers what it read from, and passes
 * the socket's end of stream or failure to the stream it carries. */
static __always_inline int on_socket(struct sock *sk, int ret, bool inbound)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!is_target(tgid) || ret == -EAGAIN || ret == -EINTR || ret == -ERESTARTSYS || !is_inet_tcp(sk))
		return 0;
	__u64 sock = (__u64)sk;
	__u32 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u32 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	struct tls_thread *t = this_thread(inbound && ret > 0);
	if (t) {
		/* the latest call entered: a socket BIO's I/O is its own */
		struct tls_call *w = &t->calls[0], *r = &t->calls[1];
		__u64 inside = w->ssl && (!r->ssl || w->entry_ns > r->entry_ns) ? w->ssl : r->ssl;
		if (!inside)
			inside = t->handshake_ssl;
		if (inside) {
			struct stream_key key = {.tgid = tgid, .ssl = inside};
			struct tls_stream *st = stream_of(&key, false);
			if (st && st->sock != sock)
				bind(&key, st, sock, lport, rport);
		}
		if (inbound && ret > 0) {
			t->recv_sock = sock;
			t->recv_ns = bpf_ktime_get_ns();
			t->recv_lport = lport;
			t->recv_rport = rport;
		}
	}
	if (ret > 0 || (!inbound && ret == 0))
		return 0;
	struct stream_key *owner = bpf_map_lookup_elem(&sock_streams, &sock);
	if (!owner || owner->tgid != tgid)
		return 0;
	struct stream_key key = *owner;
	struct tls_stream *st = stream_of(&key, false);
	if (!st)
		return 0;
	struct scratch *s = data_record(&key, st, (__u32)id, inbound ? TLS_INBOUND : 0, bpf_ktime_get_ns(), ret);
	if (s)
		send_record(&s->e);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tls_recv, struct sock *sk, int ret, int flags)
{
	if (flags & MSG_PEEK)
		return 0;
	return on_socket(sk, ret, true);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tls_send, struct sock *sk, int ret, int flags)
{
	return on_socket(sk, ret, false);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(tls_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 on_cpu_since = 0;
	sched_clock_switch(prev, next, bpf_ktime_get_ns(), &on_cpu_since);
	return 0;
}
