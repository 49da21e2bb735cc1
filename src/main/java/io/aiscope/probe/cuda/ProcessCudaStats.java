package io.aiscope.probe.cuda;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One process's CUDA activity: memory it holds (pointer → size, to match frees and report leaks), copies, launches.
 * Runtime and driver calls share one ledger (memory allocated by either API may be freed by the other); driver
 * calls made inside a runtime call never reach it (see {@link CudaStats#record}), so nothing is counted twice.
 */
final class ProcessCudaStats {
    record Allocation(long bytes, ProbedFunction function, long atNs) {}

    final int pid;
    final Map<ProbedFunction, CallStats> calls = new TreeMap<>(Comparator.comparingInt(ProbedFunction::id));
    final Map<Long, Allocation> live = new HashMap<>();
    final Map<CopyKind, Long> copiedBytes = new EnumMap<>(CopyKind.class);
    final Map<CopyKind, Long> requestedCopyBytes = new EnumMap<>(CopyKind.class);
    final Map<CopyKind, long[]> syncCopies = new EnumMap<>(CopyKind.class); // {bytes, ns} of successful sync copies
    long allocatedBytes;
    long requestedAllocBytes;
    long freedBytes;
    long outstandingBytes;
    /** Of the device memory above, what the driver API allocated directly (cuMemAlloc*). */
    long driverAllocatedBytes;
    long driverFreedBytes;
    long driverOutstandingBytes;
    /** Driver calls made inside runtime calls: counted as calls only. */
    long driverCallsInsideRuntime;
    long hostAllocatedBytes;
    long hostFreedBytes;
    long hostOutstandingBytes;
    long unmatchedFrees;
    long launches;
    long syncBlockedNs;

    ProcessCudaStats(int pid) {
        this.pid = pid;
    }

    void onAlloc(ProbedFunction fn, int ret, long ptr, long bytes, long atNs) {
        requestedAllocBytes += bytes;
        if (ret != 0 || ptr == 0) {
            return;
        }
        Allocation previous = live.put(ptr, new Allocation(bytes, fn, atNs));
        if (previous != null) {
            // The runtime handed out a pointer we thought live: its free escaped us. Do not count it twice.
            release(previous);
        }
        if (fn.isHostMemory()) {
            hostAllocatedBytes += bytes;
            hostOutstandingBytes += bytes;
        } else {
            allocatedBytes += bytes;
            outstandingBytes += bytes;
            if (fn.api() == ProbedFunction.Api.DRIVER) {
                driverAllocatedBytes += bytes;
                driverOutstandingBytes += bytes;
            }
        }
    }

    void onFree(int ret, long ptr) {
        if (ret != 0 || ptr == 0) {
            return;
        }
        Allocation a = live.remove(ptr);
        if (a == null) {
            unmatchedFrees++; // allocated before aiscope attached
            return;
        }
        if (a.function().isHostMemory()) {
            hostFreedBytes += a.bytes();
        } else {
            freedBytes += a.bytes();
            if (a.function().api() == ProbedFunction.Api.DRIVER) {
                driverFreedBytes += a.bytes();
            }
        }
        release(a);
    }

    private void release(Allocation a) {
        if (a.function().isHostMemory()) {
            hostOutstandingBytes -= a.bytes();
        } else {
            outstandingBytes -= a.bytes();
            if (a.function().api() == ProbedFunction.Api.DRIVER) {
                driverOutstandingBytes -= a.bytes();
            }
        }
    }

    void onCopy(ProbedFunction fn, int ret, CopyKind kind, long bytes, long durationNs) {
        requestedCopyBytes.merge(kind, bytes, Long::sum);
        if (ret != 0) {
            return;
        }
        copiedBytes.merge(kind, bytes, Long::sum);
        if (fn.isSynchronousCopy()) {
            long[] t = syncCopies.computeIfAbsent(kind, k -> new long[2]);
            t[0] += bytes;
            t[1] += durationNs;
        }
    }
}
