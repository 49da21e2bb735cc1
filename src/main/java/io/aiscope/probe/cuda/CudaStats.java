package io.aiscope.probe.cuda;

import io.aiscope.symbols.FileLocation;
import io.aiscope.symbols.ResolvedSymbol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Everything the cuda family has aggregated: per process, per function, per kernel. One writer (the event
 * thread); readers (report, metrics, top) take the monitor, which the writer holds only per event.
 *
 * <p>Runtime and driver calls feed the same aggregates, each call once. libcudart implements its calls with
 * libcuda's, so on a GPU one cudaMalloc may also be a cuMemAlloc_v2 inside it: such driver calls (the BPF side
 * flags a driver call made deeper on the stack of a thread that is inside a traced runtime call) are counted as
 * the calls they are, under their own names and in {@code inside_runtime}, but add no bytes, copies, launches or
 * sync time: the runtime call that made them already did. Driver calls made directly (by JAX/XLA, Triton, a
 * program written against the driver API) feed the aggregates like runtime calls.
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
    final Map<ProbedFunction, CallStats> calls = new TreeMap<>(Comparator.comparingInt(ProbedFunction::id));
    final Map<Integer, ProcessCudaStats> processes = new LinkedHashMap<>();
    final Map<String, KernelStats> kernels = new LinkedHashMap<>();
    /** Per process and kernel, for per-process metrics. */
    final Map<Integer, Map<KernelStats, long[]>> launchesByProcess = new HashMap<>();
    private final Map<LaunchSite, KernelStats> sites = new HashMap<>();
    /** Kernel handle → host function, per process, from __cudaGetKernel (CUDA 13 launch stubs). */
    private final Map<LaunchSite, HostFunction> handles = new HashMap<>();
    /** CUfunction → the (mangled) name cuModuleGetFunction returned it for, per process. */
    private final Map<LaunchSite, String> driverFunctions = new HashMap<>();
    private final Map<LaunchSite, KernelStats> driverSites = new HashMap<>();
    private final UnaryOperator<String> demangler;

    CudaStats(KernelNamer resolver) {
        this(resolver, UnaryOperator.identity());
    }

    CudaStats(KernelNamer resolver, UnaryOperator<String> demangler) {
        this.resolver = resolver;
        this.demangler = demangler;
    }

    synchronized void record(ProbedFunction fn, int pid, int ret, long startNs, long durationNs, long ptr, long bytes,
                             long func, int copyKind, FileLocation funcLocation) {
        record(fn, pid, ret, startNs, durationNs, ptr, bytes, func, copyKind, funcLocation, false);
    }

    /** One call; {@code insideRuntime}: a driver call made inside a runtime call (see the class comment). */
    synchronized void record(ProbedFunction fn, int pid, int ret, long startNs, long durationNs, long ptr, long bytes,
                             long func, int copyKind, FileLocation funcLocation, boolean insideRuntime) {
        ProcessCudaStats p = processes.computeIfAbsent(pid, ProcessCudaStats::new);
        long callBytes = fn.shape() == ProbedFunction.Shape.ALLOC || fn.shape().isCopy() ? bytes : 0;
        CallStats all = calls.computeIfAbsent(fn, f -> new CallStats());
        CallStats mine = p.calls.computeIfAbsent(fn, f -> new CallStats());
        all.record(ret, durationNs, callBytes);
        mine.record(ret, durationNs, callBytes);
        if (insideRuntime && fn.api() == ProbedFunction.Api.DRIVER) {
            all.insideRuntime++;
            mine.insideRuntime++;
            p.driverCallsInsideRuntime++;
            return;
        }
        switch (fn.shape()) {
            case ALLOC -> p.onAlloc(fn, ret, ptr, bytes, startNs);
            case FREE -> p.onFree(ret, ptr);
            case COPY, DIRECTED_COPY -> p.onCopy(fn, ret, CopyKind.of(copyKind), bytes, durationNs);
            case LAUNCH -> {
                KernelStats k = fn.api() == ProbedFunction.Api.DRIVER ? driverKernel(pid, func)
                        : kernelAt(pid, func, funcLocation);
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
            case FUNCTION_NAME, PLAIN -> { }
        }
    }

    /** cuModuleGetFunction returned {@code handle} for the kernel named {@code mangledName} in process {@code pid}. */
    synchronized void functionNamed(int pid, int ret, long handle, String mangledName) {
        if (ret != 0 || handle == 0 || mangledName.isEmpty()) {
            return;
        }
        LaunchSite site = new LaunchSite(pid, handle);
        driverFunctions.put(site, mangledName);
        driverSites.remove(site); // a handle reused after cuModuleUnload names another kernel now
    }

    /** A kernel name as a driver call gave it, demangled. */
    String demangle(String name) {
        return demangler.apply(name);
    }

    private KernelStats driverKernel(int pid, long handle) {
        return driverSites.computeIfAbsent(new LaunchSite(pid, handle), site -> {
            String mangled = driverFunctions.get(site);
            String name = mangled == null ? String.format("0x%x", handle) : demangler.apply(mangled);
            return kernel("cuModuleGetFunction!" + (mangled == null ? name : mangled),
                    () -> new KernelStats(name, mangled == null ? "" : mangled, "", ProbedFunction.Api.DRIVER));
        });
    }

    /** The row of {@code key}, made by {@code create} if new and the table has room, else the shared one. */
    private KernelStats kernel(String key, Supplier<KernelStats> create) {
        KernelStats known = kernels.get(key);
        if (known != null) {
            return known;
        }
        if (kernels.size() >= MAX_KERNELS) {
            return kernels.computeIfAbsent(OTHER_KERNELS, k -> new KernelStats(OTHER_KERNELS, "", ""));
        }
        KernelStats k = create.get();
        kernels.put(key, k);
        return k;
    }

    private KernelStats kernelAt(int pid, long launched, FileLocation launchedLocation) {
        HostFunction host = handles.getOrDefault(new LaunchSite(pid, launched),
                new HostFunction(launched, launchedLocation));
        long func = host.address();
        return sites.computeIfAbsent(new LaunchSite(pid, func), site -> {
            Optional<ResolvedSymbol> symbol = resolver.resolve(pid, func, host.location());
            String name = symbol.map(ResolvedSymbol::demangled).orElse(String.format("0x%x", func));
            String key = symbol.map(s -> s.module() + "!" + s.mangled()).orElse(name);
            return kernel(key, () -> new KernelStats(name, symbol.map(ResolvedSymbol::mangled).orElse(""),
                    symbol.map(ResolvedSymbol::module).orElse("")));
        });
    }

    /** The name a launch site resolves to (for trace lines); resolves and caches it if new. */
    synchronized String kernelName(ProbedFunction fn, int pid, long func, FileLocation location) {
        if (fn.api() == ProbedFunction.Api.DRIVER) {
            String mangled = driverFunctions.get(new LaunchSite(pid, func));
            return mangled == null ? String.format("0x%x", func) : demangler.apply(mangled);
        }
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
