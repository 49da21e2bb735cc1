package io.aiscope.probe.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Socket calls as the kernel side captures them: the first {@value #HEAD} bytes, and the last up to {@value #TAIL}
 * bytes of what lies beyond; and a connection under test that collects what it emits.
 */
final class Wire {
    static final int HEAD = 4096;
    static final int TAIL = 256;

    final List<HttpExchange> exchanges = new ArrayList<>();
    final HttpConnection connection;

    Wire(boolean seenFromStart) {
        connection = new HttpConnection(42, 0xfeedL, seenFromStart, new RouteTemplates(200), exchanges::add);
    }

    /** A connection seen from its start that keeps up to {@code captureBytes} of LLM calls' content. */
    Wire(int captureBytes) {
        connection = new HttpConnection(42, 0xfeedL, true, new RouteTemplates(200), captureBytes, exchanges::add);
    }

    Wire() {
        this(true);
    }

    Wire in(long ts, int tid, String data) {
        connection.accept(call(ts, tid, true, bytes(data)));
        return this;
    }

    Wire out(long ts, int tid, String data) {
        connection.accept(call(ts, tid, false, bytes(data)));
        return this;
    }

    Wire in(long ts, int tid, byte[] data) {
        connection.accept(call(ts, tid, true, data));
        return this;
    }

    Wire out(long ts, int tid, byte[] data) {
        connection.accept(call(ts, tid, false, data));
        return this;
    }

    /**
     * {@code data} written in calls of {@code size} bytes (the last may be shorter), the first at {@code ts}, each
     * next one a nanosecond later; returns the time of the last.
     */
    long outInPieces(long ts, int tid, byte[] data, int size) {
        long t = ts;
        for (int off = 0; off < data.length; off += size, t++) {
            out(t, tid, Arrays.copyOfRange(data, off, Math.min(data.length, off + size)));
        }
        return t - 1;
    }

    /** A call that returned {@code result} without data: 0 (end of stream) or -errno. */
    Wire result(long ts, int tid, boolean inbound, long result) {
        connection.accept(new SocketIo(ts, tid, inbound, result, new byte[0], new byte[0], clock(ts)));
        return this;
    }

    HttpExchange only() {
        assertThat(exchanges).hasSize(1);
        return exchanges.getFirst();
    }

    static SocketIo call(long ts, int tid, boolean inbound, byte[] data) {
        int n = data.length;
        int h = Math.min(n, HEAD);
        int t = Math.min(TAIL, n - h);
        return new SocketIo(ts, tid, inbound, n, Arrays.copyOf(data, h), Arrays.copyOfRange(data, n - t, n), clock(ts));
    }

    static ThreadClock clock(long ts) {
        return new ThreadClock(ts / 10, ts / 2, ts / 5);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One chunk of a chunked body. */
    static String chunk(String data) {
        return Integer.toHexString(bytes(data).length) + "\r\n" + data + "\r\n";
    }

    static final String LAST_CHUNK = "0\r\n\r\n";

    static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }
}
