package io.aiscope.workloads.client;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads one HTTP/1.1 response: status line, headers, then a body delimited by Content-Length, by chunked
 * encoding (decoded, with SSE events followed across chunk boundaries) or by the connection's close. Stops
 * early, leaving the response incomplete, once {@code stopAfterEvents} SSE events have arrived. Never reads past
 * the response's last byte, so pipelined responses can be read one after another.
 */
final class ResponseReader {
    private final TimedInput in;
    private final Response response;
    private final int stopAfterEvents;

    private ResponseReader(TimedInput in, Response response, int stopAfterEvents) {
        this.in = in;
        this.response = response;
        this.stopAfterEvents = stopAfterEvents;
    }

    /**
     * Reads into {@code response}; after an exception it holds what had arrived, its end time being the arrival
     * of the last byte read. {@code stopAfterEvents} 0: read the whole response.
     */
    static void read(TimedInput in, Response response, int stopAfterEvents) throws IOException {
        new ResponseReader(in, response, stopAfterEvents).read();
    }

    private void read() throws IOException {
        long before = in.consumed();
        try {
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new ProtocolException("not an HTTP response: " + statusLine);
            response.status = Integer.parseInt(parts[1]);
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                if (colon > 0) response.headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
            String type = response.headers.getOrDefault("content-type", "");
            if (type.startsWith("text/event-stream")) response.sse = new SseParser();
            response.complete = body();
        } finally {
            response.bytes = in.consumed() - before;
            if (response.startNs != 0) response.endNs = in.arrivedNs();
        }
    }

    /** Reads the body; false when stopped early. */
    private boolean body() throws IOException {
        int status = response.status;
        if (status / 100 == 1 || status == 204 || status == 304) return true;
        if ("chunked".equalsIgnoreCase(response.headers.get("transfer-encoding"))) return chunked();
        String length = response.headers.get("content-length");
        if (length != null) return fixed(Long.parseLong(length));
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (!bodyByte(b)) return false;
        }
        return true;
    }

    private boolean fixed(long length) throws IOException {
        for (long i = 0; i < length; i++) {
            if (!bodyByte(next())) return false;
        }
        return true;
    }

    private boolean chunked() throws IOException {
        while (true) {
            String sizeLine = line();
            int extension = sizeLine.indexOf(';');
            long size = Long.parseLong((extension < 0 ? sizeLine : sizeLine.substring(0, extension)).trim(), 16);
            if (size == 0) break;
            if (!fixed(size)) return false;
            if (!line().isEmpty()) throw new ProtocolException("chunk not followed by CRLF");
        }
        while (!line().isEmpty()) {
            // trailer fields: not used
        }
        return true;
    }

    /** Records one body byte; false once the events asked for have arrived. */
    private boolean bodyByte(int b) {
        if (response.firstBodyNs == 0) response.firstBodyNs = in.arrivedNs();
        response.body.write(b);
        if (response.sse != null && response.sse.accept(b)) {
            if (response.firstEventNs == 0) response.firstEventNs = in.arrivedNs();
            return response.sse.events() != stopAfterEvents;
        }
        return true;
    }

    /** A CRLF- (or LF-) terminated line, without its terminator. */
    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = next(); b != '\n'; b = next()) line.append((char) b);
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') line.setLength(end - 1);
        return new String(line.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private int next() throws IOException {
        int b = in.read();
        if (b < 0) throw new EOFException("connection closed before the response ended");
        if (response.startNs == 0) response.startNs = in.arrivedNs();
        return b;
    }
}
