package io.aiscope.probe.tcp;

/** Per-process totals of the tcp family; mutated under the {@link TcpStats} lock. */
final class ProcessTcp {
    /** Upper bounds in seconds of the connect-latency buckets (the last is open-ended). */
    static final double[] LATENCY_BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10, Double.POSITIVE_INFINITY};

    final int pid;
    String comm;
    long retransmits;           /* segments, SYN-ACKs included */
    long synackRetransmits;
    final long[] opened = new long[TcpEvent.Role.values().length];
    long closed;
    long connectFailures;
    long open;
    long txBytes, rxBytes;
    final long[] latencyBuckets = new long[LATENCY_BOUNDS.length];
    long latencySumNs;

    ProcessTcp(int pid, String comm) {
        this.pid = pid;
        this.comm = comm;
    }

    void connected(long connectNs) {
        double seconds = connectNs / 1e9;
        int i = 0;
        while (seconds > LATENCY_BOUNDS[i]) {
            i++;
        }
        latencyBuckets[i]++;
        latencySumNs += connectNs;
    }

    long openedTotal() {
        long n = 0;
        for (long o : opened) {
            n += o;
        }
        return n;
    }

    TcpProcessStats view() {
        return new TcpProcessStats(pid, comm, retransmits, openedTotal(), closed, connectFailures, open, txBytes,
                rxBytes);
    }
}
