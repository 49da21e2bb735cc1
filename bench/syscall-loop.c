// bench/syscall-loop: the cost of a syscall, as the proc family's sys_exit program adds to it for every process
// on the machine. Times CALLS getppid(2) calls (a syscall the program ignores at once) and CALLS
// openat(2)+close(2) pairs on /dev/null (one the program decodes when the caller is traced), each both as wall
// time and as the thread's CPU time, and prints them as JSON.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

struct timing {
	double wall_ns, cpu_ns;
};

static struct timing timed(long calls, int open_close)
{
	long long wall = ns(CLOCK_MONOTONIC), cpu = ns(CLOCK_THREAD_CPUTIME_ID);
	for (long i = 0; i < calls; i++) {
		if (open_close) {
			int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);
			if (fd < 0 || close(fd) != 0) {
				perror("syscall-loop: /dev/null");
				exit(1);
			}
		} else {
			syscall(SYS_getppid); /* not getppid(): no library may answer it without the kernel */
		}
	}
	struct timing t = {(double)(ns(CLOCK_MONOTONIC) - wall) / calls, (double)(ns(CLOCK_THREAD_CPUTIME_ID) - cpu) / calls};
	return t;
}

int main(int argc, char **argv)
{
	long calls = 1000000;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			calls = atol(argv[++i]);
		else {
			fprintf(stderr, "usage: syscall-loop [--calls N]\n");
			return 2;
		}
	}
	if (calls <= 0) {
		fprintf(stderr, "syscall-loop: --calls must be positive\n");
		return 2;
	}
	timed(calls / 10, 0); /* warm-up */
	struct timing g = timed(calls, 0), o = timed(calls, 1);
	printf("{\"calls\": %ld, \"getppid_ns\": %.1f, \"getppid_cpu_ns\": %.1f, \"open_close_ns\": %.1f,"
	       " \"open_close_cpu_ns\": %.1f}\n", calls, g.wall_ns, g.cpu_ns, o.wall_ns, o.cpu_ns);
	return 0;
}
