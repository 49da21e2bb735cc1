// driver_census: drives a libcuda.so.1 through the CUDA driver API with a precise,
// configurable sequence of calls from several threads and prints its own account of what
// it did as one JSON object on stdout: the ground truth aiscope's driver-API tests compare
// the traced view against.
//
// It is linked (workloads/build) against the TEST FIXTURE libcuda.so.1 built from
// fake-libcuda.c, with an rpath to it, because machines without an NVIDIA driver have no
// real one. Every call succeeds there (except the one deliberately invalid allocation per
// thread), so the success path is exercised: pointers, frees, leaks, kernel handles. What
// it shows is how aiscope handles these calls, not how the real driver behaves.
//
// --runtime-shim N adds N rounds of five calls through a stand-in for libcudart defined in
// this program (cudaMalloc, cudaMemcpy, cudaLaunchKernel, cudaStreamSynchronize, cudaFree:
// the runtime's names and argument order, each implemented with the driver call a runtime
// makes for it). aiscope probes them as runtime functions, as it would any mapped file
// defining them, and must count the driver calls made inside them as calls only.

#define _GNU_SOURCE  // dladdr
#include <cuda.h>

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// libstdc++'s demangler: the kernel names in the JSON are what c++filt prints.
char* __cxa_demangle(const char* mangled, char* buffer, size_t* length, int* status);

// ---------------------------------------------------------------------------
// Bookkeeping: every library function this file calls is counted under the name it
// reaches (the exported driver names; cuda.h's cuMemAlloc etc. are #defines of them).
// ---------------------------------------------------------------------------

#define FUNCTIONS(X)                                                                       \
  X(cuMemAlloc_v2) X(cuMemAllocAsync) X(cuMemAllocManaged) X(cuMemFree_v2) X(cuMemFreeAsync) \
  X(cuMemcpyHtoD_v2) X(cuMemcpyDtoH_v2) X(cuMemcpyDtoD_v2) X(cuMemcpyHtoDAsync_v2)          \
  X(cuMemcpyDtoHAsync_v2) X(cuMemcpyDtoDAsync_v2) X(cuLaunchKernel) X(cuModuleGetFunction)   \
  X(cuStreamSynchronize) X(cuCtxSynchronize) X(cuEventSynchronize) X(cuInit)                 \
  X(cuModuleLoadData) X(cuEventCreate) X(cudaMalloc) X(cudaFree) X(cudaMemcpy)              \
  X(cudaLaunchKernel) X(cudaStreamSynchronize)

enum Fn {
#define AS_ENUM(name) FN_##name,
  FUNCTIONS(AS_ENUM)
#undef AS_ENUM
  FN_COUNT
};

static const char* const kFnNames[FN_COUNT] = {
#define AS_STRING(name) #name,
    FUNCTIONS(AS_STRING)
#undef AS_STRING
};

#define MAX_CODES 4

struct FnStats {
  uint64_t calls;
  uint64_t bytes;     // bytes asked for (allocations, copies)
  uint64_t bytes_ok;  // of those, of calls that succeeded
  uint64_t inside_runtime;  // calls made by the runtime stand-in below, inside its own calls
  int codes[MAX_CODES];
  uint64_t code_calls[MAX_CODES];
};

enum Dir { HTOD, DTOH, DTOD, DIR_COUNT };
static const char* const kDirNames[DIR_COUNT] = {"HtoD", "DtoH", "DtoD"};

#define MAX_LIVE 65536
struct Live {
  uint64_t ptr, bytes;
  const char* function;
};

struct ThreadStats {
  pid_t tid;
  struct FnStats fn[FN_COUNT];
  uint64_t memcpy_calls[DIR_COUNT], memcpy_bytes[DIR_COUNT];  // each copy once
  uint64_t launches[4];                                       // per kernel, each launch once
  uint64_t allocated, freed, driver_allocated, driver_freed;  // device bytes, each allocation once
  uint64_t sync_calls, sync_ns;                               // each synchronisation once
  uint64_t leak_calls, leak_bytes;
  CUdeviceptr leak_ptrs[1024];
  struct Live* live;  // allocations not freed, at exit
  uint64_t live_count;
};

static CUresult record(struct ThreadStats* st, enum Fn f, CUresult code, uint64_t bytes) {
  struct FnStats* s = &st->fn[f];
  s->calls++;
  s->bytes += bytes;
  if (code == CUDA_SUCCESS) s->bytes_ok += bytes;
  int i;
  for (i = 0; i < MAX_CODES && s->code_calls[i] && s->codes[i] != (int)code; i++) {
  }
  if (i == MAX_CODES) {
    fprintf(stderr, "driver_census: too many distinct codes from %s\n", kFnNames[f]);
    exit(1);
  }
  s->codes[i] = (int)code;
  s->code_calls[i]++;
  return code;
}

#define CU(st, fn, ...) record((st), FN_##fn, fn(__VA_ARGS__), 0)
#define CU_BYTES(st, bytes, fn, ...) record((st), FN_##fn, fn(__VA_ARGS__), (bytes))

static void add_live(struct ThreadStats* st, uint64_t ptr, uint64_t bytes, const char* function) {
  if (st->live_count == MAX_LIVE) {
    fprintf(stderr, "driver_census: more than %d live allocations\n", MAX_LIVE);
    exit(1);
  }
  st->live[st->live_count++] = (struct Live){ptr, bytes, function};
}

static void remove_live(struct ThreadStats* st, uint64_t ptr) {
  for (uint64_t i = 0; i < st->live_count; i++)
    if (st->live[i].ptr == ptr) {
      st->live[i] = st->live[--st->live_count];
      return;
    }
}

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

// ---------------------------------------------------------------------------
// The runtime stand-in (see the top). noipa: each is called through its symbol, where
// aiscope's uprobes are, never inlined or cloned. cudaFree and cudaStreamSynchronize
// tail-call the driver (it runs in their stack slot); the others call it and go on.
// Driver calls made here are counted as inside_runtime, the tail-called ones by the
// caller (their code is the stand-in's own).
// ---------------------------------------------------------------------------

struct fixture_dim3 {
  unsigned x, y, z;
};

static __thread struct ThreadStats* tls_stats;
static CUfunction g_shim_function;  // the CUfunction the stand-in launches for its one kernel

static CUresult inside_runtime(enum Fn f, CUresult code, uint64_t bytes) {
  tls_stats->fn[f].inside_runtime++;
  return record(tls_stats, f, code, bytes);
}

// The kernel's host stub: cudaLaunchKernel is given its address, which aiscope resolves.
__attribute__((noipa, used)) void driver_census_shim_kernel(void) {}

__attribute__((noipa)) int cudaMalloc(void** devPtr, size_t size) {
  return inside_runtime(FN_cuMemAlloc_v2, cuMemAlloc_v2((CUdeviceptr*)devPtr, size), size);
}

__attribute__((noipa)) int cudaFree(void* devPtr) { return cuMemFree_v2((CUdeviceptr)devPtr); }

__attribute__((noipa)) int cudaMemcpy(void* dst, const void* src, size_t count, int kind) {
  switch (kind) {
    case 1:
      return inside_runtime(FN_cuMemcpyHtoD_v2, cuMemcpyHtoD_v2((CUdeviceptr)dst, src, count), count);
    case 2:
      return inside_runtime(FN_cuMemcpyDtoH_v2, cuMemcpyDtoH_v2(dst, (CUdeviceptr)src, count), count);
    case 3:
      return inside_runtime(FN_cuMemcpyDtoD_v2, cuMemcpyDtoD_v2((CUdeviceptr)dst, (CUdeviceptr)src, count),
                            count);
    default:
      return 1;  // cudaErrorInvalidValue
  }
}

__attribute__((noipa)) int cudaLaunchKernel(const void* func, struct fixture_dim3 grid, struct fixture_dim3 block,
                                            void** args, size_t sharedMem, CUstream stream) {
  CUfunction f = func == (const void*)driver_census_shim_kernel ? g_shim_function : NULL;
  return inside_runtime(FN_cuLaunchKernel, cuLaunchKernel(f, grid.x, grid.y, grid.z, block.x, block.y, block.z,
                                                          (unsigned)sharedMem, stream, args, NULL), 0);
}

__attribute__((noipa)) int cudaStreamSynchronize(CUstream stream) { return cuStreamSynchronize(stream); }

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

static const uint64_t KiB = 1024;
static const uint64_t kManagedSize = 4 * 1024 * 1024;  // each thread's copy buffers (fake device memory)
static const uint64_t kAsyncSize = 64 * 1024;          // cuMemAllocAsync, once per thread

struct Options {
  uint64_t threads, allocs, alloc_size, frees, leak, leak_size, copies, copy_size[DIR_COUNT], launches,
      runtime_shim, wait_for_probes_ms, exit_code;
};
static struct Options g_opt = {4, 400, 1024 * 1024, 200, 3, 192 * 1024, 10, {1024 * 1024, 2 * 1024 * 1024,
                               3 * 1024 * 1024}, 300, 0, 0, 0};

struct OptionSpec {
  const char* name;
  uint64_t* value;
  uint64_t min, max;
};

static void usage(const char* why, const char* what) {
  fprintf(stderr,
          "driver_census: %s%s\n"
          "usage: driver_census [--threads N] [--allocs N] [--alloc-size B] [--frees N] [--leak N]\n"
          "         [--leak-size B] [--copies N] [--htod-size B] [--dtoh-size B] [--dtod-size B]\n"
          "         [--launches N] [--runtime-shim N] [--wait-for-probes MS] [--exit-code N]\n",
          why, what);
  exit(2);
}

static void parse_options(int argc, char** argv) {
  struct OptionSpec specs[] = {
      {"--threads", &g_opt.threads, 1, 256},
      {"--allocs", &g_opt.allocs, 0, 16384},
      {"--alloc-size", &g_opt.alloc_size, 1, 1ull << 34},
      {"--frees", &g_opt.frees, 0, 16384},
      {"--leak", &g_opt.leak, 0, 1024},
      {"--leak-size", &g_opt.leak_size, 1, 1ull << 34},
      {"--copies", &g_opt.copies, 0, UINT32_MAX},
      {"--htod-size", &g_opt.copy_size[HTOD], 1, kManagedSize / 2},
      {"--dtoh-size", &g_opt.copy_size[DTOH], 1, kManagedSize / 2},
      {"--dtod-size", &g_opt.copy_size[DTOD], 1, kManagedSize / 2},
      {"--launches", &g_opt.launches, 0, UINT32_MAX},
      {"--runtime-shim", &g_opt.runtime_shim, 0, 16384},
      {"--wait-for-probes", &g_opt.wait_for_probes_ms, 0, 60000},
      {"--exit-code", &g_opt.exit_code, 0, 255},
  };
  for (int i = 1; i < argc; i += 2) {
    struct OptionSpec* spec = NULL;
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++)
      if (strcmp(argv[i], specs[s].name) == 0) spec = &specs[s];
    if (!spec) usage("unknown option ", argv[i]);
    if (i + 1 >= argc) usage("no value for ", argv[i]);
    char* end;
    errno = 0;
    unsigned long long v = strtoull(argv[i + 1], &end, 0);
    if (errno || *end || argv[i + 1][0] == '-' || v < spec->min || v > spec->max) usage("bad value for ", argv[i]);
    *spec->value = v;
  }
  if (g_opt.frees > g_opt.allocs) usage("--frees cannot exceed --allocs", "");
}

// ---------------------------------------------------------------------------
// Kernels: three names, to exercise per-kernel attribution and demangling - one in a
// namespace, one template instantiation, one extern "C" - and the stand-in's own.
// ---------------------------------------------------------------------------

static const char* const kKernels[3] = {
    "_ZN14aiscope_driver10vector_addEPKfS1_Pfi",  // aiscope_driver::vector_add(float const*, ...)
    "_Z5scaleIfEvPT_S0_i",                        // void scale<float>(float*, float, int)
    "driver_touch",                               // extern "C"
};
static const char* const kShimKernel = "driver_census_shim_kernel";
static CUmodule g_module;

// ---------------------------------------------------------------------------
// Per-thread work
// ---------------------------------------------------------------------------

struct Worker {
  uint64_t index;
  pthread_t thread;
  struct ThreadStats stats;
};

static pthread_barrier_t g_start;

// Thread i's part of `total`: split evenly, the first threads take the remainder.
static uint64_t share(uint64_t total, uint64_t i) {
  return total / g_opt.threads + (i < total % g_opt.threads ? 1 : 0);
}

static CUdeviceptr device_alloc(struct ThreadStats* st, uint64_t size) {
  CUdeviceptr p = 0;
  if (CU_BYTES(st, size, cuMemAlloc_v2, &p, size) == CUDA_SUCCESS) {
    st->allocated += size;
    st->driver_allocated += size;
    add_live(st, p, size, "cuMemAlloc_v2");
  }
  return p;
}

static void device_free(struct ThreadStats* st, CUdeviceptr p, uint64_t size) {
  if (CU(st, cuMemFree_v2, p) == CUDA_SUCCESS && p) {
    st->freed += size;
    st->driver_freed += size;
    remove_live(st, p);
  }
}

// Deliberately never freed: the leak aiscope should report. Out of line so that the
// allocation's call stack names it.
__attribute__((noinline)) static void leak_memory(struct ThreadStats* st, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    CUdeviceptr p = device_alloc(st, g_opt.leak_size);
    if (p && st->leak_calls < sizeof st->leak_ptrs / sizeof st->leak_ptrs[0]) st->leak_ptrs[st->leak_calls] = p;
    st->leak_calls++;
    st->leak_bytes += g_opt.leak_size;
  }
}

static void timed_sync(struct ThreadStats* st, enum Fn f, CUresult (*call)(void*), void* arg) {
  uint64_t t0 = monotonic_ns();
  record(st, f, call(arg), 0);
  st->sync_ns += monotonic_ns() - t0;
  st->sync_calls++;
}

static CUresult stream_sync(void* s) { return cuStreamSynchronize((CUstream)s); }
static CUresult event_sync(void* e) { return cuEventSynchronize((CUevent)e); }
static CUresult ctx_sync(void* unused) {
  (void)unused;
  return cuCtxSynchronize();
}

static void copy_all(struct ThreadStats* st, CUdeviceptr dev, char* host, uint64_t index) {
  CUdeviceptr dev2 = dev + kManagedSize / 2;
  for (int d = 0; d < DIR_COUNT; d++) {
    uint64_t size = g_opt.copy_size[d];
    uint64_t sync = share(g_opt.copies / 2, index), async = share(g_opt.copies - g_opt.copies / 2, index);
    for (uint64_t i = 0; i < sync + async; i++) {
      bool a = i >= sync;
      CUresult r;
      if (d == HTOD)
        r = a ? CU_BYTES(st, size, cuMemcpyHtoDAsync_v2, dev2, host, size, NULL)
              : CU_BYTES(st, size, cuMemcpyHtoD_v2, dev2, host, size);
      else if (d == DTOH)
        r = a ? CU_BYTES(st, size, cuMemcpyDtoHAsync_v2, host, dev, size, NULL)
              : CU_BYTES(st, size, cuMemcpyDtoH_v2, host, dev, size);
      else
        r = a ? CU_BYTES(st, size, cuMemcpyDtoDAsync_v2, dev2, dev, size, NULL)
              : CU_BYTES(st, size, cuMemcpyDtoD_v2, dev2, dev, size);
      if (r == CUDA_SUCCESS) {
        st->memcpy_calls[d]++;
        st->memcpy_bytes[d] += size;
      }
    }
  }
  timed_sync(st, FN_cuStreamSynchronize, stream_sync, NULL);
}

// One round through the runtime stand-in: each runtime call counted once, by the caller.
static void runtime_round(struct ThreadStats* st, char* host) {
  const uint64_t size = 256 * KiB;
  void* p = NULL;
  if (record(st, FN_cudaMalloc, cudaMalloc(&p, size), size) == CUDA_SUCCESS) {
    st->allocated += size;
    add_live(st, (uint64_t)p, size, "cudaMalloc");
  }
  if (record(st, FN_cudaMemcpy, cudaMemcpy(p, host, size, 1), size) == CUDA_SUCCESS) {
    st->memcpy_calls[HTOD]++;
    st->memcpy_bytes[HTOD] += size;
  }
  void* args[1] = {&p};
  struct fixture_dim3 grid = {1, 1, 1}, block = {128, 1, 1};
  if (record(st, FN_cudaLaunchKernel, cudaLaunchKernel((const void*)driver_census_shim_kernel, grid, block, args,
                                                        0, NULL), 0) == CUDA_SUCCESS)
    st->launches[3]++;
  uint64_t t0 = monotonic_ns();
  CUresult r = record(st, FN_cudaStreamSynchronize, cudaStreamSynchronize(NULL), 0);
  st->sync_ns += monotonic_ns() - t0;
  st->sync_calls++;
  inside_runtime(FN_cuStreamSynchronize, r, 0);  // tail-called: its code is the stand-in's
  r = record(st, FN_cudaFree, cudaFree(p), 0);
  inside_runtime(FN_cuMemFree_v2, r, 0);
  if (r == CUDA_SUCCESS && p) {
    st->freed += size;
    remove_live(st, (uint64_t)p);
  }
}

static void* run_worker(void* arg) {
  struct Worker* w = arg;
  struct ThreadStats* st = &w->stats;
  st->tid = (pid_t)syscall(SYS_gettid);
  st->live = calloc(MAX_LIVE, sizeof *st->live);
  tls_stats = st;
  char* host = calloc(1, kManagedSize / 2);
  if (!st->live || !host) {
    perror("driver_census: calloc");
    exit(1);
  }
  pthread_barrier_wait(&g_start);

  CUfunction kernels[3] = {NULL, NULL, NULL};
  for (int k = 0; k < 3; k++) CU(st, cuModuleGetFunction, &kernels[k], g_module, kKernels[k]);

  // Copy buffers: managed memory, freed at the end.
  CUdeviceptr managed = 0;
  if (CU_BYTES(st, kManagedSize, cuMemAllocManaged, &managed, kManagedSize, CU_MEM_ATTACH_GLOBAL) == CUDA_SUCCESS) {
    st->allocated += kManagedSize;
    st->driver_allocated += kManagedSize;
    add_live(st, managed, kManagedSize, "cuMemAllocManaged");
  }

  uint64_t n = share(g_opt.allocs, w->index), frees = share(g_opt.frees, w->index);
  CUdeviceptr* ptrs = calloc(n ? n : 1, sizeof *ptrs);
  for (uint64_t i = 0; i < n; i++) ptrs[i] = device_alloc(st, g_opt.alloc_size);
  for (uint64_t i = 0; i < frees; i++) device_free(st, ptrs[i], g_opt.alloc_size);
  free(ptrs);
  leak_memory(st, share(g_opt.leak, w->index));
  CUdeviceptr none = 0;
  CU_BYTES(st, 0, cuMemAlloc_v2, &none, 0);  // CUDA_ERROR_INVALID_VALUE: an error path, nothing allocated

  copy_all(st, managed, host, w->index);

  CUdeviceptr async = 0;
  if (CU_BYTES(st, kAsyncSize, cuMemAllocAsync, &async, kAsyncSize, NULL) == CUDA_SUCCESS) {
    st->allocated += kAsyncSize;
    st->driver_allocated += kAsyncSize;
    add_live(st, async, kAsyncSize, "cuMemAllocAsync");
  }
  if (CU(st, cuMemFreeAsync, async, NULL) == CUDA_SUCCESS && async) {
    st->freed += kAsyncSize;
    st->driver_freed += kAsyncSize;
    remove_live(st, async);
  }

  CUevent event = NULL;
  CU(st, cuEventCreate, &event, 0);
  timed_sync(st, FN_cuEventSynchronize, event_sync, event);

  float scale = 2.0f;
  int count = 256;
  void* params[3] = {&managed, &scale, &count};
  for (uint64_t i = 0, l = share(g_opt.launches, w->index); i < l; i++) {
    int k = (int)(i % 3);
    if (CU(st, cuLaunchKernel, kernels[k], 2, 1, 1, 128, 1, 1, 0, NULL, params, NULL) == CUDA_SUCCESS)
      st->launches[k]++;
  }

  for (uint64_t i = 0, r = share(g_opt.runtime_shim, w->index); i < r; i++) runtime_round(st, host);

  timed_sync(st, FN_cuCtxSynchronize, ctx_sync, NULL);
  device_free(st, managed, kManagedSize);
  free(host);
  return NULL;
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

static char* demangle(const char* name) {
  int status = 0;
  char* d = strncmp(name, "_Z", 2) == 0 ? __cxa_demangle(name, NULL, NULL, &status) : NULL;
  return status == 0 && d ? d : strdup(name);
}

// Adds `from`'s calls per return code into `into`.
static void merge_codes(struct FnStats* into, const struct FnStats* from, const char* name) {
  for (int c = 0; c < MAX_CODES && from->code_calls[c]; c++) {
    int i;
    for (i = 0; i < MAX_CODES && into->code_calls[i] && into->codes[i] != from->codes[c]; i++) {
    }
    if (i == MAX_CODES) {
      fprintf(stderr, "driver_census: too many distinct codes from %s\n", name);
      exit(1);
    }
    into->codes[i] = from->codes[c];
    into->code_calls[i] += from->code_calls[c];
  }
}

static void print_report(struct Worker* workers, const struct ThreadStats* main_stats, bool probed) {
  static struct ThreadStats total;
  for (uint64_t t = 0; t <= g_opt.threads; t++) {
    const struct ThreadStats* s = t < g_opt.threads ? &workers[t].stats : main_stats;
    for (int f = 0; f < FN_COUNT; f++) {
      total.fn[f].calls += s->fn[f].calls;
      total.fn[f].bytes += s->fn[f].bytes;
      total.fn[f].bytes_ok += s->fn[f].bytes_ok;
      total.fn[f].inside_runtime += s->fn[f].inside_runtime;
      merge_codes(&total.fn[f], &s->fn[f], kFnNames[f]);
    }
    for (int d = 0; d < DIR_COUNT; d++) {
      total.memcpy_calls[d] += s->memcpy_calls[d];
      total.memcpy_bytes[d] += s->memcpy_bytes[d];
    }
    for (int k = 0; k < 4; k++) total.launches[k] += s->launches[k];
    total.allocated += s->allocated;
    total.freed += s->freed;
    total.driver_allocated += s->driver_allocated;
    total.driver_freed += s->driver_freed;
    total.sync_calls += s->sync_calls;
    total.sync_ns += s->sync_ns;
    total.leak_calls += s->leak_calls;
    total.leak_bytes += s->leak_bytes;
  }

  Dl_info lib;
  bool have_lib = dladdr((const void*)cuMemAlloc_v2, &lib) && lib.dli_fname;
  printf("{\"fixture\":\"libcuda.so.1 here is aiscope's test fixture (workloads/cuda/fake-libcuda.c),"
         " not the NVIDIA driver\"");
  printf(",\"pid\":%d,\"threads\":%" PRIu64 ",\"tids\":[", getpid(), g_opt.threads);
  for (uint64_t t = 0; t < g_opt.threads; t++) printf("%s%d", t ? "," : "", workers[t].stats.tid);
  printf("],\"libcuda\":\"%s\"", have_lib ? lib.dli_fname : "");

  printf(",\"functions\":{");
  for (int f = 0; f < FN_COUNT; f++) {
    const struct FnStats* s = &total.fn[f];
    printf("%s\"%s\":{\"calls\":%" PRIu64 ",\"inside_runtime\":%" PRIu64 ",\"codes\":{", f ? "," : "", kFnNames[f],
           s->calls, s->inside_runtime);
    for (int c = 0; c < MAX_CODES && s->code_calls[c]; c++)
      printf("%s\"%d\":%" PRIu64, c ? "," : "", s->codes[c], s->code_calls[c]);
    printf("}");
    if (s->bytes) printf(",\"bytes\":%" PRIu64 ",\"bytes_ok\":%" PRIu64, s->bytes, s->bytes_ok);
    printf("}");
  }
  printf("}");

  printf(",\"memcpy_calls\":{");
  for (int d = 0; d < DIR_COUNT; d++) printf("%s\"%s\":%" PRIu64, d ? "," : "", kDirNames[d], total.memcpy_calls[d]);
  printf("},\"memcpy_bytes\":{");
  for (int d = 0; d < DIR_COUNT; d++) printf("%s\"%s\":%" PRIu64, d ? "," : "", kDirNames[d], total.memcpy_bytes[d]);
  printf("}");
  printf(",\"allocated_bytes\":%" PRIu64 ",\"freed_bytes\":%" PRIu64 ",\"live_bytes_at_exit\":%" PRIu64, total.allocated,
         total.freed, total.allocated - total.freed);
  printf(",\"driver_allocated_bytes\":%" PRIu64 ",\"driver_freed_bytes\":%" PRIu64
         ",\"driver_live_bytes_at_exit\":%" PRIu64,
         total.driver_allocated, total.driver_freed, total.driver_allocated - total.driver_freed);

  printf(",\"live\":[");
  const char* sep = "";
  for (uint64_t t = 0; t < g_opt.threads; t++) {
    const struct ThreadStats* s = &workers[t].stats;
    for (uint64_t i = 0; i < s->live_count; i++, sep = ",")
      printf("%s{\"ptr\":\"0x%" PRIx64 "\",\"bytes\":%" PRIu64 ",\"function\":\"%s\"}", sep, s->live[i].ptr,
             s->live[i].bytes, s->live[i].function);
  }
  printf("],\"leak\":{\"calls\":%" PRIu64 ",\"size\":%" PRIu64 ",\"bytes\":%" PRIu64
         ",\"function\":\"leak_memory\",\"ptrs\":[",
         total.leak_calls, g_opt.leak_size, total.leak_bytes);
  sep = "";
  for (uint64_t t = 0; t < g_opt.threads; t++) {
    const struct ThreadStats* s = &workers[t].stats;
    for (uint64_t i = 0; i < s->leak_calls && i < sizeof s->leak_ptrs / sizeof s->leak_ptrs[0]; i++, sep = ",")
      printf("%s\"0x%" PRIx64 "\"", sep, (uint64_t)s->leak_ptrs[i]);
  }
  printf("]}");

  uint64_t launches = 0;
  printf(",\"kernels\":[");
  for (int k = 0; k < 4; k++) {
    const char* symbol = k < 3 ? kKernels[k] : kShimKernel;
    char* name = demangle(symbol);
    printf("%s{\"name\":\"%s\",\"symbol\":\"%s\",\"api\":\"%s\",\"launches\":%" PRIu64 "}", k ? "," : "", name,
           symbol, k < 3 ? "driver" : "runtime", total.launches[k]);
    free(name);
    launches += total.launches[k];
  }
  printf("],\"kernel_launches\":%" PRIu64, launches);
  printf(",\"sync_calls\":%" PRIu64 ",\"sync_ns\":%" PRIu64, total.sync_calls, total.sync_ns);
  printf(",\"probed_before_start\":%s", probed ? "true" : "false");
  printf(",\"exit_code\":%" PRIu64 "}\n", g_opt.exit_code);
}

// --wait-for-probes MS: a tracer that finds the fixture by scanning this process after exec
// (it is in no standard library directory) attaches while the program runs. Rather than
// guess how long that takes, wait until every function this run calls that a tracer would
// probe starts with a breakpoint (int3, 0xcc: a uprobe writes it into this process's copy of
// the code page), then a little longer for return probes, which attach after entry probes.
// False if MS passed first.
static bool wait_for_probes(uint64_t ms) {
  const void* fns[] = {
      (const void*)cuMemAlloc_v2, (const void*)cuMemAllocAsync, (const void*)cuMemAllocManaged,
      (const void*)cuMemFree_v2, (const void*)cuMemFreeAsync, (const void*)cuMemcpyHtoD_v2,
      (const void*)cuMemcpyDtoH_v2, (const void*)cuMemcpyDtoD_v2, (const void*)cuMemcpyHtoDAsync_v2,
      (const void*)cuMemcpyDtoHAsync_v2, (const void*)cuMemcpyDtoDAsync_v2, (const void*)cuLaunchKernel,
      (const void*)cuModuleGetFunction, (const void*)cuStreamSynchronize, (const void*)cuCtxSynchronize,
      (const void*)cuEventSynchronize, (const void*)cudaMalloc, (const void*)cudaFree, (const void*)cudaMemcpy,
      (const void*)cudaLaunchKernel, (const void*)cudaStreamSynchronize,
  };
  size_t n = sizeof fns / sizeof fns[0] - (g_opt.runtime_shim ? 0 : 5);  // the stand-in last
  uint64_t deadline = monotonic_ns() + ms * 1000000ull;
  for (;;) {
    size_t probed = 0;
    for (size_t i = 0; i < n; i++) probed += *(const volatile unsigned char*)fns[i] == 0xcc;
    if (probed == n) break;
    if (monotonic_ns() > deadline) return false;
    struct timespec step = {0, 1000000L};
    nanosleep(&step, NULL);
  }
  struct timespec grace = {0, 100 * 1000000L};
  while (nanosleep(&grace, &grace) != 0 && errno == EINTR) {
  }
  return true;
}

int main(int argc, char** argv) {
  parse_options(argc, argv);
  bool probed = g_opt.wait_for_probes_ms ? wait_for_probes(g_opt.wait_for_probes_ms) : false;
  static struct ThreadStats main_stats;
  static const char image[] = "driver_census: a module image the fixture does not read";
  CU(&main_stats, cuInit, 0);
  if (CU(&main_stats, cuModuleLoadData, &g_module, image) != CUDA_SUCCESS) {
    fprintf(stderr, "driver_census: cuModuleLoadData failed\n");
    return 1;
  }
  CU(&main_stats, cuModuleGetFunction, &g_shim_function, g_module, kShimKernel);

  struct Worker* workers = calloc(g_opt.threads, sizeof *workers);
  if (!workers) {
    perror("driver_census: calloc");
    return 1;
  }
  pthread_barrier_init(&g_start, NULL, (unsigned)g_opt.threads);
  for (uint64_t i = 0; i < g_opt.threads; i++) {
    workers[i].index = i;
    if (pthread_create(&workers[i].thread, NULL, run_worker, &workers[i]) != 0) {
      perror("driver_census: pthread_create");
      return 1;
    }
  }
  for (uint64_t i = 0; i < g_opt.threads; i++) pthread_join(workers[i].thread, NULL);
  print_report(workers, &main_stats, probed);
  fflush(stdout);
  return (int)g_opt.exit_code;
}
