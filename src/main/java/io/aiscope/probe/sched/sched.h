/* SPDX-License-Identifier: GPL-2.0 */
/* In-kernel aggregates of the sched family: the single definition; Java reads the layout from this object's BTF. */
#pragma once

/* Sizes the per-process map: a process that exited keeps its entry (the report covers the whole run). */
#define SCHED_MAX_PROCESSES 10240
/* Per-thread timestamps; an LRU map, so threads that died mid-wait do not pin entries forever. */
#define SCHED_MAX_THREADS 65536

/* Everything the scheduler did to one traced process (tgid), cumulative since the probes attached. */
struct aiscope_sched_stats {
	__u64 slots[AISCOPE_HIST_SLOTS]; /* run-queue latency, log2 of microseconds (log2_slot) */
	__u64 count;        /* run-queue waits measured: wakeup or preemption -> on CPU */
	__u64 sum_us;
	__u64 max_us;
	__u64 switches;     /* times a thread of the process left the CPU */
	__u64 involuntary;  /* ... while still runnable (preempted, or yielded) */
	__u64 off_cpu_ns;   /* switch-out -> switch-in of the same thread, summed over threads */
};
