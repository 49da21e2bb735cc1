package io.aiscope.probe.cuda;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/** One process's CUDA activity: memory it holds (pointer → size, to match frees and report leaks), copies, launches. */
final class ProcessCudaStats {
    record Allocation(long bytes, CudaFunction function, long atNs) {}

    final int pid;
    final Map<CudaFunction, CallStats> calls = new EnumMap<>(CudaFunction.class);
    final Map<Long, Allocation> live = new HashMap<>();
    final Map<CopyKind, Long> copiedBytes = new EnumMap<>(CopyKind.class);
    final Map<CopyKind, Long> requestedCopyBytes = new EnumMap<>(CopyKind.class);
    final Map<CopyKind, long[]> syncCopies = new EnumMap<>(CopyKind.class); // {bytes, ns} of successful cudaMemcpy
    long allocatedBytes;
    long requestedAllocBytes;
    long freedBytes;
    long outstandingBytes;
    long hostAllocatedBytes;
    long hostFreedBytes;
    long hostOutstandingBytes;
    long unmatchedFrees;
    long launches;
    long syncBlockedNs;

    ProcessCudaStats(int pid) {
        this.pid = pid;
    }

    void onAlloc(CudaFunction fn, int ret, long ptr, long bytes, long atNs) {
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
        }
        release(a);
    }

    private void release(Allocation a) {
        if (a.function().isHostMemory()) {
            hostOutstandingBytes -= a.bytes();
        } else {
            outstandingBytes -= a.bytes();
        }
    }

    void onCopy(CudaFunction fn, int ret, CopyKind kind, long bytes, long durationNs) {
        requestedCopyBytes.merge(kind, bytes, Long::sum);
        if (ret != 0) {
            return;
        }
        copiedBytes.merge(kind, bytes, Long::sum);
        if (fn == CudaFunction.cudaMemcpy) {
            long[] t = syncCopies.computeIfAbsent(kind, k -> new long[2]);
            t[0] += bytes;
            t[1] += durationNs;
        }
    }
}
