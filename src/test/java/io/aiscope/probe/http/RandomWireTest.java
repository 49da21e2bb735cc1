package io.aiscope.probe.http;

import static io.aiscope.probe.http.Wire.LAST_CHUNK;
import static io.aiscope.probe.http.Wire.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import io.aiscope.probe.http.HttpExchange.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Generated conversations, cut into calls every which way, damaged or not. */
@Tag("unit")
class RandomWireTest {
    private record Exchange(String request, String response, int status) {
    }

    private static Exchange exchange(Random r) {
        String body = "x".repeat(r.nextInt(3) == 0 ? r.nextInt(9000) : r.nextInt(50));
        return switch (r.nextInt(7)) {
            case 0 -> new Exchange("GET /a/" + r.nextInt(1000) + " HTTP/1.1\r\nHost: h\r\n\r\n",
                    "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body, 200);
            case 1 -> new Exchange("POST /b HTTP/1.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body,
                    "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("ab") + chunk(body + "c")
                            + LAST_CHUNK, 201);
            case 2 -> new Exchange("HEAD /c HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 200);
            case 3 -> new Exchange("DELETE /d HTTP/1.1\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n", 204);
            case 4 -> new Exchange("PUT /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz",
                    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n", 500);
            case 5 -> new Exchange(
                    "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 16\r\n\r\n{\"stream\":true}\n",
                    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + chunk("data: {\"choices\":[{}]}\n\n") + chunk("data: {\"cho") + chunk("ices\":[{}]}\n\n")
                            + chunk("data: [DONE]\n\n") + LAST_CHUNK, 200);
            default -> new Exchange("OPTIONS * HTTP/1.1\r\n\r\n",
                    "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found", 404);
        };
    }

    /** Splits {@code s} into calls of random sizes, most small, some bigger than the capture when allowed. */
    private static List<byte[]> calls(Random r, String s, boolean big) {
        byte[] b = Wire.bytes(s);
        List<byte[]> calls = new ArrayList<>();
        for (int off = 0; off < b.length; ) {
            int n = big && r.nextInt(4) == 0 ? 1 + r.nextInt(20_000) : 1 + r.nextInt(r.nextBoolean() ? 8 : 600);
            int end = Math.min(b.length, off + n);
            calls.add(Arrays.copyOfRange(b, off, end));
            off = end;
        }
        return calls;
    }

    @Test
    void conversationsCutAnyWayWithinTheCaptureParseExactly() {
        for (int seed = 0; seed < 500; seed++) {
            Random r = new Random(seed);
            List<Exchange> sent = new ArrayList<>();
            boolean server = r.nextBoolean();
            Wire w = new Wire();
            long ts = 1;
            int n = 1 + r.nextInt(6);
            for (int i = 0; i < n; i++) {
                sent.add(exchange(r));
            }
            // Pipelining: the requests of a batch go out before their responses.
            for (int i = 0; i < n; ) {
                int batch = 1 + r.nextInt(3);
                List<Exchange> now = sent.subList(i, Math.min(n, i + batch));
                String requests = String.join("", now.stream().map(Exchange::request).toList());
                for (byte[] c : calls(r, requests, false)) {
                    w.connection.accept(Wire.call(ts++, 1 + r.nextInt(3), server, c));
                }
                String responses = String.join("", now.stream().map(Exchange::response).toList());
                for (byte[] c : calls(r, responses, false)) {
                    w.connection.accept(Wire.call(ts++, 1 + r.nextInt(3), !server, c));
                }
                i += now.size();
            }
            assertThat(w.exchanges).as("seed %d", seed).hasSize(n);
            for (int i = 0; i < n; i++) {
                HttpExchange x = w.exchanges.get(i);
                Exchange e = sent.get(i);
                assertThat(x.outcome()).as("seed %d", seed).isEqualTo(Outcome.COMPLETE);
                assertThat(x.status()).as("seed %d", seed).isEqualTo(e.status());
                assertThat(x.requestBytes()).as("seed %d", seed).isEqualTo(e.request().length());
                assertThat(x.responseBytes()).as("seed %d", seed).isEqualTo(e.response().length());
                assertThat(x.tokenNs()).hasSize(x.path().startsWith("/v1/") ? 2 : x.streaming() ? 2 : 0);
                assertSane(x);
            }
            assertThat(w.connection.parseErrors() + w.connection.captureLosses()).isZero();
        }
    }

    @Test
    void damagedAndOverCapturedConversationsNeverThrow() {
        for (int seed = 0; seed < 2000; seed++) {
            Random r = new Random(seed);
            Wire w = new Wire(r.nextBoolean());
            long ts = 1;
            int requests = 0;
            for (int i = 1 + r.nextInt(8); i > 0; i--) {
                Exchange e = exchange(r);
                requests++;
                for (boolean request : new boolean[] {true, false}) {
                    boolean inbound = request;
                    for (byte[] c : calls(r, request ? e.request() : e.response(), true)) {
                        if (r.nextInt(10) == 0) {
                            c[r.nextInt(c.length)] = (byte) r.nextInt(256);
                        }
                        if (r.nextInt(30) == 0) {
                            w.connection.accept(Wire.call(ts++, 1, r.nextBoolean(), randomBytes(r)));
                        }
                        if (r.nextInt(25) == 0) {
                            // The kernel could not copy the data: only the count is known.
                            w.connection.accept(new SocketIo(ts++, 1, inbound, c.length, new byte[0], new byte[0],
                                    ThreadClock.NONE));
                        } else {
                            w.connection.accept(Wire.call(ts++, 1 + r.nextInt(3), inbound, c));
                        }
                    }
                }
                if (r.nextInt(20) == 0) {
                    w.result(ts++, 1, r.nextBoolean(), r.nextBoolean() ? 0 : -104);
                }
            }
            w.connection.close(ts);
            assertThat(w.exchanges.size()).as("seed %d", seed).isLessThanOrEqualTo(requests);
            w.exchanges.forEach(RandomWireTest::assertSane);
        }
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(100)];
        r.nextBytes(b);
        return b;
    }

    private static void assertSane(HttpExchange x) {
        assertThat(x.startNs()).isPositive();
        assertThat(x.requestEndNs()).isBetween(x.startNs(), x.endNs());
        assertThat(x.endNs()).isGreaterThanOrEqualTo(x.startNs());
        if (x.status() > 0 && x.outcome() == Outcome.COMPLETE) {
            assertThat(x.responseStartNs()).isBetween(x.startNs(), x.endNs());
        }
        assertThat(x.tids()).isSorted().isNotEmpty().contains(x.startTid(), x.endTid());
        for (long t : x.tokenNs()) {
            assertThat(t).isBetween(x.startNs(), x.endNs());
        }
        assertThat(x.method()).isNotNull();
        assertThat(x.route()).isNotNull();
    }
}
