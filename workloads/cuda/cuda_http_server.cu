// cuda_http_server: a real HTTP/1.1 server whose request handler makes CUDA runtime calls, so that aiscope's
// per-request decomposition (CUDA calls, launches, copy bytes, sync time) can be checked against what each
// request actually did. Its response body is its own account of the calls it made.
//
//   cuda_http_server [--port N] [--threads K]
//
// Binds 127.0.0.1 (port 0, the default, is ephemeral), prints `listening on 127.0.0.1:PORT` on stdout, and
// serves each connection on a thread of its own (keep-alive, one request at a time). SIGTERM exits 0.
//
//   GET /work?launches=L&copies=C&bytes=B&syncs=S[&after=A][&pool=1[&writer=worker]]
//     cudaMalloc(max(B, 4)), L `<<<>>>` launches of a trivial kernel, C cudaMemcpy HtoD of B bytes each,
//     S synchronisations (cudaStreamSynchronize(0) and cudaDeviceSynchronize, alternating, stream first),
//     cudaFree; then a 200 whose JSON body says what was called. All on the thread that read the request, or
//     with pool=1 on one of K (2) worker threads while the reader waits: the reader then writes the response,
//     or with writer=worker the worker writes it (so the socket calls of the request come from two threads).
//     A: cudaDeviceSynchronize calls made right after the response is written, by the thread that wrote it
//     (CUDA work outside the request's window: before the next request's first byte).
//   GET /health  200 without any CUDA call.
//   Anything else: 404 (unknown path), 405 (not GET), 400 (bad query or malformed request, then close).
//
// Calls the compiler's launch stubs make (nvcc 13 launch sequence, see census.cu): per launch
// __cudaPushCallConfiguration, __cudaPopCallConfiguration and __cudaLaunchKernel (a jmp into
// cudaLaunchKernel), and __cudaGetKernel once per kernel per process (a function-local static in the stub), so
// the first request that launches makes that call too; the body reports it as "__cudaGetKernel":1.
//
// Build with `nvcc -cudart shared` (workloads/build does): aiscope uprobes the shared libcudart.so. Without a
// GPU driver every call fails fast (35) and is still made; the body's "codes" counts the return codes.

#include <cuda_runtime.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <strings.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

__global__ void http_touch(int* counter) {
  if (counter) atomicAdd(counter, 1);
}

static pid_t gettid_() { return (pid_t)syscall(SYS_gettid); }

// ---------------------------------------------------------------------------
// The CUDA work of one request
// ---------------------------------------------------------------------------

struct Work {
  uint64_t launches = 0, copies = 0, bytes = 0, syncs = 0, after = 0;
  bool pool = false, worker_writes = false;
};

struct Calls {
  pid_t tid = 0;  // the thread that made them
  uint64_t malloc = 0, launch = 0, memcpy = 0, stream_sync = 0, device_sync = 0, free = 0, get_kernel = 0;
  std::map<int, uint64_t> codes;  // return codes of the calls whose code the caller sees (not the launches)

  void code(cudaError_t c) { codes[(int)c]++; }
  uint64_t probed() const {  // every call aiscope's cuda family probes
    return malloc + launch + memcpy + stream_sync + device_sync + free + get_kernel;
  }
};

static pthread_mutex_t g_first_launch_lock = PTHREAD_MUTEX_INITIALIZER;
static bool g_launched = false;

static void do_work(const Work& w, Calls& c) {
  c.tid = gettid_();
  uint64_t size = w.bytes < 4 ? 4 : w.bytes;
  char* host = (char*)calloc(1, size);
  void* dev = nullptr;
  c.code(cudaMalloc(&dev, size));
  c.malloc++;
  for (uint64_t i = 0; i < w.launches; i++) {
    if (i == 0) {
      // The stub's static makes __cudaGetKernel happen at the process's first launch only.
      pthread_mutex_lock(&g_first_launch_lock);
      if (!g_launched) c.get_kernel++;
      g_launched = true;
      http_touch<<<1, 32>>>((int*)dev);
      pthread_mutex_unlock(&g_first_launch_lock);
    } else {
      http_touch<<<1, 32>>>((int*)dev);
    }
    c.launch++;
  }
  for (uint64_t i = 0; i < w.copies; i++) {
    c.code(cudaMemcpy(dev, host, w.bytes, cudaMemcpyHostToDevice));
    c.memcpy++;
  }
  for (uint64_t i = 0; i < w.syncs; i++) {
    if (i % 2 == 0) {
      c.code(cudaStreamSynchronize(0));
      c.stream_sync++;
    } else {
      c.code(cudaDeviceSynchronize());
      c.device_sync++;
    }
  }
  c.code(cudaFree(dev));
  c.free++;
  free(host);
}

static std::string body_of(const Work& w, const Calls& c, pid_t reader) {
  char buf[1024];
  int n = snprintf(buf, sizeof buf,
                   "{\"launches\":%" PRIu64 ",\"copies\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"syncs\":%" PRIu64
                   ",\"after\":%" PRIu64 ",\"copy_bytes\":%" PRIu64 ",\"pool\":%s,\"writer\":\"%s\""
                   ",\"reader_tid\":%d,\"cuda_tid\":%d,\"probed_calls\":%" PRIu64
                   ",\"calls\":{\"cudaMalloc\":%" PRIu64 ",\"cudaLaunchKernel\":%" PRIu64
                   ",\"cudaMemcpy\":%" PRIu64 ",\"cudaStreamSynchronize\":%" PRIu64
                   ",\"cudaDeviceSynchronize\":%" PRIu64 ",\"cudaFree\":%" PRIu64 ",\"__cudaGetKernel\":%" PRIu64
                   "},\"codes\":{",
                   w.launches, w.copies, w.bytes, w.syncs, w.after, w.copies * w.bytes, w.pool ? "true" : "false",
                   w.worker_writes ? "worker" : "reader", (int)reader, (int)c.tid, c.probed(), c.malloc, c.launch,
                   c.memcpy, c.stream_sync, c.device_sync, c.free, c.get_kernel);
  std::string s(buf, n);
  const char* sep = "";
  for (auto& [code, count] : c.codes) {
    snprintf(buf, sizeof buf, "%s\"%d\":%" PRIu64, sep, code, count);
    s += buf;
    sep = ",";
  }
  return s + "}}";
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

static bool send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += (size_t)n;
  }
  return true;
}

// Head and body in one send call.
static bool respond(int fd, int status, const std::string& body, bool close_after) {
  const char* reason = status == 200 ? "OK" : status == 400 ? "Bad Request" : status == 404 ? "Not Found"
                                                                                            : "Method Not Allowed";
  char head[256];
  snprintf(head, sizeof head,
           "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: %s\r\n\r\n",
           status, reason, body.size(), close_after ? "close" : "keep-alive");
  return send_all(fd, head + body);
}

static void sync_after(uint64_t n) {
  for (uint64_t i = 0; i < n; i++) cudaDeviceSynchronize();
}

// ---------------------------------------------------------------------------
// Worker pool (pool=1)
// ---------------------------------------------------------------------------

struct Job {
  Work work;
  Calls calls;
  int fd = -1;
  pid_t reader = 0;
  bool close_after = false, sent = false, done = false;
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  Job* next = nullptr;
};

static pthread_mutex_t g_queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_queue_cond = PTHREAD_COND_INITIALIZER;
static Job *g_head = nullptr, *g_tail = nullptr;

static void* worker_main(void*) {
  for (;;) {
    pthread_mutex_lock(&g_queue_lock);
    while (!g_head) pthread_cond_wait(&g_queue_cond, &g_queue_lock);
    Job* j = g_head;
    g_head = j->next;
    if (!g_head) g_tail = nullptr;
    pthread_mutex_unlock(&g_queue_lock);

    do_work(j->work, j->calls);
    if (j->work.worker_writes) {
      j->sent = respond(j->fd, 200, body_of(j->work, j->calls, j->reader), j->close_after);
      sync_after(j->work.after);
    }
    pthread_mutex_lock(&j->lock);
    j->done = true;
    pthread_cond_signal(&j->cond);
    pthread_mutex_unlock(&j->lock);
  }
  return nullptr;
}

// Runs the job on a worker and waits for it.
static void on_pool(Job& j) {
  j.next = nullptr;
  pthread_mutex_lock(&g_queue_lock);
  if (g_tail) g_tail->next = &j; else g_head = &j;
  g_tail = &j;
  pthread_cond_signal(&g_queue_cond);
  pthread_mutex_unlock(&g_queue_lock);
  pthread_mutex_lock(&j.lock);
  while (!j.done) pthread_cond_wait(&j.cond, &j.lock);
  pthread_mutex_unlock(&j.lock);
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

// Query parameter `name` as a number (0 when absent); false when present and not a number.
static bool param(const std::string& query, const char* name, uint64_t max, uint64_t& out) {
  out = 0;
  size_t n = strlen(name), at = 0;
  while (at <= query.size()) {
    size_t end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    if (end - at > n && query.compare(at, n, name) == 0 && query[at + n] == '=') {
      std::string v = query.substr(at + n + 1, end - at - n - 1);
      char* e;
      errno = 0;
      unsigned long long x = strtoull(v.c_str(), &e, 10);
      if (v.empty() || *e || errno || v[0] == '-' || x > max) return false;
      out = x;
      return true;
    }
    at = end + 1;
  }
  return true;
}

static bool has_param(const std::string& query, const char* want) {
  std::string q = "&" + query + "&";
  return q.find(std::string("&") + want + "&") != std::string::npos;
}

// One request head (up to the blank line). Returns false when the connection must close.
static bool handle(int fd, const std::string& head) {
  size_t line_end = head.find("\r\n");
  std::string line = head.substr(0, line_end);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1 || line.compare(sp2 + 1, 5, "HTTP/") != 0) {
    respond(fd, 400, "{\"error\":\"malformed request line\"}", true);
    return false;
  }
  std::string method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  bool close_after = line.compare(sp2 + 1, std::string::npos, "HTTP/1.0") == 0;
  for (size_t at = line_end + 2; at < head.size();) {
    size_t end = head.find("\r\n", at);
    if (end == std::string::npos || end == at) break;
    std::string h = head.substr(at, end - at);
    if (strncasecmp(h.c_str(), "connection:", 11) == 0) {
      std::string v = h.substr(11);
      if (strcasestr(v.c_str(), "close")) close_after = true;
      if (strcasestr(v.c_str(), "keep-alive")) close_after = false;
    } else if (strncasecmp(h.c_str(), "content-length:", 15) == 0 && strtoull(h.c_str() + 15, nullptr, 10) != 0) {
      respond(fd, 400, "{\"error\":\"no request body expected\"}", true);
      return false;
    }
    at = end + 2;
  }
  size_t q = target.find('?');
  std::string path = target.substr(0, q), query = q == std::string::npos ? "" : target.substr(q + 1);
  if (path != "/work" && path != "/health") return respond(fd, 404, "{\"error\":\"not found\"}", close_after) && !close_after;
  if (method != "GET") return respond(fd, 405, "{\"error\":\"GET only\"}", close_after) && !close_after;
  if (path == "/health") return respond(fd, 200, "{\"status\":\"ok\"}", close_after) && !close_after;

  Work w;
  uint64_t pool = 0;
  if (!param(query, "launches", 1000000, w.launches) || !param(query, "copies", 1000000, w.copies) ||
      !param(query, "bytes", 1ull << 30, w.bytes) || !param(query, "syncs", 1000000, w.syncs) ||
      !param(query, "after", 1000000, w.after) || !param(query, "pool", 1, pool)) {
    return respond(fd, 400, "{\"error\":\"bad query\"}", close_after) && !close_after;
  }
  w.pool = pool == 1;
  w.worker_writes = w.pool && has_param(query, "writer=worker");
  pid_t reader = gettid_();
  if (w.pool) {
    Job j;
    j.work = w;
    j.fd = fd;
    j.reader = reader;
    j.close_after = close_after;
    on_pool(j);
    if (w.worker_writes) return j.sent && !close_after;
    bool sent = respond(fd, 200, body_of(w, j.calls, reader), close_after);
    sync_after(w.after);
    return sent && !close_after;
  }
  Calls c;
  do_work(w, c);
  bool sent = respond(fd, 200, body_of(w, c, reader), close_after);
  sync_after(w.after);
  return sent && !close_after;
}

static void* connection_main(void* arg) {
  int fd = (int)(intptr_t)arg;
  std::string buf;
  char chunk[4096];
  for (;;) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (buf.size() > 64 * 1024) {
        respond(fd, 400, "{\"error\":\"head too large\"}", true);
        close(fd);
        return nullptr;
      }
      ssize_t n = recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fd);
        return nullptr;
      }
      buf.append(chunk, (size_t)n);
    }
    std::string head = buf.substr(0, end + 4);
    buf.erase(0, end + 4);
    if (!handle(fd, head)) break;
  }
  close(fd);
  return nullptr;
}

static void on_term(int) { _exit(0); }

[[noreturn]] static void usage(const char* why) {
  fprintf(stderr, "cuda_http_server: %s\nusage: cuda_http_server [--port N] [--threads K]\n", why);
  exit(2);
}

int main(int argc, char** argv) {
  unsigned long port = 0, threads = 2;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) usage("option needs a value");
    char* e;
    unsigned long v = strtoul(argv[i + 1], &e, 10);
    if (*e || argv[i + 1][0] == '-') usage("bad value");
    if (strcmp(argv[i], "--port") == 0 && v <= 65535) port = v;
    else if (strcmp(argv[i], "--threads") == 0 && v >= 1 && v <= 256) threads = v;
    else usage("unknown option or value out of range");
  }
  struct sigaction sa = {};
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  int ls = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(ls, (sockaddr*)&addr, sizeof addr) || listen(ls, 128) || getsockname(ls, (sockaddr*)&addr, &len)) {
    perror("cuda_http_server: bind/listen");
    return 1;
  }
  for (unsigned long i = 0; i < threads; i++) {
    pthread_t t;
    pthread_create(&t, nullptr, worker_main, nullptr);
    pthread_detach(t);
  }
  printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  fflush(stdout);
  for (;;) {
    int fd = accept(ls, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      perror("cuda_http_server: accept");
      return 1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_t t;
    if (pthread_create(&t, nullptr, connection_main, (void*)(intptr_t)fd)) {
      close(fd);
      continue;
    }
    pthread_detach(t);
  }
}
