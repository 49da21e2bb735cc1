package io.aiscope.probe.tls;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.ProcessNames;
import io.aiscope.probe.http.RequestFields;
import org.HdrHistogram.Histogram;

import java.util.Map;
import java.util.TreeMap;

/**
 * TLS handshakes of traced processes: each one's time from the first handshake call on its SSL to the one that
 * returned 1, per process; and those begun that never succeeded before SSL_free. Written by the event thread, read
 * by the report: every access holds this object's lock.
 */
final class Handshakes {
    /** One process's handshakes. */
    private static final class PerProcess {
        final Histogram latencyNs = new Histogram(3);
        long unfinished;
    }

    private final Map<Integer, PerProcess> byProcess = new TreeMap<>();

    synchronized void completed(int pid, long durationNs) {
        byProcess.computeIfAbsent(pid, p -> new PerProcess()).latencyNs.recordValue(Math.max(0, durationNs));
    }

    synchronized void unfinished(int pid) {
        byProcess.computeIfAbsent(pid, p -> new PerProcess()).unfinished++;
    }

    /** {count, unfinished, p50_ms, p99_ms} over all processes, then the same per process. */
    synchronized void write(ObjectNode o, ProcessNames names) {
        Histogram all = new Histogram(3);
        long unfinished = 0;
        for (PerProcess p : byProcess.values()) {
            all.add(p.latencyNs);
            unfinished += p.unfinished;
        }
        figures(o, all, unfinished);
        ArrayNode processes = o.putArray("processes");
        byProcess.forEach((pid, p) -> {
            ObjectNode row = processes.addObject();
            row.put("pid", pid);
            row.put("process", names.comm(pid));
            figures(row, p.latencyNs, p.unfinished);
        });
    }

    private static void figures(ObjectNode o, Histogram h, long unfinished) {
        o.put("count", h.getTotalCount());
        o.put("unfinished", unfinished);
        if (h.getTotalCount() > 0) {
            o.put("p50_ms", RequestFields.ms(h.getValueAtPercentile(50)));
            o.put("p99_ms", RequestFields.ms(h.getValueAtPercentile(99)));
            o.put("max_ms", RequestFields.ms(h.getMaxValue()));
        }
    }
}
