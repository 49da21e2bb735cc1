package io.aiscope.probe.http;

import static io.aiscope.probe.http.LlmWire.SSE_HEAD;
import static io.aiscope.probe.http.LlmWire.data;
import static io.aiscope.probe.http.LlmWire.json;
import static io.aiscope.probe.http.LlmWire.lastChunk;
import static io.aiscope.probe.http.LlmWire.post;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What OpenAI's chat and completions streams carry besides tokens (a role-only first chunk, a finish chunk, tool
 * call deltas), and their errors: only events with generated content count as content.
 */
@Tag("unit")
class ChatStreamTest {
    static final byte[] REQUEST = post("api.openai.com", "/v1/chat/completions", "{\"model\":\"gpt-4o-mini\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true,\"max_completion_tokens\":50}");
    static final String MODEL = "gpt-4o-mini-2024-07-18";

    static byte[] chunk(String delta, String finish) {
        return data("{\"id\":\"chatcmpl-AB1\",\"object\":\"chat.completion.chunk\",\"created\":1727000000,\"model\":\""
                + MODEL + "\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"logprobs\":null,\"finish_reason\":" + finish + "}],\"usage\":null}");
    }

    static final byte[] ROLE = chunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "null");
    static final byte[] FINISH = chunk("{}", "\"stop\"");
    static final byte[] USAGE = data("{\"id\":\"chatcmpl-AB1\",\"object\":\"chat.completion.chunk\",\"created\":"
            + "1727000000,\"model\":\"" + MODEL + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":"
            + "2,\"total_tokens\":11,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":"
            + "{\"reasoning_tokens\":0}}}");
    static final byte[] DONE = data("[DONE]");

    static byte[] content(String text) {
        return chunk("{\"content\":\"" + text + "\"}", "null");
    }

    private static Wire stream(byte[]... events) {
        Wire w = new Wire().out(1, 1, REQUEST).in(2, 1, SSE_HEAD);
        for (int i = 0; i < events.length; i++) {
            w.in(10 + i, 1, events[i]);
        }
        return w.in(10 + events.length, 1, lastChunk());
    }

    @Test
    void roleAndFinishChunksAreNoContent() {
        HttpExchange x = stream(ROLE, content("Hello"), content("!"), FINISH, USAGE, DONE).only();
        assertThat(x.tokenNs()).containsExactly(10, 11, 12, 13);
        assertThat(x.firstBodyNs()).isEqualTo(10);
        assertThat(x.llm()).isEqualTo(new LlmCall("openai", "chat", "gpt-4o-mini", true, 50, MODEL, 9, 2, false, 2, 11,
                null, null, null));
    }

    @Test
    void withoutUsageOutputTokensAreTheContentEvents() {
        HttpExchange x = stream(ROLE, content("Hello"), content(" there"), content("!"), FINISH, DONE).only();
        assertThat(x.llm()).isEqualTo(new LlmCall("openai", "chat", "gpt-4o-mini", true, 50, MODEL, null, 3, true, 3,
                11, null, null, null));
        assertThat(Tokens.outputTokens(x)).isEqualTo(3);
    }

    @Test
    void toolCallDeltasAreContent() {
        byte[] call = chunk("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", "null");
        byte[] arguments = chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}",
                "null");
        byte[] empty = chunk("{\"tool_calls\":[]}", "null");
        HttpExchange x = stream(call, arguments, empty, chunk("{}", "\"tool_calls\""), DONE).only();
        assertThat(x.llm().contentEvents()).isEqualTo(2);
        assertThat(x.llm().firstContentNs()).isEqualTo(10);
    }

    @Test
    void reasoningDeltasAreContent() {
        HttpExchange x = stream(ROLE, chunk("{\"reasoning_content\":\"Let me think\"}", "null"), content("4"), DONE)
                .only();
        assertThat(x.llm().contentEvents()).isEqualTo(2);
        assertThat(x.llm().firstContentNs()).isEqualTo(11);
    }

    @Test
    void completionsStreamCountsNonEmptyText() {
        Wire w = new Wire().out(1, 1, post("localhost:8000", "/v1/completions", "{\"model\":\"m\",\"prompt\":\"Once\","
                + "\"stream\":true}")).in(2, 1, SSE_HEAD);
        String[] texts = {"", " upon", " a", ""};
        for (int i = 0; i < texts.length; i++) {
            w.in(10 + i, 1, data("{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"text\":\"" + texts[i] + "\",\"logprobs\":null,\"finish_reason\":null}]}"));
        }
        w.in(20, 1, lastChunk());
        assertThat(w.only().llm()).isEqualTo(new LlmCall("openai", "text_completion", "m", true, null, "m", null, 2,
                true, 2, 11, null, null, null));
    }

    @Test
    void errorInTheStreamOfAnOpenAiCompatibleServer() {
        byte[] error = data("{\"error\":{\"object\":\"error\",\"message\":\"out of memory\",\"type\":"
                + "\"InternalServerError\",\"param\":null,\"code\":500}}");
        HttpExchange x = stream(ROLE, content("Hel"), error, DONE).only();
        assertThat(x.llm().errorType()).isEqualTo("InternalServerError");
        assertThat(x.llm().contentEvents()).isEqualTo(1);
    }

    @Test
    void rateLimited() {
        String body = "{\n    \"error\": {\n        \"message\": \"Rate limit reached for gpt-4o-mini in organization "
                + "org-abc on tokens per min (TPM): Limit 200000, Used 199000, Requested 2000.\",\n        \"type\": "
                + "\"tokens\",\n        \"param\": null,\n        \"code\": \"rate_limit_exceeded\"\n    }\n}\n";
        Wire w = new Wire().out(1, 1, REQUEST).in(2, 1, json("429 Too Many Requests", body));
        assertThat(w.only().llm()).isEqualTo(new LlmCall("openai", "chat", "gpt-4o-mini", true, 50, null, null, null,
                false, 0, 0, "rate_limit_exceeded", null, null));
    }

    @Test
    void errorCodeWithoutType() {
        String body = "{\"error\":{\"code\":\"insufficient_quota\",\"message\":\"You exceeded your current quota\","
                + "\"type\":null}}";
        Wire w = new Wire().out(1, 1, REQUEST).in(2, 1, json("429 Too Many Requests", body));
        assertThat(w.only().llm().errorType()).isEqualTo("insufficient_quota");
    }
}
