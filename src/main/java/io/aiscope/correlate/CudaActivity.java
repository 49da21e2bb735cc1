package io.aiscope.correlate;

/** What kind of GPU work a CUDA call was, for a request's decomposition. */
public enum CudaActivity {
    LAUNCH, COPY, SYNC, OTHER
}
