package io.aiscope.probe.sched;

/**
 * What the scheduler did to one traced process (or, summed, to several), as the kernel counted it since the
 * probes attached: the run-queue latency histogram and the context-switch and off-CPU counters.
 *
 * @param slots run-queue waits by log2 of microseconds, see {@link Log2Histogram}
 */
public record ProcessSched(int pid, long[] slots, long count, long sumUs, long maxUs, long switches,
        long involuntary, long offCpuNs) {

    public ProcessSched {
        if (slots.length != Log2Histogram.SLOTS) {
            throw new IllegalArgumentException("expected " + Log2Histogram.SLOTS + " slots, got " + slots.length);
        }
    }

    static ProcessSched empty(int pid) {
        return new ProcessSched(pid, new long[Log2Histogram.SLOTS], 0, 0, 0, 0, 0, 0);
    }

    /** This and {@code o} together, under this one's pid (aggregates, label sets shared by several processes). */
    ProcessSched plus(ProcessSched o) {
        long[] s = slots.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] += o.slots[i];
        }
        return new ProcessSched(pid, s, count + o.count, sumUs + o.sumUs, Math.max(maxUs, o.maxUs),
                switches + o.switches, involuntary + o.involuntary, offCpuNs + o.offCpuNs);
    }

    /** Estimated run-queue latency quantile in µs; see {@link Log2Histogram#quantile}. */
    public long quantileUs(double q) {
        return Log2Histogram.quantile(slots, q, maxUs);
    }

    public long voluntary() {
        return switches - involuntary;
    }

    public double offCpuMs() {
        return offCpuNs / 1e6;
    }
}
