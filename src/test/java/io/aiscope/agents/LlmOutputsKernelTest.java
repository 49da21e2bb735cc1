package io.aiscope.agents;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.LiveCommand;
import io.aiscope.testing.LlmEndpoint;
import io.aiscope.testing.OtlpReceiver;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The LLM calls a Python client makes over TLS, in the outputs other than the run report: Prometheus (OTel GenAI
 * client metrics, errors by status), OTLP spans with {@code gen_ai.*} attributes, and the Perfetto timeline with the
 * calls and the client's process events.
 */
@Tag("kernel")
class LlmOutputsKernelTest extends EndpointKernelTest {
    private static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/metrics");
    /** Two answered calls (one streamed with usage, one Anthropic-style) and a rate-limited one. */
    private static final List<String> SCENARIO = List.of(
            "chat stream-usage 6 keep - the quick brown fox",
            "messages whole 4 keep - hello claude",
            "chat whole 8 keep rate_limit=1 limited please");

    private static List<String> client() {
        return endpoint.python(LlmEndpoint.scenario(dir, SCENARIO.toArray(String[]::new)));
    }

    @Test
    void serveCountsEveryCallUnderTheGenAiNames() throws Exception {
        // The client waits for a line on stdin, so that aiscope can trace it (-p) before its first call.
        List<String> gated = new ArrayList<>(List.of("sh", "-c", "read go; exec \"$@\"", "sh"));
        gated.addAll(client());
        Process client = new ProcessBuilder(gated).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (LiveCommand serve = new LiveCommand("serve", "-p", Long.toString(client.pid()), "--probes", "tls",
                "--listen", "127.0.0.1:0")) {
            Matcher url = URL.matcher(serve.awaitStderr(l -> URL.matcher(l).find(), Duration.ofSeconds(60)));
            assertThat(url.find()).isTrue();
            try (OutputStream in = client.getOutputStream()) {
                in.write("go\n".getBytes());
            }
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            List<JsonNode> measured = LlmKernelRuns.ndjson(new String(client.getInputStream().readAllBytes()));
            assertThat(measured).hasSize(SCENARIO.size());

            String metrics = scrapeUntil(url.group(), m -> sum(m, "gen_ai_client_operation_duration_seconds_count{") == 3);
            assertThat(line(metrics, "gen_ai_client_operation_duration_seconds_count{", "gen_ai_operation_name=\"chat\""))
                    .contains("gen_ai_provider_name=\"127.0.0.1\"", "gen_ai_request_model=\"tiny-lm\"",
                            "server_address=\"127.0.0.1\"");
            long input = measured.stream().filter(r -> r.get("status").asInt() == 200)
                    .mapToLong(r -> r.get("input_tokens").asLong()).sum();
            long output = measured.stream().filter(r -> r.get("status").asInt() == 200)
                    .mapToLong(r -> r.get("output_tokens").asLong()).sum();
            assertThat(sum(metrics, "gen_ai_client_token_usage_sum{", "gen_ai_token_type=\"input\"")).isEqualTo(input);
            assertThat(sum(metrics, "gen_ai_client_token_usage_sum{", "gen_ai_token_type=\"output\"")).isEqualTo(output);
            assertThat(sum(metrics, "gen_ai_client_token_usage_count{", "gen_ai_token_type=\"output\"")).isEqualTo(2);
            assertThat(line(metrics, "aiscope_llm_client_errors_total{", "http_response_status_code=\"429\""))
                    .contains("error_type=\"rate_limit_exceeded\"").endsWith(" 1.0");
            assertThat(sum(metrics, "aiscope_llm_client_time_to_first_token_seconds_count{")).isEqualTo(1);
        } finally {
            client.destroyForcibly();
        }
    }

    @Test
    void otlpSpansCarryTheGenAiAttributes() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Aiscope.Traced t = LlmKernelRuns.trace(client(), "--otlp-endpoint", receiver.baseUrl());
            List<OtlpReceiver.Received> calls = receiver.spans().stream()
                    .filter(s -> s.span().getParentSpanId().isEmpty()).toList();
            assertThat(calls).as(t.result().stderr()).hasSize(SCENARIO.size());
            for (OtlpReceiver.Received r : calls) {
                var a = r.attributes();
                assertThat(r.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
                assertThat(a.get("url.scheme").getStringValue()).isEqualTo("https");
                assertThat(a.get("gen_ai.provider.name").getStringValue()).isEqualTo("127.0.0.1");
                assertThat(a.get("gen_ai.request.model").getStringValue()).isEqualTo("tiny-lm");
                assertThat(a.get("gen_ai.operation.name").getStringValue()).isEqualTo("chat");
            }
            assertThat(calls).filteredOn(r -> r.attributes().get("http.response.status_code").getIntValue() == 429)
                    .singleElement().satisfies(r -> assertThat(r.attributes().get("aiscope.gen_ai.error_type")
                            .getStringValue()).isEqualTo("rate_limit_exceeded"));
            assertThat(calls).filteredOn(r -> r.attributes().containsKey("gen_ai.usage.output_tokens")).hasSize(2);
        }
    }

    @Test
    void perfettoTimelineHasTheCallsAndTheProcessEvents() throws Exception {
        Path file = dir.resolve("llm-trace.json");
        List<String> args = new ArrayList<>(List.of("record", "-o", file.toString(), "--probes", "tls", "--"));
        args.addAll(client());
        Aiscope.Result r = Aiscope.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode trace = Aiscope.JSON.readTree(Files.readString(file));
        List<JsonNode> calls = new ArrayList<>();
        List<String> procEvents = new ArrayList<>();
        for (JsonNode e : trace.get("traceEvents")) {
            if (e.path("ph").asText().equals("X") && e.path("name").asText().startsWith("POST /v1/")) {
                calls.add(e);
            }
            if (e.path("cat").asText().equals("proc")) {
                procEvents.add(e.path("name").asText());
            }
        }
        assertThat(calls).hasSize(SCENARIO.size());
        assertThat(calls).allSatisfy(c -> assertThat(c.at("/args/tls").asBoolean()).isTrue());
        assertThat(calls).extracting(c -> c.at("/args/llm/model").asText()).containsOnly("tiny-lm");
        assertThat(procEvents).contains("exec", "open", "exit");
        assertThat(trace.toString()).doesNotContain("the quick brown fox"); // no content without --capture-content
    }

    private static String line(String metrics, String prefix, String label) {
        return metrics.lines().filter(l -> l.startsWith(prefix) && l.contains(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " line with " + label + " in\n" + metrics));
    }

    /** The sum of the values of the lines starting with {@code prefix} and containing every one of {@code labels}. */
    private static long sum(String metrics, String prefix, String... labels) {
        return Math.round(metrics.lines().filter(l -> l.startsWith(prefix))
                .filter(l -> List.of(labels).stream().allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum());
    }

    private static String scrape(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Calls are correlated a moment after they end: scrape until the metrics show them. */
    private static String scrapeUntil(String url, java.util.function.Predicate<String> ready) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String metrics = scrape(url);
            if (ready.test(metrics) || System.nanoTime() > deadline) {
                assertThat(ready.test(metrics)).as(metrics).isTrue();
                return metrics;
            }
            Thread.sleep(100);
        }
    }
}
