// compute-loop: fixed CPU work, timed by the program itself.
//
//   compute-loop [--threads T] [--iters N]
//
// Each of T threads runs N rounds of an integer hash (no system calls, no memory
// traffic). With more threads than CPUs the scheduler time-slices them, so the run
// also makes the context switches aiscope's sched family traces. Prints one JSON
// object: elapsed_ns (barrier to the last thread's end), iters_per_s, the process's
// CPU time (user and system, ms; from getrusage, so thread creation is included) and
// its voluntary/involuntary context switches.

#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static long threads = 4, iters = 200000000;
static pthread_barrier_t start_line;
static volatile uint64_t sink;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *run(void *arg) {
  uint64_t x = (uintptr_t)arg | 1;
  pthread_barrier_wait(&start_line);
  for (long i = 0; i < iters; i++) {  // xorshift64
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  sink += x;
  return (void *)(uintptr_t)now_ns();
}

static long arg_long(const char *name, const char *value) {
  char *end;
  errno = 0;
  long v = strtol(value, &end, 10);
  if (errno || *end || end == value || v < 1) {
    fprintf(stderr, "compute-loop: bad value for %s: %s\n", name, value);
    exit(2);
  }
  return v;
}

int main(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--threads") == 0) threads = arg_long(argv[i], argv[i + 1]);
    else if (strcmp(argv[i], "--iters") == 0) iters = arg_long(argv[i], argv[i + 1]);
    else {
      fprintf(stderr, "usage: compute-loop [--threads T] [--iters N]\n");
      return 2;
    }
  }
  pthread_t *t = calloc(threads, sizeof *t);
  pthread_barrier_init(&start_line, NULL, threads + 1);
  for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, run, (void *)(uintptr_t)(i + 1));
  pthread_barrier_wait(&start_line);
  uint64_t start = now_ns(), last = start;
  for (long i = 0; i < threads; i++) {
    void *end;
    pthread_join(t[i], &end);
    if ((uintptr_t)end > last) last = (uintptr_t)end;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  uint64_t elapsed = last - start;
  printf("{\"threads\":%ld,\"iters_per_thread\":%ld,\"elapsed_ns\":%" PRIu64 ",\"iters_per_s\":%.0f,"
         "\"user_ms\":%.1f,\"sys_ms\":%.1f,\"voluntary_switches\":%ld,\"involuntary_switches\":%ld}\n",
         threads, iters, elapsed, (double)threads * iters * 1e9 / elapsed,
         ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3, ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3,
         ru.ru_nvcsw, ru.ru_nivcsw);
  return 0;
}
