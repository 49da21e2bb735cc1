package io.aiscope.probe.http;

import static io.aiscope.probe.http.Wire.LAST_CHUNK;
import static io.aiscope.probe.http.Wire.chunk;
import static io.aiscope.probe.http.Wire.repeat;
import static org.assertj.core.api.Assertions.assertThat;

import io.aiscope.probe.http.HttpExchange.Outcome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Calls that moved more than the capture keeps: the parser goes on by counts, or finds its way back. */
@Tag("unit")
class CaptureLossTest {
    private static final String GET = "GET /big HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    @Test
    void contentLengthResponseBiggerThanTheCapture() {
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
        String response = head + repeat('x', 100_000);
        Wire w = new Wire().in(1, 1, GET).out(2, 1, response);
        assertThat(Wire.call(2, 1, false, Wire.bytes(response)).missing()).isPositive();
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(Outcome.COMPLETE);
        assertThat(x.endNs()).isEqualTo(2);
        assertThat(x.responseBytes()).isEqualTo(response.length());
        w.in(3, 1, GET).out(4, 1, OK);
        assertThat(w.exchanges).hasSize(2);
        assertThat(w.connection.captureLosses()).isZero();
    }

    @Test
    void contentLengthBodyOverSeveralBigCalls() {
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 30000\r\n\r\n";
        Wire w = new Wire().in(1, 1, GET).out(2, 1, head + repeat('a', 10_000)).out(3, 1, repeat('b', 10_000));
        assertThat(w.exchanges).isEmpty();
        w.out(4, 1, repeat('c', 10_000));
        assertThat(w.only().endNs()).isEqualTo(4);
        assertThat(w.only().responseBytes()).isEqualTo(head.length() + 30_000);
    }

    @Test
    void bigRequestBodyIsSkippedByCount() {
        String head = "POST /upload HTTP/1.1\r\nContent-Length: 50000\r\n\r\n";
        Wire w = new Wire().in(1, 1, head + repeat('z', 20_000)).in(2, 1, repeat('z', 30_000)).out(3, 1, OK);
        assertThat(w.only().requestEndNs()).isEqualTo(2);
        assertThat(w.only().requestBytes()).isEqualTo(head.length() + 50_000);
    }

    @Test
    void chunkedResponseEndingInTheTail() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            body.append(chunk("chunk " + i + " " + repeat('y', 80)));
        }
        String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body + LAST_CHUNK;
        Wire w = new Wire().in(1, 1, GET).out(2, 1, response);
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(Outcome.COMPLETE);
        assertThat(x.endNs()).isEqualTo(2);
        assertThat(x.responseBytes()).isEqualTo(response.length());
        assertThat(w.connection.captureLosses()).isEqualTo(1);
        w.in(3, 1, GET).out(4, 1, OK);
        assertThat(w.exchanges).hasSize(2);
        assertThat(w.connection.parseErrors()).isZero();
    }

    @Test
    void chunkedResponseWithTrailersEndingInTheTail() {
        String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(repeat('q', 3000))
                + chunk(repeat('r', 3000)) + "0\r\nX-Digest: sha-256=abc\r\n\r\n";
        Wire w = new Wire().in(1, 1, GET).out(2, 1, response);
        assertThat(w.only().endNs()).isEqualTo(2);
    }

    @Test
    void bigChunkKeepsItsFramingWhenTheGapIsInsideIt() {
        String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(repeat('d', 10_000));
        Wire w = new Wire().in(1, 1, GET).out(2, 1, response).out(3, 1, chunk("small")).out(4, 1, LAST_CHUNK);
        HttpExchange x = w.only();
        assertThat(x.endNs()).isEqualTo(4);
        assertThat(x.tokenNs()).containsExactly(2, 3);
        assertThat(w.connection.captureLosses()).isZero();
    }

    @Test
    void lostChunkedBodyEndsWhenALaterCallEndsWithTheLastChunk() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append(chunk(repeat('m', 60)));
        }
        Wire w = new Wire().in(1, 1, GET)
                .out(2, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + many)
                .out(3, 1, chunk("more")).out(4, 1, chunk("and more"));
        assertThat(w.exchanges).isEmpty();
        w.out(5, 1, "0\r\n").out(6, 1, "\r\n");
        assertThat(w.only().endNs()).isEqualTo(6);
        assertThat(w.only().outcome()).isEqualTo(Outcome.COMPLETE);
    }

    @Test
    void lostChunkedBodyFollowedByTheNextResponseInOneCall() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append(chunk(repeat('m', 60)));
        }
        Wire w = new Wire().in(1, 1, GET + GET)
                .out(2, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + many)
                .out(3, 1, chunk("x") + LAST_CHUNK + "HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(w.exchanges).extracting(HttpExchange::status).containsExactly(200, 204);
        assertThat(w.exchanges).extracting(HttpExchange::endNs).containsExactly(3L, 3L);
    }

    @Test
    void lostBodyEndsAtTheCallBeforeTheNextResponse() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append(chunk(repeat('m', 60)));
        }
        // The last chunk was never seen (say, in a call the kernel failed to capture).
        Wire w = new Wire().in(1, 1, GET + GET)
                .out(2, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + many)
                .out(3, 1, chunk("x")).out(5, 1, OK);
        assertThat(w.exchanges).extracting(HttpExchange::endNs).containsExactly(3L, 5L);
    }

    @Test
    void lostChunkedBodyCutByCloseIsClosed() {
        String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(repeat('q', 3000))
                + chunk(repeat('r', 3000)) + chunk("s");
        Wire w = new Wire().in(1, 1, GET).out(2, 1, response);
        w.connection.close(3);
        assertThat(w.only().outcome()).isEqualTo(Outcome.CLOSED);
    }

    @Test
    void responseHeadBiggerThanTheCaptureIsReadAsFarAsItGoes() {
        String response = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nX-Big: " + repeat('h', 6000)
                + "\r\n\r\nbusy";
        Wire w = new Wire().in(1, 1, GET).out(2, 1, response).out(3, 1, "leftover of the same response");
        assertThat(w.exchanges).isEmpty();
        w.in(4, 1, GET).out(5, 1, OK);
        assertThat(w.exchanges).hasSize(2);
        HttpExchange x = w.exchanges.getFirst();
        assertThat(x.status()).isEqualTo(503);
        assertThat(x.endNs()).isEqualTo(3);
        assertThat(x.responseBytes()).isEqualTo(response.length() + "leftover of the same response".length());
        assertThat(w.exchanges.get(1).status()).isEqualTo(200);
        assertThat(w.connection.captureLosses()).isEqualTo(1);
    }

    @Test
    void requestHeadBiggerThanTheCaptureStillMakesAnExchange() {
        String request = "GET /cookie-monster HTTP/1.1\r\nHost: a\r\nCookie: " + repeat('c', 5000) + "\r\n\r\n";
        Wire w = new Wire().in(1, 1, request).out(2, 1, OK).in(3, 1, GET).out(4, 1, OK);
        assertThat(w.exchanges).extracting(HttpExchange::path).containsExactly("/cookie-monster", "/big");
        assertThat(w.exchanges.getFirst().requestBytes()).isEqualTo(request.length());
        assertThat(w.connection.captureLosses()).isEqualTo(1);
    }

    @Test
    void lostResponseEndsAtCloseAsComplete() {
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-Big: " + repeat('h', 6000) + "\r\n\r\nbody";
        Wire w = new Wire().in(1, 1, GET).out(2, 1, response);
        w.connection.close(3);
        assertThat(w.only().outcome()).isEqualTo(Outcome.COMPLETE);
        assertThat(w.only().endNs()).isEqualTo(2);
    }

    @Test
    void requestBegunInUncapturedBytesIsLostUntilTheNextCall() {
        String first = "POST /a HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + repeat('p', 5000);
        String hidden = "GET /hidden HTTP/1.1\r\n\r\n";
        String last = "GET /last-in-call HTTP/1.1\r\nX-Pad: " + repeat('z', 300) + "\r\n\r\n";
        Wire w = new Wire().in(1, 1, first + hidden + last);
        assertThat(w.connection.captureLosses()).isEqualTo(1);
        w.out(2, 1, OK).in(3, 1, GET).out(4, 1, OK);
        assertThat(w.exchanges).extracting(HttpExchange::path).containsExactly("/a", "/big");
    }
}
