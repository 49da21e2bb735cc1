package io.aiscope.output.otlp;

import java.time.Instant;

/**
 * Turns CLOCK_MONOTONIC nanoseconds (the kernel's event stamps; {@link System#nanoTime()} reads the same clock on
 * Linux) into Unix-epoch nanoseconds, which OTLP carries. One offset for the whole run keeps every span's length
 * exactly what the monotonic clock measured, even when the wall clock is stepped meanwhile.
 */
record EpochClock(long offsetNs) {
    private static final int SAMPLES = 8;

    /** The offset from the tightest of a few (nanoTime, wall clock, nanoTime) brackets: its width bounds the error. */
    static EpochClock sample() {
        long narrowest = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < SAMPLES; i++) {
            long before = System.nanoTime();
            Instant wall = Instant.now();
            long after = System.nanoTime();
            if (after - before < narrowest) {
                narrowest = after - before;
                offset = wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - (before + (after - before) / 2);
            }
        }
        return new EpochClock(offset);
    }

    long epochNanos(long monotonicNs) {
        return monotonicNs + offsetNs;
    }
}
