/* SPDX-License-Identifier: GPL-2.0 */
/* Event layout of the cuda family: the single definition; Java reads it from this object's BTF. */
#pragma once

/* Which function a call was: the runtime's (libcudart), then the driver's (libcuda). The uprobe's attach cookie
 * carries it in its low 32 bits. Java names them in CudaFunction, in this order. */
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
	/* The driver API, by the names libcuda.so.1 exports (cuda.h #defines cuMemAlloc as cuMemAlloc_v2 etc.). */
	CU_MEM_ALLOC_V2,
	CU_MEM_ALLOC_ASYNC,
	CU_MEM_ALLOC_MANAGED,
	CU_MEM_FREE_V2,
	CU_MEM_FREE_ASYNC,
	CU_MEMCPY_HTOD_V2, /* driver copies: the function names the direction; the cookie's bits 32+ carry it */
	CU_MEMCPY_DTOH_V2,
	CU_MEMCPY_DTOD_V2,
	CU_MEMCPY_HTOD_ASYNC_V2,
	CU_MEMCPY_DTOH_ASYNC_V2,
	CU_MEMCPY_DTOD_ASYNC_V2,
	CU_LAUNCH_KERNEL,  /* launches an opaque CUfunction ... */
	CU_MODULE_GET_FUNCTION, /* ... which this returns, by name: struct aiscope_cuda_name_event */
	CU_STREAM_SYNCHRONIZE,
	CU_CTX_SYNCHRONIZE,
	CU_EVENT_SYNCHRONIZE,
	CUDA_FN_COUNT,
};

#define CUDA_FIRST_DRIVER_FN CU_MEM_ALLOC_V2

/* Room for a kernel's mangled name (cuModuleGetFunction); a longer one arrives cut to AISCOPE_CUDA_NAME_LEN - 1. */
#define AISCOPE_CUDA_NAME_LEN 1024

/* One completed call. */
struct aiscope_cuda_event {
	__u32 fn;          /* enum cuda_fn */
	__u32 tgid;
	__u32 tid;
	__s32 ret;         /* cudaError_t or CUresult returned */
	__u64 start_ns;    /* CLOCK_MONOTONIC at entry */
	__u64 duration_ns;
	__u64 ptr;         /* allocations: the pointer returned (0 on failure); frees: the pointer freed;
	                      __cudaGetKernel: the kernel handle returned; cuModuleGetFunction: the CUfunction returned */
	__u64 bytes;       /* allocations: size asked for; copies: count */
	__u64 func;        /* launches: the function or handle launched; __cudaGetKernel: the host function */
	__u32 copy_kind;   /* copies: cudaMemcpyKind (driver copies: the one their function names) */
	__u32 func_dev;    /* launches, __cudaGetKernel: the file holding func (kernel dev_t, 0 if none) ... */
	__u64 func_inode;  /* ... its inode ... */
	__u64 func_offset; /* ... and func's offset in it: names the kernel even after the process is gone */
	__u32 in_runtime;  /* driver calls: 1 when made inside a traced runtime call on the same thread (deeper on its
	                      stack): the runtime's own implementation of that call, which is already counted */
};

/* A cuModuleGetFunction call: the call, and the name of the kernel whose CUfunction it returned. */
struct aiscope_cuda_name_event {
	struct aiscope_cuda_event call; /* first: fn is where every event of this ring has it */
	char name[AISCOPE_CUDA_NAME_LEN]; /* NUL-terminated, as the caller passed it (mangled) */
};
