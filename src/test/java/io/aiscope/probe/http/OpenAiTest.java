package io.aiscope.probe.http;

import static io.aiscope.probe.http.Wire.repeat;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Fields of OpenAI-compatible calls, from bodies the capture kept whole, cut, or only the ends of. */
@Tag("unit")
class OpenAiTest {
    private static final String USAGE = "\"usage\":{\"prompt_tokens\":31,\"total_tokens\":40,\"completion_tokens\":9}";

    private static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: llm\r\nContent-Type: application/json\r\nContent-Length: "
                + Wire.bytes(body).length + "\r\n\r\n" + body;
    }

    private static String json(String body) {
        return json("200 OK", body);
    }

    private static String json(String status, String body) {
        return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
                + Wire.bytes(body).length + "\r\n\r\n" + body;
    }

    /** A call whose response was not streamed, without content. */
    static LlmCall call(String operation, String model, Boolean stream, Integer maxTokens, String responseModel,
            Integer inputTokens, Integer outputTokens) {
        return new LlmCall("openai", operation, model, stream, maxTokens, responseModel, inputTokens, outputTokens,
                false, 0, 0, null, null, null);
    }

    private static String completion(String content) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"served-name\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\"},\"finish_reason\":\"stop\"}],"
                + USAGE + "}";
    }

    @Test
    void wholeRequestAndResponse() {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}],"
                + "\"max_tokens\":16,\"stream\":false}";
        Wire w = new Wire().in(1, 1, post("/v1/chat/completions", body)).out(2, 1, json(completion("Hi!")));
        assertThat(w.only().llm()).isEqualTo(call("chat", "gpt-4o-mini", false, 16, "served-name", 31, 9));
    }

    @Test
    void fieldsBeforeTheCaptureEndedAreKept() {
        String body = "{\"model\":\"llama\",\"stream\":true,\"max_tokens\":128,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + repeat('w', 20_000) + "\"}],\"temperature\":0.2,\"user\":\"" + repeat('u', 300)
                + "\"}";
        Wire w = new Wire().in(1, 1, post("/v1/completions", body)).out(2, 1, json("{}"));
        assertThat(w.only().llm()).isEqualTo(call("text_completion", "llama", true, 128, null, null, null));
    }

    @Test
    void fieldsAfterALongPromptAreReadFromTheTail() {
        // openai-python sends the messages first, then the model and the options.
        String body = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are {\\\"helpful\\\"}: " + repeat('s', 9000)
                + "\"},{\"role\":\"user\",\"content\":\"q [a] {b}\"}],\"model\":\"gpt-4o\","
                + "\"max_completion_tokens\":300,\"stream\":false,\"metadata\":{\"model\":\"not-this\"}}";
        Wire w = new Wire().in(1, 1, post("/v1/chat/completions", body)).out(2, 1, json(completion("ok")));
        assertThat(w.only().llm()).isEqualTo(call("chat", "gpt-4o", false, 300, "served-name", 31, 9));
    }

    @Test
    void requestBodyOverSeveralCallsIsParsedAsItComes() {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + repeat('m', 3000) + "\"}],\"model\":\"m1\"}";
        String request = post("/v1/chat/completions", body);
        Wire w = new Wire();
        for (int off = 0, i = 0; off < request.length(); off += 1000, i++) {
            w.in(1 + i, 1, request.substring(off, Math.min(request.length(), off + 1000)));
        }
        w.out(100, 1, json("{}"));
        assertThat(w.only().llm().model()).isEqualTo("m1");
    }

    @Test
    void requestCutShortByTheClientKeepsWhatWasRead() {
        String body = "{\"model\":\"qwen\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"" + repeat('x', 500);
        String request = "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 90000\r\n\r\n" + body;
        Wire w = new Wire().in(1, 1, request).result(2, 1, true, 0);
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(HttpExchange.Outcome.ABORTED);
        assertThat(x.llm()).isEqualTo(call("chat", "qwen", null, 64, null, null, null));
    }

    @Test
    void usageAtTheEndOfABigResponseIsReadFromTheTail() {
        String body = "{\"model\":\"m\",\"messages\":[]}";
        Wire w = new Wire().in(1, 1, post("/v1/chat/completions", body))
                .out(2, 1, json(completion(repeat('c', 12_000))));
        assertThat(w.only().llm()).isEqualTo(call("chat", "m", null, null, "served-name", 31, 9));
    }

    @Test
    void usageInAChunkedResponseWhoseFramingWasLost() {
        String content = completion(repeat('c', 12_000));
        StringBuilder chunks = new StringBuilder();
        for (int off = 0; off < content.length(); off += 1000) {
            chunks.append(Wire.chunk(content.substring(off, Math.min(content.length(), off + 1000))));
        }
        Wire w = new Wire().in(1, 1, post("/v1/chat/completions", "{\"model\":\"m\"}"))
                .out(2, 1, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + chunks + Wire.LAST_CHUNK);
        assertThat(w.only().endNs()).isEqualTo(2);
        assertThat(w.only().llm().outputTokens()).isEqualTo(9);
    }

    @Test
    void embeddingsHaveNoCompletionTokens() {
        String response = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":["
                + "0.1,".repeat(3000) + "0.2]}],\"model\":\"e5\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}";
        Wire w = new Wire().in(1, 1, post("/v1/embeddings?x=1", "{\"input\":\"hello\",\"model\":\"e5\"}"))
                .out(2, 1, json(response));
        assertThat(w.only().llm()).isEqualTo(call("embeddings", "e5", null, null, "e5", 8, null));
    }

    @Test
    void otherEndpointsAreNoLlmCalls() {
        Wire w = new Wire().in(1, 1, post("/v1/models", "{}")).out(2, 1, json("{}"))
                .in(3, 1, post("/v2/chat/completions", "{\"model\":\"x\"}")).out(4, 1, json("{}"))
                .in(5, 1, post("/v1/chat/completions/", "{\"model\":\"x\"}")).out(6, 1, json("{}"));
        assertThat(w.exchanges).hasSize(3).allSatisfy(x -> assertThat(x.llm()).isNull());
    }

    @Test
    void prefixedEndpointWithAQuery() {
        Wire w = new Wire().in(1, 1, post("/openai/v1/chat/completions?api-version=preview", "{\"model\":\"x\"}"))
                .out(2, 1, json(completion("ok")));
        assertThat(w.only().path()).isEqualTo("/openai/v1/chat/completions");
        assertThat(w.only().host()).isEqualTo("llm");
        assertThat(w.only().llm()).isEqualTo(call("chat", "x", null, null, "served-name", 31, 9));
    }

    @Test
    void notJsonOrCompressedBodiesGiveNulls() {
        Wire w = new Wire().in(1, 1, post("/v1/chat/completions", "model=x&stream=true"))
                .out(2, 1, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n\u001f\u008b\u0008\u0000");
        assertThat(w.only().llm()).isEqualTo(call("chat", null, null, null, null, null, null));
    }

    @Test
    void errorCodeStandsForAMissingErrorType() {
        Wire w = new Wire().in(1, 1, post("/v1/chat/completions", "{\"model\":\"nope\"}"))
                .out(2, 1, json("404 Not Found", "{\"error\":{\"message\":\"model not found\",\"code\":404}}\n"));
        HttpExchange x = w.only();
        assertThat(x.status()).isEqualTo(404);
        assertThat(x.llm()).isEqualTo(new LlmCall("openai", "chat", "nope", null, null, null, null, null, false, 0, 0,
                "404", null, null));
    }
}
