// detach: what it costs to put uprobes into a library and take them out again, two ways.
//
//   detach LIBRARY OFFSET...
//
// OFFSETs are the file offsets (hex) of the functions to probe. Each function gets an
// entry and a return probe running a two-instruction BPF program (return 0):
//
//   perf-event   one perf event per probe from the uprobe PMU, the program attached
//                with PERF_EVENT_IOC_SET_BPF, closed one after the other: what libbpf
//                1.1's bpf_program__attach_uprobe does and what bpf_link__destroy undoes
//   multi        two BPF_TRACE_UPROBE_MULTI links (entries, returns) covering every
//                offset (kernel 6.6+; libbpf 1.1 has no API for it, so a raw bpf())
//
// Prints one JSON object per way: probes, attach_ms, detach_ms.

#define _GNU_SOURCE
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TRACE_UPROBE_MULTI 48  // enum bpf_attach_type BPF_TRACE_UPROBE_MULTI
#define UPROBE_MULTI_RETURN 1  // BPF_F_UPROBE_MULTI_RETURN

// The link_create part of union bpf_attr for uprobe_multi, as in kernel 6.6+'s uapi
// (the system's headers may predate it).
struct uprobe_multi_link_create {
  uint32_t prog_fd, target_fd, attach_type, flags;
  uint64_t path, offsets, ref_ctr_offsets, cookies;
  uint32_t cnt, multi_flags, pid, pad[9];
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int load_program(uint32_t expected_attach_type) {
  struct bpf_insn insns[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
      {.code = BPF_JMP | BPF_EXIT},
  };
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_KPROBE;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.insn_cnt = 2;
  attr.license = (uint64_t)(uintptr_t) "GPL";
  attr.expected_attach_type = expected_attach_type;
  int fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (fd < 0) perror("detach: BPF_PROG_LOAD");
  return fd;
}

static int perf_events(const char *path, const uint64_t *offsets, int n) {
  int type, fds[256], count = 0;
  FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
  if (!f || fscanf(f, "%d", &type) != 1) {
    fprintf(stderr, "detach: no uprobe PMU\n");
    return 1;
  }
  fclose(f);
  int prog = load_program(0);
  if (prog < 0) return 1;
  double t0 = now_ms();
  for (int i = 0; i < n; i++) {
    for (int ret = 0; ret < 2; ret++) {
      struct perf_event_attr attr;
      memset(&attr, 0, sizeof attr);
      attr.size = sizeof attr;
      attr.type = type;
      attr.config = ret;  // bit 0: retprobe
      attr.config1 = (uint64_t)(uintptr_t)path;
      attr.config2 = offsets[i];
      int fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd < 0 || ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog) < 0 || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
        perror("detach: uprobe perf event");
        return 1;
      }
      fds[count++] = fd;
    }
  }
  double t1 = now_ms();
  for (int i = 0; i < count; i++) close(fds[i]);
  double t2 = now_ms();
  close(prog);
  printf("{\"way\":\"perf-event\",\"probes\":%d,\"attach_ms\":%.1f,\"detach_ms\":%.1f}\n", count, t1 - t0, t2 - t1);
  return 0;
}

static int multi(const char *path, const uint64_t *offsets, int n) {
  int prog = load_program(TRACE_UPROBE_MULTI), links[2];
  if (prog < 0) return 1;
  double t0 = now_ms();
  for (int ret = 0; ret < 2; ret++) {
    struct uprobe_multi_link_create attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_fd = prog;
    attr.attach_type = TRACE_UPROBE_MULTI;
    attr.path = (uint64_t)(uintptr_t)path;
    attr.offsets = (uint64_t)(uintptr_t)offsets;
    attr.cnt = n;
    attr.multi_flags = ret ? UPROBE_MULTI_RETURN : 0;
    links[ret] = syscall(SYS_bpf, BPF_LINK_CREATE, &attr, sizeof attr);
    if (links[ret] < 0) {
      perror("detach: BPF_LINK_CREATE uprobe_multi");
      return 1;
    }
  }
  double t1 = now_ms();
  close(links[0]);
  close(links[1]);
  double t2 = now_ms();
  close(prog);
  printf("{\"way\":\"multi\",\"probes\":%d,\"attach_ms\":%.1f,\"detach_ms\":%.1f}\n", 2 * n, t1 - t0, t2 - t1);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc - 2 > 128) {
    fprintf(stderr, "usage: detach LIBRARY OFFSET... (hex file offsets, at most 128)\n");
    return 2;
  }
  uint64_t offsets[128];
  int n = argc - 2;
  for (int i = 0; i < n; i++) offsets[i] = strtoull(argv[i + 2], NULL, 16);
  return perf_events(argv[1], offsets, n) || multi(argv[1], offsets, n);
}
