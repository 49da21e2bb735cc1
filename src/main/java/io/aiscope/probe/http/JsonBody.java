package io.aiscope.probe.http;

/**
 * The JSON body of an LLM API request or response as the capture gives it: its first bytes are parsed as they come
 * (up to {@value #FORWARD_LIMIT} bytes, then parsing stops: the fields read so far stay), and its last
 * {@value #TAIL} known bytes are kept so that, when the parse did not reach the end, the complete members at the
 * end are read too ({@link JsonTail}).
 */
final class JsonBody {
    /** Bounds the parser's work and the text it buffers on long prompts. */
    static final int FORWARD_LIMIT = 64 << 10;
    static final int TAIL = 2048;
    private static final byte[] OPEN_BRACE = {'{'};

    private final JsonWalker json;
    private final ByteWindow last = new ByteWindow(TAIL);
    private long fed;
    private boolean contiguous = true;

    JsonBody(JsonWalker json) {
        this.json = json;
        json.begin(false);
    }

    void data(byte[] b, int off, int len) {
        if (contiguous && fed < FORWARD_LIMIT) {
            int n = (int) Math.min(len, FORWARD_LIMIT - fed);
            json.feed(b, off, n);
            fed += n;
        }
        last.append(b, off, len);
    }

    /** Body bytes went by uncaptured. */
    void gap() {
        if (contiguous) {
            contiguous = false;
            json.end();
        }
        last.clear();
    }

    void finish() {
        json.end();
        if (json.complete()) {
            return;
        }
        byte[] w = last.array();
        int to = last.length();
        // After chunk framing was lost, the known bytes still end with the last chunk.
        int lastChunk = ChunkedBody.lastChunkStart(w, 0, to);
        if (lastChunk >= 0) {
            to = lastChunk - 2;
        }
        int start = JsonTail.membersStart(w, 0, to);
        if (start >= 0) {
            json.begin(true);
            json.feed(OPEN_BRACE, 0, 1);
            json.feed(w, start, to - start);
            json.end();
        }
    }
}
