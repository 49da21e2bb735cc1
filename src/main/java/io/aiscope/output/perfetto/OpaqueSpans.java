package io.aiscope.output.perfetto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link TrackNesting} still knows of slices it has let go: disjoint time spans that hold them, whose inside is
 * no longer known. A new slice is safe against them only if it contains a span whole or stays out of it; anything
 * else might cross a forgotten slice, so it is refused. A span may be wider than what it holds (that only refuses
 * more), which lets spans be merged to keep their number bounded.
 */
final class OpaqueSpans {
    private final int limit;
    private final TreeMap<Long, Long> spans = new TreeMap<>(); // start -> end, disjoint

    OpaqueSpans(int limit) {
        if (limit < 2) {
            throw new IllegalArgumentException("limit must be at least 2");
        }
        this.limit = limit;
    }

    /** Whether a slice [start, end] is sure not to cross anything inside the spans. */
    boolean allows(long start, long end) {
        // Spans overlapping (start, end) are consecutive; all but the first and the last lie strictly inside it.
        return allows(spans.floorEntry(start), start, end) && allows(spans.lowerEntry(end), start, end);
    }

    private static boolean allows(Map.Entry<Long, Long> span, long start, long end) {
        if (span == null || span.getValue() <= start || span.getKey() >= end) {
            return true; // no overlap
        }
        return start <= span.getKey() && span.getValue() <= end; // contains it whole
    }

    /** Adds a span, merged with those it overlaps; past the limit, the closest neighbours are merged. */
    void add(long start, long end) {
        Map.Entry<Long, Long> before = spans.floorEntry(start);
        if (before != null && before.getValue() > start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
            spans.remove(before.getKey());
        }
        for (Map.Entry<Long, Long> next = spans.ceilingEntry(start); next != null && next.getKey() < end;
                next = spans.ceilingEntry(start)) {
            end = Math.max(end, next.getValue());
            spans.remove(next.getKey());
        }
        spans.put(start, end);
        if (spans.size() > limit) {
            halve();
        }
    }

    /**
     * Merges across the smallest gaps until half the spans are left: slices close together (the CUDA calls of one
     * request) become one span, while the larger gaps (between requests) stay, so that a later slice spanning a
     * whole group is still allowed.
     */
    private void halve() {
        List<long[]> list = new ArrayList<>(spans.size());
        spans.forEach((s, e) -> list.add(new long[] {s, e}));
        long[] gaps = new long[list.size() - 1];
        for (int i = 1; i < list.size(); i++) {
            gaps[i - 1] = list.get(i)[0] - list.get(i - 1)[1];
        }
        long[] sorted = gaps.clone();
        Arrays.sort(sorted);
        int merges = list.size() / 2;
        long threshold = sorted[merges - 1];
        int budgetAtThreshold = merges;
        for (long g : sorted) {
            if (g < threshold) {
                budgetAtThreshold--;
            }
        }
        spans.clear();
        long[] current = list.getFirst();
        for (int i = 1; i < list.size(); i++) {
            long gap = gaps[i - 1];
            boolean merge = gap < threshold || (gap == threshold && budgetAtThreshold-- > 0);
            if (merge) {
                current[1] = Math.max(current[1], list.get(i)[1]);
            } else {
                spans.put(current[0], current[1]);
                current = list.get(i);
            }
        }
        spans.put(current[0], current[1]);
    }

    int size() {
        return spans.size();
    }
}
