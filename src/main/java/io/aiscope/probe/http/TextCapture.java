package io.aiscope.probe.http;

/**
 * Text kept from prompts or completions when content capture is on: up to a number of UTF-8 bytes, the rest
 * dropped (a surrogate pair is kept whole or not at all). Parts (messages, content blocks) are separated by a
 * newline; streamed deltas are joined as they are.
 */
final class TextCapture {
    private static final char[] NEWLINE = {'\n'};

    private final int maxBytes;
    private final StringBuilder text = new StringBuilder();
    private int bytes;
    private boolean full;

    TextCapture(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Text that begins a part of its own. */
    void part(char[] c, int off, int len) {
        if (len > 0 && !text.isEmpty()) {
            append(NEWLINE, 0, 1);
        }
        append(c, off, len);
    }

    /** Text that goes on from what came before. */
    void append(char[] c, int off, int len) {
        int end = off + len;
        for (int i = off; i < end && !full; i++) {
            char ch = c[i];
            boolean pair = Character.isHighSurrogate(ch) && i + 1 < end && Character.isLowSurrogate(c[i + 1]);
            int n = pair ? 4 : ch < 0x80 ? 1 : ch < 0x800 ? 2 : 3;
            if (bytes + n > maxBytes) {
                full = true;
                return;
            }
            bytes += n;
            text.append(ch);
            if (pair) {
                text.append(c[++i]);
            }
        }
    }

    /** Null when nothing was kept. */
    String text() {
        return text.isEmpty() ? null : text.toString();
    }
}
