// SPDX-License-Identifier: GPL-2.0
/* CUDA runtime and driver calls: an entry uprobe notes the arguments per thread and function, the return uprobe
 * adds the result and the time taken and emits one event per call. The function comes from the attach cookie, so
 * one program serves every function with the same argument shape, runtime's or driver's. */
#include "aiscope.h"
#include "cuda.h"

const volatile struct aiscope_cuda_event aiscope_cuda_event_layout __attribute__((unused));
const volatile struct aiscope_cuda_name_event aiscope_cuda_name_event_layout __attribute__((unused));

/* Keyed by thread and function: calls on different threads, or a runtime function calling another probed one,
 * never overwrite each other. */
struct call_key {
	__u32 tid;
	__u32 fn;
};

struct call_args {
	__u64 start_ns;
	__u64 arg;      /* the out-pointer of an allocation or handle, the pointer of a free, the function of a launch */
	__u64 bytes;    /* size or count; __cudaGetKernel: the host function; cuModuleGetFunction: the name */
	__u64 sp;       /* the stack pointer at entry */
	__u32 copy_kind;
	__u32 in_runtime;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct call_key);
	__type(value, struct call_args);
} calls SEC(".maps");

/* The runtime call a thread is in, if any: the stack pointer at entry of the outermost traced runtime call in
 * flight on it (0: none). libcudart implements its calls with the driver's, so a driver call made deeper on the
 * same stack while one is in flight is the runtime's own doing; the event says so (in_runtime) and user space
 * counts the call but not its bytes or launches again.
 * A runtime call whose return probe was missed (entered while the return probes were still being attached)
 * leaves a stale entry; the next runtime call entered at the same stack depth or shallower replaces it. */
struct runtime_frame {
	__u64 sp;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct runtime_frame);
} runtime_frames SEC(".maps");

static __always_inline bool is_driver(__u32 fn)
{
	return fn >= CUDA_FIRST_DRIVER_FN;
}

static __always_inline int enter(struct pt_regs *ctx, __u64 arg, __u64 bytes, __u32 copy_kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!is_target(id >> 32))
		return 0;
	struct call_key key = { .tid = (__u32)id, .fn = (__u32)bpf_get_attach_cookie(ctx) };
	struct call_args args = {
		.start_ns = bpf_ktime_get_ns(), .arg = arg, .bytes = bytes, .sp = PT_REGS_SP(ctx),
		.copy_kind = copy_kind,
	};
	if (is_driver(key.fn)) {
		/* <=: a runtime function that tail-calls the driver hands it its own stack slot */
		struct runtime_frame *f = bpf_task_storage_get(&runtime_frames, bpf_get_current_task_btf(), 0, 0);
		args.in_runtime = f && f->sp && args.sp <= f->sp;
	} else {
		struct runtime_frame *f = bpf_task_storage_get(&runtime_frames, bpf_get_current_task_btf(), 0,
				BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (f && (!f->sp || args.sp >= f->sp))
			f->sp = args.sp;
	}
	bpf_map_update_elem(&calls, &key, &args, BPF_ANY);
	return 0;
}

/* A runtime call returns: its thread is no longer inside it (nor in anything it called). */
static __always_inline void leave_runtime(__u32 fn, const struct call_args *args)
{
	if (is_driver(fn))
		return;
	struct runtime_frame *f = bpf_task_storage_get(&runtime_frames, bpf_get_current_task_btf(), 0, 0);
	if (f && f->sp == args->sp)
		f->sp = 0;
}

/* Allocations: cudaMalloc*(void **ptr, size_t size, ...), cuMemAlloc*(CUdeviceptr *dptr, size_t bytesize, ...). */
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

/* Frees: cudaFree*(void *ptr, ...), cuMemFree*(CUdeviceptr dptr, ...). */
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

/* Driver copies: cuMemcpy{HtoD,DtoH,DtoD}[Async]_v2(dst, src, size_t ByteCount, ...): the function names the
 * direction, and the cookie carries it above the function id. */
SEC("uprobe")
int BPF_KPROBE(cu_memcpy_entry, __u64 dst, __u64 src, __u64 count)
{
	return enter(ctx, 0, count, (__u32)(bpf_get_attach_cookie(ctx) >> 32));
}

/* cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name): which kernel a CUfunction is. */
SEC("uprobe")
int BPF_KPROBE(cu_module_get_function_entry, void **hfunc, void *hmod, const char *name)
{
	return enter(ctx, (__u64)hfunc, (__u64)name, 0);
}

/* Launches: cudaLaunchKernel(const void *func, ...), cuLaunchKernel(CUfunction f, ...). */
SEC("uprobe")
int BPF_KPROBE(cuda_launch_entry, const void *func)
{
	return enter(ctx, (__u64)func, 0, 0);
}

/* Graph launches and synchronisation (runtime and driver): only time and result matter. */
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

/* The fields every event has, from the entry's notes and the return value. */
static __always_inline void fill_call(struct aiscope_cuda_event *e, const struct call_key *key,
				      const struct call_args *args, __u64 id, int ret)
{
	e->fn = key->fn;
	e->tgid = id >> 32;
	e->tid = key->tid;
	e->ret = ret;
	e->start_ns = args->start_ns;
	e->duration_ns = bpf_ktime_get_ns() - args->start_ns;
	e->bytes = args->bytes;
	e->copy_kind = args->copy_kind;
	e->in_runtime = args->in_runtime;
	e->func = 0;
	e->ptr = 0;
	e->func_dev = 0;
	e->func_inode = 0;
	e->func_offset = 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(cuda_call_exit, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_key key = { .tid = (__u32)id, .fn = (__u32)bpf_get_attach_cookie(ctx) };
	struct call_args *args = bpf_map_lookup_elem(&calls, &key);
	if (!args)
		return 0; /* entered before we attached, or not traced */
	leave_runtime(key.fn, args);

	struct aiscope_cuda_event *e = reserve_event(struct aiscope_cuda_event);
	if (e) {
		fill_call(e, &key, args, id, ret);
		switch (key.fn) {
		case CUDA_MALLOC:
		case CUDA_MALLOC_ASYNC:
		case CUDA_MALLOC_MANAGED:
		case CUDA_MALLOC_HOST:
		case CU_MEM_ALLOC_V2:
		case CU_MEM_ALLOC_ASYNC:
		case CU_MEM_ALLOC_MANAGED:
			if (ret == 0 && args->arg)
				bpf_probe_read_user(&e->ptr, sizeof(e->ptr), (void *)args->arg);
			break;
		case CUDA_FREE:
		case CUDA_FREE_ASYNC:
		case CUDA_FREE_HOST:
		case CU_MEM_FREE_V2:
		case CU_MEM_FREE_ASYNC:
			e->ptr = args->arg;
			break;
		case CUDA_LAUNCH_KERNEL:
			e->func = args->arg;
			locate(e);
			break;
		case CU_LAUNCH_KERNEL:
			e->func = args->arg; /* an opaque handle, named by cuModuleGetFunction: nothing to locate */
			break;
		case CUDA_GET_KERNEL:
			e->func = args->bytes;
			e->bytes = 0;
			if (ret == 0 && args->arg)
				bpf_probe_read_user(&e->ptr, sizeof(e->ptr), (void *)args->arg);
			locate(e);
			break;
		}
		submit_batched(e);
	}
	bpf_map_delete_elem(&calls, &key);
	return 0;
}

/* cuModuleGetFunction returns: the CUfunction it wrote, and the name it was asked for (read even on failure). */
SEC("uretprobe")
int BPF_KRETPROBE(cu_module_get_function_exit, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_key key = { .tid = (__u32)id, .fn = (__u32)bpf_get_attach_cookie(ctx) };
	struct call_args *args = bpf_map_lookup_elem(&calls, &key);
	if (!args)
		return 0;

	struct aiscope_cuda_name_event *e = reserve_event(struct aiscope_cuda_name_event);
	if (e) {
		fill_call(&e->call, &key, args, id, ret);
		e->call.bytes = 0;
		if (ret == 0 && args->arg)
			bpf_probe_read_user(&e->call.ptr, sizeof(e->call.ptr), (void *)args->arg);
		e->name[0] = 0;
		if (args->bytes)
			bpf_probe_read_user_str(e->name, sizeof(e->name), (void *)args->bytes);
		submit_batched(e);
	}
	bpf_map_delete_elem(&calls, &key);
	return 0;
}
