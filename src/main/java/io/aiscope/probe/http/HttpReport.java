package io.aiscope.probe.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.correlate.TracedRequest;
import io.aiscope.engine.ProcessNames;
import org.HdrHistogram.Histogram;

import java.util.Comparator;

/**
 * A requests section of the run report (http's; tls's for the requests read from TLS plaintext): totals, one row
 * per route, the slowest requests with their decomposition.
 */
public final class HttpReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpStats stats;

    public HttpReport(HttpStats stats) {
        this.stats = stats;
    }

    public void write(ObjectNode section, ProcessNames names, long inFlight) {
        synchronized (stats) {
            section.put("requests", stats.requests);
            section.put("errors", stats.errors);
            section.put("aborted", stats.aborted);
            section.put("in_flight", inFlight);
            section.put("parse_errors", stats.parseErrors);
            section.put("non_http_connections", stats.nonHttpConnections);
            section.put("connections_evicted", stats.connectionsEvicted);
            ArrayNode routes = section.putArray("routes");
            // A route's server side, then its client side (the same route seen from a traced caller).
            stats.routes.values().stream()
                    .sorted(Comparator.comparing((RouteStats r) -> r.key.route())
                            .thenComparing(r -> r.key.method()).thenComparing(r -> r.key.role())
                            .thenComparingInt(r -> r.key.pid()))
                    .forEach(r -> route(routes.addObject(), r, names));
        }
        ArrayNode slowest = section.putArray("slowest");
        for (TracedRequest r : stats.slowest()) {
            ObjectNode o = JSON.valueToTree(RequestFields.of(r));
            o.put("pid", r.exchange().pid());
            o.put("process", names.comm(r.exchange().pid()));
            slowest.add(o);
        }
    }

    private static void route(ObjectNode o, RouteStats r, ProcessNames names) {
        o.put("pid", r.key.pid());
        o.put("process", names.comm(r.key.pid()));
        o.put("role", r.key.role().name().toLowerCase(java.util.Locale.ROOT));
        o.put("method", r.key.method());
        o.put("route", r.key.route());
        o.put("count", r.count);
        o.put("errors", r.errors);
        o.put("aborted", r.aborted);
        ObjectNode status = o.putObject("status");
        r.byStatus.forEach((code, n) -> status.put(Integer.toString(code), n));
        quantiles(o.putObject("latency_ms"), r.latencyNs, true);
        if (r.ttftNs.getTotalCount() > 0) {
            quantiles(o.putObject("ttft_ms"), r.ttftNs, false);
        }
        if (r.timePerTokenNs.getTotalCount() > 0) {
            quantiles(o.putObject("time_per_output_token_ms"), r.timePerTokenNs, false);
        }
        if (r.outputTokens > 0) {
            o.put("output_tokens", r.outputTokens);
        }
        if (r.model != null) {
            o.put("model", r.model);
        }
        o.put("request_bytes", r.requestBytes);
        o.put("response_bytes", r.responseBytes);
    }

    private static void quantiles(ObjectNode o, Histogram h, boolean withP95) {
        o.put("p50", RequestFields.ms(h.getValueAtPercentile(50)));
        if (withP95) {
            o.put("p95", RequestFields.ms(h.getValueAtPercentile(95)));
        }
        o.put("p99", RequestFields.ms(h.getValueAtPercentile(99)));
        o.put("max", RequestFields.ms(h.getMaxValue()));
    }
}
