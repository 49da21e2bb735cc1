// SPDX-License-Identifier: GPL-2.0
/* CUDA runtime calls: an entry uprobe notes the arguments per thread and function, the return uprobe adds the
 * result and the time taken and emits one event per call. The function comes from the attach cookie, so one
 * program serves every function with the same argument shape. */
#include "aiscope.h"
#include "cuda.h"

const volatile struct aiscope_cuda_event aiscope_cuda_event_layout __attribute__((unused));

/* Keyed by thread and function: calls on different threads, or a runtime function calling another probed one,
 * never overwrite each other. */
struct call_key {
	__u32 tid;
	__u32 fn;
};

struct call_args {
	__u64 start_ns;
	__u64 arg;      /* the out-pointer of an allocation, the pointer of a free, the function of a launch */
	__u64 bytes;
	__u32 copy_kind;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct call_key);
	__type(value, struct call_args);
} calls SEC(".maps");

static __always_inline int enter(void *ctx, __u64 arg, __u64 bytes, __u32 copy_kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!is_target(id >> 32))
		return 0;
	struct call_key key = { .tid = (__u32)id, .fn = (__u32)bpf_get_attach_cookie(ctx) };
	struct call_args args = {
		.start_ns = bpf_ktime_get_ns(), .arg = arg, .bytes = bytes, .copy_kind = copy_kind,
	};
	bpf_map_update_elem(&calls, &key, &args, BPF_ANY);
	return 0;
}

/* Allocations: cudaMalloc*(void **ptr, size_t size, ...). */
SEC("uprobe")
int BPF_KPROBE(cuda_alloc_entry, void **ptr, __u64 size)
{
	return enter(ctx, (__u64)ptr, size, 0);
}

/* __cudaGetKernel(cudaKernel_t *handle, const void *hostFun): remembers which host function a handle names. */
SEC("uprobe")
int BPF_KPROBE(cuda_get_kernel_entry, void **handle, const void *host_fun)
{
	return enter(ctx, (__u64)handle, (__u64)host_fun, 0);
}

/* Frees: cudaFree*(void *ptr, ...). */
SEC("uprobe")
int BPF_KPROBE(cuda_free_entry, void *ptr)
{
	return enter(ctx, (__u64)ptr, 0, 0);
}

/* Copies: cudaMemcpy*(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, ...). */
SEC("uprobe")
int BPF_KPROBE(cuda_memcpy_entry, void *dst, const void *src, __u64 count, __u32 kind)
{
	return enter(ctx, 0, count, kind);
}

/* Launches: cudaLaunchKernel(const void *func, ...). */
SEC("uprobe")
int BPF_KPROBE(cuda_launch_entry, const void *func)
{
	return enter(ctx, (__u64)func, 0, 0);
}

/* Graph launches and synchronisation: only time and result matter. */
SEC("uprobe")
int BPF_KPROBE(cuda_call_entry)
{
	return enter(ctx, 0, 0, 0);
}

struct code_location {
	__u64 addr;
	__u64 inode;
	__u64 offset;
	__u32 dev;
};

static long locate_in_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct code_location *loc = data;
	struct file *file = vma->vm_file;
	if (!file)
		return 0;
	loc->dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
	loc->inode = BPF_CORE_READ(file, f_inode, i_ino);
	loc->offset = (vma->vm_pgoff << 12) + loc->addr - vma->vm_start;
	return 0;
}

/* Which file, and where in it, holds a launched function: resolved to a name later in user space, this still
 * works when the process has exited before its /proc/PID/maps could be read. */
static __always_inline void locate(struct aiscope_cuda_event *e)
{
	struct code_location loc = { .addr = e->func };
	if (e->func)
		bpf_find_vma(bpf_get_current_task_btf(), e->func, locate_in_vma, &loc, 0);
	e->func_dev = loc.dev;
	e->func_inode = loc.inode;
	e->func_offset = loc.offset;
}

SEC("uretprobe")
int BPF_KRETPROBE(cuda_call_exit, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_key key = { .tid = (__u32)id, .fn = (__u32)bpf_get_attach_cookie(ctx) };
	struct call_args *args = bpf_map_lookup_elem(&calls, &key);
	if (!args)
		return 0; /* entered before we attached, or not traced */

	struct aiscope_cuda_event *e = reserve_event(struct aiscope_cuda_event);
	if (e) {
		e->fn = key.fn;
		e->tgid = id >> 32;
		e->tid = key.tid;
		e->ret = ret;
		e->start_ns = args->start_ns;
		e->duration_ns = bpf_ktime_get_ns() - args->start_ns;
		e->bytes = args->bytes;
		e->copy_kind = args->copy_kind;
		e->func = 0;
		e->ptr = 0;
		switch (key.fn) {
		case CUDA_MALLOC:
		case CUDA_MALLOC_ASYNC:
		case CUDA_MALLOC_MANAGED:
		case CUDA_MALLOC_HOST:
			if (ret == 0 && args->arg)
				bpf_probe_read_user(&e->ptr, sizeof(e->ptr), (void *)args->arg);
			break;
		case CUDA_FREE:
		case CUDA_FREE_ASYNC:
		case CUDA_FREE_HOST:
			e->ptr = args->arg;
			break;
		case CUDA_LAUNCH_KERNEL:
			e->func = args->arg;
			break;
		case CUDA_GET_KERNEL:
			e->func = args->bytes;
			e->bytes = 0;
			if (ret == 0 && args->arg)
				bpf_probe_read_user(&e->ptr, sizeof(e->ptr), (void *)args->arg);
			break;
		}
		locate(e);
		submit_batched(e);
	}
	bpf_map_delete_elem(&calls, &key);
	return 0;
}
