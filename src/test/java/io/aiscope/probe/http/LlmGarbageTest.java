package io.aiscope.probe.http;

import static io.aiscope.probe.http.LlmWire.SSE_HEAD;
import static io.aiscope.probe.http.LlmWire.chunk;
import static io.aiscope.probe.http.LlmWire.data;
import static io.aiscope.probe.http.LlmWire.json;
import static io.aiscope.probe.http.LlmWire.lastChunk;
import static io.aiscope.probe.http.LlmWire.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Bodies that are cut, malformed or hostile: what was read stays, nothing is thrown, memory stays bounded. */
@Tag("unit")
class LlmGarbageTest {
    private static final String ANY = "{\"model\":\"m\",\"stream\":true}";

    @Test
    void responseCutShortKeepsTheFieldsBeforeTheCut() {
        String body = "{\"id\":\"msg_1\",\"model\":\"claude-3-5-haiku-20241022\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"Hel";
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n";
        Wire w = new Wire(100).out(1, 1, post("h", "/v1/messages", ANY)).in(2, 1, head + body).result(3, 1, true, 0);
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(HttpExchange.Outcome.ABORTED);
        assertThat(x.llm()).isEqualTo(new LlmCall("anthropic", "chat", "m", true, null, "claude-3-5-haiku-20241022",
                null, null, false, 0, 0, null, null, null));
    }

    @Test
    void eventsThatAreNotJsonCountAsEventsButNotContent() {
        Wire w = new Wire().out(1, 1, post("h", "/v1/chat/completions", ANY)).in(2, 1, SSE_HEAD)
                .in(3, 1, data("{\"choices\":[{\"delta\":{\"content\":\"a\"}}]"))
                .in(4, 1, data("not json at all"))
                .in(5, 1, data("{\"choices\":[{\"delta\":{\"content\":}}]}"))
                .in(6, 1, data("[1,2,{\"content\":\"x\"}]"))
                .in(7, 1, data("\"choices\""))
                .in(8, 1, chunk("data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\ndata: trailing\n\n"))
                .in(9, 1, lastChunk());
        HttpExchange x = w.only();
        assertThat(x.tokenNs()).containsExactly(3, 4, 5, 6, 7, 8);
        // The first event ends before its closing brace: its delta was read. The last one's document ends before
        // its second data line, which is not read.
        assertThat(x.llm().contentEvents()).isEqualTo(2);
        assertThat(x.llm().outputTokens()).isEqualTo(2);
    }

    @Test
    void deepNestingAndLongValuesAreBounded() {
        String deep = "[".repeat(5000);
        String longModel = "m".repeat(10_000);
        String body = "{\"metadata\":" + deep + "1" + "]".repeat(5000) + ",\"model\":\"" + longModel + "\","
                + "\"max_tokens\":99999999999,\"stream\":\"yes\"}";
        Wire w = new Wire(16);
        long t = w.outInPieces(1, 1, post("h", "/v1/chat/completions", body), 1000);
        w.in(t + 1, 1, json("200 OK", "{\"error\":{\"type\":\"" + "e".repeat(1000) + "\"},\"usage\":"
                + "{\"prompt_tokens\":-1,\"completion_tokens\":1.5}}"));
        assertThat(w.only().llm()).isEqualTo(new LlmCall("openai", "chat", null, null, null, null, -1, null, false, 0,
                0, null, null, null));
    }

    @Test
    void randomBytesInBodiesAndEventsNeverThrow() {
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] garbage = new byte[random.nextInt(3000)];
            random.nextBytes(garbage);
            Wire w = new Wire(64).out(1, 1, LlmWire.concat(post("h", "/v1/messages", ANY + "\n"), garbage));
            w.in(2, 1, SSE_HEAD).in(3, 1, LlmWire.concat(LlmWire.utf8(Integer.toHexString(garbage.length + 9)
                    + "\r\ndata: {"), garbage, LlmWire.utf8("\n\n\r\n"))).in(4, 1, lastChunk());
            Wire v = new Wire(64).out(1, 1, post("h", "/v1/responses", "{\"input\":\"" + new String(garbage,
                    java.nio.charset.StandardCharsets.ISO_8859_1) + "\"}"))
                    .in(2, 1, LlmWire.concat(LlmWire.utf8("HTTP/1.1 500 Oops\r\nContent-Length: " + garbage.length
                            + "\r\n\r\n"), garbage));
            assertThat(w.exchanges).hasSizeLessThanOrEqualTo(1);
            assertThat(v.exchanges).hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void compressedResponseIsNotRead() {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                + "Content-Length: 4\r\n\r\n\u001f\u008b\u0008\u0000";
        Wire w = new Wire(64).out(1, 1, post("h", "/v1/messages", "{\"model\":\"m\",\"system\":\"s\"}")).in(2, 1, head);
        assertThat(w.only().llm()).isEqualTo(new LlmCall("anthropic", "chat", "m", null, null, null, null, null,
                false, 0, 0, null, "s", null));
    }
}
