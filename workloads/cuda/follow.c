// cuda_follow: a small process tree of cuda_census runs, for testing that aiscope
// follows descendants (children *and* grandchildren) of a traced command.
//
//   cuda_follow [--children K] [--census PATH] [-- CENSUS ARGS...]
//
// Forks K children (default 3). Each child first forks a grandchild, then both
// execv the census binary (default: cuda_census next to this binary) with the args
// after "--". So the tree is  cuda_follow -> K x cuda_census -> 1 x cuda_census each.
// cuda_follow makes itself a child subreaper: a grandchild whose census parent exits
// first is reparented to us rather than to init, so we reap (and report) all 2K.
// Each census's stdout goes to its own memfd; its JSON is embedded in our report.
// stdout: {"pid", "census", "processes":[{"pid","ppid","depth","exit_code","report"}],
// "ok"}; exit status 0 if every census exited 0.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct proc {
  pid_t pid, ppid;
  int depth;
  int out;     // memfd holding its stdout
  int status;  // from waitpid
  bool reaped;
};

static char **census_argv;  // argv for execv, census path first

_Noreturn static void exec_census(int out) {
  dup2(out, STDOUT_FILENO);
  execv(census_argv[0], census_argv);
  fprintf(stderr, "cuda_follow: execv %s: %s\n", census_argv[0], strerror(errno));
  _exit(127);
}

static int new_memfd(void) {
  int fd = memfd_create("census-stdout", MFD_CLOEXEC);  // dup2 clears CLOEXEC on stdout
  if (fd < 0) {
    perror("cuda_follow: memfd_create");
    exit(1);
  }
  return fd;
}

// Spawns child `c` and its grandchild `g`; the child tells us the grandchild's pid
// over a pipe before it execs.
static void spawn(struct proc *c, struct proc *g) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    perror("cuda_follow: pipe");
    exit(1);
  }
  c->out = new_memfd();
  g->out = new_memfd();
  c->ppid = getpid();
  c->depth = 1;
  g->depth = 2;
  c->pid = fork();
  if (c->pid < 0) {
    perror("cuda_follow: fork");
    exit(1);
  }
  if (c->pid == 0) {
    pid_t gpid = fork();
    if (gpid == 0) exec_census(g->out);
    if (write(pipefd[1], &gpid, sizeof gpid) != (ssize_t)sizeof gpid) _exit(126);
    exec_census(c->out);
  }
  close(pipefd[1]);
  if (read(pipefd[0], &g->pid, sizeof g->pid) != (ssize_t)sizeof g->pid || g->pid < 0) {
    fprintf(stderr, "cuda_follow: child %d could not fork\n", c->pid);
    g->pid = 0;
  }
  close(pipefd[0]);
  g->ppid = c->pid;
}

// Prints the census's JSON as is, or null if it wrote nothing usable (crashed).
static void print_report(int fd) {
  off_t size = lseek(fd, 0, SEEK_END);
  char *buf = size > 0 ? malloc((size_t)size + 1) : NULL;
  ssize_t n = buf ? pread(fd, buf, (size_t)size, 0) : 0;
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) n--;
  if (n > 0 && buf[0] == '{' && buf[n - 1] == '}') fwrite(buf, 1, (size_t)n, stdout);
  else fputs("null", stdout);
  free(buf);
}

static char *default_census(void) {
  static char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
  if (n <= 0) return "cuda_census";
  path[n] = 0;
  strcpy(strrchr(path, '/') + 1, "cuda_census");
  return path;
}

int main(int argc, char **argv) {
  long children = 3;
  char *census = NULL;
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
    if (i + 1 >= argc) goto usage;
    if (strcmp(argv[i], "--children") == 0) {
      char *end;
      children = strtol(argv[i + 1], &end, 10);
      if (*end || children < 1 || children > 1000) goto usage;
    } else if (strcmp(argv[i], "--census") == 0) {
      census = argv[i + 1];
    } else {
      goto usage;
    }
  }
  if (i < argc) i++;  // skip "--"
  census_argv = calloc((size_t)(argc - i + 2), sizeof *census_argv);
  census_argv[0] = census ? census : default_census();
  for (int j = i; j < argc; j++) census_argv[j - i + 1] = argv[j];

  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) perror("cuda_follow: PR_SET_CHILD_SUBREAPER");
  fflush(stdout);  // nothing buffered may be duplicated into the children

  size_t nprocs = 2 * (size_t)children;
  struct proc *procs = calloc(nprocs, sizeof *procs);
  for (long k = 0; k < children; k++) spawn(&procs[2 * k], &procs[2 * k + 1]);

  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: everyone, reparented grandchildren included, is reaped
    }
    for (size_t k = 0; k < nprocs; k++)
      if (procs[k].pid == pid) procs[k].status = status, procs[k].reaped = true;
  }

  bool ok = true;
  printf("{\"pid\":%d,\"census\":\"%s\",\"processes\":[", getpid(), census_argv[0]);
  for (size_t k = 0; k < nprocs; k++) {
    const struct proc *p = &procs[k];
    int code = !p->reaped ? -1
               : WIFEXITED(p->status) ? WEXITSTATUS(p->status)
                                      : 128 + WTERMSIG(p->status);
    ok &= code == 0;
    printf("%s{\"pid\":%d,\"ppid\":%d,\"depth\":%d,\"exit_code\":%d,\"report\":", k ? "," : "",
           p->pid, p->ppid, p->depth, code);
    print_report(p->out);
    printf("}");
  }
  printf("],\"ok\":%s}\n", ok ? "true" : "false");
  return ok ? 0 : 1;

usage:
  fprintf(stderr, "usage: cuda_follow [--children K] [--census PATH] [-- CENSUS ARGS...]\n");
  return 2;
}
