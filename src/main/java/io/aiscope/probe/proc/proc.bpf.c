// SPDX-License-Identifier: GPL-2.0
/* Follows traced processes across fork, exec and exit in the kernel, so a launched command's descendants are
 * traced from their first instruction and uprobes filter on one map lookup. Reports what they do to the world
 * outside: the programs they run (with argv), the files they open, the addresses they connect to and how their
 * non-blocking TCP connects ended. */
#include "aiscope.h"
#include "proc.h"

/* Keeps the layouts in this object's BTF for the Java decoder. */
const volatile struct aiscope_proc_event aiscope_proc_event_layout __attribute__((unused));
const volatile struct aiscope_proc_io_event aiscope_proc_io_event_layout __attribute__((unused));
const volatile struct aiscope_proc_connect_result aiscope_proc_connect_result_layout __attribute__((unused));

/* x86-64 syscall numbers (orig_ax at syscall exit). */
#define NR_open 2
#define NR_connect 42
#define NR_creat 85
#define NR_openat 257
#define NR_openat2 437
#define TS_COMPAT 0x0002 /* thread_info.status: a 32-bit syscall, whose numbers are others */
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define EINPROGRESS 115
#define MAX_PENDING_CONNECTS 4096

/* Non-blocking TCP connects under way, by struct sock, until their handshake ends. Whoever deletes an entry
 * reports its outcome: the state change (softirq, any CPU) and the connect's own exit can race. */
struct pending_connect {
	__u32 tgid;
	__u32 pad; /* named, so that an initializer zeroes it: the map copies every byte */
	__u64 connect_ts_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PENDING_CONNECTS);
	__type(key, __u64);
	__type(value, struct pending_connect);
} pending_connects SEC(".maps");

/* Connect outcomes not reported, per CPU: too many connects under way at once, or a handshake that ended in the
 * instant between connect's return and its exit (the state change fires before the state is stored). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} connect_outcomes_lost SEC(".maps");

/* A fork, exit or library record: everything before the argument block, which only an exec fills. */
static __always_inline struct aiscope_proc_event *reserve_without_args(void)
{
	struct aiscope_proc_event *e = bpf_ringbuf_reserve(&events, offsetof(struct aiscope_proc_event, args), 0);
	if (!e)
		count_drop();
	return e;
}

static __always_inline void begin_record(struct aiscope_proc_event *e, __u32 kind, __u32 tgid)
{
	e->kind = kind;
	e->tgid = tgid;
	e->ppid = 0;
	e->exit_code = 0;
	e->stopped = 0;
	e->args_len = 0;
	e->args_total = 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->filename[0] = 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(proc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	if (ptgid == ctgid || !is_target(ptgid))
		return 0; /* a new thread, or not ours */
	bpf_map_update_elem(&targets, &ctgid, &ptgid, BPF_ANY);

	struct aiscope_proc_event *e = reserve_without_args();
	if (!e)
		return 0;
	begin_record(e, PROC_FORK, ctgid);
	e->ppid = ptgid;
	BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
	submit_batched(e);
	return 0;
}

/* The new image's argv: the kernel has just written it onto the new stack (resident), between mm->arg_start and
 * arg_end. Only that range is read: the environment follows it and may hold secrets. */
static __always_inline void copy_args(struct aiscope_proc_event *e, struct task_struct *task)
{
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	__u64 total = end > start ? end - start : 0;
	__u32 n = total < PROC_ARGS_LEN ? total : PROC_ARGS_LEN;
	e->args_total = total;
	if (n && !bpf_probe_read_user(e->args, n, (const void *)start))
		e->args_len = n;
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
	begin_record(e, PROC_EXEC, tgid);
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	bpf_probe_read_kernel_str(&e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
	copy_args(e, task);
	submit_now(e); /* the engine looks for libraries to attach to */
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(proc_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	if (BPF_CORE_READ(task, signal, live.counter) != 0 || !is_target(tgid))
		return 0; /* other threads of the process live on */
	struct aiscope_proc_event *e = reserve_without_args();
	if (e) {
		begin_record(e, PROC_EXIT, tgid);
		e->exit_code = BPF_CORE_READ(task, exit_code);
		/* The process's name, not the last thread's ("VM Thread" for a JVM). */
		BPF_CORE_READ_STR_INTO(&e->comm, task, group_leader, comm);
		submit_now(e);
	}
	bpf_map_delete_elem(&targets, &tgid);
	return 0;
}

/* The path argument, as the caller passed it (relative paths stay relative). */
static __always_inline void copy_path(struct aiscope_proc_io_event *e, const char *path)
{
	long n = bpf_probe_read_user_str(e->path, PROC_PATH_LEN, path);
	if (n < 0) {
		e->path[0] = 0;
		e->capture |= PROC_IO_UNREADABLE;
	} else if (n == PROC_PATH_LEN) {
		/* Filled to the end: cut, unless the string ended exactly there. */
		char last;
		if (!bpf_probe_read_user(&last, 1, path + PROC_PATH_LEN - 1) && last)
			e->capture |= PROC_IO_CUT;
	}
}

static __always_inline void read_open(struct aiscope_proc_io_event *e, struct pt_regs *regs, long nr)
{
	const char *path = (const char *)regs->si;
	switch (nr) {
	case NR_open:
		path = (const char *)regs->di;
		e->flags = regs->si;
		break;
	case NR_creat:
		path = (const char *)regs->di;
		e->flags = O_CREAT | O_WRONLY | O_TRUNC;
		break;
	case NR_openat:
		e->flags = regs->dx;
		break;
	default: { /* openat2: the flags are in the caller's struct open_how */
		__u64 flags;
		if (bpf_probe_read_user(&flags, sizeof(flags), &((struct open_how *)regs->dx)->flags))
			e->capture |= PROC_IO_UNREADABLE;
		else
			e->flags = flags;
	}
	}
	copy_path(e, path);
}

/* The struct sockaddr as passed; Java tells the families apart. */
static __always_inline void read_connect(struct aiscope_proc_io_event *e, struct pt_regs *regs)
{
	__u32 n = regs->dx; /* an int: a negative one (refused with EINVAL) reads as large */
	if (n > PROC_SOCKADDR_LEN)
		n = PROC_SOCKADDR_LEN;
	/* A bound the compiler must keep for the verifier (it compares a copy): at most 255, and path[] follows. */
	asm volatile("%[n] &= 0xff" : [n] "+r"(n));
	if (n && bpf_probe_read_user(e->addr, n, (const void *)regs->si))
		e->capture |= PROC_IO_UNREADABLE;
	else
		e->addr_len = n;
}

static __always_inline void count_outcome_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&connect_outcomes_lost, &zero);
	if (n)
		*n += 1;
}

/* The TCP socket behind descriptor fd of the current task, or NULL (connect(2) returns -EINPROGRESS for SCTP too,
 * whose outcome is not followed). */
static __always_inline struct sock *tcp_sock_of(struct task_struct *task, unsigned int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file;
	if (bpf_core_read(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	/* A socket points back at its file: whatever else private_data may be (another thread replaced the
	 * descriptor since) fails this. */
	if (!sock || BPF_CORE_READ(sock, file) != file)
		return NULL;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	/* A bitfield before 5.6: the probed read copes with both shapes. */
	if (!sk || BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_TCP)
		return NULL;
	return sk;
}

static __always_inline void report_outcome(struct sock *sk, bool connected)
{
	__u64 key = (__u64)sk;
	struct pending_connect *p = bpf_map_lookup_elem(&pending_connects, &key);
	if (!p)
		return;
	struct pending_connect c = *p;
	if (bpf_map_delete_elem(&pending_connects, &key))
		return; /* the other side took it */
	struct aiscope_proc_connect_result *e = reserve_event(struct aiscope_proc_connect_result);
	if (!e)
		return;
	e->kind = PROC_CONNECT_RESULT;
	e->tgid = c.tgid;
	e->connected = connected;
	/* The handshake's failure sets sk_err before the socket reaches CLOSE (reset, timeout, ICMP error); a close
	 * of the process's own sets none. Nobody has read it yet: the caller learns it from its next poll. */
	e->err = connected ? 0 : BPF_CORE_READ(sk, sk_err);
	e->sock = key;
	e->connect_ts_ns = c.connect_ts_ns;
	e->ts_ns = bpf_ktime_get_ns();
	submit_batched(e);
}

/* Follows a connect that returned -EINPROGRESS, whose record is already in the ring (so its outcome comes after
 * it). On loopback the handshake ends inside connect(2) itself, before this exit: the peer's answer waits in the
 * socket's backlog until connect releases the socket, after it chose -EINPROGRESS. So the state is read again
 * once the entry is in: an end before that is reported here, one after it by proc_connect_state. */
static __always_inline void follow_connect(struct sock *sk, __u32 tgid, __u64 connect_ts_ns)
{
	__u64 key = (__u64)sk;
	struct pending_connect p = { .tgid = tgid, .connect_ts_ns = connect_ts_ns };
	if (bpf_map_update_elem(&pending_connects, &key, &p, BPF_ANY)) {
		count_outcome_lost();
		return;
	}
	int state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (state == TCP_ESTABLISHED || state == TCP_CLOSE)
		report_outcome(sk, state == TCP_ESTABLISHED);
}

/* Every TCP state change on the machine passes here: one map lookup, and nothing more for sockets no traced
 * connect waits on. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(proc_connect_state, struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;
	if (!bpf_map_lookup_elem(&pending_connects, &key))
		return 0;
	if (oldstate != TCP_SYN_SENT && oldstate != TCP_SYN_RECV) {
		/* The handshake ended unseen (see connect_outcomes_lost): the entry outlived it. */
		if (!bpf_map_delete_elem(&pending_connects, &key))
			count_outcome_lost();
		return 0;
	}
	/* SYN_SENT -> SYN_RECV is a simultaneous open, still under way. */
	if (newstate == TCP_ESTABLISHED || newstate == TCP_CLOSE)
		report_outcome(sk, newstate == TCP_ESTABLISHED);
	return 0;
}

/* Every syscall's exit on the machine passes here (no kprobes or syscall tracepoints on the kernels this must run
 * on), so the syscall number is tested first and nothing else is done for the others. At exit the user registers
 * still hold the arguments, and the memory they point to was just read by the kernel, so it is resident. */
SEC("tp_btf/sys_exit")
int BPF_PROG(proc_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	bool open = nr == NR_openat || nr == NR_open || nr == NR_openat2 || nr == NR_creat;
	if (!open && nr != NR_connect)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (!is_target(tgid))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	if (task->thread_info.status & TS_COMPAT)
		return 0;
	/* Only TCP answers a non-blocking connect with EINPROGRESS (SCTP aside): UDP and Unix sockets connect at
	 * once or fail. */
	struct sock *pending = !open && ret == -EINPROGRESS ? tcp_sock_of(task, regs->di) : NULL;
	struct aiscope_proc_io_event *e = reserve_event(struct aiscope_proc_io_event);
	if (!e)
		return 0;
	e->kind = open ? PROC_OPEN : PROC_CONNECT;
	e->tgid = tgid;
	e->tid = (__u32)pid_tgid;
	e->flags = 0;
	e->result = ret;
	e->ts_ns = bpf_ktime_get_ns();
	e->capture = 0;
	e->addr_len = 0;
	e->sock = (__u64)pending;
	e->path[0] = 0;
	if (open)
		read_open(e, regs, nr);
	else
		read_connect(e, regs);
	__u64 connect_ts_ns = e->ts_ns;
	submit_batched(e);
	if (pending)
		follow_connect(pending, tgid, connect_ts_ns);
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
	struct aiscope_proc_event *e = reserve_without_args();
	if (!e)
		return 0;
	struct aiscope_settings *s = current_settings();
	begin_record(e, PROC_LIBRARIES, tgid);
	/* Stop before the engine can see the event: its SIGCONT then always comes after (a SIGCONT that overtakes
	 * a stop still pending cancels it, so the process cannot be left stopped). */
	e->stopped = s && s->stop_on_load && bpf_send_signal(SIGSTOP) == 0;
	/* The process's name: the loading thread may be any of its threads (a JVM's compiler thread, say). */
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	BPF_CORE_READ_STR_INTO(&e->comm, task, group_leader, comm);
	submit_now(e);
	return 0;
}
