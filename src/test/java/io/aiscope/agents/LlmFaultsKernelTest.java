package io.aiscope.agents;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.LlmEndpoint;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.aiscope.agents.LlmKernelRuns.nullableInt;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls that go wrong or are huge, from the Python client: streams reset by the server mid-way, a 1 MiB prompt, a
 * 2 MB answer. Each is reported once, as far as it got, with nothing invented and nothing lost.
 */
@Tag("kernel")
class LlmFaultsKernelTest extends EndpointKernelTest {
    private static final int MIB = 1 << 20;
    private static final int PADDING = 2_000_000;
    private static final List<String> SCENARIO = List.of(
            "chat stream 8 new reset_after=3 reset me",
            "messages stream 8 new reset_after=2 reset me",
            "chat whole 2 keep - @bytes=" + MIB + " lorem ipsum dolor",
            "completions whole 2 keep pad_bytes=" + PADDING + " a big answer",
            "chat stream-usage 2 keep - after all that");

    @Test
    void resetsAndHugeBodiesAreReportedAsTheyHappened() {
        Aiscope.Traced t = LlmKernelRuns.trace(endpoint.python(LlmEndpoint.scenario(dir, SCENARIO.toArray(String[]::new))));
        List<JsonNode> made = LlmKernelRuns.ndjson(t.result().stdout());
        assertThat(made).hasSize(SCENARIO.size());
        // One call each, the cut ones too: none invented from the reset connections or the huge bodies.
        List<JsonNode> seen = LlmKernelRuns.calls(t.report(), made.size());
        LlmKernelRuns.assertNothingLost(t.report());
        for (int i = 0; i < made.size(); i++) {
            JsonNode r = made.get(i), c = seen.get(i);
            String what = "call " + i + " (" + SCENARIO.get(i).substring(0, Math.min(60, SCENARIO.get(i).length()))
                    + ")\n client: " + r + "\n aiscope: " + c;
            assertThat(c.path("pid").asInt()).as(what).isEqualTo(r.path("pid").asInt());
            assertThat(c.path("status").asInt()).as(what).isEqualTo(200);
            assertThat(c.path("model").asText()).as(what).isEqualTo("tiny-lm");
            assertThat(nullableInt(c.path("input_tokens"))).as(what).isEqualTo(nullableInt(r.path("input_tokens")));
            assertThat(nullableInt(c.path("output_tokens"))).as(what).isEqualTo(nullableInt(r.path("output_tokens")));
            if (r.path("error").asText().equals("connection_reset")) {
                // The server's reset after N token events: the call is cut short, its tokens are the events that
                // came (the client counts the same ones: neither stream got as far as its usage).
                assertThat(c.path("outcome").asText()).as(what).isEqualTo("aborted");
                assertThat(c.path("output_tokens_source").asText()).as(what).isEqualTo("stream");
                assertThat(c.path("ttft_ms").asDouble()).as(what).isPositive();
            } else {
                assertThat(r.path("error").isNull()).as(what).isTrue();
                assertThat(c.path("outcome").asText()).as(what).isEqualTo("complete");
                assertThat(c.path("output_tokens_source").asText()).as(what).isEqualTo("usage");
            }
        }
        // The 1 MiB prompt: the kernel copies 4 KiB of each write, yet its 174,766 tokens are the server's usage,
        // which the response carries.
        assertThat(made.get(2).path("request_bytes").asInt()).isGreaterThan(MIB);
        assertThat(seen.get(2).path("input_tokens").asInt()).isEqualTo(made.get(2).path("input_tokens").asInt())
                .isGreaterThan(100_000);
        // The 2 MB answer: the server puts its padding last, after usage, so usage is in the first 4 KiB the kernel
        // copies; what this checks is that the ~2 MB of a JSON string never seen whole (only each read's first 4 KiB
        // and last 256 bytes) neither loses the call nor its tokens (asserted above) nor counts as an error.
        assertThat(made.get(3).path("response_bytes").asInt()).isGreaterThan(PADDING);
        JsonNode tls = t.report().path("tls");
        assertThat(tls.path("requests").asInt()).as(tls.toString()).isEqualTo(SCENARIO.size());
        assertThat(tls.path("aborted").asInt()).isEqualTo(2);
        assertThat(t.report().at("/llm/errors").asInt()).isEqualTo(2);
    }
}
