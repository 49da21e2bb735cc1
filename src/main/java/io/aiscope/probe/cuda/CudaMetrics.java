package io.aiscope.probe.cuda;

import io.aiscope.engine.ProcessNames;
import io.aiscope.output.LabelledValues;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The cuda family's Prometheus metrics, read from {@link CudaStats} at scrape time. */
final class CudaMetrics {
    private final CudaStats stats;
    private final ProcessNames names;

    CudaMetrics(CudaStats stats, ProcessNames names) {
        this.stats = stats;
        this.names = names;
    }

    void register(PrometheusRegistry registry) {
        CounterWithCallback.builder().name("aiscope_cuda_calls_total")
                .help("CUDA runtime and driver calls by function and result (success or the cudaError_t/CUresult code)")
                .labelNames("pid", "comm", "function", "result")
                .callback(cb -> calls().forEach(cb::call)).register(registry);
        CounterWithCallback.builder().name("aiscope_cuda_memcpy_bytes_total")
                .help("Bytes copied by successful cudaMemcpy*/cuMemcpy* calls, by direction (each copy once: not the"
                        + " driver calls inside runtime calls)")
                .labelNames("pid", "comm", "direction")
                .callback(cb -> copies().forEach(cb::call)).register(registry);
        CounterWithCallback.builder().name("aiscope_cuda_kernel_launches_total")
                .help("cudaLaunchKernel and direct cuLaunchKernel calls by kernel (demangled name)")
                .labelNames("pid", "comm", "kernel")
                .callback(cb -> launches().forEach(cb::call)).register(registry);
        GaugeWithCallback.builder().name("aiscope_cuda_memory_outstanding_bytes")
                .help("Device memory allocated through the CUDA runtime or directly through the driver API and not yet"
                        + " freed (each allocation once)")
                .labelNames("pid", "comm")
                .callback(cb -> outstanding().forEach(cb::call)).register(registry);
        CounterWithCallback.builder().name("aiscope_cuda_sync_blocked_seconds_total")
                .help("Time threads spent blocked in cudaStreamSynchronize/cudaDeviceSynchronize/cudaEventSynchronize and"
                        + " direct cuStreamSynchronize/cuCtxSynchronize/cuEventSynchronize")
                .labelNames("pid", "comm")
                .callback(cb -> syncBlocked().forEach(cb::call)).register(registry);
    }

    private LabelledValues calls() {
        LabelledValues v = new LabelledValues();
        synchronized (stats) {
            for (ProcessCudaStats p : stats.processes.values()) {
                p.calls.forEach((fn, c) -> {
                    v.add(c.count - c.errors, pid(p), comm(p), fn.name(), "success");
                    c.errorsByCode.forEach((code, n) -> v.add(n, pid(p), comm(p), fn.name(), "error_" + code));
                });
            }
        }
        return v;
    }

    private LabelledValues copies() {
        LabelledValues v = new LabelledValues();
        synchronized (stats) {
            for (ProcessCudaStats p : stats.processes.values()) {
                p.copiedBytes.forEach((k, n) -> v.add(n, pid(p), comm(p), k.name()));
            }
        }
        return v;
    }

    private LabelledValues launches() {
        LabelledValues v = new LabelledValues();
        synchronized (stats) {
            stats.launchesByProcess.forEach((pid, kernels) -> kernels.forEach(
                    (k, n) -> v.add(n[0], names.pidLabel(pid), names.commLabel(pid), k.symbol)));
        }
        return v;
    }

    private LabelledValues outstanding() {
        LabelledValues v = new LabelledValues();
        synchronized (stats) {
            stats.processes.values().forEach(p -> v.add(p.outstandingBytes, pid(p), comm(p)));
        }
        return v;
    }

    private LabelledValues syncBlocked() {
        LabelledValues v = new LabelledValues();
        synchronized (stats) {
            stats.processes.values().forEach(p -> v.add(p.syncBlockedNs / 1e9, pid(p), comm(p)));
        }
        return v;
    }

    private String pid(ProcessCudaStats p) {
        return names.pidLabel(p.pid);
    }

    private String comm(ProcessCudaStats p) {
        return names.commLabel(p.pid);
    }
}
