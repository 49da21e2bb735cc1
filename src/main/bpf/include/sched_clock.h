/* SPDX-License-Identifier: GPL-2.0 */
/* Scheduler counters for the records the HTTP parser reads (http, tls): each traced process's run-queue wait
 * since tracing began, summed over its threads as they leave a CPU, so Java can split a request's time without an
 * event per context switch. An object including this must call sched_clock_switch() from tp_btf/sched_switch.
 * Include after aiscope.h. */
#pragma once

#define SCHED_CLOCK_MAX_THREADS 65536

struct thread_sched {
	__u64 run_delay;    /* sched_info.run_delay when last added to its process's total */
	__u64 on_cpu_since; /* when it last got a CPU */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SCHED_CLOCK_MAX_THREADS);
	__type(key, __u32);   /* tid */
	__type(value, struct thread_sched);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AISCOPE_MAX_TARGETS);
	__type(key, __u32);   /* tgid */
	__type(value, __u64); /* run-queue wait of all its threads since tracing began */
} proc_run_delay SEC(".maps");

/* The process's run-queue total as of now: what was added at switch-outs, plus the calling thread's own waits
 * since its last switch-out (other running threads' latest waits are added when they leave their CPU). */
static __always_inline __u64 process_run_delay(__u32 tgid, __u32 tid, __u64 own_run_delay)
{
	__u64 total = 0;
	__u64 *sum = bpf_map_lookup_elem(&proc_run_delay, &tgid);
	if (sum)
		total = *sum;
	struct thread_sched *t = bpf_map_lookup_elem(&threads, &tid);
	if (t && own_run_delay > t->run_delay)
		total += own_run_delay - t->run_delay;
	return total;
}

/* At a context switch: adds prev's run-queue wait since it was last counted to its process's total (a thread's
 * run_delay includes a wait once the thread is on CPU, so waits are added when it leaves the CPU again) and
 * notes when next got its CPU. Returns prev's wait just added, 0 if none; *on_cpu_since: when prev got its CPU. */
static __always_inline __u64 sched_clock_switch(struct task_struct *prev, struct task_struct *next, __u64 now,
						__u64 *on_cpu_since)
{
	__u64 wait = 0;
	__u32 tgid = BPF_CORE_READ(prev, tgid);
	__u32 tid = BPF_CORE_READ(prev, pid);
	if (tid && is_target(tgid)) {
		__u64 run_delay = BPF_CORE_READ(prev, sched_info.run_delay);
		struct thread_sched *t = bpf_map_lookup_elem(&threads, &tid);
		if (!t) {
			struct thread_sched fresh = {.run_delay = run_delay};
			bpf_map_update_elem(&threads, &tid, &fresh, BPF_NOEXIST);
		} else if (run_delay > t->run_delay) {
			wait = run_delay - t->run_delay;
			t->run_delay = run_delay;
			*on_cpu_since = t->on_cpu_since;
			__u64 *sum = bpf_map_lookup_elem(&proc_run_delay, &tgid);
			if (sum)
				__sync_fetch_and_add(sum, wait);
			else
				bpf_map_update_elem(&proc_run_delay, &tgid, &wait, BPF_NOEXIST);
		}
	}
	tgid = BPF_CORE_READ(next, tgid);
	tid = BPF_CORE_READ(next, pid);
	if (tid && is_target(tgid)) {
		struct thread_sched *t = bpf_map_lookup_elem(&threads, &tid);
		if (t) {
			t->on_cpu_since = now;
		} else {
			struct thread_sched fresh = {
				.run_delay = BPF_CORE_READ(next, sched_info.run_delay),
				.on_cpu_since = now,
			};
			bpf_map_update_elem(&threads, &tid, &fresh, BPF_NOEXIST);
		}
	}
	return wait;
}
