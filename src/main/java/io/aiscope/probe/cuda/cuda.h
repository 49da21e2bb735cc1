/* SPDX-License-Identifier: GPL-2.0 */
/* Event layout of the cuda family: the single definition; Java reads it from this object's BTF. */
#pragma once

/* Which runtime function a call was; the uprobe's attach cookie carries it. Java names them in CudaFunction. */
enum cuda_fn {
	CUDA_MALLOC = 1,
	CUDA_MALLOC_ASYNC,
	CUDA_MALLOC_MANAGED,
	CUDA_MALLOC_HOST,
	CUDA_FREE,
	CUDA_FREE_ASYNC,
	CUDA_FREE_HOST,
	CUDA_MEMCPY,
	CUDA_MEMCPY_ASYNC,
	CUDA_LAUNCH_KERNEL,
	CUDA_GRAPH_LAUNCH,
	CUDA_STREAM_SYNCHRONIZE,
	CUDA_DEVICE_SYNCHRONIZE,
	CUDA_EVENT_SYNCHRONIZE,
	CUDA_GET_KERNEL,   /* __cudaGetKernel: CUDA 13's <<<>>> launches pass its handle, not the host function */
	CUDA_FN_COUNT,
};

/* One completed runtime call. */
struct aiscope_cuda_event {
	__u32 fn;          /* enum cuda_fn */
	__u32 tgid;
	__u32 tid;
	__s32 ret;         /* cudaError_t returned */
	__u64 start_ns;    /* CLOCK_MONOTONIC at entry */
	__u64 duration_ns;
	__u64 ptr;         /* allocations: the pointer returned (0 on failure); frees: the pointer freed;
	                      __cudaGetKernel: the kernel handle returned */
	__u64 bytes;       /* allocations: size asked for; copies: count */
	__u64 func;        /* launches: the function or handle launched; __cudaGetKernel: the host function */
	__u32 copy_kind;   /* copies: cudaMemcpyKind */
	__u32 func_dev;    /* launches, __cudaGetKernel: the file holding func (kernel dev_t, 0 if none) ... */
	__u64 func_inode;  /* ... its inode ... */
	__u64 func_offset; /* ... and func's offset in it: names the kernel even after the process is gone */
};
