package io.aiscope.probe.http;

import static io.aiscope.probe.http.LlmWire.SSE_HEAD;
import static io.aiscope.probe.http.LlmWire.concat;
import static io.aiscope.probe.http.LlmWire.event;
import static io.aiscope.probe.http.LlmWire.json;
import static io.aiscope.probe.http.LlmWire.lastChunk;
import static io.aiscope.probe.http.LlmWire.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Anthropic's Messages API as a client (an agent) makes its calls, streamed and not. */
@Tag("unit")
class AnthropicTest {
    static final String HOST = "api.anthropic.com";
    static final String REQUEST = "{\"model\":\"claude-sonnet-4-20250514\",\"max_tokens\":1024,"
            + "\"system\":[{\"type\":\"text\",\"text\":\"You are terse.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"},{\"role\":\"assistant\",\"content\":["
            + "{\"type\":\"text\",\"text\":\"Hi.\"}]},{\"role\":\"user\",\"content\":[{\"type\":\"text\","
            + "\"text\":\"Again\"},{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\","
            + "\"data\":\"iVBORw0KGgo\"}}]}],\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\","
            + "\"properties\":{\"text\":{\"type\":\"string\"}}}}],\"stream\":%s}";
    static final String MESSAGE = "{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"model\":\"claude-sonnet-4-20250514\",\"content\":[{\"type\":\"text\",\"text\":\"Hello!\"},"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"text\":\"Paris\"}}],"
            + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":2095,"
            + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":503,"
            + "\"service_tier\":\"standard\"}}";

    static byte[] request(boolean stream) {
        return post(HOST, "/v1/messages", REQUEST.formatted(stream));
    }

    static final byte[][] STREAM = {
        event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-20250514\",\"stop_reason\":null,"
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":0,\"output_tokens\":1}}}"),
        event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                + "{\"type\":\"text\",\"text\":\"\"}}"),
        event("ping", "{\"type\": \"ping\"}"),
        event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                + "\"text_delta\",\"text\":\"Hello\"}}"),
        event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                + "\"text_delta\",\"text\":\", \\\"world\\\"\"}}"),
        event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
        event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{}}}"),
        event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
                + "\"input_json_delta\",\"partial_json\":\"{\\\"text\\\": \\\"Paris\\\"}\"}}"),
        event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"),
        event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                + "\"stop_sequence\":null},\"usage\":{\"input_tokens\":null,\"output_tokens\":15}}"),
        event("message_stop", "{\"type\":\"message_stop\"}"),
        lastChunk()};

    /** Offset in the stream's body of the byte that ends its first content event (its blank line's). */
    static final int FIRST_DELTA_END = STREAM[0].length + STREAM[1].length + STREAM[2].length
            + new String(STREAM[3], StandardCharsets.ISO_8859_1).indexOf("\n\n") + 1;

    @Test
    void messageNotStreamed() {
        Wire w = new Wire().out(1, 1, request(false)).in(2, 1, json("200 OK", MESSAGE));
        HttpExchange x = w.only();
        assertThat(x.host()).isEqualTo(HOST);
        assertThat(x.role()).isEqualTo(HttpExchange.Role.CLIENT);
        assertThat(x.llm()).isEqualTo(new LlmCall("anthropic", "chat", "claude-sonnet-4-20250514", false, 1024,
                "claude-sonnet-4-20250514", 2095, 503, false, 0, 0, null, null, null));
    }

    @Test
    void messageStreamed() {
        Wire w = new Wire().out(1, 1, request(true)).in(2, 1, SSE_HEAD);
        for (int i = 0; i < STREAM.length; i++) {
            w.in(10 + i, 1, STREAM[i]);
        }
        HttpExchange x = w.only();
        // One token time per event, metadata too; content: the three deltas, the first moved at 13.
        assertThat(x.tokenNs()).containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
        assertThat(x.llm()).isEqualTo(new LlmCall("anthropic", "chat", "claude-sonnet-4-20250514", true, 1024,
                "claude-sonnet-4-20250514", 25, 15, false, 3, 13, null, null, null));
    }

    @Test
    void anySplitOfTheStreamGivesTheSameCall() {
        byte[] body = concat(STREAM);
        for (int size : new int[] {1, 2, 3, 7, 13, 64, 100, 333}) {
            Wire w = new Wire().out(1, 1, request(true)).in(2, 1, SSE_HEAD);
            long t = 10;
            for (int off = 0; off < body.length; off += size, t++) {
                w.in(t, 1, Arrays.copyOfRange(body, off, Math.min(body.length, off + size)));
            }
            LlmCall call = w.only().llm();
            assertThat(call.inputTokens()).as("calls of %d bytes", size).isEqualTo(25);
            assertThat(call.outputTokens()).as("calls of %d bytes", size).isEqualTo(15);
            assertThat(call.contentEvents()).as("calls of %d bytes", size).isEqualTo(3);
            assertThat(call.firstContentNs()).as("calls of %d bytes", size).isEqualTo(10 + FIRST_DELTA_END / size);
        }
    }

    @Test
    void streamWithoutUsageCountsContentEvents() {
        Wire w = new Wire().out(1, 1, request(true)).in(2, 1, SSE_HEAD).in(3, 1, STREAM[1]).in(4, 1, STREAM[3])
                .in(5, 1, STREAM[4]).in(6, 1, STREAM[10]).in(7, 1, lastChunk());
        assertThat(w.only().llm()).isEqualTo(new LlmCall("anthropic", "chat", "claude-sonnet-4-20250514", true, 1024,
                null, null, 2, true, 2, 4, null, null, null));
    }

    /** message_start's output_tokens (1) is a placeholder: a stream ending before message_delta counts its deltas. */
    @Test
    void streamEndedBeforeMessageDeltaCountsContentEvents() {
        Wire w = new Wire().out(1, 1, request(true)).in(2, 1, SSE_HEAD).in(3, 1, STREAM[0]).in(4, 1, STREAM[1])
                .in(5, 1, STREAM[3]).in(6, 1, STREAM[4]).in(7, 1, lastChunk());
        assertThat(w.only().llm()).isEqualTo(new LlmCall("anthropic", "chat", "claude-sonnet-4-20250514", true, 1024,
                "claude-sonnet-4-20250514", 25, 2, true, 2, 5, null, null, null));
    }

    @Test
    void rateLimited() {
        String body = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"This request would "
                + "exceed the rate limit for your organization of 50,000 input tokens per minute.\"},"
                + "\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}";
        Wire w = new Wire().out(1, 1, request(true)).in(2, 1, json("429 Too Many Requests", body));
        HttpExchange x = w.only();
        assertThat(x.status()).isEqualTo(429);
        assertThat(x.streaming()).isFalse();
        assertThat(x.llm()).isEqualTo(new LlmCall("anthropic", "chat", "claude-sonnet-4-20250514", true, 1024, null,
                null, null, false, 0, 0, "rate_limit_error", null, null));
    }

    @Test
    void errorEventMidStream() {
        Wire w = new Wire().out(1, 1, request(true)).in(2, 1, SSE_HEAD).in(3, 1, STREAM[0]).in(4, 1, STREAM[3])
                .in(5, 1, event("error", "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
                        + "\"message\": \"Overloaded\"}}"))
                .in(6, 1, lastChunk());
        HttpExchange x = w.only();
        assertThat(x.status()).isEqualTo(200);
        // No message_delta came: the one delta seen is counted (message_start's output_tokens is a placeholder).
        assertThat(x.llm()).isEqualTo(new LlmCall("anthropic", "chat", "claude-sonnet-4-20250514", true, 1024,
                "claude-sonnet-4-20250514", 25, 1, true, 1, 4, "overloaded_error", null, null));
    }
}
