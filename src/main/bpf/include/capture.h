/* SPDX-License-Identifier: GPL-2.0 */
/* Copying what a traced thread moved through a buffer into an event, shared by the families that hand bytes to
 * the HTTP parser (http: socket calls; tls: OpenSSL's plaintext). Include after aiscope.h. */
#pragma once

/* Bytes copied from the start of each call's buffer, and from its end when it moved more. */
#define CAPTURE_HEAD_BYTES 4096
#define CAPTURE_TAIL_BYTES 256

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6

static __always_inline bool is_inet_tcp(struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	return (family == AF_INET || family == AF_INET6) &&
	       BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) == IPPROTO_TCP;
}

/* Sends the first `size` bytes of a record, waking the reader as submit_batched does. */
static __always_inline void output_batched(void *e, __u64 size)
{
	__u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 quarter = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 4;
	__u64 threshold = quarter < AISCOPE_WAKEUP_BYTES ? quarter : AISCOPE_WAKEUP_BYTES;
	if (bpf_ringbuf_output(&events, e, size, waiting >= threshold ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP))
		count_drop();
}

/* Copies a single user buffer of `len` bytes: its head, and its tail when it is longer than the head. `head` must
 * have CAPTURE_HEAD_BYTES of room after it twice over (the verifier bounds the masked length, not the copy). */
static __always_inline void capture_user_buffer(__u8 *head, __u32 *head_len, __u8 *tail, __u32 *tail_len,
						const void *buf, __u64 len)
{
	__u32 n = len < CAPTURE_HEAD_BYTES ? len : CAPTURE_HEAD_BYTES;
	asm volatile("%[n] &= 0x1fff" : [n] "+r"(n)); /* kept bounds for the verifier (the scratch has room) */
	if (bpf_probe_read_user(head, n, buf))
		return;
	*head_len = n;
	if (len > CAPTURE_HEAD_BYTES) {
		__u64 rest = len - CAPTURE_HEAD_BYTES;
		__u32 t = rest < CAPTURE_TAIL_BYTES ? rest : CAPTURE_TAIL_BYTES;
		asm volatile("%[t] &= 0x1ff" : [t] "+r"(t));
		if (!bpf_probe_read_user(tail, t, buf + len - t))
			*tail_len = t;
	}
}
