package io.aiscope.probe.http;

import io.aiscope.correlate.TracedRequest;
import io.aiscope.engine.ProcessNames;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * The http family's Prometheus metrics: request durations under the OpenTelemetry HTTP semantic-convention names
 * (dots become underscores), and the LLM serving figures. Observed as each request is correlated.
 */
final class HttpMetrics {
    /** The OTel HTTP duration buckets (seconds). */
    private static final double[] DURATION_BUCKETS =
            {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};
    /** OTel GenAI's time-to-first-token buckets, from 1 ms. */
    private static final double[] TTFT_BUCKETS =
            {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};
    /** OTel GenAI's time-per-output-token buckets, with finer ones below 10 ms for small models. */
    private static final double[] TPOT_BUCKETS =
            {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5};

    private final ProcessNames names;
    private final Histogram serverDuration;
    private final Histogram clientDuration;
    private final Histogram ttft;
    private final Histogram timePerToken;
    private final Counter outputTokens;

    /** Each registry's one set: the http and tls families observe into the same histograms. */
    private static final Map<PrometheusRegistry, HttpMetrics> BY_REGISTRY = new WeakHashMap<>();

    static HttpMetrics in(PrometheusRegistry registry, ProcessNames names) {
        synchronized (BY_REGISTRY) {
            return BY_REGISTRY.computeIfAbsent(registry, r -> new HttpMetrics(r, names));
        }
    }

    private HttpMetrics(PrometheusRegistry registry, ProcessNames names) {
        this.names = names;
        serverDuration = Histogram.builder().name("http_server_request_duration_seconds")
                .help("Duration of HTTP server requests of traced processes: first request byte read to last response"
                        + " byte written")
                .labelNames("pid", "comm", "http_request_method", "http_route", "http_response_status_code",
                        "network_protocol_version", "url_scheme", "error_type")
                .classicUpperBounds(DURATION_BUCKETS).classicOnly().register(registry);
        clientDuration = Histogram.builder().name("http_client_request_duration_seconds")
                .help("Duration of HTTP requests traced processes made: first request byte written to last response"
                        + " byte read")
                .labelNames("pid", "comm", "http_request_method", "url_template", "http_response_status_code",
                        "network_protocol_version", "error_type")
                .classicUpperBounds(DURATION_BUCKETS).classicOnly().register(registry);
        ttft = Histogram.builder().name("aiscope_llm_time_to_first_token_seconds")
                .help("Streamed LLM API calls: request start to the first body chunk after the response head")
                .labelNames("pid", "comm", "role", "gen_ai_operation_name", "gen_ai_request_model", "http_route")
                .classicUpperBounds(TTFT_BUCKETS).classicOnly().register(registry);
        timePerToken = Histogram.builder().name("aiscope_llm_time_per_output_token_seconds")
                .help("Streamed LLM API calls: mean gap between streamed tokens after the first")
                .labelNames("pid", "comm", "role", "gen_ai_operation_name", "gen_ai_request_model", "http_route")
                .classicUpperBounds(TPOT_BUCKETS).classicOnly().register(registry);
        outputTokens = Counter.builder().name("aiscope_llm_output_tokens_total")
                .help("Output tokens of LLM API calls: the response's usage, or its streamed content events without it")
                .labelNames("pid", "comm", "role", "gen_ai_operation_name", "gen_ai_request_model", "http_route")
                .register(registry);
    }

    void observe(TracedRequest r) {
        HttpExchange x = r.exchange();
        String pid = names.pidLabel(x.pid()), comm = names.commLabel(x.pid());
        String status = x.status() == 0 ? "" : Integer.toString(x.status());
        double seconds = Math.max(0, x.durationNs()) / 1e9;
        if (x.role() == HttpExchange.Role.SERVER) {
            serverDuration.labelValues(pid, comm, x.method(), x.route(), status, "1.1", r.tls() ? "https" : "http", errorType(x, 500))
                    .observe(seconds);
        } else {
            clientDuration.labelValues(pid, comm, x.method(), x.route(), status, "1.1", errorType(x, 400))
                    .observe(seconds);
        }
        LlmCall ai = x.llm();
        if (ai == null) {
            return;
        }
        String[] labels = {pid, comm, x.role().name().toLowerCase(java.util.Locale.ROOT), ai.operation(),
                ai.model() == null ? "" : ai.model(), x.route()};
        if (x.streaming() && x.ttftNs() >= 0) {
            ttft.labelValues(labels).observe(x.ttftNs() / 1e9);
        }
        long perToken = Tokens.timePerOutputTokenNs(x);
        if (perToken >= 0) {
            timePerToken.labelValues(labels).observe(perToken / 1e9);
        }
        long tokens = Tokens.outputTokens(x);
        if (tokens > 0) {
            outputTokens.labelValues(labels).inc(tokens);
        }
    }

    /** OTel's error.type: the status code for errors (5xx on servers, 4xx too on clients), or why it was cut short. */
    private static String errorType(HttpExchange x, int fromStatus) {
        return switch (x.outcome()) {
            case ABORTED -> "aborted";
            case CLOSED -> "closed";
            case COMPLETE -> x.status() >= fromStatus ? Integer.toString(x.status()) : "";
        };
    }
}
