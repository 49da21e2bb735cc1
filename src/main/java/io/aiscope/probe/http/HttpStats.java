package io.aiscope.probe.http;

import io.aiscope.correlate.TracedRequest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The http family's view: per-route distributions, the slowest requests, the most recent ones. Written by the event
 * thread, read by the report, the metrics and the live view: every access holds this object's lock.
 */
public final class HttpStats {
    static final int SLOWEST_KEPT = 10;
    static final int RECENT_KEPT = 4096;
    /** Route rows beyond this (many processes times many routes) are summed into one "other" row per process. */
    static final int MAX_ROUTE_ROWS = 2000;

    final Map<RouteStats.RouteKey, RouteStats> routes = new LinkedHashMap<>();
    private final PriorityQueue<TracedRequest> slowest =
            new PriorityQueue<>(Comparator.comparingLong(r -> r.exchange().durationNs()));
    private final ArrayDeque<TracedRequest> recent = new ArrayDeque<>();
    long requests;
    long errors;
    long aborted;
    long parseErrors;
    long nonHttpConnections;
    long connectionsEvicted;

    synchronized void add(TracedRequest r) {
        HttpExchange x = r.exchange();
        requests++;
        if (x.isError()) {
            errors++;
        }
        if (x.outcome() != HttpExchange.Outcome.COMPLETE) {
            aborted++;
        }
        RouteStats.RouteKey key = new RouteStats.RouteKey(x.pid(), x.role(), x.method(), x.route());
        if (!routes.containsKey(key) && routes.size() >= MAX_ROUTE_ROWS) {
            key = new RouteStats.RouteKey(x.pid(), x.role(), x.method(), "other");
        }
        routes.computeIfAbsent(key, RouteStats::new).add(x);
        slowest.add(r);
        if (slowest.size() > SLOWEST_KEPT) {
            slowest.poll();
        }
        recent.addLast(r);
        if (recent.size() > RECENT_KEPT) {
            recent.removeFirst();
        }
    }

    synchronized void parseErrors(long n) {
        parseErrors += n;
    }

    synchronized void nonHttpConnection() {
        nonHttpConnections++;
    }

    synchronized void connectionEvicted() {
        connectionsEvicted++;
    }

    /** The slowest requests so far, slowest first. */
    public synchronized List<TracedRequest> slowest() {
        List<TracedRequest> list = new ArrayList<>(slowest);
        list.sort(Comparator.comparingLong((TracedRequest r) -> r.exchange().durationNs()).reversed());
        return list;
    }

    /** Requests that finished at or after {@code sinceNs} (CLOCK_MONOTONIC), oldest first; at most the last few hundred. */
    public synchronized List<TracedRequest> recent(long sinceNs) {
        return recent.stream().filter(r -> r.exchange().endNs() >= sinceNs).toList();
    }

    public synchronized long requests() {
        return requests;
    }
}
