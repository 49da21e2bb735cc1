package io.aiscope.correlate;

import io.aiscope.probe.http.HttpExchange;
import io.aiscope.probe.http.ThreadClock;

/** Turns a finished exchange and what {@link Activity} saw meanwhile into its {@link Decomposition}. */
public final class Decomposer {
    private final Activity activity;

    public Decomposer(Activity activity) {
        this.activity = activity;
    }

    public Decomposition decompose(HttpExchange x) {
        long from = x.startNs(), to = x.endNs(), wall = Math.max(0, to - from);
        ThreadClock a = x.startClock(), b = x.endClock();
        long retransmits = activity.retransmits(x.sock(), from, to);
        if (x.oneThread()) {
            long runQueue = clamp(b.runQueueNs() - a.runQueueNs(), wall);
            long onCpu = clamp(b.onCpuNs() - a.onCpuNs(), wall - runQueue);
            var cuda = activity.cuda(x.pid(), x.startTid(), from, to);
            return new Decomposition(Decomposition.Attribution.THREAD, runQueue, onCpu, wall - runQueue - onCpu,
                    cuda.calls(), cuda.launches(), cuda.copyBytes(), cuda.syncNs(), retransmits);
        }
        var cuda = activity.cuda(x.pid(), 0, from, to);
        return new Decomposition(Decomposition.Attribution.PROCESS_WINDOW,
                Math.max(0, b.processRunQueueNs() - a.processRunQueueNs()), -1, -1, cuda.calls(), cuda.launches(),
                cuda.copyBytes(), cuda.syncNs(), retransmits);
    }

    /** Counter differences within [0, limit]: the first byte's reading is taken a moment after the timestamp. */
    private static long clamp(long v, long limit) {
        return Math.max(0, Math.min(v, Math.max(0, limit)));
    }
}
