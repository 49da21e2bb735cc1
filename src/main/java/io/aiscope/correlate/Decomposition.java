package io.aiscope.correlate;

/**
 * Where a request's time went, as the kernel and the GPU runtime saw it while the request was in flight.
 *
 * @param attribution how the figures were tied to the request
 * @param runQueueNs  time the request's thread(s) were runnable but waiting for a CPU
 * @param onCpuNs     time on CPU; -1 under PROCESS_WINDOW (idle pool threads would blur it)
 * @param offCpuNs    time blocked or sleeping (wall - on CPU - run queue); -1 under PROCESS_WINDOW
 * @param cudaCalls   CUDA runtime/driver calls made
 * @param cudaLaunches kernel launches
 * @param cudaCopyBytes bytes asked of memory copies
 * @param cudaSyncNs  time blocked in CUDA synchronisation calls
 * @param retransmits TCP segments retransmitted on the request's connection
 */
public record Decomposition(Attribution attribution, long runQueueNs, long onCpuNs, long offCpuNs, long cudaCalls,
        long cudaLaunches, long cudaCopyBytes, long cudaSyncNs, long retransmits) {

    public enum Attribution {
        /** One thread handled the whole request: its own counters over [start, end]. */
        THREAD,
        /**
         * The request moved between threads (a pool): process-wide counters over [start, end], which include
         * whatever else the process did then (concurrent requests, background work).
         */
        PROCESS_WINDOW;

        public String label() {
            return this == THREAD ? "thread" : "process-window";
        }
    }
}
