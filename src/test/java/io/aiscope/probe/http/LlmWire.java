package io.aiscope.probe.http;

import java.nio.charset.StandardCharsets;

/** Requests and responses of LLM APIs as their clients and servers put them on the wire. */
final class LlmWire {
    static final String SSE_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
            + "Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n\r\n";

    private LlmWire() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] post(String host, String path, String body) {
        byte[] b = utf8(body);
        return concat(utf8("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + b.length + "\r\n\r\n"), b);
    }

    static byte[] json(String status, String body) {
        byte[] b = utf8(body);
        return concat(utf8("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                + "\r\n\r\n"), b);
    }

    /** An SSE event with a name (Anthropic, the Responses API), as one chunk of the body. */
    static byte[] event(String name, String data) {
        return chunk("event: " + name + "\ndata: " + data + "\n\n");
    }

    /** An SSE event with data only (OpenAI chat and completions), as one chunk of the body. */
    static byte[] data(String data) {
        return chunk("data: " + data + "\n\n");
    }

    static byte[] chunk(String data) {
        byte[] b = utf8(data);
        return concat(utf8(Integer.toHexString(b.length) + "\r\n"), b, utf8("\r\n"));
    }

    static byte[] lastChunk() {
        return utf8(Wire.LAST_CHUNK);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, off, p.length);
            off += p.length;
        }
        return all;
    }
}
