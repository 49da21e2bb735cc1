package io.aiscope.probe.cuda;

import io.aiscope.symbols.FileLocation;
import io.aiscope.symbols.ResolvedSymbol;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the cuda family has aggregated: per process, per function, per kernel. One writer (the event
 * thread); readers (report, metrics, top) take the monitor, which the writer holds only per event.
 */
final class CudaStats {
    /** Past this many distinct kernels, further ones share one row, so a report stays readable. */
    static final int MAX_KERNELS = 2000;
    static final String OTHER_KERNELS = "(other kernels)";

    private record LaunchSite(int pid, long func) {}

    /** A launched function: its address in the process, and its place in a file if the BPF side found one. */
    private record HostFunction(long address, FileLocation location) {}

    /** Names the function at an address of a process, or at a place in a file once the process is gone. */
    @FunctionalInterface
    interface KernelNamer {
        Optional<ResolvedSymbol> resolve(int pid, long address, FileLocation location);
    }

    private final KernelNamer resolver;
    final Map<CudaFunction, CallStats> calls = new EnumMap<>(CudaFunction.class);
    final Map<Integer, ProcessCudaStats> processes = new LinkedHashMap<>();
    final Map<String, KernelStats> kernels = new LinkedHashMap<>();
    /** Per process and kernel, for per-process metrics. */
    final Map<Integer, Map<KernelStats, long[]>> launchesByProcess = new HashMap<>();
    private final Map<LaunchSite, KernelStats> sites = new HashMap<>();
    /** Kernel handle → host function, per process, from __cudaGetKernel (CUDA 13 launch stubs). */
    private final Map<LaunchSite, HostFunction> handles = new HashMap<>();

    CudaStats(KernelNamer resolver) {
        this.resolver = resolver;
    }

    synchronized void record(CudaFunction fn, int pid, int ret, long startNs, long durationNs, long ptr, long bytes,
                             long func, int copyKind, FileLocation funcLocation) {
        ProcessCudaStats p = processes.computeIfAbsent(pid, ProcessCudaStats::new);
        long callBytes = fn.shape() == CudaFunction.Shape.ALLOC || fn.shape() == CudaFunction.Shape.COPY ? bytes : 0;
        calls.computeIfAbsent(fn, f -> new CallStats()).record(ret, durationNs, callBytes);
        p.calls.computeIfAbsent(fn, f -> new CallStats()).record(ret, durationNs, callBytes);
        switch (fn.shape()) {
            case ALLOC -> p.onAlloc(fn, ret, ptr, bytes, startNs);
            case FREE -> p.onFree(ret, ptr);
            case COPY -> p.onCopy(fn, ret, CopyKind.of(copyKind), bytes, durationNs);
            case LAUNCH -> {
                KernelStats k = kernelAt(pid, func, funcLocation);
                k.launches++;
                p.launches++;
                long[] perProcess = launchesByProcess.computeIfAbsent(pid, x -> new HashMap<>())
                        .computeIfAbsent(k, x -> new long[1]);
                perProcess[0]++;
                if (ret != 0) {
                    k.errors++;
                }
            }
            case SYNC -> p.syncBlockedNs += durationNs;
            case KERNEL_HANDLE -> {
                if (ret == 0 && ptr != 0) {
                    handles.put(new LaunchSite(pid, ptr), new HostFunction(func, funcLocation));
                }
            }
            case PLAIN -> { }
        }
    }

    private KernelStats kernelAt(int pid, long launched, FileLocation launchedLocation) {
        HostFunction host = handles.getOrDefault(new LaunchSite(pid, launched),
                new HostFunction(launched, launchedLocation));
        long func = host.address();
        return sites.computeIfAbsent(new LaunchSite(pid, func), site -> {
            Optional<ResolvedSymbol> symbol = resolver.resolve(pid, func, host.location());
            String name = symbol.map(ResolvedSymbol::demangled).orElse(String.format("0x%x", func));
            String key = symbol.map(s -> s.module() + "!" + s.mangled()).orElse(name);
            KernelStats known = kernels.get(key);
            if (known != null) {
                return known;
            }
            if (kernels.size() >= MAX_KERNELS) {
                return kernels.computeIfAbsent(OTHER_KERNELS, k -> new KernelStats(OTHER_KERNELS, "", ""));
            }
            KernelStats k = new KernelStats(name, symbol.map(ResolvedSymbol::mangled).orElse(""),
                    symbol.map(ResolvedSymbol::module).orElse(""));
            kernels.put(key, k);
            return k;
        });
    }

    /** The name a launch site resolves to (for trace lines); resolves and caches it if new. */
    synchronized String kernelName(int pid, long func, FileLocation location) {
        return kernelAt(pid, func, location).symbol;
    }

    synchronized List<ProcessCudaStats> processList() {
        return new ArrayList<>(processes.values());
    }

    synchronized List<CudaFamily.TopRow> topRows() {
        List<CudaFamily.TopRow> rows = new ArrayList<>(processes.size());
        for (ProcessCudaStats p : processes.values()) {
            long calls = 0, errors = 0;
            for (CallStats c : p.calls.values()) {
                calls += c.count;
                errors += c.errors;
            }
            long copied = p.copiedBytes.values().stream().mapToLong(Long::longValue).sum();
            rows.add(new CudaFamily.TopRow(p.pid, calls, errors, p.outstandingBytes, copied, p.launches,
                    p.syncBlockedNs));
        }
        return rows;
    }
}
