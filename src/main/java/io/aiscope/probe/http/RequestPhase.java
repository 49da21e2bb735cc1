package io.aiscope.probe.http;

import java.util.ArrayList;
import java.util.List;

/**
 * A stretch of a request between two of its socket moments, named from the traced process's side: for a server
 * "receive", "process", then "first token" and "stream" for a streamed response, or "send"; for a client "send",
 * "wait", then "first token" and "stream", or "receive". What the outputs draw as a request's children (Perfetto
 * slices, OTLP spans).
 */
public record RequestPhase(String name, long startNs, long endNs) {

    /**
     * The phases that happened, in order. A moment that did not occur is 0 (a request cut short has no response):
     * the phase before it then runs to the request's end. Moments taken on different threads can disagree a little,
     * so each boundary is clamped into the request and kept non-decreasing, and empty phases are left out: the
     * phases always lie inside the request span and never overlap.
     */
    public static List<RequestPhase> of(HttpExchange x) {
        boolean server = x.role() == HttpExchange.Role.SERVER;
        long start = x.startNs();
        long end = endNs(x);
        List<RequestPhase> phases = new ArrayList<>(4);
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

    /** The request's own end: never before its start. */
    public static long endNs(HttpExchange x) {
        return Math.max(x.startNs(), x.endNs());
    }

    private static void add(List<RequestPhase> phases, String name, long startNs, long endNs) {
        if (endNs > startNs) {
            phases.add(new RequestPhase(name, startNs, endNs));
        }
    }

    private static long clamp(long t, long lo, long hi) {
        return Math.min(Math.max(t, lo), hi);
    }
}
