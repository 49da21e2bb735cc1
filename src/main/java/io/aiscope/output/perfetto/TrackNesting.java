package io.aiscope.output.perfetto;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * The slices placed on one thread's track so far, to decide whether another one nests with all of them. Perfetto
 * (like the Trace Event Format) requires the complete slices of a track to nest: two slices either lie one inside
 * the other or do not overlap. One that crosses another is dropped or breaks the track, so a slice that would cross
 * goes elsewhere (an async track) instead.
 *
 * <p>Slices arrive in no set order: a CUDA call arrives when it ends (inner calls before the outer one), a request
 * after everything it contains, and families' rings are read in turn. So the placed slices are kept as a forest,
 * each slice holding those inside it, and a check walks the chain of slices around each end of the candidate. The
 * forest is bounded: past {@code liveLimit} slices the oldest top-level ones are let go into {@link OpaqueSpans},
 * which answers conservatively. Zero-length slices cannot cross anything and are not kept.
 */
final class TrackNesting {
    static final int LIVE_LIMIT = 8192;
    static final int OPAQUE_LIMIT = 512;

    private final int liveLimit;
    private final TreeMap<Long, Node> roots = new TreeMap<>();
    private final OpaqueSpans forgotten;
    private int live;
    private long lastEnd = Long.MIN_VALUE; // the latest end of any slice placed

    TrackNesting() {
        this(LIVE_LIMIT, OPAQUE_LIMIT);
    }

    TrackNesting(int liveLimit, int opaqueLimit) {
        this.liveLimit = liveLimit;
        this.forgotten = new OpaqueSpans(opaqueLimit);
    }

    private static final class Node {
        final long start;
        final long end;
        TreeMap<Long, Node> children; // disjoint, by start; null when none

        Node(long start, long end) {
            this.start = start;
            this.end = end;
        }
    }

    /** Whether a slice [start, end] nests with every slice placed (or let go) so far. */
    boolean fits(long start, long end) {
        if (end <= start || start >= lastEnd) {
            return true; // the common case: after everything placed so far
        }
        return !crossesLive(start, end) && forgotten.allows(start, end);
    }

    private boolean crossesLive(long start, long end) {
        // A placed slice strictly around `start` that ends before `end` crosses it ([a < start < b < end]) ...
        for (TreeMap<Long, Node> level = roots; level != null; ) {
            Map.Entry<Long, Node> e = level.lowerEntry(start);
            if (e == null || e.getValue().end <= start) {
                break; // siblings are disjoint: an earlier one ends earlier still
            }
            Node n = e.getValue();
            if (n.end < end) {
                return true;
            }
            level = n.children;
        }
        // ... and so does one strictly around `end` that starts after `start` ([start < a < end < b]).
        for (TreeMap<Long, Node> level = roots; level != null; ) {
            Map.Entry<Long, Node> e = level.lowerEntry(end);
            if (e == null || e.getValue().end <= end) {
                break;
            }
            Node n = e.getValue();
            if (n.start > start) {
                return true;
            }
            level = n.children;
        }
        return false;
    }

    /** Places a slice that {@link #fits}; it takes in the placed slices it contains. */
    void add(long start, long end) {
        if (end <= start) {
            return;
        }
        if (start >= lastEnd) {
            // After everything: a new top-level slice that contains nothing.
            roots.put(start, new Node(start, end));
            lastEnd = end;
            counted();
            return;
        }
        lastEnd = Math.max(lastEnd, end);
        TreeMap<Long, Node> level = roots;
        while (true) {
            Map.Entry<Long, Node> around = level.floorEntry(start);
            if (around == null || around.getValue().end < end) {
                break;
            }
            Node parent = around.getValue();
            if (parent.children == null) {
                parent.children = new TreeMap<>();
            }
            level = parent.children;
        }
        Node node = new Node(start, end);
        Map<Long, Node> inside = level.subMap(start, true, end, false);
        if (!inside.isEmpty()) {
            for (Node n : inside.values()) {
                if (n.end > end) {
                    throw new IllegalStateException("slice [" + start + ", " + end + "] crosses [" + n.start + ", "
                            + n.end + "]: add() needs fits() first");
                }
            }
            node.children = new TreeMap<>(inside);
            inside.clear();
        }
        level.put(start, node);
        counted();
    }

    private void counted() {
        if (++live > liveLimit) {
            forgetOldest(liveLimit * 3 / 4);
        }
    }

    private void forgetOldest(int keep) {
        while (live > keep && !roots.isEmpty()) {
            Node oldest = roots.pollFirstEntry().getValue();
            live -= size(oldest);
            forgotten.add(oldest.start, oldest.end);
        }
    }

    private static int size(Node root) {
        int n = 0;
        ArrayDeque<Node> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Node node = todo.pop();
            n++;
            if (node.children != null) {
                node.children.values().forEach(todo::push);
            }
        }
        return n;
    }

    /** Slices kept in full (for tests of the bound). */
    int live() {
        return live;
    }
}
