// tcp_client: the other half of tcp_echo_server. For each of C sequential
// connections it sends N bytes, reads the echo back (sending and receiving at once,
// so large N cannot deadlock on full socket buffers), and closes.
//
//   tcp_client --port P [--host H] [--bytes N] [--conns C] [--timeout-ms T]
//
// Connecting is retried until T (default 10000 ms) so a just-started server is fine.
// stdout: JSON with the pid, and per connection its local/remote port, bytes sent and
// received, and the kernel's retransmit count for the socket; "echo_ok" says every
// byte came back intact. Exit status 1 if any exchange failed.

#include "net_common.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

static const char *host = "127.0.0.1", *port = NULL;
static int port_num;
static long long bytes = 65536, conns = 1, timeout_ms = 10000;

// A byte pattern that a shifted or truncated echo cannot match by accident.
static inline unsigned char pattern(uint64_t i) { return (unsigned char)((i * 131 + i / 251) & 0xff); }

static int connect_with_retry(uint64_t deadline_ns) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *res;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) {
    fprintf(stderr, "tcp_client: %s: %s\n", host, gai_strerror(rc));
    exit(1);
  }
  for (;;) {
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
      int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
      if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        freeaddrinfo(res);
        return fd;
      }
      if (fd >= 0) close(fd);
    }
    if (monotonic_ns() >= deadline_ns) break;
    usleep(20000);
  }
  freeaddrinfo(res);
  fprintf(stderr, "tcp_client: cannot connect to %s:%s: %s\n", host, port, strerror(errno));
  return -1;
}

// Sends `bytes` of the pattern, half-closes, and reads until the server's EOF.
// Returns whether the echo was complete and intact.
static bool exchange(int fd, struct conn_record *rec, uint64_t deadline_ns) {
  static unsigned char out[65536], in[65536];
  bool intact = true, eof = false;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  while (!eof) {
    struct pollfd p = {.fd = fd, .events = POLLIN | (rec->sent < (uint64_t)bytes ? POLLOUT : 0)};
    int64_t left_ms = ((int64_t)deadline_ns - (int64_t)monotonic_ns()) / 1000000;
    if (left_ms <= 0 || poll(&p, 1, (int)left_ms) == 0) {
      fprintf(stderr, "tcp_client: timed out after %" PRIu64 "/%lld bytes echoed\n", rec->received,
              bytes);
      return false;
    }
    if (p.revents & POLLOUT) {
      size_t n = (size_t)bytes - rec->sent;
      if (n > sizeof out) n = sizeof out;
      for (size_t i = 0; i < n; i++) out[i] = pattern(rec->sent + i);
      ssize_t w = send(fd, out, n, MSG_NOSIGNAL);
      if (w > 0) rec->sent += (uint64_t)w;
      else if (errno != EAGAIN && errno != EINTR) return false;
      if (rec->sent == (uint64_t)bytes) shutdown(fd, SHUT_WR);  // the server echoes until EOF
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(fd, in, sizeof in);
      if (r > 0) {
        for (ssize_t i = 0; i < r; i++) intact &= in[i] == pattern(rec->received + (uint64_t)i);
        rec->received += (uint64_t)r;
      } else if (r == 0) {
        eof = true;
      } else if (errno != EAGAIN && errno != EINTR) {
        return false;
      }
    }
  }
  return intact && rec->received == (uint64_t)bytes;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i += 2) {
    const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) goto usage;
    if (strcmp(k, "--host") == 0) host = v;
    else if (strcmp(k, "--port") == 0) port = v, port_num = (int)parse_num("tcp_client", k, v, 1, 65535);
    else if (strcmp(k, "--bytes") == 0) bytes = parse_num("tcp_client", k, v, 0, 1ll << 40);
    else if (strcmp(k, "--conns") == 0) conns = parse_num("tcp_client", k, v, 1, 100000);
    else if (strcmp(k, "--timeout-ms") == 0) timeout_ms = parse_num("tcp_client", k, v, 1, 3600000);
    else goto usage;
  }
  if (!port) goto usage;
  signal(SIGPIPE, SIG_IGN);

  struct conn_record *recs = calloc((size_t)conns, sizeof *recs);
  bool all_ok = true;
  uint64_t total_sent = 0, total_received = 0, total_retrans = 0;
  long long done = 0;
  for (; done < conns; done++) {
    struct conn_record *rec = &recs[done];
    uint64_t deadline_ns = monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
    rec->start_ns = monotonic_ns();
    int fd = connect_with_retry(deadline_ns);
    if (fd < 0) {
      all_ok = false;
      break;
    }
    conn_begin(rec, fd);
    all_ok &= exchange(fd, rec, deadline_ns);
    conn_end(rec, fd);
    close(fd);
    total_sent += rec->sent;
    total_received += rec->received;
    total_retrans += rec->retrans;
  }

  printf("{\"pid\":%d,\"host\":\"%s\",\"port\":%d,\"bytes_per_conn\":%lld,\"conns\":[", getpid(),
         host, port_num, bytes);
  for (long long i = 0; i < done; i++) {
    printf("%s", i ? "," : "");
    conn_print(&recs[i]);
  }
  printf("],\"bytes_sent\":%" PRIu64 ",\"bytes_received\":%" PRIu64 ",\"retrans\":%" PRIu64
         ",\"echo_ok\":%s}\n",
         total_sent, total_received, total_retrans, all_ok ? "true" : "false");
  free(recs);
  return all_ok ? 0 : 1;

usage:
  fprintf(stderr,
          "usage: tcp_client --port P [--host H] [--bytes N] [--conns C] [--timeout-ms T]\n");
  return 2;
}
