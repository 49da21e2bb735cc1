// Test fixture, not a workload: built by workloads/build as OUTDIR/libnocuda.so and
// installed as OUTDIR/fake/libcudart.so.99. It is named like a CUDA runtime but
// defines none of the cuda* / __cuda* symbols aiscope attaches to, so tests can
// point aiscope at it (or map it into a process, e.g. with LD_PRELOAD) and check
// the "library found, symbol missing" error paths.

// The only export, so the library still has a normal dynamic symbol table.
int aiscope_nocuda_fixture(void) { return 99; }
