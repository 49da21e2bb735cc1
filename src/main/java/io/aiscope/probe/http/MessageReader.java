package io.aiscope.probe.http;

/**
 * Reads the messages of one direction of a connection (requests, or responses) from its socket calls: heads,
 * assembled across calls; bodies framed by Content-Length, chunked coding or the end of the connection; several
 * messages in one call. It reports to a {@link Listener}, which knows what the messages mean.
 *
 * <p>Bytes the capture did not keep are skipped by count where the framing allows (a Content-Length body, the
 * inside of one chunk). Where it does not (uncaptured bytes crossing chunk boundaries, a head cut by the capture
 * and read from the lines kept), the message under way continues "lost": every following call belongs to it,
 * until
 * <ul>
 * <li>for a chunked body, a call whose known end is the last chunk (the capture always keeps a call's last
 *     bytes): the message ended there ({@link ChunkedBody#lastChunkStart}), or a call holding the last chunk
 *     followed by the start of a message: it ended before that start;</li>
 * <li>a call that begins with a new message: it ended in the call before;</li>
 * <li>the end of the connection.</li>
 * </ul>
 * This can fail in two rare ways: chunk data that itself ends with "
0

" at the end of a call ends
 * the body early; a last chunk followed in the same call by something other than a message start is missed, and
 * the body then ends only at the next message (its end time too late) or with the connection.
 *
 * <p>After garbage (or a message begun in uncaptured bytes) the reader is unsynchronised: it skips calls until
 * one begins with a message, as a socket call after a completed message usually does.
 */
final class MessageReader {
    /** A head that has not ended after this many bytes is not one we read. */
    static final int MAX_HEAD = 16 << 10;
    /** Known bytes kept while lost in a chunked body, enough for the last chunk with a few trailers. */
    private static final int LOST_WINDOW = 512;

    /** How a message's body is delimited, as the listener decides from the head (and, for responses, the request). */
    enum Body { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    interface Listener {
        /** A message begins in {@code io}. */
        void start(SocketIo io);

        /** {@code n} bytes of the message under way moved in {@code io}: of its head, or of its body. */
        void moved(SocketIo io, long n, boolean body);

        /** The head was read. */
        Body head(HttpHead head);

        /** Body content, chunk framing removed. */
        void data(SocketIo io, byte[] b, int off, int len);

        /** Body content went by uncaptured. */
        void gap();

        /** A chunk with data ended in {@code io}. */
        void chunk(SocketIo io);

        /** The message is complete; its last byte moved in the last call reported by {@link #moved}. */
        void end();

        /** The message turned out malformed: forget what is not known to be real. */
        void abandon();
    }

    private enum State { HEAD, LENGTH, CHUNKED, UNTIL_CLOSE, LOST, UNSYNCED }

    private final boolean request;
    private final Listener listener;
    private final HttpHead head = new HttpHead();
    private final ChunkedBody chunked = new ChunkedBody();
    private State state = State.HEAD;
    private boolean inMessage;
    private byte[] headBuffer;
    private int headLength;
    private long remaining;
    private boolean lostChunked;
    private ByteWindow lostEnd;
    private long parseErrors;
    private long captureLosses;

    MessageReader(boolean request, Listener listener) {
        this.request = request;
        this.listener = listener;
    }

    long parseErrors() {
        return parseErrors;
    }

    long captureLosses() {
        return captureLosses;
    }

    /**
     * Whether the message under way ends only when the connection does: a body until close, or one whose
     * framing was lost and is not chunked.
     */
    boolean endsAtClose() {
        return state == State.UNTIL_CLOSE || state == State.LOST && !lostChunked;
    }

    /** Forgets the message under way (the connection handles what it meant) and waits for a message to begin. */
    void desync() {
        state = State.UNSYNCED;
        inMessage = false;
        headLength = 0;
    }

    void accept(SocketIo io) {
        byte[] h = io.head();
        if (state == State.UNSYNCED || state == State.LOST) {
            if (HttpHead.startsMessage(request, h, 0, h.length)) {
                if (state == State.LOST) {
                    ended();
                } else {
                    state = State.HEAD;
                }
            } else if (state == State.UNSYNCED) {
                return;
            }
        }
        scan(io, h, 0, h.length);
        long missing = io.missing();
        if (missing > 0) {
            skip(io, missing);
        }
        byte[] t = io.tail();
        if (t.length > 0) {
            scan(io, t, 0, t.length);
        }
        if (state == State.LOST && lostChunked
                && ChunkedBody.lastChunkStart(lostEnd.array(), 0, lostEnd.length()) >= 0) {
            ended();
        }
    }

    private void scan(SocketIo io, byte[] b, int p, int end) {
        while (p < end) {
            switch (state) {
                case HEAD -> p = head(io, b, p, end);
                case LENGTH -> {
                    int n = (int) Math.min(remaining, end - p);
                    listener.moved(io, n, true);
                    listener.data(io, b, p, n);
                    p += n;
                    remaining -= n;
                    if (remaining == 0) {
                        ended();
                    }
                }
                case CHUNKED -> p = chunked(io, b, p, end);
                case UNTIL_CLOSE -> {
                    listener.moved(io, end - p, true);
                    listener.data(io, b, p, end - p);
                    p = end;
                }
                case LOST -> {
                    int stop = lostChunked ? nextAfterLastChunk(b, p, end) : end;
                    listener.moved(io, stop - p, true);
                    listener.data(io, b, p, stop - p);
                    if (lostChunked) {
                        lostEnd.append(b, p, stop - p);
                    }
                    p = stop;
                    if (stop < end) {
                        ended();
                    }
                }
                case UNSYNCED -> p = end;
            }
        }
    }

    private int head(SocketIo io, byte[] b, int p, int end) {
        if (headLength == 0) {
            // Empty lines before a message are allowed (RFC 9112 §2.2), and some clients send one after a body.
            while (p < end && (b[p] == '\r' || b[p] == '\n')) {
                p++;
            }
            if (p == end) {
                return end;
            }
            int e = HttpHead.findEnd(b, p, end);
            int stop = e < 0 ? end : e;
            if (!HttpHead.plausibleStart(request, b, p, stop) || stop - p > MAX_HEAD) {
                fail();
                return end;
            }
            inMessage = true;
            listener.start(io);
            listener.moved(io, stop - p, false);
            if (e < 0) {
                if (headBuffer == null) {
                    headBuffer = new byte[MAX_HEAD];
                }
                System.arraycopy(b, p, headBuffer, 0, end - p);
                headLength = end - p;
                return end;
            }
            headRead(b, p, e);
            return e;
        }
        int old = headLength;
        int n = Math.min(end - p, MAX_HEAD - old);
        System.arraycopy(b, p, headBuffer, old, n);
        headLength += n;
        int e = HttpHead.findEnd(headBuffer, Math.max(0, old - 2), headLength);
        int used = e < 0 ? n : e - old;
        listener.moved(io, used, false);
        if (!HttpHead.plausibleStart(request, headBuffer, 0, headLength) || e < 0 && headLength == MAX_HEAD) {
            fail();
            return end;
        }
        if (e >= 0) {
            headLength = 0;
            headRead(headBuffer, 0, e);
        }
        return p + used;
    }

    private void headRead(byte[] b, int off, int end) {
        if (!head.parse(request, b, off, end, false)) {
            fail();
            return;
        }
        switch (listener.head(head)) {
            case NONE -> ended();
            case LENGTH -> {
                remaining = head.contentLength;
                if (remaining == 0) {
                    ended();
                } else {
                    state = State.LENGTH;
                }
            }
            case CHUNKED -> {
                chunked.reset();
                state = State.CHUNKED;
            }
            case UNTIL_CLOSE -> state = State.UNTIL_CLOSE;
        }
    }

    private int chunked(SocketIo io, byte[] b, int p, int end) {
        int q = p;
        while (q < end && !chunked.done()) {
            if (chunked.inData()) {
                int n = (int) Math.min(chunked.remaining(), end - q);
                listener.data(io, b, q, n);
                q += n;
                if (chunked.consumed(n)) {
                    listener.chunk(io);
                }
            } else {
                int r = chunked.frame(b, q, end);
                if (r < 0) {
                    fail();
                    return end;
                }
                q = r;
            }
        }
        listener.moved(io, q - p, true);
        if (chunked.done()) {
            ended();
        }
        return q;
    }

    /**
     * Where a message begins right after a last chunk ("\r\n0\r\n\r\n") in {@code b[p..end)}: the end of a
     * lost chunked body followed, in the same call, by the next message. {@code end} when there is none.
     */
    private int nextAfterLastChunk(byte[] b, int p, int end) {
        for (int i = p + 2; i + 5 < end; i++) {
            if (b[i] == '0' && b[i - 2] == '\r' && b[i - 1] == '\n' && b[i + 1] == '\r' && b[i + 2] == '\n'
                    && b[i + 3] == '\r' && b[i + 4] == '\n' && HttpHead.startsMessage(request, b, i + 5, end)) {
                return i + 5;
            }
        }
        return end;
    }

    /** {@code n} bytes moved in {@code io} were not captured. */
    private void skip(SocketIo io, long n) {
        switch (state) {
            case HEAD -> {
                if (headLength > 0) {
                    truncatedHead(io, n);
                } else {
                    lose();
                }
            }
            case LENGTH -> {
                long m = Math.min(n, remaining);
                listener.moved(io, m, true);
                listener.gap();
                remaining -= m;
                if (remaining == 0) {
                    ended();
                    if (m < n) {
                        lose();
                    }
                }
            }
            case CHUNKED -> {
                listener.moved(io, n, true);
                listener.gap();
                if (chunked.inData() && chunked.remaining() >= n) {
                    if (chunked.consumed(n)) {
                        listener.chunk(io);
                    }
                } else {
                    captureLosses++;
                    lost(true);
                }
            }
            case UNTIL_CLOSE -> {
                listener.moved(io, n, true);
                listener.gap();
            }
            case LOST -> {
                listener.moved(io, n, true);
                listener.gap();
                if (lostChunked) {
                    lostEnd.clear();
                }
            }
            case UNSYNCED -> { }
        }
    }

    /** The capture ended inside a head: read the lines it kept, then follow the message as lost. */
    private void truncatedHead(SocketIo io, long n) {
        captureLosses++;
        int length = headLength;
        headLength = 0;
        listener.moved(io, n, false);
        if (!head.parse(request, headBuffer, 0, length, true)) {
            fail();
            return;
        }
        lost(listener.head(head) == Body.CHUNKED);
        listener.gap();
    }

    private void lost(boolean chunkedBody) {
        state = State.LOST;
        lostChunked = chunkedBody;
        if (chunkedBody) {
            if (lostEnd == null) {
                lostEnd = new ByteWindow(LOST_WINDOW);
            }
            lostEnd.clear();
        }
    }

    private void ended() {
        state = State.HEAD;
        inMessage = false;
        listener.end();
    }

    /** A message began in bytes that were not captured: nothing of it can be read. */
    private void lose() {
        captureLosses++;
        state = State.UNSYNCED;
    }

    private void fail() {
        parseErrors++;
        state = State.UNSYNCED;
        headLength = 0;
        if (inMessage) {
            inMessage = false;
            listener.abandon();
        }
    }
}
