// Helpers shared by tcp_echo_server.c and tcp_client.c: option parsing, clocks, and
// the per-connection record both sides print, so their JSON has the same shape.
#pragma once

#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

static inline uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline long long parse_num(const char *prog, const char *name, const char *value,
                                  long long min, long long max) {
  char *end;
  errno = 0;
  long long v = strtoll(value, &end, 0);
  if (errno || *end || end == value || v < min || v > max) {
    fprintf(stderr, "%s: bad value for %s: %s\n", prog, name, value);
    exit(2);
  }
  return v;
}

static inline int socket_port(int fd, int peer) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
  if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return -1;
}

struct conn_record {
  int local_port, remote_port;
  uint64_t sent, received;
  uint32_t retrans;  // tcpi_total_retrans: segments this side retransmitted
  uint64_t start_ns, end_ns;
};

static inline void conn_begin(struct conn_record *c, int fd) {
  c->local_port = socket_port(fd, 0);
  c->remote_port = socket_port(fd, 1);
}

// Call once the exchange is over, before close(): the kernel's own retransmit count
// for this socket is the per-connection ground truth.
static inline void conn_end(struct conn_record *c, int fd) {
  struct tcp_info ti;
  socklen_t len = sizeof ti;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0) c->retrans = ti.tcpi_total_retrans;
  c->end_ns = monotonic_ns();
}

static inline void conn_print(const struct conn_record *c) {
  printf("{\"local_port\":%d,\"remote_port\":%d,\"bytes_sent\":%" PRIu64
         ",\"bytes_received\":%" PRIu64 ",\"retrans\":%" PRIu32 ",\"start_monotonic_ns\":%" PRIu64
         ",\"end_monotonic_ns\":%" PRIu64 "}",
         c->local_port, c->remote_port, c->sent, c->received, c->retrans, c->start_ns, c->end_ns);
}
