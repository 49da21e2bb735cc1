package io.aiscope.output.perfetto;

import io.aiscope.probe.http.HttpExchange;

import java.util.ArrayList;
import java.util.List;

/**
 * The consecutive phases of one HTTP exchange, to draw as child slices of the request: for a server, "receive"
 * (request start to its last byte), "process" (until the response head), then "first token" and "stream" for a
 * streamed response, or "send"; for a client, "send", "wait", then "first token" and "stream", or "receive".
 *
 * <p>Moments that did not occur are 0 in an exchange (a request cut short has no response), and the kernel's
 * moments can disagree by a little across threads; every boundary is therefore clamped into the request and made
 * non-decreasing, and empty phases are left out, so the phases always nest inside the request and never overlap.
 */
final class RequestPhases {
    /** One phase, [startNs, endNs] on CLOCK_MONOTONIC, with endNs > startNs. */
    record Phase(String name, long startNs, long endNs) {}

    private RequestPhases() {}

    /** The request's own extent: startNs to endNs, never negative. */
    static long endNs(HttpExchange x) {
        return Math.max(x.startNs(), x.endNs());
    }

    static List<Phase> of(HttpExchange x) {
        boolean server = x.role() == HttpExchange.Role.SERVER;
        long start = x.startNs();
        long end = endNs(x);
        List<Phase> phases = new ArrayList<>(4);
        long requestEnd = x.requestEndNs() > 0 ? clamp(x.requestEndNs(), start, end) : end;
        add(phases, server ? "receive" : "send", start, requestEnd);
        long responseStart = x.responseStartNs() > 0 ? clamp(x.responseStartNs(), requestEnd, end) : end;
        add(phases, server ? "process" : "wait", requestEnd, responseStart);
        if (x.streaming() && x.firstBodyNs() > 0) {
            long firstBody = clamp(x.firstBodyNs(), responseStart, end);
            add(phases, "first token", responseStart, firstBody);
            add(phases, "stream", firstBody, end);
        } else {
            add(phases, server ? "send" : "receive", responseStart, end);
        }
        return phases;
    }

    private static void add(List<Phase> phases, String name, long start, long end) {
        if (end > start) {
            phases.add(new Phase(name, start, end));
        }
    }

    private static long clamp(long t, long lo, long hi) {
        return Math.min(Math.max(t, lo), hi);
    }
}
