// fake-libcuda: a TEST FIXTURE standing in for the NVIDIA driver library, built as
// OUTDIR/fixture-libcuda/libcuda.so.1 (soname libcuda.so.1) because the real one cannot
// be had on machines without an NVIDIA driver. It is not the driver and proves nothing
// about it: it only lets aiscope's driver-API probes be exercised on calls that succeed.
//
// It exports the driver functions aiscope probes, under the names the real library
// exports, compiled against the CUDA 13 toolkit's cuda.h so that every definition must
// match the real prototype (cuda.h #defines cuMemAlloc as cuMemAlloc_v2 etc.; the
// definitions below use the exported names directly). Every call returns CUDA_SUCCESS
// with plausible results, except where the real driver would refuse its arguments:
//  - allocations hand out distinct, increasing fake device pointers (never
//    dereferenceable: nothing here or in the caller may touch them);
//  - cuModuleGetFunction returns one distinct handle per name (the same name gives the
//    same handle, as the driver does within a module);
//  - copies copy nothing; launches run nothing;
//  - the synchronize calls sleep FIXTURE_SYNC_US (200) microseconds, so the time a
//    thread is blocked in them is known.

#include <cuda.h>

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define FIXTURE_SYNC_US 200
#define FIXTURE_MAX_FUNCTIONS 64
#define FIXTURE_MAX_NAME 1024

// The first fake device pointer; allocations are 512-byte aligned like the driver's.
static uint64_t next_device_ptr = 0x7f0000000000ull;

struct fixture_function {
  char name[FIXTURE_MAX_NAME];
};
static struct fixture_function functions[FIXTURE_MAX_FUNCTIONS];
static int function_count;
static pthread_mutex_t functions_lock = PTHREAD_MUTEX_INITIALIZER;

static int is_function(CUfunction f) {
  struct fixture_function* p = (struct fixture_function*)f;
  return p >= functions && p < functions + FIXTURE_MAX_FUNCTIONS;
}

static CUresult fake_alloc(CUdeviceptr* dptr, size_t bytesize) {
  if (!dptr || bytesize == 0) return CUDA_ERROR_INVALID_VALUE;
  uint64_t size = (bytesize + 511) & ~(uint64_t)511;
  *dptr = (CUdeviceptr)__atomic_fetch_add(&next_device_ptr, size, __ATOMIC_RELAXED);
  return CUDA_SUCCESS;
}

static CUresult fake_sync(void) {
  struct timespec ts = {0, FIXTURE_SYNC_US * 1000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuInit(unsigned int flags) {
  return flags == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

// A module is just a non-NULL token here: the image is not read.
CUresult CUDAAPI cuModuleLoadData(CUmodule* module, const void* image) {
  if (!module || !image) return CUDA_ERROR_INVALID_VALUE;
  *module = (CUmodule)(uintptr_t)0x1000;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuModuleGetFunction(CUfunction* hfunc, CUmodule hmod, const char* name) {
  if (!hfunc || !hmod || !name || strlen(name) >= FIXTURE_MAX_NAME) return CUDA_ERROR_INVALID_VALUE;
  CUresult r = CUDA_ERROR_NOT_FOUND;
  pthread_mutex_lock(&functions_lock);
  int i;
  for (i = 0; i < function_count && strcmp(functions[i].name, name) != 0; i++) {
  }
  if (i == function_count && function_count < FIXTURE_MAX_FUNCTIONS) strcpy(functions[function_count++].name, name);
  if (i < function_count) {
    *hfunc = (CUfunction)&functions[i];
    r = CUDA_SUCCESS;
  }
  pthread_mutex_unlock(&functions_lock);
  return r;
}

CUresult CUDAAPI cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytesize) { return fake_alloc(dptr, bytesize); }

CUresult CUDAAPI cuMemAllocAsync(CUdeviceptr* dptr, size_t bytesize, CUstream hStream) {
  (void)hStream;
  return fake_alloc(dptr, bytesize);
}

CUresult CUDAAPI cuMemAllocManaged(CUdeviceptr* dptr, size_t bytesize, unsigned int flags) {
  if (flags != CU_MEM_ATTACH_GLOBAL && flags != CU_MEM_ATTACH_HOST) return CUDA_ERROR_INVALID_VALUE;
  return fake_alloc(dptr, bytesize);
}

CUresult CUDAAPI cuMemFree_v2(CUdeviceptr dptr) { return dptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE; }

CUresult CUDAAPI cuMemFreeAsync(CUdeviceptr dptr, CUstream hStream) {
  (void)hStream;
  return dptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

// The copies check their pointers and copy nothing. The Async variants do not call the
// synchronous ones: exported calls inside this library would go through its PLT and hit
// the uprobes on those too.
static CUresult fake_copy(const void* dst, const void* src) {
  return dst && src ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult CUDAAPI cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void* srcHost, size_t ByteCount) {
  (void)ByteCount;
  return fake_copy((const void*)dstDevice, srcHost);
}

CUresult CUDAAPI cuMemcpyDtoH_v2(void* dstHost, CUdeviceptr srcDevice, size_t ByteCount) {
  (void)ByteCount;
  return fake_copy(dstHost, (const void*)srcDevice);
}

CUresult CUDAAPI cuMemcpyDtoD_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount) {
  (void)ByteCount;
  return fake_copy((const void*)dstDevice, (const void*)srcDevice);
}

CUresult CUDAAPI cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void* srcHost, size_t ByteCount,
                                      CUstream hStream) {
  (void)ByteCount, (void)hStream;
  return fake_copy((const void*)dstDevice, srcHost);
}

CUresult CUDAAPI cuMemcpyDtoHAsync_v2(void* dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream) {
  (void)ByteCount, (void)hStream;
  return fake_copy(dstHost, (const void*)srcDevice);
}

CUresult CUDAAPI cuMemcpyDtoDAsync_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount,
                                      CUstream hStream) {
  (void)ByteCount, (void)hStream;
  return fake_copy((const void*)dstDevice, (const void*)srcDevice);
}

CUresult CUDAAPI cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
                                unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
                                unsigned int sharedMemBytes, CUstream hStream, void** kernelParams, void** extra) {
  (void)sharedMemBytes, (void)hStream, (void)kernelParams, (void)extra;
  if (!is_function(f)) return CUDA_ERROR_INVALID_HANDLE;
  if (!gridDimX || !gridDimY || !gridDimZ || !blockDimX || !blockDimY || !blockDimZ) return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuEventCreate(CUevent* phEvent, unsigned int Flags) {
  (void)Flags;
  if (!phEvent) return CUDA_ERROR_INVALID_VALUE;
  *phEvent = (CUevent)(uintptr_t)0x2000;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuStreamSynchronize(CUstream hStream) {
  (void)hStream;  // NULL: the legacy default stream
  return fake_sync();
}

CUresult CUDAAPI cuCtxSynchronize(void) { return fake_sync(); }

CUresult CUDAAPI cuEventSynchronize(CUevent hEvent) {
  return hEvent ? fake_sync() : CUDA_ERROR_INVALID_HANDLE;
}
