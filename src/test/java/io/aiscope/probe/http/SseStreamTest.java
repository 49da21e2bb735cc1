package io.aiscope.probe.http;

import static io.aiscope.probe.http.Wire.LAST_CHUNK;
import static io.aiscope.probe.http.Wire.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import io.aiscope.probe.http.HttpExchange.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Streamed chat completions as vLLM and OpenAI send them: SSE events in a chunked body. */
@Tag("unit")
class SseStreamTest {
    static final String BODY = "{\"model\":\"llama-3-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":5}";
    static final String REQUEST = "POST /v1/chat/completions HTTP/1.1\r\nHost: llm\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY;
    static final String HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            + "transfer-encoding: chunked\r\n\r\n";
    static final String[] TOKENS = {"Hello", ",", " world", "!", " Bye"};
    static final String USAGE = "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"llama-3-8b\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":5,"
            + "\"total_tokens\":16}}\n\n";
    static final String DONE = "data: [DONE]\n\n";

    static String event(String content) {
        return "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"llama-3-8b\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content
                + "\"},\"finish_reason\":null}],\"usage\":null}\n\n";
    }

    /** The events of the stream, each its own chunk, then the last chunk. */
    static List<String> chunks() {
        List<String> chunks = new ArrayList<>();
        for (String t : TOKENS) {
            chunks.add(chunk(event(t)));
        }
        chunks.add(chunk(USAGE));
        chunks.add(chunk(DONE));
        chunks.add(LAST_CHUNK);
        return chunks;
    }

    /** The call with usage from the stream's last chunk, its first token's event moved at {@code firstContentNs}. */
    private static void assertOpenAi(HttpExchange x, long firstContentNs) {
        assertThat(x.llm()).isEqualTo(new LlmCall("openai", "chat", "llama-3-8b", true, 5, "llama-3-8b", 11, 5, false,
                TOKENS.length, firstContentNs, null, null, null));
    }

    @Test
    void eachEventInItsOwnCall() {
        Wire w = new Wire().in(100, 1, REQUEST).out(200, 2, HEAD);
        long t = 300;
        for (String c : chunks()) {
            w.out(t, 2, c);
            t += 100;
        }
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(Outcome.COMPLETE);
        assertThat(x.streaming()).isTrue();
        assertThat(x.tokenNs()).containsExactly(300, 400, 500, 600, 700);
        assertThat(x.responseStartNs()).isEqualTo(200);
        assertThat(x.firstBodyNs()).isEqualTo(300);
        assertThat(x.ttftNs()).isEqualTo(200);
        assertThat(x.endNs()).isEqualTo(1000);
        assertThat(x.route()).isEqualTo("/v1/chat/completions");
        assertThat(x.tids()).containsExactly(1, 2);
        assertOpenAi(x, 300);
    }

    @Test
    void allEventsInOneCall() {
        Wire w = new Wire().in(100, 1, REQUEST).out(200, 1, HEAD + String.join("", chunks()));
        HttpExchange x = w.only();
        assertThat(x.tokenNs()).containsExactly(200, 200, 200, 200, 200);
        assertThat(x.firstBodyNs()).isEqualTo(200);
        assertThat(x.endNs()).isEqualTo(200);
        assertOpenAi(x, 200);
    }

    @Test
    void eventSplitAcrossTwoCallsAndTwoChunks() {
        String third = event(TOKENS[2]);
        Wire w = new Wire().in(100, 1, REQUEST).out(200, 1, HEAD + chunk(event(TOKENS[0])) + chunk(event(TOKENS[1])))
                .out(300, 1, chunk(third.substring(0, 40)))
                .out(400, 1, chunk(third.substring(40, third.length() - 1)))
                .out(500, 1, chunk("\n") + chunk(event(TOKENS[3]) + event(TOKENS[4])))
                .out(600, 1, chunk(USAGE) + chunk(DONE) + LAST_CHUNK);
        HttpExchange x = w.only();
        assertThat(x.tokenNs()).containsExactly(200, 200, 500, 500, 500);
        assertOpenAi(x, 200);
    }

    @Test
    void anySplitOfTheWireGivesTheSameEvents() {
        byte[] wire = Wire.bytes(String.join("", chunks()));
        for (int size = 1; size <= 64; size++) {
            Wire w = new Wire().in(1, 1, REQUEST).out(2, 1, HEAD);
            List<Long> expected = new ArrayList<>();
            String text = new String(wire, StandardCharsets.ISO_8859_1);
            int from = 0;
            for (int e = 0; e < TOKENS.length; e++) {
                int eventEnd = text.indexOf("\n\n", from) + 2;
                expected.add((long) (3 + (eventEnd - 1) / size));
                from = eventEnd;
            }
            for (int off = 0, call = 0; off < wire.length; off += size, call++) {
                w.out(3 + call, 1, Arrays.copyOfRange(wire, off, Math.min(wire.length, off + size)));
            }
            HttpExchange x = w.only();
            assertThat(x.tokenNs()).as("calls of %d bytes", size)
                    .containsExactly(expected.stream().mapToLong(Long::longValue).toArray());
            assertOpenAi(x, expected.getFirst());
        }
    }

    @Test
    void streamWithoutChunkingEndsWithTheConnection() {
        Wire w = new Wire().in(100, 1, REQUEST)
                .out(200, 1, "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
                .out(300, 1, event("a")).out(400, 1, event("b")).out(500, 1, DONE);
        assertThat(w.exchanges).isEmpty();
        w.connection.close(900);
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(Outcome.COMPLETE);
        assertThat(x.streaming()).isTrue();
        assertThat(x.tokenNs()).containsExactly(300, 400);
        assertThat(x.endNs()).isEqualTo(500);
    }

    @Test
    void clientReadingAStream() {
        Wire w = new Wire().out(100, 1, REQUEST).in(200, 1, HEAD + chunk(event("x")));
        long t = 300;
        for (String c : chunks().subList(1, chunks().size())) {
            w.in(t, 1, c);
            t += 100;
        }
        HttpExchange x = w.only();
        assertThat(x.role()).isEqualTo(HttpExchange.Role.CLIENT);
        assertThat(x.tokenNs()).containsExactly(200, 300, 400, 500, 600);
        assertOpenAi(x, 200);
    }

    @Test
    void clientGoneMidStreamByBrokenPipe() {
        Wire w = new Wire().in(100, 1, REQUEST).out(200, 1, HEAD).out(300, 1, chunk(event("a")))
                .out(400, 1, chunk(event("b"))).result(500, 1, false, -32);
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(x.tokenNs()).containsExactly(300, 400);
        assertThat(x.endNs()).isEqualTo(500);
        assertThat(x.llm()).isEqualTo(new LlmCall("openai", "chat", "llama-3-8b", true, 5, "llama-3-8b", null, 2, true,
                2, 300, null, null, null));
    }

    @Test
    void clientGoneMidStreamByEndOfStream() {
        Wire w = new Wire().in(100, 1, REQUEST).out(200, 1, HEAD).out(300, 1, chunk(event("a")))
                .result(350, 1, true, 0);
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(x.endNs()).isEqualTo(350);
    }

    @Test
    void bigEventWhoseMiddleWasNotCapturedStillCounts() {
        String big = event("x".repeat(9000));
        Wire w = new Wire().in(100, 1, REQUEST).out(200, 1, HEAD).out(300, 1, chunk(event("a")))
                .out(400, 1, chunk(big)).out(500, 1, chunk(USAGE) + chunk(DONE) + LAST_CHUNK);
        HttpExchange x = w.only();
        assertThat(x.tokenNs()).containsExactly(300, 400);
        assertThat(x.llm().outputTokens()).isEqualTo(5);
        assertThat(x.llm().contentEvents()).isEqualTo(2);
        assertThat(w.connection.captureLosses()).isZero();
    }

    @Test
    void streamOfAnotherApiCountsEventsWithoutOpenAiFields() {
        Wire w = new Wire().in(1, 1, "GET /events HTTP/1.1\r\n\r\n").out(2, 1, HEAD)
                .out(3, 1, chunk("event: tick\r\ndata: 1\r\n\r\n: keep-alive comment\r\n\r\n"))
                .out(4, 1, chunk("data: line one\ndata: line two\n\n")).out(5, 1, LAST_CHUNK);
        HttpExchange x = w.only();
        assertThat(x.llm()).isNull();
        assertThat(x.tokenNs()).containsExactly(3, 4);
    }

    @Test
    void compressedStreamCountsChunks() {
        Wire w = new Wire().in(1, 1, REQUEST)
                .out(2, 1, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n")
                .out(3, 1, chunk("\u001f\u008b binary")).out(4, 1, chunk("more binary") + LAST_CHUNK);
        HttpExchange x = w.only();
        assertThat(x.tokenNs()).containsExactly(3, 4);
        assertThat(x.llm()).isEqualTo(new LlmCall("openai", "chat", "llama-3-8b", true, 5, null, null, null, false, 0, 0,
                null, null, null));
    }
}
