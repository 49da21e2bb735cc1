// SPDX-License-Identifier: GPL-2.0
/* Follows traced processes across fork, exec and exit in the kernel, so a launched command's descendants are
 * traced from their first instruction and uprobes filter on one map lookup. */
#include "aiscope.h"
#include "proc.h"

/* Keeps the layout in this object's BTF for the Java decoder. */
const volatile struct aiscope_proc_event aiscope_proc_event_layout __attribute__((unused));

SEC("tp_btf/sched_process_fork")
int BPF_PROG(proc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	if (ptgid == ctgid || !is_target(ptgid))
		return 0; /* a new thread, or not ours */
	bpf_map_update_elem(&targets, &ctgid, &ptgid, BPF_ANY);

	struct aiscope_proc_event *e = reserve_event(struct aiscope_proc_event);
	if (!e)
		return 0;
	e->kind = PROC_FORK;
	e->tgid = ctgid;
	e->ppid = ptgid;
	e->exit_code = 0;
	e->ts_ns = bpf_ktime_get_ns();
	BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
	e->filename[0] = 0;
	submit_batched(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(proc_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	if (!is_target(tgid))
		return 0;
	struct aiscope_proc_event *e = reserve_event(struct aiscope_proc_event);
	if (!e)
		return 0;
	e->kind = PROC_EXEC;
	e->tgid = tgid;
	e->ppid = 0;
	e->exit_code = 0;
	e->ts_ns = bpf_ktime_get_ns();
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	bpf_probe_read_kernel_str(&e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
	submit_now(e); /* the engine looks for libraries to attach to */
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(proc_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	if (BPF_CORE_READ(task, signal, live.counter) != 0 || !is_target(tgid))
		return 0; /* other threads of the process live on */
	struct aiscope_proc_event *e = reserve_event(struct aiscope_proc_event);
	if (e) {
		e->kind = PROC_EXIT;
		e->tgid = tgid;
		e->ppid = 0;
		e->exit_code = BPF_CORE_READ(task, exit_code);
		e->ts_ns = bpf_ktime_get_ns();
		BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
		e->filename[0] = 0;
		submit_now(e);
	}
	bpf_map_delete_elem(&targets, &tgid);
	return 0;
}
