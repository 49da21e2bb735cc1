// tcp_echo_server: echoes every byte it reads back to the sender, one thread per
// connection, until the peer shuts down its sending side.
//
//   tcp_echo_server [--host H] [--port P] [--conns N]
//
// --host defaults to 127.0.0.1, --port 0 picks a free port. With --conns N it serves
// N connections and exits; without it, it serves forever.
// stdout: a JSON line as soon as it listens ({"pid","host","port"}: scripts wait for
// it to learn the port), and with --conns a final line listing each connection.

#include "net_common.h"

#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

struct conn {
  pthread_t thread;
  int fd;
  struct conn_record rec;
  int detached;  // forever mode: nobody reports the record, the thread frees it
};

static void *echo(void *arg) {
  struct conn *c = arg;
  char buf[65536];
  c->rec.start_ns = monotonic_ns();
  conn_begin(&c->rec, c->fd);
  for (;;) {
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the client has sent everything
    c->rec.received += (uint64_t)n;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = send(c->fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) goto done;
      off += w;
      c->rec.sent += (uint64_t)w;
    }
  }
done:
  shutdown(c->fd, SHUT_WR);
  conn_end(&c->rec, c->fd);
  close(c->fd);
  if (c->detached) free(c);
  return NULL;
}

static int listen_on(const char *host, const char *port) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_PASSIVE};
  struct addrinfo *res;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) {
    fprintf(stderr, "tcp_echo_server: %s: %s\n", host, gai_strerror(rc));
    exit(1);
  }
  int fd = -1;
  for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if ((bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0)) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) {
    fprintf(stderr, "tcp_echo_server: cannot listen on %s:%s: %s\n", host, port, strerror(errno));
    exit(1);
  }
  return fd;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *port = "0";
  long long max_conns = 0;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) goto usage;
    if (strcmp(argv[i], "--host") == 0) host = argv[i + 1];
    else if (strcmp(argv[i], "--port") == 0)
      port = argv[i + 1], parse_num("tcp_echo_server", "--port", port, 0, 65535);
    else if (strcmp(argv[i], "--conns") == 0)
      max_conns = parse_num("tcp_echo_server", "--conns", argv[i + 1], 0, 1000000);
    else goto usage;
  }
  signal(SIGPIPE, SIG_IGN);

  int lfd = listen_on(host, port);
  int bound_port = socket_port(lfd, 0);
  printf("{\"pid\":%d,\"host\":\"%s\",\"port\":%d}\n", getpid(), host, bound_port);
  fflush(stdout);

  // Forever mode keeps no records; --conns N keeps one per connection to report.
  struct conn *conns = calloc(max_conns ? (size_t)max_conns : 1, sizeof *conns);
  for (long long served = 0; max_conns == 0 || served < max_conns;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      perror("tcp_echo_server: accept");
      return 1;
    }
    struct conn *c = max_conns ? &conns[served++] : calloc(1, sizeof *c);
    c->fd = fd;
    c->detached = !max_conns;
    pthread_t thread;  // not c->thread: a detached thread may free c at any moment
    if (pthread_create(&thread, NULL, echo, c) != 0) {
      perror("tcp_echo_server: pthread_create");
      return 1;
    }
    if (max_conns) c->thread = thread;
    else pthread_detach(thread);
  }
  close(lfd);

  printf("{\"pid\":%d,\"port\":%d,\"conns\":[", getpid(), bound_port);
  for (long long i = 0; i < max_conns; i++) {
    pthread_join(conns[i].thread, NULL);
    printf("%s", i ? "," : "");
    conn_print(&conns[i].rec);
  }
  printf("]}\n");
  free(conns);
  return 0;

usage:
  fprintf(stderr, "usage: tcp_echo_server [--host H] [--port P] [--conns N]\n");
  return 2;
}
