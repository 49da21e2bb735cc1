// SPDX-License-Identifier: GPL-2.0
/* HTTP on TCP sockets of traced processes, from the inside of every socket call: sock_recv_length and
 * sock_send_length fire at the end of each recv/send (read and write on a socket included) in the calling thread,
 * with the socket and the result. The user buffer is found from the syscall's own arguments (the thread's user
 * registers), so no sys_enter hook runs for the system's other syscalls, and the bytes are copied while they are
 * certainly resident. Parsing is Java's: the kernel copies the first HTTP_HEAD_BYTES of each call, and its last
 * HTTP_TAIL_BYTES when it moved more (where a chunked body's terminator and a JSON body's usage sit).
 *
 * Connections Java has given up on (not HTTP: TLS ciphertext, databases, RPC; or upgraded to another protocol)
 * are skipped before any copy: Java writes their socket cookie into skip_socks. The cookie, not the socket's
 * address, because Java's decision can land after the socket closed, and the address is soon another
 * connection's; a cookie is never given to another socket.
 *
 * Each record also carries the calling thread's scheduler counters and the process's run-queue total, so Java
 * can split a request's time into on-CPU, run-queue wait and blocked without an event per context switch. */
#include "aiscope.h"
#include "capture.h"
#include "sched_clock.h"
#include "http.h"
#include <bpf/bpf_endian.h>

#define MSG_PEEK 2
#define EINTR 4
#define EAGAIN 11
#define ERESTARTSYS 512
#define HTTP_MAX_IOV 8
#define HTTP_MAX_SOCKS 65536
#define HTTP_MAX_THREADS 65536
/* Connections skipped at once; beyond that the least recently skipped ones are sent again (Java ignores them). */
#define HTTP_MAX_SKIPPED 65536

/* x86-64 syscall numbers whose buffers we read. */
#define NR_read 0
#define NR_write 1
#define NR_readv 19
#define NR_writev 20
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47

const volatile struct aiscope_http_event aiscope_http_event_layout __attribute__((unused));
const volatile struct aiscope_http_settings aiscope_http_settings_layout __attribute__((unused));

/* Room for one record plus what a gathered copy could write past head[] as far as the verifier can tell (it
 * sees the offset and the length bounded separately, not their sum). */
struct scratch {
	struct aiscope_http_event e;
	__u8 spill[2 * HTTP_HEAD_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct aiscope_http_settings);
} http_settings SEC(".maps");

/* Sockets that carried data of a traced process, so their close can be told: sock -> tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HTTP_MAX_SOCKS);
	__type(key, __u64);
	__type(value, __u32);
} socks SEC(".maps");

/* When each traced thread's current TCP send began taking bytes (first tcp_sendmsg_locked of the call). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HTTP_MAX_THREADS);
	__type(key, __u32);   /* tid */
	__type(value, __u64);
} send_started SEC(".maps");

/* Socket cookies of connections Java gave up on (written by Java): their calls are neither copied nor sent. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HTTP_MAX_SKIPPED);
	__type(key, __u64);  /* socket cookie */
	__type(value, __u8);
} skip_socks SEC(".maps");

/* Calls skipped because their connection is in skip_socks, per CPU (Java sums them for the report). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} skipped_calls SEC(".maps");

static __always_inline struct aiscope_http_settings *http_settings_now(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&http_settings, &zero);
}

/* A record without data (close, run-queue wait): the fields before tail[] only. Not built in `scratch`: these
 * fire in softirq and scheduler context, which can interrupt a data record being built on the same CPU. */
static __always_inline struct aiscope_http_event *reserve_short(void)
{
	struct aiscope_http_event *e = bpf_ringbuf_reserve(&events, offsetof(struct aiscope_http_event, tail), 0);
	if (!e)
		count_drop();
	return e;
}

/* Whether this call moved the connection's first payload (if not, the connection may have been open, and in the
 * middle of a message, before tracing began). Bytes received can run ahead of those read, so an inbound call
 * counts as first when nothing was sent yet; an outbound one when nothing was received or sent before it. */
static __always_inline bool first_data(struct sock *sk, int ret, bool inbound)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u64 sent = BPF_CORE_READ(tp, bytes_sent);
	__u64 received = BPF_CORE_READ(tp, bytes_received);
	if (ret <= 0)
		return false;
	return inbound ? sent == 0 : received == 0 && sent <= (__u64)ret;
}

/* Copies the head of a gathered buffer (readv/writev/recvmsg/sendmsg): the first bytes of its first iovecs. No
 * tail: which iovec holds the last bytes would need a second pass. */
static __always_inline void copy_iovec(struct scratch *s, const struct iovec *iov, __u64 count, __u64 len)
{
	__u32 off = 0;
	for (int i = 0; i < HTTP_MAX_IOV; i++) {
		if (i >= count || off >= HTTP_HEAD_BYTES || off >= len)
			break;
		struct iovec v;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		__u64 want = v.iov_len;
		if (want > len - off)
			want = len - off;
		if (want > HTTP_HEAD_BYTES - off)
			want = HTTP_HEAD_BYTES - off;
		/* Masks the compiler must keep, so the verifier sees head + at + n inside the scratch value. */
		__u32 at = off, n = want;
		asm volatile("%[at] &= 0xfff" : [at] "+r"(at));
		asm volatile("%[n] &= 0x1fff" : [n] "+r"(n));
		if (bpf_probe_read_user(s->e.head + at, n, v.iov_base))
			break;
		off += n;
	}
	s->e.head_len = off < HTTP_HEAD_BYTES ? off : HTTP_HEAD_BYTES;
}

/* Finds the buffer of the socket call being made from the thread's syscall arguments. */
static __always_inline void capture(struct scratch *s, struct task_struct *task, __u64 len)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs)
		return;
	long nr = BPF_CORE_READ(regs, orig_ax);
	void *arg2 = (void *)BPF_CORE_READ(regs, si);
	switch (nr) {
	case NR_read:
	case NR_write:
	case NR_recvfrom:
	case NR_sendto:
		capture_user_buffer(s->e.head, &s->e.head_len, s->e.tail, &s->e.tail_len, arg2, len);
		break;
	case NR_readv:
	case NR_writev:
		copy_iovec(s, arg2, BPF_CORE_READ(regs, dx), len);
		break;
	case NR_recvmsg:
	case NR_sendmsg: {
		struct user_msghdr msg;
		if (!bpf_probe_read_user(&msg, sizeof(msg), arg2))
			copy_iovec(s, msg.msg_iov, msg.msg_iovlen, len);
		break;
	}
	default:
		break; /* sendfile, io_uring, recvmmsg...: counted without bytes */
	}
}

static __always_inline int on_data(struct sock *sk, int ret, bool inbound)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	if (!is_target(tgid) || !is_inet_tcp(sk))
		return 0;
	__u64 key = (__u64)sk;
	__u64 now = bpf_ktime_get_ns();
	if (!inbound) {
		__u64 *started = bpf_map_lookup_elem(&send_started, &tid);
		if (started) {
			now = *started;
			bpf_map_delete_elem(&send_started, &tid);
		}
	}
	if (ret == -EAGAIN || ret == -EINTR || ret == -ERESTARTSYS)
		return 0; /* nothing happened: the caller will try again */
	/* After send_started is taken: a send that began before its connection was skipped leaves no stale start. */
	__u64 cookie = bpf_get_socket_cookie(sk);
	if (bpf_map_lookup_elem(&skip_socks, &cookie)) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&skipped_calls, &zero);
		if (n)
			*n += 1;
		/* Keeps the socket's entry in the LRU `socks` fresh: its close must still be sent, to end Java's stream
		 * under this address before another connection gets the address. */
		bpf_map_lookup_elem(&socks, &key);
		return 0;
	}
	/* A failure or end of stream matters only on a connection that carried data: one on a socket never seen would
	 * adopt it (a dead socket's memory is soon another connection's). */
	if (ret <= 0 && !bpf_map_lookup_elem(&socks, &key))
		return 0;
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct aiscope_http_event *e = &s->e;
	e->kind = HTTP_EV_DATA;
	e->tgid = tgid;
	e->tid = tid;
	e->flags = (inbound ? HTTP_INBOUND : 0) | (first_data(sk, ret, inbound) ? HTTP_FIRST_DATA : 0);
	e->ts_ns = now;
	e->sock = key;
	e->cookie = cookie;
	e->bytes = ret;
	e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	e->head_len = 0;
	e->tail_len = 0;
	e->run_delay_ns = task->sched_info.run_delay;
	e->on_cpu_ns = task->se.sum_exec_runtime;
	e->proc_run_delay_ns = process_run_delay(tgid, tid, e->run_delay_ns);
	if (ret > 0) {
		capture(s, task, ret);
		bpf_map_update_elem(&socks, &key, &tgid, BPF_ANY);
	}
	__u32 n = e->head_len;
	if (n > HTTP_HEAD_BYTES)
		n = HTTP_HEAD_BYTES;
	output_batched(e, offsetof(struct aiscope_http_event, head) + n);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(http_recv, struct sock *sk, int ret, int flags)
{
	if (flags & MSG_PEEK)
		return 0; /* the same bytes are read again */
	return on_data(sk, ret, true);
}

/* Inside tcp_sendmsg, once per chunk it takes: the first one of a call is when the bytes began to go. */
SEC("tp_btf/tcp_sendmsg_locked")
int BPF_PROG(http_send_start, struct sock *sk, struct msghdr *msg, struct sk_buff *skb, int size_goal)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	if (!is_target(pid_tgid >> 32))
		return 0;
	/* A skipped connection's send is not timed: cheaper than recording a start that on_data throws away. */
	__u64 cookie = bpf_get_socket_cookie(sk);
	if (bpf_map_lookup_elem(&skip_socks, &cookie))
		return 0;
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&send_started, &tid, &now, BPF_NOEXIST);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(http_send, struct sock *sk, int ret, int flags)
{
	return on_data(sk, ret, false);
}

/* The end of a socket's traffic: our close() (FIN_WAIT1, or LAST_ACK after the peer's FIN), or a reset. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(http_sock_state, struct sock *sk, int oldstate, int newstate)
{
	if (newstate != TCP_FIN_WAIT1 && newstate != TCP_LAST_ACK && newstate != TCP_CLOSE)
		return 0;
	__u64 key = (__u64)sk;
	__u32 *tgid = bpf_map_lookup_elem(&socks, &key);
	if (!tgid)
		return 0;
	struct aiscope_http_event *e = reserve_short();
	if (!e) {
		bpf_map_delete_elem(&socks, &key);
		return 0;
	}
	__builtin_memset(e, 0, offsetof(struct aiscope_http_event, tail));
	e->kind = HTTP_EV_CLOSE;
	/* tcp_reset() records the error before the connection reaches CLOSE; a close() of our own records none. */
	if (newstate == TCP_CLOSE && BPF_CORE_READ(sk, sk_err))
		e->flags = HTTP_PEER_RESET;
	e->tgid = *tgid;
	e->ts_ns = bpf_ktime_get_ns();
	e->sock = key;
	e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	bpf_map_delete_elem(&socks, &key);
	submit_batched(e);
	return 0;
}

/* The process's run-queue total (sched_clock.h), and (when asked for) one record per long enough wait. */
SEC("tp_btf/sched_switch")
int BPF_PROG(http_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 on_cpu_since = 0;
	__u64 wait = sched_clock_switch(prev, next, bpf_ktime_get_ns(), &on_cpu_since);
	if (!wait)
		return 0;
	struct aiscope_http_settings *cfg = http_settings_now();
	if (!cfg || !cfg->runq_wait_events || on_cpu_since <= wait || wait < (__u64)cfg->min_runq_wait_us * 1000)
		return 0;
	struct aiscope_http_event *e = reserve_short();
	if (!e)
		return 0;
	__builtin_memset(e, 0, offsetof(struct aiscope_http_event, tail));
	e->kind = HTTP_EV_RUNQ_WAIT;
	e->tgid = BPF_CORE_READ(prev, tgid);
	e->tid = BPF_CORE_READ(prev, pid);
	e->ts_ns = on_cpu_since - wait;
	e->bytes = wait;
	submit_batched(e);
	return 0;
}
