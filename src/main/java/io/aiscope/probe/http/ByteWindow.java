package io.aiscope.probe.http;

/** The last bytes of a stream, up to a fixed size, contiguous: {@link #clear()} when some went unseen. */
final class ByteWindow {
    private final byte[] bytes;
    private int length;

    ByteWindow(int capacity) {
        bytes = new byte[capacity];
    }

    void append(byte[] b, int off, int len) {
        int cap = bytes.length;
        if (len >= cap) {
            System.arraycopy(b, off + len - cap, bytes, 0, cap);
            length = cap;
            return;
        }
        int drop = length + len - cap;
        if (drop > 0) {
            System.arraycopy(bytes, drop, bytes, 0, length - drop);
            length -= drop;
        }
        System.arraycopy(b, off, bytes, length, len);
        length += len;
    }

    void clear() {
        length = 0;
    }

    /** The window's backing array: valid from 0 to {@link #length()}, until the next change. */
    byte[] array() {
        return bytes;
    }

    int length() {
        return length;
    }
}
