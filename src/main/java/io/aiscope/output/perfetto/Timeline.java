package io.aiscope.output.perfetto;

import io.aiscope.correlate.TracedRequest;
import io.aiscope.engine.TraceEvent;
import io.aiscope.probe.http.HttpExchange;
import io.aiscope.probe.http.RequestPhase;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns aiscope's events and finished requests into trace events, on one thread (the writer's):
 *
 * <ul>
 *   <li>an event with a {@code duration_us} field becomes a complete slice on its thread's track, named by its type
 *       and categorised by its family; any other event an instant there; the event's fields are the args;</li>
 *   <li>a request becomes a slice "{method} {route}" on the thread that read its first byte, with its phases as
 *       child slices ({@link RequestPhases}), each streamed token an instant on the thread that sent the last byte,
 *       and, when that is another thread, a flow arrow from the request to a marker there;</li>
 *   <li>each process and thread gets its name (metadata) before its first event.</li>
 * </ul>
 *
 * A slice that does not nest with what is already on its thread's track ({@link TrackNesting}: overlapping
 * requests of an event loop, say) is drawn as an async slice instead, on a track of its own within the process.
 */
final class Timeline {
    private static final String HTTP = "http";
    /** The type of the event the http and tls families announce a finished request with (trace's line). */
    private static final String REQUEST_EVENT = "request";

    private final ChromeTraceWriter out;
    private final ThreadNames names;
    private final Map<Long, TrackNesting> tracks = new HashMap<>();
    private final Map<Integer, String> processNamed = new HashMap<>();
    private final Map<Long, String> threadNamed = new HashMap<>();
    private long events;
    private long requests;
    private long unnested;
    private long asyncIds;

    Timeline(ChromeTraceWriter out, ThreadNames names) {
        this.out = out;
        this.names = names;
    }

    void add(TraceEvent e) throws IOException {
        if (e.type().equals(REQUEST_EVENT)) {
            return; // drawn from the TracedRequest itself, as a slice with its phases ({@link #add(TracedRequest)})
        }
        named(e.pid(), e.tid());
        if (e.family().equals("proc") && e.type().equals("exec") && e.fields().get("comm") instanceof String comm) {
            rename(e.pid(), comm);
        }
        if (e.fields().get("duration_us") instanceof Number micros) {
            long start = e.monotonicNs();
            long duration = Math.max(0, Math.round(micros.doubleValue() * 1000));
            TrackNesting track = track(e.pid(), e.tid());
            if (track.fits(start, start + duration)) {
                track.add(start, start + duration);
                out.complete(e.type(), e.family(), e.pid(), e.tid(), start, duration, e.fields(), null);
            } else {
                unnested++;
                String id = "unnested-" + (++asyncIds);
                out.asyncBegin(e.type(), e.family(), id, e.pid(), e.tid(), start, e.fields(), null);
                out.asyncEnd(e.type(), e.family(), id, e.pid(), e.tid(), start + duration);
            }
        } else {
            out.instant(e.type(), e.family(), e.pid(), e.tid(), e.monotonicNs(), e.fields());
        }
        events++;
    }

    void add(TracedRequest r) throws IOException {
        HttpExchange x = r.exchange();
        int pid = x.pid();
        named(pid, x.startTid());
        named(pid, x.endTid());
        String name = RequestArgs.name(x);
        long start = x.startNs();
        long end = RequestPhase.endNs(x);
        List<RequestPhase> phases = RequestPhase.of(x);
        Map<String, Object> args = RequestArgs.of(r);
        boolean handedOff = x.endTid() != x.startTid();
        Flow flow = handedOff ? Flow.out(r.id()) : null;

        TrackNesting track = track(pid, x.startTid());
        if (fits(track, start, end, phases)) {
            track.add(start, end);
            out.complete(name, HTTP, pid, x.startTid(), start, end - start, args, flow);
            for (RequestPhase p : phases) {
                track.add(p.startNs(), p.endNs());
                out.complete(p.name(), HTTP, pid, x.startTid(), p.startNs(), p.endNs() - p.startNs(), null, null);
            }
        } else {
            // Its own async track (id = request id): begins and ends in time order, an end before a begin at the
            // same moment, so that readers that keep file order for equal times nest them right too.
            unnested++;
            String id = Long.toString(r.id());
            out.asyncBegin(name, HTTP, id, pid, x.startTid(), start, args, flow);
            for (RequestPhase p : phases) {
                out.asyncBegin(p.name(), HTTP, id, pid, x.startTid(), p.startNs(), null, null);
                out.asyncEnd(p.name(), HTTP, id, pid, x.startTid(), p.endNs());
            }
            out.asyncEnd(name, HTTP, id, pid, x.startTid(), end);
        }
        long[] tokens = x.tokenNs() == null ? new long[0] : x.tokenNs();
        for (int i = 0; i < tokens.length; i++) {
            out.instant("token", HTTP, pid, x.endTid(), tokens[i], Map.of("request_id", r.id(), "index", i));
        }
        if (handedOff) {
            // Zero-length, so it nests anywhere; a slice rather than an instant, because flows bind to slices.
            String marker = x.role() == HttpExchange.Role.SERVER ? "response sent" : "response received";
            out.complete(marker, HTTP, pid, x.endTid(), end, 0, Map.of("request_id", r.id()), Flow.in(r.id()));
        }
        requests++;
    }

    private static boolean fits(TrackNesting track, long start, long end, List<RequestPhase> phases) {
        // Nesting is pairwise, and the phases nest in the request by construction: each checks on its own.
        if (!track.fits(start, end)) {
            return false;
        }
        for (RequestPhase p : phases) {
            if (!track.fits(p.startNs(), p.endNs())) {
                return false;
            }
        }
        return true;
    }

    private TrackNesting track(int pid, int tid) {
        return tracks.computeIfAbsent(key(pid, tid), k -> new TrackNesting());
    }

    private static long key(int pid, int tid) {
        return ((long) pid << 32) | (tid & 0xffffffffL);
    }

    /** Writes the process's and thread's names before their first event, and again when they change. */
    private void named(int pid, int tid) throws IOException {
        if (!processNamed.containsKey(pid)) {
            String name = names.process(pid);
            processNamed.put(pid, name);
            out.processName(pid, name);
        }
        long key = key(pid, tid);
        if (!threadNamed.containsKey(key)) {
            String name = names.thread(pid, tid);
            threadNamed.put(key, name);
            out.threadName(pid, tid, name);
        }
    }

    /** After an exec: the process and its main thread go by the new program's name (the last metadata wins). */
    private void rename(int pid, String comm) throws IOException {
        names.renamed(pid, comm);
        if (!comm.equals(processNamed.put(pid, comm))) {
            out.processName(pid, comm);
        }
        if (!comm.equals(threadNamed.put(key(pid, pid), comm))) {
            out.threadName(pid, pid, comm);
        }
    }

    /** Events written (each once, as a slice or an instant). */
    long events() {
        return events;
    }

    long requests() {
        return requests;
    }

    /** Slices (events or requests) that did not nest on their thread's track and went to an async track. */
    long unnested() {
        return unnested;
    }
}
