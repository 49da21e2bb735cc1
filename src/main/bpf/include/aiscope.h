/* SPDX-License-Identifier: GPL-2.0 */
/* What every probe family's BPF program shares: target filtering, its own event ring with batched wake-ups and
 * a drop counter, and log2 histograms. Each family's object gets its own ring and counters; the engine hands
 * the same `targets` and `settings` maps to every object before load, so one tracked-process set serves all. */
#pragma once
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define AISCOPE_MAX_TARGETS 65536
#define AISCOPE_HIST_SLOTS 32
/* Below this much unread data (or a quarter of a smaller ring) a submit does not wake the reader: it polls every
 * few ms anyway, and waking it per event costs the traced thread 1-1.5 us (platform-facts.md). */
#define AISCOPE_WAKEUP_BYTES (256 * 1024)

struct aiscope_settings {
	__u32 trace_all;    /* every process but aiscope itself */
	__u32 self_tgid;
	__u32 stop_on_load; /* stop a traced process whose loader mapped libraries, until aiscope has probed them */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AISCOPE_MAX_TARGETS);
	__type(key, __u32);   /* tgid */
	__type(value, __u32); /* tgid of the traced ancestor that brought it in */
} targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct aiscope_settings);
} settings SEC(".maps");

/* The family's event stream; the engine sizes it before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* Events lost because the ring was full, per CPU; the engine sums and reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

static __always_inline struct aiscope_settings *current_settings(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&settings, &zero);
}

static __always_inline bool is_target(__u32 tgid)
{
	struct aiscope_settings *s = current_settings();
	if (s && s->trace_all)
		return tgid != s->self_tgid;
	return bpf_map_lookup_elem(&targets, &tgid) != NULL;
}

static __always_inline bool current_is_target(void)
{
	return is_target(bpf_get_current_pid_tgid() >> 32);
}

/* Reserves an event of the given type, counting a drop when the ring is full. */
#define reserve_event(type)                                                \
	({                                                                 \
		type *__e = bpf_ringbuf_reserve(&events, sizeof(type), 0); \
		if (!__e)                                                  \
			count_drop();                                      \
		__e;                                                       \
	})

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&dropped, &zero);
	if (n)
		*n += 1;
}

/* Hands an event to the reader, waking it only once enough data is waiting. */
static __always_inline void submit_batched(void *e)
{
	__u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 quarter = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 4;
	__u64 threshold = quarter < AISCOPE_WAKEUP_BYTES ? quarter : AISCOPE_WAKEUP_BYTES;
	bpf_ringbuf_submit(e, waiting >= threshold ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/* For rare events the engine must act on at once (a new process to attach to). */
static __always_inline void submit_now(void *e)
{
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

/* Slot of a log2 histogram: 0 for v <= 1, else floor(log2(v)), capped at the last slot. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0;
	#pragma unroll
	for (int i = 5; i >= 0; i--) {
		__u32 shift = 1u << i;
		if (v >> shift) {
			v >>= shift;
			r += shift;
		}
	}
	return r < AISCOPE_HIST_SLOTS ? r : AISCOPE_HIST_SLOTS - 1;
}

char LICENSE[] SEC("license") = "GPL";
