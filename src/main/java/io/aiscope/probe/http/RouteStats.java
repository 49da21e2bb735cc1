package io.aiscope.probe.http;

import org.HdrHistogram.Histogram;

import java.util.Map;
import java.util.TreeMap;

/** Requests of one route of one process (and role): counts and distributions, in nanoseconds. */
final class RouteStats {
    final RouteKey key;
    long count;
    long errors;
    long aborted;
    final Map<Integer, Long> byStatus = new TreeMap<>();
    final Histogram latencyNs = new Histogram(3);
    final Histogram ttftNs = new Histogram(3);
    final Histogram timePerTokenNs = new Histogram(3);
    long outputTokens;
    long requestBytes;
    long responseBytes;
    String model;

    RouteStats(RouteKey key) {
        this.key = key;
    }

    void add(HttpExchange x) {
        count++;
        if (x.isError()) {
            errors++;
        }
        if (x.outcome() != HttpExchange.Outcome.COMPLETE) {
            aborted++;
        }
        byStatus.merge(x.status(), 1L, Long::sum);
        latencyNs.recordValue(Math.max(0, x.durationNs()));
        if (x.streaming() && x.ttftNs() >= 0) {
            ttftNs.recordValue(x.ttftNs());
        }
        long perToken = Tokens.timePerOutputTokenNs(x);
        if (perToken >= 0) {
            timePerTokenNs.recordValue(perToken);
        }
        outputTokens += Tokens.outputTokens(x);
        requestBytes += x.requestBytes();
        responseBytes += x.responseBytes();
        if (x.llm() != null && x.llm().model() != null) {
            model = x.llm().model();
        }
    }

    /** Which requests a route row stands for. */
    record RouteKey(int pid, HttpExchange.Role role, String method, String route) {}
}
