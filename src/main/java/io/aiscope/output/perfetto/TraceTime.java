package io.aiscope.output.perfetto;

/**
 * Times as the Trace Event Format wants them: microseconds, written as decimal text, relative to an origin on
 * CLOCK_MONOTONIC (the clock every aiscope event is stamped with).
 *
 * <p>Each value is written as its nanosecond plus half a nanosecond ({@code 1234567 ns -> "1234.5675"}). Readers
 * turn the number back into nanoseconds in one of two ways, and both truncate: Perfetto reads {@code ts} from the
 * decimal text (dropping digits past the nanosecond) but {@code dur} as a double multiplied by 1000, where
 * {@code 1.001 * 1000 = 1000.9999...} would lose a nanosecond. A child slice ending where its parent ends could then
 * end a nanosecond after it, and Perfetto rejects badly nested slices. The extra half nanosecond keeps both readings
 * on the exact nanosecond. Relative times keep the numbers short enough for a double to hold that precision.
 */
final class TraceTime {
    private final long originNs;

    TraceTime(long originNs) {
        this.originNs = originNs;
    }

    long originNs() {
        return originNs;
    }

    /** A timestamp ({@code ts}): {@code monotonicNs} relative to the origin. */
    String ts(long monotonicNs) {
        return micros(monotonicNs - originNs);
    }

    /** A duration ({@code dur}). */
    static String micros(long ns) {
        long abs = Math.abs(ns);
        StringBuilder s = new StringBuilder(24);
        if (ns < 0) {
            s.append('-');
        }
        s.append(abs / 1000).append('.');
        long frac = abs % 1000;
        if (frac < 100) {
            s.append('0');
        }
        if (frac < 10) {
            s.append('0');
        }
        return s.append(frac).append('5').toString();
    }
}
