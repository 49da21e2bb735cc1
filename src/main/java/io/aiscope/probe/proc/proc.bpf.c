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
	e->stopped = 0;
	e->_pad = 0;
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
	e->stopped = 0;
	e->_pad = 0;
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
		e->stopped = 0;
		e->_pad = 0;
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

#define SIGSTOP 19

/* ld.so calls _dl_debug_state (the debugger's hook) before and after it maps or unmaps libraries: the engine looks
 * for libraries to probe at once. Where asked, the process stops here, as under a debugger, until the probes are in,
 * so that a library's first calls are seen even when they follow its dlopen at once. */
SEC("uprobe")
int BPF_KPROBE(proc_libraries_changed)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!is_target(tgid))
		return 0;
	struct aiscope_proc_event *e = reserve_event(struct aiscope_proc_event);
	if (!e)
		return 0;
	struct aiscope_settings *s = current_settings();
	/* Stop before the engine can see the event: its SIGCONT then always comes after (a SIGCONT that overtakes
	 * a stop still pending cancels it, so the process cannot be left stopped). */
	e->stopped = s && s->stop_on_load && bpf_send_signal(SIGSTOP) == 0;
	e->_pad = 0;
	e->kind = PROC_LIBRARIES;
	e->tgid = tgid;
	e->ppid = 0;
	e->exit_code = 0;
	e->ts_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	e->filename[0] = 0;
	submit_now(e);
	return 0;
}
