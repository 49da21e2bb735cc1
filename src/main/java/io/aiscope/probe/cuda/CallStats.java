package io.aiscope.probe.cuda;

import org.HdrHistogram.Histogram;

import java.util.Map;
import java.util.TreeMap;

/** Calls of one CUDA function: how many, which failed with which code, how long they took. */
final class CallStats {
    long count;
    long errors;
    /** Driver calls made inside a runtime call (its implementation): in {@link #count}, in no other aggregate. */
    long insideRuntime;
    long bytes;
    long totalNs;
    final Map<Integer, Long> errorsByCode = new TreeMap<>();
    final Histogram latencyNs = new Histogram(3);

    void record(int ret, long durationNs, long requestedBytes) {
        count++;
        bytes += requestedBytes;
        totalNs += durationNs;
        latencyNs.recordValue(Math.max(0, durationNs));
        if (ret != 0) {
            errors++;
            errorsByCode.merge(ret, 1L, Long::sum);
        }
    }
}
