package io.aiscope.correlate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What traced processes did that a request's decomposition sums up, kept for the short while between a request
 * ending and its correlation: CUDA calls per process (with their threads), TCP retransmits per socket. Families
 * feed it on the event thread and the http family reads it there, so it needs no locks. Bounded: the newest
 * {@value #CALLS_PER_PROCESS} calls of each of the {@value #PROCESSES} most recently active processes,
 * {@value #SOCKETS} sockets' retransmits.
 */
public final class Activity {
    private static final int CALLS_PER_PROCESS = 1 << 16;
    /** Processes whose calls are kept: the least recently active beyond this are dropped (processes that exited). */
    private static final int PROCESSES = 1024;
    private static final int SOCKETS = 4096;
    private static final int RETRANSMITS_PER_SOCKET = 256;

    private final Map<Integer, CallTimeline> calls = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, CallTimeline> eldest) {
            return size() > PROCESSES;
        }
    };
    private final Map<Long, List<long[]>> retransmits = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, List<long[]>> eldest) {
            return size() > SOCKETS;
        }
    };
    private volatile boolean wanted;

    /** Whether anyone correlates: families skip feeding otherwise. */
    public boolean wanted() {
        return wanted;
    }

    public void want() {
        wanted = true;
    }

    public void cudaCall(int pid, int tid, long startNs, long durationNs, CudaActivity kind, long bytes) {
        calls.computeIfAbsent(pid, p -> new CallTimeline(CALLS_PER_PROCESS)).add(tid, startNs, durationNs, kind, bytes);
    }

    public void retransmit(long sock, long tsNs, int segments) {
        List<long[]> list = retransmits.computeIfAbsent(sock, s -> new ArrayList<>());
        if (list.size() < RETRANSMITS_PER_SOCKET) {
            list.add(new long[] {tsNs, segments});
        }
    }

    /** CUDA work of {@code pid} that started in [fromNs, toNs]: on {@code tid}, or on any thread when it is 0. */
    CallTimeline.CudaWindow cuda(int pid, int tid, long fromNs, long toNs) {
        CallTimeline t = calls.get(pid);
        return t == null ? new CallTimeline.CudaWindow(0, 0, 0, 0) : t.sum(tid, fromNs, toNs);
    }

    /** Segments retransmitted on {@code sock} in [fromNs, toNs]. */
    long retransmits(long sock, long fromNs, long toNs) {
        List<long[]> list = retransmits.get(sock);
        long n = 0;
        if (list != null) {
            for (long[] r : list) {
                if (r[0] >= fromNs && r[0] <= toNs) {
                    n += r[1];
                }
            }
        }
        return n;
    }
}
