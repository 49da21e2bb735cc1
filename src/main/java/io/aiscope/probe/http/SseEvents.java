package io.aiscope.probe.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Splits a decoded {@code text/event-stream} body into events (an event ends at a blank line; CRLF, LF or CR end
 * lines) and reports, for each event with data, the time of the socket call in which it completed. Not reported:
 * the {@code [DONE]} sentinel, and OpenAI's usage-only chunk, which carries no token. The data of an LLM API's
 * events goes to its {@link LlmResponse}. Events may straddle calls and chunks: state is kept byte by byte.
 */
final class SseEvents {
    /**
     * An event's data is kept up to this size for the checks above; a chunk of a few tokens is a few hundred
     * bytes, and a longer event is read as far as it is kept.
     */
    static final int MAX_DATA = 16 << 10;
    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEWLINE = {'\n'};

    private static final int NAME = 0;
    private static final int VALUE_START = 1;
    private static final int VALUE = 2;
    private static final int OTHER = 3;

    private final LongConsumer completed;
    private final LlmResponse response;
    private int line = NAME;
    private int nameMatched;
    private boolean lineEmpty = true;
    private boolean afterCr;
    private boolean hasData;
    private boolean cut;
    private byte[] data = new byte[256];
    private int dataLength;

    /** @param response reads the events' data; null when the endpoint is no LLM API */
    SseEvents(LongConsumer completed, LlmResponse response) {
        this.completed = completed;
        this.response = response;
    }

    void feed(byte[] b, int off, int len, long tsNs) {
        int end = off + len;
        int p = off;
        while (p < end) {
            byte c = b[p];
            if (afterCr) {
                afterCr = false;
                if (c == '\n') {
                    p++;
                    continue;
                }
            }
            if (c == '\r' || c == '\n') {
                afterCr = c == '\r';
                lineEnded(tsNs);
                p++;
                continue;
            }
            lineEmpty = false;
            if (line == VALUE || line == OTHER) {
                int e = p;
                while (e < end && b[e] != '\n' && b[e] != '\r') {
                    e++;
                }
                if (line == VALUE) {
                    append(b, p, e - p);
                }
                p = e;
                continue;
            }
            if (line == VALUE_START) {
                line = VALUE;
                if (c != ' ') {
                    append(b, p, 1);
                }
            } else if (nameMatched < DATA.length && c == DATA[nameMatched]) {
                nameMatched++;
            } else if (c == ':' && nameMatched == DATA.length) {
                dataLine();
                line = VALUE_START;
            } else {
                line = OTHER;
            }
            p++;
        }
    }

    /**
     * Body bytes went by unseen. The line under way is skipped (its start is gone); the event under way still
     * counts when its blank line comes, unexamined: the sentinel, a usage chunk and the first events are short
     * and sit at the end or start of a call, where the capture keeps the bytes.
     */
    void gap() {
        cut = true;
        line = OTHER;
        afterCr = false;
    }

    private void lineEnded(long tsNs) {
        if (lineEmpty) {
            dispatch(tsNs);
        } else if (line == NAME && nameMatched == DATA.length) {
            dataLine();
        }
        line = NAME;
        nameMatched = 0;
        lineEmpty = true;
    }

    private void dataLine() {
        if (hasData) {
            append(NEWLINE, 0, 1);
        }
        hasData = true;
    }

    private void append(byte[] b, int off, int len) {
        int n = Math.min(len, MAX_DATA - dataLength);
        if (dataLength + n > data.length) {
            byte[] bigger = new byte[Math.min(MAX_DATA, Math.max(data.length * 2, dataLength + n))];
            System.arraycopy(data, 0, bigger, 0, dataLength);
            data = bigger;
        }
        System.arraycopy(b, off, data, dataLength, n);
        dataLength += n;
    }

    private void dispatch(long tsNs) {
        if (cut) {
            if (response != null) {
                response.cutEvent(tsNs);
            }
            completed.accept(tsNs);
        } else if (hasData && !sentinel() && (response == null || response.event(data, dataLength, tsNs))) {
            completed.accept(tsNs);
        }
        cut = false;
        hasData = false;
        dataLength = 0;
    }

    private boolean sentinel() {
        return dataLength == DONE.length && Arrays.equals(data, 0, dataLength, DONE, 0, DONE.length);
    }
}
