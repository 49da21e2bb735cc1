package io.aiscope.probe.proc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.correlate.ProcessAction;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files traced processes opened: counts of every open, and the paths opened for writing (what a process
 * changes in the world), most opened first. Bounded: the first {@link #MAX_PATHS} written paths are followed;
 * opens of later ones, and of those not listed, are counted as left out.
 */
final class FileOpens {
    static final int MAX_PATHS = 1024;
    static final int SHOWN = 100;

    private static final class Written {
        long count;
        long failed;
        final Map<Long, Long> errors = new TreeMap<>(); // by -errno: a few dozen at most

        void add(long result) {
            count++;
            if (result < 0) {
                failed++;
                errors.merge(result, 1L, Long::sum);
            }
        }
    }

    private final Map<String, Written> written = new LinkedHashMap<>();
    private long opens;
    private long failed;
    private long forWriting;
    private long pathsCut;
    private long writtenUntracked;

    synchronized void add(ProcessAction.FileOpen open, boolean pathCut) {
        opens++;
        if (open.result() < 0) {
            failed++;
        }
        if (pathCut) {
            pathsCut++;
        }
        if (!open.forWriting()) {
            return;
        }
        forWriting++;
        Written w = written.get(open.path());
        if (w == null && written.size() < MAX_PATHS) {
            w = new Written();
            written.put(open.path(), w);
        }
        if (w == null) {
            writtenUntracked++;
        } else {
            w.add(open.result());
        }
    }

    synchronized void write(ObjectNode files) {
        files.put("opens", opens);
        files.put("failed", failed);
        files.put("for_writing", forWriting);
        files.put("paths_cut", pathsCut);
        var list = files.putArray("written");
        long leftOut = writtenUntracked;
        int shown = 0;
        // A stable sort: equally frequent paths stay in the order they were first opened.
        for (var e : written.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, Written> x) -> x.getValue().count).reversed())
                .toList()) {
            Written w = e.getValue();
            if (shown++ >= SHOWN) {
                leftOut += w.count;
                continue;
            }
            ObjectNode o = list.addObject();
            o.put("path", e.getKey());
            o.put("count", w.count);
            o.put("failed", w.failed);
            ObjectNode errors = o.putObject("errors");
            w.errors.forEach((code, n) -> errors.put(Long.toString(code), n));
        }
        files.put("written_opens_left_out", leftOut);
    }
}
