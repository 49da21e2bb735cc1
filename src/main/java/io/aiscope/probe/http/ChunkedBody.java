package io.aiscope.probe.http;

/**
 * The framing of a chunked body (RFC 9112 §7.1): size lines, data, CRLFs, the last chunk and its trailers. It
 * walks the framing bytes and leaves the data to its caller ({@link #inData()}, {@link #consumed}), so data that
 * was never captured can be skipped by count as long as it lies inside one chunk.
 */
final class ChunkedBody {
    /** A chunk-size longer than this many hex digits (2^60 bytes) is garbage. */
    private static final int MAX_SIZE_DIGITS = 15;
    /** Chunk extensions and trailer lines are skipped, but not without end. */
    private static final int MAX_SKIPPED_LINE = 4096;

    private static final int SIZE = 0;
    private static final int EXTENSION = 1;
    private static final int SIZE_LF = 2;
    private static final int DATA = 3;
    private static final int DATA_CR = 4;
    private static final int DATA_LF = 5;
    private static final int TRAILER_START = 6;
    private static final int TRAILER = 7;
    private static final int LAST_LF = 8;
    private static final int DONE = 9;

    private int state;
    private long remaining;
    private int digits;
    private int skipped;

    void reset() {
        state = SIZE;
        remaining = 0;
        digits = 0;
        skipped = 0;
    }

    boolean done() {
        return state == DONE;
    }

    /** Inside a chunk's data: the next {@link #remaining()} bytes are data. */
    boolean inData() {
        return state == DATA;
    }

    long remaining() {
        return remaining;
    }

    /** {@code n} data bytes went by (at most {@link #remaining()}); true when they completed the chunk. */
    boolean consumed(long n) {
        remaining -= n;
        if (remaining > 0) {
            return false;
        }
        state = DATA_CR;
        return true;
    }

    /**
     * Walks framing bytes from {@code p} until chunk data begins, the body ends or {@code end} is reached.
     * Returns the position reached, or -1 when the bytes are not chunked framing.
     */
    int frame(byte[] b, int p, int end) {
        while (p < end) {
            byte c = b[p];
            switch (state) {
                case SIZE -> {
                    int v = hex(c);
                    if (v >= 0 && digits < MAX_SIZE_DIGITS) {
                        remaining = remaining << 4 | v;
                        digits++;
                    } else if (digits == 0) {
                        return -1;
                    } else if (c == '\r') {
                        state = SIZE_LF;
                    } else if (c == '\n') {
                        sizeLineEnded();
                    } else if (c == ';' || c == ' ' || c == '\t') {
                        state = EXTENSION;
                    } else {
                        return -1;
                    }
                }
                case EXTENSION -> {
                    if (c == '\n') {
                        sizeLineEnded();
                    } else if (++skipped > MAX_SKIPPED_LINE) {
                        return -1;
                    }
                }
                case SIZE_LF -> {
                    if (c != '\n') {
                        return -1;
                    }
                    sizeLineEnded();
                }
                case DATA -> {
                    return p;
                }
                case DATA_CR -> {
                    if (c == '\r') {
                        state = DATA_LF;
                    } else if (c == '\n') {
                        reset();
                    } else {
                        return -1;
                    }
                }
                case DATA_LF -> {
                    if (c != '\n') {
                        return -1;
                    }
                    reset();
                }
                case TRAILER_START -> {
                    skipped = 0;
                    state = c == '\r' ? LAST_LF : c == '\n' ? DONE : TRAILER;
                }
                case TRAILER -> {
                    if (c == '\n') {
                        state = TRAILER_START;
                    } else if (++skipped > MAX_SKIPPED_LINE) {
                        return -1;
                    }
                }
                case LAST_LF -> {
                    if (c != '\n') {
                        return -1;
                    }
                    state = DONE;
                }
                default -> {
                    return p;
                }
            }
            p++;
        }
        return p;
    }

    private void sizeLineEnded() {
        skipped = 0;
        state = remaining == 0 ? TRAILER_START : DATA;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Where the last chunk ("0", extensions, trailer fields, empty line) begins when {@code w[from..to)} ends with
     * it, preceded by the CRLF that closes the previous chunk's data; -1 otherwise. This is how a body whose
     * framing was lost to the capture finds its end: it can be fooled by data that itself ends in
     * "\r\n0\r\n\r\n" at the end of a socket call, which real payloads (JSON, SSE text) do not.
     */
    static int lastChunkStart(byte[] w, int from, int to) {
        if (to - from < 7 || !crlfAt(w, to - 2) || !crlfAt(w, to - 4)) {
            return -1;
        }
        int lineEnd = to - 4;
        while (true) {
            int start = lineEnd;
            boolean colon = false;
            while (start > from && w[start - 1] != '\n') {
                start--;
                colon |= w[start] == ':';
            }
            if (start == lineEnd || start - 2 < from || !crlfAt(w, start - 2)) {
                return -1;
            }
            if (w[start] == '0' && (start + 1 == lineEnd || w[start + 1] == ';' || w[start + 1] == ' ')) {
                return start;
            }
            if (!colon) {
                return -1;
            }
            lineEnd = start - 2;
        }
    }

    private static boolean crlfAt(byte[] w, int i) {
        return w[i] == '\r' && w[i + 1] == '\n';
    }
}
