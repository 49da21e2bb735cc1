// SPDX-License-Identifier: GPL-2.0
/* Scheduler view of traced processes, aggregated in the kernel (no ring events: sched_switch is far too hot to
 * stream). Run-queue latency is measured as libbpf-tools' runqlat does: from the moment a thread becomes runnable
 * (wakeup, new task, or preempted while still runnable) to the moment it gets a CPU. Off-CPU time is switch-out
 * to switch-in of the same thread. */
#include "aiscope.h"
#include "sched.h"

const volatile struct aiscope_sched_stats aiscope_sched_stats_layout __attribute__((unused));

/* Source of a fresh per-process entry: too big for the BPF stack next to everything else. */
static const struct aiscope_sched_stats zero_stats;

struct thread_state {
	__u64 queued_ns;    /* became runnable at; 0 when not waiting */
	__u64 off_ns;       /* left the CPU at; 0 when on CPU or unknown */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SCHED_MAX_THREADS);
	__type(key, __u32);   /* tid */
	__type(value, struct thread_state);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCHED_MAX_PROCESSES);
	__type(key, __u32);   /* tgid */
	__type(value, struct aiscope_sched_stats);
} stats SEC(".maps");

/* Kernels before 5.14 call the field `state`. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/* The task's tid when it is traced, else 0 (the idle tasks are tid 0 and never traced). */
static __always_inline __u32 traced_tid(struct task_struct *t)
{
	__u32 tid = BPF_CORE_READ(t, pid);
	return tid && is_target(BPF_CORE_READ(t, tgid)) ? tid : 0;
}

static __always_inline struct thread_state *thread_of(__u32 tid)
{
	struct thread_state *s = bpf_map_lookup_elem(&threads, &tid);
	if (s)
		return s;
	struct thread_state fresh = {};
	bpf_map_update_elem(&threads, &tid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&threads, &tid);
}

static __always_inline struct aiscope_sched_stats *stats_of(__u32 tgid)
{
	struct aiscope_sched_stats *s = bpf_map_lookup_elem(&stats, &tgid);
	if (s)
		return s;
	/* Full map: the process goes unmeasured (lookup below fails), the others keep their numbers. */
	bpf_map_update_elem(&stats, &tgid, &zero_stats, BPF_NOEXIST);
	return bpf_map_lookup_elem(&stats, &tgid);
}

static __always_inline void enqueued(struct task_struct *t)
{
	__u32 tid = traced_tid(t);
	if (!tid)
		return;
	struct thread_state *s = thread_of(tid);
	if (s)
		s->queued_ns = bpf_ktime_get_ns();
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
	enqueued(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new, struct task_struct *p)
{
	enqueued(p);
	return 0;
}

/* The prev_state argument only exists since 5.18: the task's own state is read instead (CO-RE). */
SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();

	__u32 tid = traced_tid(prev);
	if (tid) {
		/* Like the kernel's nivcsw: preempted, or still TASK_RUNNING (yield, a wakeup raced the sleep).
		 * Either way the thread stays on the run queue, so its wait starts now. */
		bool involuntary = preempt || task_state(prev) == 0;
		struct thread_state *s = thread_of(tid);
		if (s) {
			s->off_ns = now;
			if (involuntary)
				s->queued_ns = now;
		}
		struct aiscope_sched_stats *st = stats_of(BPF_CORE_READ(prev, tgid));
		if (st) {
			__sync_fetch_and_add(&st->switches, 1);
			if (involuntary)
				__sync_fetch_and_add(&st->involuntary, 1);
		}
	}

	tid = traced_tid(next);
	if (!tid)
		return 0;
	struct thread_state *s = bpf_map_lookup_elem(&threads, &tid);
	if (!s)
		return 0; /* left the CPU before we attached and not woken since */
	__u64 queued = s->queued_ns, off = s->off_ns;
	s->queued_ns = 0;
	s->off_ns = 0;
	struct aiscope_sched_stats *st = stats_of(BPF_CORE_READ(next, tgid));
	if (!st)
		return 0;
	if (off && now > off)
		__sync_fetch_and_add(&st->off_cpu_ns, now - off);
	if (queued && now >= queued) {
		__u64 us = (now - queued) / 1000;
		__u32 slot = log2_slot(us) & (AISCOPE_HIST_SLOTS - 1);
		__sync_fetch_and_add(&st->slots[slot], 1);
		__sync_fetch_and_add(&st->count, 1);
		__sync_fetch_and_add(&st->sum_us, us);
		if (us > st->max_us)
			st->max_us = us; /* a racing CPU may win with a smaller value: rare, and only max is off */
	}
	return 0;
}
