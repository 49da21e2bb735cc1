package io.aiscope.probe.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Splits a decoded {@code text/event-stream} body into events (an event ends at a blank line; CRLF, LF or CR end
 * lines) and reports, for each event with data, the time of the socket call in which it completed. Not reported:
 * the {@code [DONE]} sentinel, and OpenAI's usage-only chunk (empty {@code choices}), which carries no token;
 * a usage object is read into the {@link OpenAiJson} given. Events may straddle calls and chunks: state is kept
 * byte by byte.
 */
final class SseEvents {
    /** An event's data is kept up to this size for the checks above; a usage chunk is a few hundred bytes. */
    static final int MAX_DATA = 16 << 10;
    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USAGE = "\"usage\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEWLINE = {'\n'};

    private static final int NAME = 0;
    private static final int VALUE_START = 1;
    private static final int VALUE = 2;
    private static final int OTHER = 3;

    private final LongConsumer completed;
    private final OpenAiJson json;
    private int line = NAME;
    private int nameMatched;
    private boolean lineEmpty = true;
    private boolean afterCr;
    private boolean hasData;
    private boolean cut;
    private byte[] data = new byte[256];
    private int dataLength;
    private boolean dataTruncated;

    /** @param json where usage goes; null when the endpoint is not an OpenAI one */
    SseEvents(LongConsumer completed, OpenAiJson json) {
        this.completed = completed;
        this.json = json;
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
     * counts when its blank line comes, unexamined: the sentinel and a usage chunk are short and sit at the end
     * of a call, where the capture keeps the bytes.
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
        dataTruncated |= n < len;
        if (dataLength + n > data.length) {
            byte[] bigger = new byte[Math.min(MAX_DATA, Math.max(data.length * 2, dataLength + n))];
            System.arraycopy(data, 0, bigger, 0, dataLength);
            data = bigger;
        }
        System.arraycopy(b, off, data, dataLength, n);
        dataLength += n;
    }

    private void dispatch(long tsNs) {
        if (cut || hasData && !sentinel() && !usageOnly()) {
            completed.accept(tsNs);
        }
        cut = false;
        hasData = false;
        dataLength = 0;
        dataTruncated = false;
    }

    private boolean sentinel() {
        return dataLength == DONE.length && Arrays.equals(data, 0, dataLength, DONE, 0, DONE.length);
    }

    private boolean usageOnly() {
        if (json == null || dataTruncated || !usageObject()) {
            return false;
        }
        json.read(data, 0, dataLength);
        return json.usageOnly();
    }

    /** Whether the data has a usage object: most stream chunks have no usage, or {@code "usage": null}. */
    private boolean usageObject() {
        for (int i = 0; i + USAGE.length <= dataLength; i++) {
            if (data[i] == '"' && Arrays.equals(data, i, i + USAGE.length, USAGE, 0, USAGE.length)) {
                int j = i + USAGE.length;
                while (j < dataLength && (data[j] == ' ' || data[j] == ':' || data[j] == '\n' || data[j] == '\t')) {
                    j++;
                }
                if (j < dataLength && data[j] == '{') {
                    return true;
                }
            }
        }
        return false;
    }
}
