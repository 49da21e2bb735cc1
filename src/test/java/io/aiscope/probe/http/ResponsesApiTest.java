package io.aiscope.probe.http;

import static io.aiscope.probe.http.LlmWire.SSE_HEAD;
import static io.aiscope.probe.http.LlmWire.event;
import static io.aiscope.probe.http.LlmWire.json;
import static io.aiscope.probe.http.LlmWire.lastChunk;
import static io.aiscope.probe.http.LlmWire.post;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** OpenAI's Responses API: usage at the top of its body, nested in its {@code response.completed} event. */
@Tag("unit")
class ResponsesApiTest {
    static final String REQUEST = "{\"model\":\"gpt-4.1\",\"instructions\":\"Be brief.\",\"input\":[{\"role\":\"user\","
            + "\"content\":[{\"type\":\"input_text\",\"text\":\"What is in this image?\"},{\"type\":\"input_image\","
            + "\"image_url\":\"https://example.com/cat.png\"}]}],\"max_output_tokens\":200,\"stream\":%s}";
    static final String OUTPUT = "[{\"type\":\"message\",\"id\":\"msg_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41\","
            + "\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
            + "\"text\":\"A cat.\",\"annotations\":[]}]}]";
    static final String USAGE = "{\"input_tokens\":36,\"input_tokens_details\":{\"cached_tokens\":0},"
            + "\"output_tokens\":87,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":123}";

    static byte[] request(boolean stream) {
        return post("api.openai.com", "/v1/responses", REQUEST.formatted(stream));
    }

    static byte[] outputTextDelta(int sequence, String delta) {
        return event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"sequence_number\":"
                + sequence + ",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"" + delta
                + "\"}");
    }

    static final byte[] CREATED = event("response.created", "{\"type\":\"response.created\",\"sequence_number\":0,"
            + "\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1741290958,\"status\":"
            + "\"in_progress\",\"error\":null,\"model\":\"gpt-4.1-2025-04-14\",\"output\":[],\"usage\":null}}");
    static final byte[] PART_ADDED = event("response.content_part.added", "{\"type\":\"response.content_part.added\","
            + "\"sequence_number\":3,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"part\":"
            + "{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}}");
    static final byte[] TEXT_DONE = event("response.output_text.done", "{\"type\":\"response.output_text.done\","
            + "\"sequence_number\":6,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"text\":\"A cat.\"}");
    static final byte[] COMPLETED = event("response.completed", "{\"type\":\"response.completed\",\"sequence_number\":7,"
            + "\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"error\":null,"
            + "\"model\":\"gpt-4.1-2025-04-14\",\"output\":" + OUTPUT + ",\"usage\":" + USAGE + "}}");

    @Test
    void responseNotStreamed() {
        String body = "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1741476542,\"status\":\"completed\","
                + "\"error\":null,\"incomplete_details\":null,\"instructions\":\"Be brief.\",\"max_output_tokens\":200,"
                + "\"model\":\"gpt-4.1-2025-04-14\",\"output\":" + OUTPUT + ",\"parallel_tool_calls\":true,"
                + "\"usage\":" + USAGE + ",\"user\":null,\"metadata\":{}}";
        Wire w = new Wire().out(1, 1, request(false)).in(2, 1, json("200 OK", body));
        assertThat(w.only().llm()).isEqualTo(new LlmCall("openai", "chat", "gpt-4.1", false, 200,
                "gpt-4.1-2025-04-14", 36, 87, false, 0, 0, null, null, null));
    }

    @Test
    void responseStreamed() {
        Wire w = new Wire().out(1, 1, request(true)).in(2, 1, SSE_HEAD).in(3, 1, CREATED).in(4, 1, PART_ADDED)
                .in(5, 1, outputTextDelta(4, "A ")).in(6, 1, outputTextDelta(5, "cat.")).in(7, 1, TEXT_DONE)
                .in(8, 1, COMPLETED).in(9, 1, lastChunk());
        HttpExchange x = w.only();
        assertThat(x.tokenNs()).containsExactly(3, 4, 5, 6, 7, 8);
        assertThat(x.llm()).isEqualTo(new LlmCall("openai", "chat", "gpt-4.1", true, 200, "gpt-4.1-2025-04-14", 36, 87,
                false, 2, 5, null, null, null));
    }

    @Test
    void failedResponseAndErrorEvent() {
        byte[] failed = event("response.failed", "{\"type\":\"response.failed\",\"sequence_number\":3,\"response\":"
                + "{\"id\":\"resp_1\",\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":"
                + "\"The model failed to generate a response.\"},\"usage\":null}}");
        Wire w = new Wire().out(1, 1, request(true)).in(2, 1, SSE_HEAD).in(3, 1, CREATED).in(4, 1, failed)
                .in(5, 1, lastChunk());
        assertThat(w.only().llm().errorType()).isEqualTo("server_error");

        byte[] error = event("error", "{\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":"
                + "\"Rate limit reached for gpt-4.1.\",\"param\":null,\"sequence_number\":1}");
        w = new Wire().out(1, 1, request(true)).in(2, 1, SSE_HEAD).in(3, 1, error).in(4, 1, lastChunk());
        assertThat(w.only().llm()).isEqualTo(new LlmCall("openai", "chat", "gpt-4.1", true, 200, null, null, 0, true,
                0, 0, "rate_limit_exceeded", null, null));
    }
}
