package io.aiscope.agents;

import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.Session;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Client-side LLM call metrics under the OpenTelemetry GenAI names (dots become underscores): operation duration
 * and token usage, plus errors by status. Observed as each call is correlated, over plain HTTP and TLS alike.
 */
public final class LlmMetrics {
    /** OTel GenAI's gen_ai.client.operation.duration buckets (seconds). */
    private static final double[] DURATION_BUCKETS =
            {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
    /** OTel GenAI's gen_ai.client.token.usage buckets. */
    private static final double[] TOKEN_BUCKETS =
            {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
    private static final double[] TTFT_BUCKETS =
            {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};

    private final ProcessNames names;
    private final Histogram duration;
    private final Histogram tokens;
    private final Histogram ttft;
    private final Counter errors;

    private LlmMetrics(PrometheusRegistry registry, ProcessNames names) {
        this.names = names;
        duration = Histogram.builder().name("gen_ai_client_operation_duration_seconds")
                .help("LLM API calls traced processes made: first request byte written to last response byte read")
                .labelNames("pid", "comm", "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model",
                        "server_address", "error_type")
                .classicUpperBounds(DURATION_BUCKETS).classicOnly().register(registry);
        tokens = Histogram.builder().name("gen_ai_client_token_usage")
                .help("Tokens of LLM API calls traced processes made, per call: usage from the response, or output"
                        + " tokens counted from the stream without it")
                .labelNames("pid", "comm", "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model",
                        "server_address", "gen_ai_token_type")
                .classicUpperBounds(TOKEN_BUCKETS).classicOnly().register(registry);
        ttft = Histogram.builder().name("aiscope_llm_client_time_to_first_token_seconds")
                .help("Streamed LLM API calls traced processes made: request start to the first event with generated"
                        + " content")
                .labelNames("pid", "comm", "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model",
                        "server_address")
                .classicUpperBounds(TTFT_BUCKETS).classicOnly().register(registry);
        errors = Counter.builder().name("aiscope_llm_client_errors_total")
                .help("LLM API calls that failed, by HTTP status (0: no response) and API error type (rate limits:"
                        + " status 429)")
                .labelNames("pid", "comm", "gen_ai_provider_name", "gen_ai_request_model", "http_response_status_code",
                        "error_type")
                .register(registry);
    }

    /** Registers the metrics and observes every LLM call {@code session} correlates from now on. */
    public static void register(PrometheusRegistry registry, Session session) {
        LlmMetrics metrics = new LlmMetrics(registry, session.names());
        session.onRequest(r -> {
            ObservedCall c = ObservedCall.of(r);
            if (c != null) {
                metrics.observe(c);
            }
        });
    }

    private void observe(ObservedCall c) {
        String pid = names.pidLabel(c.pid()), comm = names.commLabel(c.pid());
        String model = c.model() == null ? "" : c.model();
        String host = c.host() == null ? "" : Providers.hostName(c.host());
        String errorType = !c.isError() ? "" : c.errorType() != null ? c.errorType()
                : c.status() >= 400 ? Integer.toString(c.status()) : c.outcome();
        duration.labelValues(pid, comm, c.operation(), c.provider(), model, host, errorType)
                .observe(Math.max(0, c.latencyNs()) / 1e9);
        if (c.inputTokens() != null) {
            tokens.labelValues(pid, comm, c.operation(), c.provider(), model, host, "input").observe(c.inputTokens());
        }
        if (c.outputTokens() != null) {
            tokens.labelValues(pid, comm, c.operation(), c.provider(), model, host, "output").observe(c.outputTokens());
        }
        if (c.ttftNs() >= 0) {
            ttft.labelValues(pid, comm, c.operation(), c.provider(), model, host).observe(c.ttftNs() / 1e9);
        }
        if (c.isError()) {
            errors.labelValues(pid, comm, c.provider(), model, Integer.toString(c.status()),
                    c.errorType() == null ? "" : c.errorType()).inc();
        }
    }
}
