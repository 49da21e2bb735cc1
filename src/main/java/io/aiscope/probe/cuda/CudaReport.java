package io.aiscope.probe.cuda;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.ProcessNames;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The cuda section of the run report, totals first, then per process. Runtime and driver calls share the totals,
 * each call once: driver calls made inside runtime calls appear in {@code calls} (their {@code inside_runtime}
 * count) and in {@code driver_calls_inside_runtime}, and nowhere else (see {@link CudaStats}). The
 * {@code driver_*_bytes} fields are the part of the device-memory totals that direct driver calls allocated.
 */
final class CudaReport {
    private final CudaStats stats;

    CudaReport(CudaStats stats) {
        this.stats = stats;
    }

    void write(ObjectNode out, ProcessNames names) {
        synchronized (stats) {
            writeCalls(out.putObject("calls"), stats.calls);
            long malloc = 0, requested = 0, freed = 0, outstanding = 0, hostOutstanding = 0, launches = 0, syncNs = 0;
            long unmatchedFrees = 0, driverMalloc = 0, driverFreed = 0, driverOutstanding = 0, insideRuntime = 0;
            Map<CopyKind, Long> copied = new EnumMap<>(CopyKind.class);
            Map<CopyKind, Long> copyRequested = new EnumMap<>(CopyKind.class);
            Map<CopyKind, long[]> sync = new EnumMap<>(CopyKind.class);
            for (ProcessCudaStats p : stats.processes.values()) {
                malloc += p.allocatedBytes;
                requested += p.requestedAllocBytes;
                freed += p.freedBytes;
                outstanding += p.outstandingBytes;
                hostOutstanding += p.hostOutstandingBytes;
                launches += p.launches;
                syncNs += p.syncBlockedNs;
                unmatchedFrees += p.unmatchedFrees;
                driverMalloc += p.driverAllocatedBytes;
                driverFreed += p.driverFreedBytes;
                driverOutstanding += p.driverOutstandingBytes;
                insideRuntime += p.driverCallsInsideRuntime;
                p.copiedBytes.forEach((k, v) -> copied.merge(k, v, Long::sum));
                p.requestedCopyBytes.forEach((k, v) -> copyRequested.merge(k, v, Long::sum));
                p.syncCopies.forEach((k, v) -> {
                    long[] t = sync.computeIfAbsent(k, x -> new long[2]);
                    t[0] += v[0];
                    t[1] += v[1];
                });
            }
            out.put("malloc_bytes", malloc);
            out.put("malloc_requested_bytes", requested);
            out.put("free_bytes", freed);
            out.put("outstanding_bytes", outstanding);
            out.put("host_outstanding_bytes", hostOutstanding);
            out.put("unmatched_frees", unmatchedFrees);
            out.put("driver_malloc_bytes", driverMalloc);
            out.put("driver_free_bytes", driverFreed);
            out.put("driver_outstanding_bytes", driverOutstanding);
            out.put("driver_calls_inside_runtime", insideRuntime);
            writeCopies(out.putObject("memcpy_bytes"), copied);
            writeCopies(out.putObject("memcpy_requested_bytes"), copyRequested);
            writeBandwidth(out.putObject("memcpy_sync_bandwidth_gib_s"), sync);
            out.put("kernel_launches", launches);
            out.put("sync_blocked_ms", syncNs / 1e6);
            ArrayNode kernels = out.putArray("kernels");
            stats.kernels.values().stream().sorted(Comparator.comparingLong((KernelStats k) -> -k.launches))
                    .forEach(k -> kernels.addObject().put("symbol", k.symbol).put("mangled", k.mangled)
                            .put("module", k.module).put("api", k.api.name().toLowerCase(Locale.ROOT))
                            .put("launches", k.launches).put("errors", k.errors));
            writeProcesses(out.putArray("processes"), names);
        }
    }

    private static void writeCalls(ObjectNode out, Map<ProbedFunction, CallStats> calls) {
        calls.forEach((fn, c) -> {
            ObjectNode o = out.putObject(fn.name());
            o.put("count", c.count);
            o.put("errors", c.errors);
            if (fn.api() == ProbedFunction.Api.DRIVER) {
                o.put("inside_runtime", c.insideRuntime);
            }
            ObjectNode codes = o.putObject("errors_by_code");
            c.errorsByCode.forEach((code, n) -> codes.put(Integer.toString(code), n));
            if (c.bytes > 0) {
                o.put("bytes", c.bytes);
            }
            o.put("total_ms", c.totalNs / 1e6);
            ObjectNode latency = o.putObject("latency_us");
            latency.put("p50", c.latencyNs.getValueAtPercentile(50) / 1000.0);
            latency.put("p99", c.latencyNs.getValueAtPercentile(99) / 1000.0);
            latency.put("max", c.latencyNs.getMaxValue() / 1000.0);
        });
    }

    private static void writeCopies(ObjectNode out, Map<CopyKind, Long> bytes) {
        for (CopyKind k : CopyKind.values()) {
            if (k != CopyKind.Invalid || bytes.containsKey(k)) {
                out.put(k.name(), bytes.getOrDefault(k, 0L));
            }
        }
    }

    private static void writeBandwidth(ObjectNode out, Map<CopyKind, long[]> sync) {
        sync.forEach((k, t) -> {
            if (t[1] > 0) {
                out.put(k.name(), t[0] / (t[1] / 1e9) / (1L << 30));
            }
        });
    }

    private void writeProcesses(ArrayNode out, ProcessNames names) {
        for (ProcessCudaStats p : stats.processes.values()) {
            ObjectNode o = out.addObject();
            o.put("pid", p.pid);
            o.put("comm", names.comm(p.pid));
            writeCalls(o.putObject("calls"), p.calls);
            o.put("malloc_bytes", p.allocatedBytes);
            o.put("free_bytes", p.freedBytes);
            o.put("outstanding_bytes", p.outstandingBytes);
            o.put("driver_malloc_bytes", p.driverAllocatedBytes);
            o.put("driver_free_bytes", p.driverFreedBytes);
            o.put("driver_outstanding_bytes", p.driverOutstandingBytes);
            o.put("driver_calls_inside_runtime", p.driverCallsInsideRuntime);
            o.put("kernel_launches", p.launches);
            writeCopies(o.putObject("memcpy_bytes"), p.copiedBytes);
            o.put("sync_blocked_ms", p.syncBlockedNs / 1e6);
            ArrayNode leaks = o.putArray("leaks");
            p.live.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(a -> leaks.addObject()
                    .put("ptr", String.format("0x%x", a.getKey())).put("bytes", a.getValue().bytes())
                    .put("function", a.getValue().function().name()));
        }
    }
}
