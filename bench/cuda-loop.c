// cuda-loop: a tight loop of real libcudart calls, timed by the program itself.
//
//   cuda-loop [--threads T] [--calls N] [--warmup W] [--only FUNCTION] [--wait-probes MS]
//
// Each of T threads makes N calls (after W untimed warm-up calls), cycling through
// cudaMalloc, cudaFree, cudaMemcpy (host to host), cudaLaunchKernel and
// cudaStreamSynchronize: five entry points aiscope's cuda family probes (--only
// makes every call to that one of them instead; on a GPU, --only cudaMalloc never
// frees). The threads start together behind a barrier. With --wait-probes the
// program first waits (up to MS ms) until a tracer's uprobes are in all five
// functions: the kernel puts a breakpoint (int3, 0xcc) on the first instruction in
// this process's copy of the page, which the process can read. Prints one JSON
// object on stdout:
//
//   main_realtime_ns   CLOCK_REALTIME when main() began (a launcher compares it with
//                      its own `date +%s%N` to see how long the tracer made it wait)
//   end_realtime_ns    CLOCK_REALTIME when the loop was done, just before printing
//   probed_after_ms    with --wait-probes: when all five functions were seen probed,
//                      in ms after main() began (-1: not within MS; absent without it)
//   elapsed_ns         from the barrier to the last thread's end
//   calls              T * N timed calls
//   ns_per_call        median over threads of that thread's elapsed / N
//   cpu_ns_per_call    the same with the thread's CPU time (CLOCK_THREAD_CPUTIME_ID):
//                      a uprobe's cost is spent in the traced thread (trap, BPF
//                      program, return trampoline) and counts here, while time the
//                      thread waits for a CPU other programs hold does not
//   calls_per_s        calls / elapsed
//   probed             how many of the five functions carried a uprobe when the
//                      loop ended (0 for an untraced run: otherwise someone else's
//                      tracer is on this copy of the library)
//   last_ret           the code of the last call (35 without a GPU driver)
//
// Built with gcc against the shared libcudart.so.13 (bench/build): a statically
// linked runtime would never reach the uprobes. Without a GPU every call fails fast
// with 35 (cudaErrorInsufficientDriver); with one, cudaMalloc/cudaFree do real
// work (each cudaFree frees the thread's last allocation) and the launch of a
// non-kernel host address fails — this loop is meant to measure probe cost, not
// the GPU.

#define _GNU_SOURCE
#include <cuda_runtime_api.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const names[] = {"cudaMalloc", "cudaFree", "cudaMemcpy", "cudaLaunchKernel",
                                    "cudaStreamSynchronize"};
static long threads = 1, calls = 1000000, warmup = 1000, only = -1, wait_probes = -1;
static pthread_barrier_t start_line;

struct worker {
  pthread_t handle;
  uint64_t start_ns, end_ns, cpu_ns;
  void *allocation;  // the last cudaMalloc's, for the next cudaFree
  char src[64], dst[64];
  int last_ret;
};

static uint64_t now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void not_a_kernel(void) {}

// How many of the functions the loop calls start with a breakpoint, as this process sees them.
static int probed_count(void) {
  const void *fns[] = {(const void *)cudaMalloc, (const void *)cudaFree, (const void *)cudaMemcpy,
                       (const void *)cudaLaunchKernel, (const void *)cudaStreamSynchronize};
  int n = 0;
  for (int i = 0; i < 5; i++) n += *(const volatile unsigned char *)fns[i] == 0xcc;
  return n;
}

// Milliseconds after main() until all five functions are probed, or -1 after `limit_ms`.
static double await_probes(uint64_t since_ns, long limit_ms) {
  struct timespec tick = {0, 100000};
  for (;;) {
    double ms = (now_ns(CLOCK_MONOTONIC) - since_ns) / 1e6;
    if (probed_count() == 5) return ms;
    if (ms > limit_ms) return -1;
    nanosleep(&tick, NULL);
  }
}

static int one_call(long i, struct worker *w) {
  static void *no_args[1];
  dim3 one = {1, 1, 1};
  void *freed;
  switch (only >= 0 ? only : i % 5) {
    case 0: return cudaMalloc(&w->allocation, 4096);
    case 1:
      freed = w->allocation;
      w->allocation = NULL;
      return cudaFree(freed);
    case 2: return cudaMemcpy(w->dst, w->src, sizeof w->src, cudaMemcpyHostToHost);
    case 3: return cudaLaunchKernel((const void *)not_a_kernel, one, one, no_args, 0, 0);
    default: return cudaStreamSynchronize(0);
  }
}

static void *run(void *arg) {
  struct worker *w = arg;
  for (long i = 0; i < warmup; i++) w->last_ret = one_call(i, w);
  pthread_barrier_wait(&start_line);
  uint64_t cpu_start = now_ns(CLOCK_THREAD_CPUTIME_ID);
  w->start_ns = now_ns(CLOCK_MONOTONIC);
  for (long i = 0; i < calls; i++) w->last_ret = one_call(i, w);
  w->end_ns = now_ns(CLOCK_MONOTONIC);
  w->cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
  return NULL;
}

static long arg_long(const char *name, const char *value) {
  char *end;
  errno = 0;
  long v = strtol(value, &end, 10);
  if (errno || *end || end == value || v < 0) {
    fprintf(stderr, "cuda-loop: bad value for %s: %s\n", name, value);
    exit(2);
  }
  return v;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  uint64_t main_realtime = now_ns(CLOCK_REALTIME), main_monotonic = now_ns(CLOCK_MONOTONIC);
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--threads") == 0) threads = arg_long(argv[i], argv[i + 1]);
    else if (strcmp(argv[i], "--calls") == 0) calls = arg_long(argv[i], argv[i + 1]);
    else if (strcmp(argv[i], "--warmup") == 0) warmup = arg_long(argv[i], argv[i + 1]);
    else if (strcmp(argv[i], "--wait-probes") == 0) wait_probes = arg_long(argv[i], argv[i + 1]);
    else if (strcmp(argv[i], "--only") == 0) {
      for (only = 4; only >= 0 && strcmp(names[only], argv[i + 1]) != 0; only--) {}
      if (only < 0) {
        fprintf(stderr, "cuda-loop: --only takes one of cudaMalloc, cudaFree, cudaMemcpy, "
                        "cudaLaunchKernel, cudaStreamSynchronize\n");
        return 2;
      }
    } else {
      fprintf(stderr, "usage: cuda-loop [--threads T] [--calls N] [--warmup W] [--only FUNCTION] "
                      "[--wait-probes MS]\n");
      return 2;
    }
  }
  if (threads < 1 || calls < 1) {
    fprintf(stderr, "cuda-loop: --threads and --calls must be at least 1\n");
    return 2;
  }

  char probed[48] = "";
  if (wait_probes >= 0)
    snprintf(probed, sizeof probed, "\"probed_after_ms\":%.1f,", await_probes(main_monotonic, wait_probes));

  struct worker *w = calloc(threads, sizeof *w);
  double *per_call = calloc(threads, sizeof *per_call), *cpu_per_call = calloc(threads, sizeof *cpu_per_call);
  pthread_barrier_init(&start_line, NULL, threads);
  for (long t = 0; t < threads; t++) pthread_create(&w[t].handle, NULL, run, &w[t]);
  uint64_t first = UINT64_MAX, last = 0;
  for (long t = 0; t < threads; t++) {
    pthread_join(w[t].handle, NULL);
    if (w[t].start_ns < first) first = w[t].start_ns;
    if (w[t].end_ns > last) last = w[t].end_ns;
    per_call[t] = (double)(w[t].end_ns - w[t].start_ns) / calls;
    cpu_per_call[t] = (double)w[t].cpu_ns / calls;
  }
  qsort(per_call, threads, sizeof *per_call, by_value);
  qsort(cpu_per_call, threads, sizeof *cpu_per_call, by_value);

  uint64_t elapsed = last - first;
  double total = (double)threads * calls;
  printf("{\"main_realtime_ns\":%" PRIu64 ",\"end_realtime_ns\":%" PRIu64 ",%s\"threads\":%ld,\"calls_per_thread\":%ld,"
         "\"calls\":%.0f,\"mix\":\"%s\",\"elapsed_ns\":%" PRIu64 ",\"ns_per_call\":%.1f,"
         "\"cpu_ns_per_call\":%.1f,\"calls_per_s\":%.0f,\"probed\":%d,\"last_ret\":%d}\n",
         main_realtime, now_ns(CLOCK_REALTIME), probed, threads, calls, total, only >= 0 ? names[only] : "all5", elapsed,
         per_call[threads / 2], cpu_per_call[threads / 2], total * 1e9 / elapsed, probed_count(),
         w[0].last_ret);
  return 0;
}
