package io.aiscope.correlate;

import java.util.Arrays;

/**
 * The most recent CUDA calls of one process, oldest overwritten first: enough to sum what happened on a thread or
 * in the process between two moments of a request still being correlated. Single writer (the event thread).
 */
final class CallTimeline {
    private final int capacity;
    private long[] startNs = new long[64];
    private long[] durationNs = new long[64];
    private long[] bytes = new long[64];
    private int[] tids = new int[64];
    private byte[] kinds = new byte[64];
    private int size;
    private int next;

    CallTimeline(int capacity) {
        this.capacity = capacity;
    }

    void add(int tid, long start, long duration, CudaActivity kind, long byteCount) {
        if (size == startNs.length && size < capacity) {
            grow();
        }
        startNs[next] = start;
        durationNs[next] = duration;
        bytes[next] = byteCount;
        tids[next] = tid;
        kinds[next] = (byte) kind.ordinal();
        next = (next + 1) % startNs.length;
        size = Math.min(size + 1, startNs.length);
    }

    private void grow() {
        int n = Math.min(capacity, startNs.length * 2);
        // Growing happens only before the first wrap, when the entries sit in order from index 0.
        startNs = Arrays.copyOf(startNs, n);
        durationNs = Arrays.copyOf(durationNs, n);
        bytes = Arrays.copyOf(bytes, n);
        tids = Arrays.copyOf(tids, n);
        kinds = Arrays.copyOf(kinds, n);
        next = size;
    }

    /** Calls that started in [fromNs, toNs], on {@code tid} or on any thread when {@code tid} is 0. */
    CudaWindow sum(int tid, long fromNs, long toNs) {
        long calls = 0, launches = 0, copyBytes = 0, syncNs = 0;
        CudaActivity[] kindsByOrdinal = CudaActivity.values();
        for (int i = 0; i < size; i++) {
            long s = startNs[i];
            if (s < fromNs || s > toNs || (tid != 0 && tids[i] != tid)) {
                continue;
            }
            calls++;
            switch (kindsByOrdinal[kinds[i]]) {
                case LAUNCH -> launches++;
                case COPY -> copyBytes += bytes[i];
                case SYNC -> syncNs += Math.min(durationNs[i], toNs - s);
                case OTHER -> { }
            }
        }
        return new CudaWindow(calls, launches, copyBytes, syncNs);
    }

    record CudaWindow(long calls, long launches, long copyBytes, long syncNs) {}
}
