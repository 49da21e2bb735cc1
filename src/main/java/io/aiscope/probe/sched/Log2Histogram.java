package io.aiscope.probe.sched;

/**
 * The maths of the in-kernel log2 histograms (aiscope.h's {@code log2_slot}): slot 0 holds values 0 and 1, slot
 * k > 0 holds [2^k, 2^(k+1)), the last slot also everything above. Values are whole microseconds truncated from
 * nanoseconds, so a wait in slot k lasted less than 2^(k+1) µs: that is the slot's upper bound.
 */
public final class Log2Histogram {
    public static final int SLOTS = 32;

    private Log2Histogram() {}

    /** Slot a value falls into, as the BPF side computes it. */
    static int slot(long value) {
        return value <= 1 ? 0 : Math.min(63 - Long.numberOfLeadingZeros(value), SLOTS - 1);
    }

    /** Exclusive upper bound of a slot in µs; infinite for the last slot, which is open-ended. */
    public static double upperBound(int slot) {
        return slot == SLOTS - 1 ? Double.POSITIVE_INFINITY : Math.pow(2, slot + 1);
    }

    /**
     * Estimates the {@code q} quantile (0 < q ≤ 1) as the upper bound of the slot holding the ceil(q·count)-th
     * smallest value, capped at the exact maximum: never below the true quantile, and above it by less than a factor two (or 2 µs). 0 when
     * empty.
     */
    public static long quantile(long[] slots, double q, long max) {
        long count = 0;
        for (long n : slots) {
            count += n;
        }
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * count));
        long seen = 0;
        for (int i = 0; i < slots.length; i++) {
            seen += slots[i];
            if (seen >= rank) {
                double bound = upperBound(i);
                return bound > max ? max : (long) bound;
            }
        }
        return max;
    }
}
