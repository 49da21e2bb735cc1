package io.aiscope.agents;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.LlmEndpoint;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.aiscope.agents.LlmKernelRuns.assertSameTime;
import static io.aiscope.agents.LlmKernelRuns.nullableInt;
import static io.aiscope.agents.LlmKernelRuns.nullableText;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real clients (curl, Python 3.11's ssl with SSL_read_ex/SSL_write_ex, Node's fetch and https) call the TLS LLM
 * endpoint (started here, not traced) in every dialect; only the client runs under {@code aiscope run}. Every call
 * the client made is in {@code .llm.calls}, in order, with what the client itself saw: status, model, tokens, the
 * API's error, and its latency and time to first token where the client's clock measured the same thing.
 */
@Tag("kernel")
class LlmCallsKernelTest extends EndpointKernelTest {
    /** Each route in each mode, over kept and new connections, and a 429 per dialect. */
    private static final List<String> SCENARIO = List.of(
            "chat stream-usage 6 keep - the quick brown fox",
            "chat stream 4 keep - the quick brown fox",
            "chat whole 5 keep - tell me a story",
            "completions stream-usage 3 new - once upon a time",
            "completions whole 3 keep - once upon a time",
            "embeddings whole 1 keep - embed these words",
            "messages stream 5 keep - hello claude",
            "messages whole 4 new - hello claude",
            "responses stream 4 keep - hello responses",
            "responses whole 4 new - hello responses",
            "chat stream 8 keep rate_limit=1 limited please",
            "messages whole 8 new rate_limit=2 limited please",
            "responses whole 8 keep rate_limit=1 limited please");
    private static final Map<String, String> OPERATIONS = Map.of("chat", "chat", "completions", "text_completion",
            "embeddings", "embeddings", "messages", "chat", "responses", "chat");
    private static final Map<String, String> COMMS = Map.of("curl", "curl", "python", "python3", "node", "node");

    @ParameterizedTest
    @ValueSource(strings = {"curl", "python", "node"})
    void everyCallIsFoundAsTheClientSawIt(String client) {
        Path calls = LlmEndpoint.scenario(dir, SCENARIO.toArray(String[]::new));
        List<String> cmd = switch (client) {
            case "curl" -> endpoint.curl(calls);
            case "python" -> endpoint.python(calls);
            default -> endpoint.node(calls);
        };
        Aiscope.Traced t = LlmKernelRuns.trace(LlmKernelRuns.fifo(cmd));
        List<JsonNode> made = LlmKernelRuns.ndjson(t.result().stdout());
        assertThat(made).as("the client's account").hasSize(SCENARIO.size());
        List<JsonNode> seen = LlmKernelRuns.calls(t.report(), made.size());
        LlmKernelRuns.assertNothingLost(t.report());
        for (int i = 0; i < made.size(); i++) {
            JsonNode r = made.get(i), c = seen.get(i);
            String what = client + " call " + i + " (" + SCENARIO.get(i) + ")\n client: " + r + "\n aiscope: " + c;
            String kind = r.path("kind").asText();
            int status = r.path("status").asInt();
            assertThat(c.path("pid").asInt()).as(what).isEqualTo(r.path("pid").asInt());
            assertThat(c.path("comm").asText()).as(what).isEqualTo(COMMS.get(client));
            assertThat(c.path("provider").asText()).as(what).isEqualTo("127.0.0.1");
            assertThat(c.path("host").asText()).as(what).isEqualTo("127.0.0.1:" + endpoint.tlsPort());
            assertThat(c.path("tls").asBoolean()).as(what).isTrue();
            assertThat(c.path("api").asText()).as(what).isEqualTo(kind.equals("messages") ? "anthropic" : "openai");
            assertThat(c.path("operation").asText()).as(what).isEqualTo(OPERATIONS.get(kind));
            // The request's model: a 429 has none in its response, and the client says null there.
            assertThat(c.path("model").asText()).as(what).isEqualTo("tiny-lm");
            assertThat(c.path("status").asInt()).as(what).isEqualTo(status);
            assertThat(c.path("outcome").asText()).as(what).isEqualTo("complete");
            // aiscope's "streaming" is the response's framing: a 429 to a stream request is plain JSON.
            assertThat(c.path("streaming").asBoolean()).as(what).isEqualTo(r.path("stream").asBoolean() && status == 200);
            assertThat(nullableInt(c.path("input_tokens"))).as(what).isEqualTo(nullableInt(r.path("input_tokens")));
            assertThat(nullableInt(c.path("output_tokens"))).as(what).isEqualTo(nullableInt(r.path("output_tokens")));
            assertThat(nullableText(c.path("output_tokens_source"))).as(what).isEqualTo(
                    r.path("output_tokens").isNull() ? null : r.path("usage_reported").asBoolean() ? "usage" : "stream");
            if (status == 429) {
                // Anthropic's error has a type (rate_limit_error), OpenAI's a code (rate_limit_exceeded) beside its
                // category (type "requests"): aiscope names what the client names, the code where there is one.
                assertThat(c.path("error_type").asText()).as(what).isEqualTo(r.path("error").asText());
            } else {
                assertThat(c.path("error_type").isNull()).as(what).isTrue();
            }
            assertThat(c.path("ttft_ms").isNull()).as(what).isEqualTo(r.path("ttft_ns").isNull());
            if (!client.equals("curl")) {
                // The clients do nothing between calls. llm-curl does: curl writes each transfer's head and body to
                // files, the script reads them with grep and awk; real effects, not asserted here (AgentEffects).
                assertThat(c.path("effects").isEmpty()).as(what).isTrue();
            }
            timing(what, r, c);
        }
        JsonNode llm = t.report().path("llm");
        assertThat(llm.path("errors").asInt()).isEqualTo(3);
        assertThat(llm.path("errors_by_status").path("429").asInt()).isEqualTo(3);
    }

    /**
     * Latency and TTFT against the client's own clock, where it measures what aiscope measures: from just before the
     * request's first byte goes to TLS to the return of the TLS read that brought the last byte (the first content
     * event).
     */
    private static void timing(String what, JsonNode r, JsonNode c) {
        JsonNode ttft = c.path("ttft_ms"), latency = c.path("latency_ms");
        String kind = r.path("kind").asText();
        switch (r.path("client").asText()) {
            case "python-http.client", "python-urllib" -> {
                assertSameTime(what + "\n latency", latency, r.path("latency_ns"));
                if (!r.path("ttft_ns").isNull()) {
                    assertSameTime(what + "\n ttft", ttft, r.path("ttft_ns"));
                }
            }
            case "curl" -> {
                // curl's -w times: time_total and time_starttransfer less time_pretransfer (just before sending).
                assertSameTime(what + "\n latency", latency, r.path("latency_ns"));
                if (r.path("ttft_ns").isNull()) {
                    break;
                }
                if (kind.equals("chat") || kind.equals("completions")) {
                    // The server sends the head with the first chunk: curl's first byte is the first content event.
                    assertSameTime(what + "\n ttft", ttft, r.path("ttft_ns"));
                } else {
                    // Anthropic's message_start and the Responses API's opening events come before the first
                    // delta: curl's "first byte" is earlier than the first content event, never later.
                    assertThat(ttft.asDouble()).as(what).isGreaterThanOrEqualTo(r.path("ttft_ns").asLong() / 1e6 - 1.0)
                            .isLessThanOrEqualTo(latency.asDouble());
                }
            }
            case "node-https", "node-fetch" -> {
                // Node's clock reads are JavaScript callbacks: a fetch starts at fetch() (the first one on the pool
                // includes connect and handshakes), an https call at secureConnect, and bytes are timed when the
                // 'data' callback runs, after the HTTP parser and the event loop (0.3-2 ms later on this machine).
                // Not the same quantity, but they bracket it: aiscope's interval lies inside the client's.
                assertThat(latency.asDouble()).as(what).isPositive()
                        .isLessThanOrEqualTo(r.path("latency_ns").asLong() / 1e6 + 0.001);
                if (!r.path("ttft_ns").isNull()) {
                    assertThat(ttft.asDouble()).as(what).isPositive().isLessThanOrEqualTo(latency.asDouble())
                            .isLessThanOrEqualTo(r.path("ttft_ns").asLong() / 1e6 + 0.001);
                }
            }
            default -> throw new AssertionError("unknown client in " + r);
        }
        System.out.printf("%-20s %-12s %-13s aiscope latency %8.3f ms ttft %8s | client latency %8.3f ms ttft %8s%n",
                r.path("client").asText(), kind, r.path("stream").asBoolean() ? "stream" : "whole", latency.asDouble(),
                ttft.isNull() ? "-" : "%.3f".formatted(ttft.asDouble()), r.path("latency_ns").asLong() / 1e6,
                r.path("ttft_ns").isNull() ? "-" : "%.3f".formatted(r.path("ttft_ns").asLong() / 1e6));
    }
}
