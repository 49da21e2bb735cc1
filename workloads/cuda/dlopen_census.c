// dlopen_census: loads a CUDA runtime at run time, the way PyTorch loads the copy bundled in its wheel, and calls
// it at once: aiscope must have its probes in place by the first call.
//
//   dlopen_census LIBCUDART_PATH N
//
// dlopen()s LIBCUDART_PATH, then calls cudaMalloc N times straight away (no pause), then cudaFree on each
// pointer. stdout: {"pid":…,"library":"…","cudaMalloc":N,"cudaFree":N,"codes":{"CODE":count,…}}
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef int (*malloc_fn)(void **, size_t);
typedef int (*free_fn)(void *);

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: dlopen_census LIBCUDART_PATH N\n");
    return 2;
  }
  int n = atoi(argv[2]);
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "dlopen_census: %s\n", dlerror());
    return 1;
  }
  malloc_fn cuda_malloc = (malloc_fn)dlsym(lib, "cudaMalloc");
  free_fn cuda_free = (free_fn)dlsym(lib, "cudaFree");
  if (!cuda_malloc || !cuda_free) {
    fprintf(stderr, "dlopen_census: %s defines no cudaMalloc/cudaFree\n", argv[1]);
    return 1;
  }
  int codes[1024] = {0};
  void **ptrs = calloc(n, sizeof *ptrs);
  for (int i = 0; i < n; i++) {
    int rc = cuda_malloc(&ptrs[i], 4096);
    codes[rc & 1023]++;
  }
  for (int i = 0; i < n; i++)
    cuda_free(ptrs[i]);
  printf("{\"pid\":%d,\"library\":\"%s\",\"cudaMalloc\":%d,\"cudaFree\":%d,\"codes\":{", getpid(), argv[1], n, n);
  const char *sep = "";
  for (int c = 0; c < 1024; c++) {
    if (codes[c]) {
      printf("%s\"%d\":%d", sep, c, codes[c]);
      sep = ",";
    }
  }
  printf("}}\n");
  return 0;
}
