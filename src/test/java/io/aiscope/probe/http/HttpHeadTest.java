package io.aiscope.probe.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class HttpHeadTest {
    private final HttpHead head = new HttpHead();

    private boolean parse(boolean request, String s) {
        byte[] b = Wire.bytes(s);
        return head.parse(request, b, 0, b.length, false);
    }

    @Test
    void framingHeadersAreCaseInsensitive() {
        assertThat(parse(false, "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:  42 \r\nCONTENT-TYPE: Text/Event-Stream;x\r\n"
                + "content-encoding: identity\r\n\r\n")).isTrue();
        assertThat(head.status).isEqualTo(200);
        assertThat(head.contentLength).isEqualTo(42);
        assertThat(head.eventStream).isTrue();
        assertThat(head.encoded).isFalse();
        assertThat(head.chunked).isFalse();
        assertThat(parse(false, "HTTP/1.0 502\nTransfer-Encoding: chunked, gzip\nContent-Encoding: br\n\n")).isTrue();
        assertThat(head.status).isEqualTo(502);
        assertThat(head.transferEncoding).isTrue();
        assertThat(head.chunked).isFalse();
        assertThat(head.encoded).isTrue();
    }

    @Test
    void hostIsKeptAsSentAndReusedWhileItStaysTheSame() {
        assertThat(parse(true, "POST /v1/messages HTTP/1.1\r\nhOsT:  api.anthropic.com \r\n\r\n")).isTrue();
        String first = head.host;
        assertThat(first).isEqualTo("api.anthropic.com");
        assertThat(parse(true, "POST /v1/messages HTTP/1.1\r\nHost: api.anthropic.com\r\n\r\n")).isTrue();
        assertThat(head.host).isSameAs(first);
        assertThat(parse(true, "GET / HTTP/1.1\r\nHost: localhost:8000\r\n\r\n")).isTrue();
        assertThat(head.host).isEqualTo("localhost:8000");
        assertThat(parse(true, "GET / HTTP/1.1\r\nX-Host: a\r\n\r\n")).isTrue();
        assertThat(head.host).isNull();
        assertThat(parse(true, "GET / HTTP/1.1\r\nHost: " + "h".repeat(300) + "\r\n\r\n")).isTrue();
        assertThat(head.host).isNull();
        assertThat(parse(true, "GET / HTTP/1.1\r\nHost: localhost:8000\r\n\r\n")).isTrue();
        assertThat(head.host).isEqualTo("localhost:8000");
    }

    @Test
    void requestLines() {
        assertThat(parse(true, "PATCH /a/b?c#d HTTP/1.0\r\n\r\n")).isTrue();
        assertThat(head.method).isEqualTo("PATCH");
        assertThat(head.path).isEqualTo("/a/b");
        assertThat(parse(true, "GET /x HTTP/1.1\r\nFolded: a\r\n  continued\r\n\r\n")).isTrue();
        assertThat(parse(true, "get /x HTTP/1.1\r\n\r\n")).isFalse();
        assertThat(parse(true, "BREW /pot HTTP/1.1\r\n\r\n")).isFalse();
        assertThat(parse(true, "GET  /x HTTP/1.1\r\n\r\n")).isFalse();
        assertThat(parse(true, "GET /x\r\n\r\n")).isFalse();
        assertThat(parse(true, "GET /x HTTP/1.1 \r\n\r\n")).isFalse();
        assertThat(parse(true, "GET x HTTP/1.1\r\n\r\n")).isFalse();
        assertThat(parse(true, "GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n")).isFalse();
        assertThat(parse(true, "GET /x HTTP/1.1\r\n: v\r\n\r\n")).isFalse();
        assertThat(parse(true, "GET /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n")).isFalse();
        assertThat(parse(true, "GET /x HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n")).isFalse();
    }

    @Test
    void statusLines() {
        assertThat(parse(false, "HTTP/1.1 404 Not Found\r\n\r\n")).isTrue();
        assertThat(head.status).isEqualTo(404);
        assertThat(parse(false, "HTTP/1.1 20 OK\r\n\r\n")).isFalse();
        assertThat(parse(false, "HTTP/1.1 2000\r\n\r\n")).isFalse();
        assertThat(parse(false, "HTTP/2 200\r\n\r\n")).isFalse();
        assertThat(parse(false, "HTTP/1.1 099 Odd\r\n\r\n")).isFalse();
    }

    @Test
    void truncatedHeadKeepsTheCompleteLines() {
        byte[] b = Wire.bytes("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-Long: abc");
        assertThat(head.parse(false, b, 0, b.length, true)).isTrue();
        assertThat(head.contentLength).isEqualTo(7);
        assertThat(head.truncated).isTrue();
        byte[] cut = Wire.bytes("HTTP/1.1 20");
        assertThat(head.parse(false, cut, 0, cut.length, true)).isFalse();
    }

    @Test
    void messageStarts() {
        byte[] b = Wire.bytes("OPTIONS * HTTP/1.1");
        assertThat(HttpHead.methodAt(b, 0, b.length)).isEqualTo("OPTIONS");
        assertThat(HttpHead.methodAt(b, 0, 7)).isNull();
        assertThat(HttpHead.plausibleStart(true, b, 0, 3)).isTrue();
        assertThat(HttpHead.plausibleStart(true, Wire.bytes("GETX"), 0, 4)).isFalse();
        assertThat(HttpHead.plausibleStart(false, Wire.bytes("HTT"), 0, 3)).isTrue();
        assertThat(HttpHead.plausibleStart(false, Wire.bytes("HTTX"), 0, 4)).isFalse();
        assertThat(HttpHead.statusLineAt(Wire.bytes("HTTP/1.1 "), 0, 9)).isTrue();
        assertThat(HttpHead.statusLineAt(Wire.bytes("HTTP/1.1"), 0, 8)).isFalse();
    }
}
