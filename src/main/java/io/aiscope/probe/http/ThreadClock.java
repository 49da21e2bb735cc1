package io.aiscope.probe.http;

/**
 * Scheduler counters read in the kernel at one socket call, on the calling thread: cumulative since the thread
 * (or, for {@code processRunQueueNs}, tracing of the process) began. Differences between two readings on the same
 * thread split the wall time between them into on-CPU, run-queue wait and the rest (blocked, sleeping).
 */
public record ThreadClock(long runQueueNs, long onCpuNs, long processRunQueueNs) {
    public static final ThreadClock NONE = new ThreadClock(0, 0, 0);
}
