package io.aiscope.probe.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.OtlpReceiver;
import io.aiscope.testing.ModelServer;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code aiscope run --json --otlp-endpoint -- script}: a script that starts the model server, runs the load client
 * against it and stops the server; both are traced, so each request is seen twice (server and client side).
 */
@Tag("kernel")
class HttpRunReportKernelTest {
    private static final int STREAMS = 6;

    @Test
    void runReportAndOtlpSpansHoldEveryRequestWithRoutesAndQuantiles() throws Exception {
        Path dir = Files.createTempDirectory("aiscope-http-run");
        String script = ModelServer.serveAndLoad(dir, "--scenario", "stream", "--requests", Integer.toString(STREAMS));
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Aiscope.Traced t = Aiscope.trace(List.of("--otlp-endpoint", receiver.baseUrl()), "sh", "-c", script);
            assertThat(t.result().exitCode()).as(t.result().stderr()).isZero();
            JsonNode http = t.report().get("http");
            assertThat(http.get("requests").asLong()).as(http.toString()).isEqualTo(2 * STREAMS);
            assertThat(http.get("errors").asLong()).isZero();
            assertThat(http.get("parse_errors").asLong()).isZero();
            JsonNode served = route(http, "server");
            assertThat(served.get("route").asText()).isEqualTo("/v1/chat/completions");
            assertThat(served.get("count").asLong()).isEqualTo(STREAMS);
            for (String q : List.of("p50", "p95", "p99")) {
                assertThat(served.at("/latency_ms/" + q).asDouble()).isPositive();
            }
            assertThat(served.at("/ttft_ms/p50").asDouble()).isPositive()
                    .isLessThanOrEqualTo(served.at("/ttft_ms/p99").asDouble())
                    .isLessThan(served.at("/latency_ms/p99").asDouble());
            assertThat(served.get("model").asText()).isEqualTo("tiny-lm");
            List<JsonNode> measured = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("client.ndjson"))) {
                measured.add(Aiscope.JSON.readTree(line));
            }
            long tokens = measured.stream().mapToLong(m -> m.get("events").asLong() - 1).sum(); // less the usage chunk
            assertThat(served.get("output_tokens").asLong()).isEqualTo(tokens);
            assertThat(route(http, "client").get("count").asLong()).isEqualTo(STREAMS);
            JsonNode slowest = http.get("slowest").get(0);
            assertThat(slowest.get("decomposition").get("attribution").asText()).isIn("thread", "process-window");
            assertThat(t.result().stderr()).contains("[http] " + 2 * STREAMS + " requests");
            assertThat(t.result().stderr()).containsPattern("aiscope: OTLP: \\d+ spans to .*: \\d+ exported, 0 failed, 0 dropped");

            List<OtlpReceiver.Received> spans = receiver.spans();
            List<OtlpReceiver.Received> requests = spans.stream()
                    .filter(s -> s.span().getParentSpanId().isEmpty()).toList();
            assertThat(requests).hasSize(2 * STREAMS);
            assertThat(requests.stream().filter(s -> s.span().getKind() == Span.SpanKind.SPAN_KIND_SERVER)).hasSize(STREAMS);
            for (OtlpReceiver.Received r : requests) {
                assertThat(r.span().getName()).isEqualTo("POST /v1/chat/completions");
                var a = r.attributes();
                assertThat(a.get("http.request.method").getStringValue()).isEqualTo("POST");
                assertThat(a.get("http.response.status_code").getIntValue()).isEqualTo(200);
                assertThat(a.get("gen_ai.operation.name").getStringValue()).isEqualTo("chat");
                assertThat(a.get("gen_ai.request.model").getStringValue()).isEqualTo("tiny-lm");
                assertThat(r.span().getEventsCount()).isPositive(); // the tokens
                assertThat(spans.stream().filter(s -> s.span().getParentSpanId().equals(r.span().getSpanId())))
                        .as("phases").isNotEmpty();
            }
        }
    }

    private static JsonNode route(JsonNode http, String role) {
        return StreamSupport.stream(http.get("routes").spliterator(), false)
                .filter(r -> r.get("role").asText().equals(role)).findFirst().orElseThrow();
    }
}
