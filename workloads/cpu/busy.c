// busy: CPU load with known shape, the ground truth for aiscope's scheduler probes.
//
//   busy --threads N --ms T --cpu C   N threads spin for T ms of wall time, all pinned
//                                     to CPU C, so they queue behind each other and
//                                     each gets roughly T/N ms of CPU (run-queue latency).
//                                     --cpu -1 leaves them unpinned.
//   busy --quiet --ms T               one thread that mostly sleeps (1 ms nanosleep loop).
//
// Prints one JSON object: pid, and per thread its tid, CPU time, and the kernel's own
// run-queue wait and timeslice count from /proc/thread-self/schedstat (CONFIG_SCHED_INFO),
// plus voluntary/involuntary context switches.

#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct options {
  long threads, ms, cpu;
  bool quiet;
};

struct thread_result {
  pthread_t handle;
  pid_t tid;
  uint64_t cpu_ns;
  uint64_t sched_run_ns, sched_wait_ns, sched_slices;  // /proc/thread-self/schedstat
  long voluntary_switches, involuntary_switches;
  uint64_t sleeps;  // --quiet only
};

static struct options opt = {.threads = 1, .ms = 1000, .cpu = 0};
static pthread_barrier_t start_line;
static uint64_t deadline_ns;

static uint64_t clock_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(const char *why) {
  fprintf(stderr,
          "busy: %s\nusage: busy [--threads N] [--ms T] [--cpu C|-1]\n"
          "       busy --quiet [--ms T]\n",
          why);
  exit(2);
}

static long parse_long(const char *name, const char *value, long min, long max) {
  char *end;
  errno = 0;
  long v = strtol(value, &end, 10);
  if (errno || *end || end == value || v < min || v > max) {
    fprintf(stderr, "busy: bad value for %s: %s\n", name, value);
    exit(2);
  }
  return v;
}

// Read at the end of the thread's life, so it covers the whole run except the
// slice we are in (the kernel folds a slice in when it ends).
static void read_schedstat(struct thread_result *r) {
  FILE *f = fopen("/proc/thread-self/schedstat", "r");
  if (!f) return;
  if (fscanf(f, "%" SCNu64 " %" SCNu64 " %" SCNu64, &r->sched_run_ns, &r->sched_wait_ns,
             &r->sched_slices) != 3)
    r->sched_run_ns = r->sched_wait_ns = r->sched_slices = 0;
  fclose(f);
}

static void *run(void *arg) {
  struct thread_result *r = arg;
  r->tid = gettid();
  pthread_barrier_wait(&start_line);
  if (opt.quiet) {
    struct timespec ms = {0, 1000000};
    while (clock_ns(CLOCK_MONOTONIC) < deadline_ns) {
      nanosleep(&ms, NULL);
      r->sleeps++;
    }
  } else {
    // Spin on the wall clock, not on CPU time: with N threads on one CPU each only
    // gets a share, and the rest of the time it waits in the run queue.
    volatile uint64_t work = 0;
    while (clock_ns(CLOCK_MONOTONIC) < deadline_ns)
      for (int i = 0; i < 1000; i++) work += (uint64_t)i;
  }
  r->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
  struct rusage ru;
  if (getrusage(RUSAGE_THREAD, &ru) == 0) {
    r->voluntary_switches = ru.ru_nvcsw;
    r->involuntary_switches = ru.ru_nivcsw;
  }
  read_schedstat(r);
  return NULL;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--quiet") == 0) {
      opt.quiet = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value");
    if (strcmp(a, "--threads") == 0) opt.threads = parse_long(a, argv[++i], 1, 4096);
    else if (strcmp(a, "--ms") == 0) opt.ms = parse_long(a, argv[++i], 0, 3600000);
    else if (strcmp(a, "--cpu") == 0) opt.cpu = parse_long(a, argv[++i], -1, CPU_SETSIZE - 1);
    else usage(a);
  }
  if (opt.quiet) opt.threads = 1;

  // Pin the process before creating threads: they inherit the mask, so there is
  // no moment where a thread runs elsewhere.
  if (!opt.quiet && opt.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(opt.cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
      perror("busy: sched_setaffinity");
      return 1;
    }
  }

  struct thread_result *results = calloc((size_t)opt.threads, sizeof *results);
  pthread_barrier_init(&start_line, NULL, (unsigned)opt.threads + 1);
  for (long i = 0; i < opt.threads; i++)
    if (pthread_create(&results[i].handle, NULL, run, &results[i]) != 0) {
      perror("busy: pthread_create");
      return 1;
    }
  uint64_t start_ns = clock_ns(CLOCK_MONOTONIC);
  deadline_ns = start_ns + (uint64_t)opt.ms * 1000000ull;
  pthread_barrier_wait(&start_line);  // deadline is set before anyone reads it
  for (long i = 0; i < opt.threads; i++) pthread_join(results[i].handle, NULL);
  uint64_t end_ns = clock_ns(CLOCK_MONOTONIC);

  printf("{\"pid\":%d,\"mode\":\"%s\",\"cpu\":%ld,\"ms\":%ld,\"start_monotonic_ns\":%" PRIu64
         ",\"end_monotonic_ns\":%" PRIu64 ",\"threads\":[",
         getpid(), opt.quiet ? "quiet" : "spin", opt.quiet ? -1 : opt.cpu, opt.ms, start_ns,
         end_ns);
  for (long i = 0; i < opt.threads; i++) {
    const struct thread_result *r = &results[i];
    printf("%s{\"tid\":%d,\"cpu_ns\":%" PRIu64 ",\"run_ns\":%" PRIu64
           ",\"runqueue_wait_ns\":%" PRIu64 ",\"timeslices\":%" PRIu64
           ",\"voluntary_switches\":%ld,\"involuntary_switches\":%ld",
           i ? "," : "", r->tid, r->cpu_ns, r->sched_run_ns, r->sched_wait_ns, r->sched_slices,
           r->voluntary_switches, r->involuntary_switches);
    if (opt.quiet) printf(",\"sleeps\":%" PRIu64, r->sleeps);
    printf("}");
  }
  printf("]}\n");
  free(results);
  return 0;
}
