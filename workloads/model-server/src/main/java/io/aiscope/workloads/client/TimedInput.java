package io.aiscope.workloads.client;

import java.io.IOException;
import java.io.InputStream;

/**
 * A buffered socket input that notes when each read from the socket returned, so the arrival time of every byte
 * handed out is known: the time of the read that brought it. A pipelined response whose bytes came with the
 * previous one's therefore arrived when that read returned, not when it is parsed.
 */
final class TimedInput {
    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private long arrivedNs;
    private long consumed;

    TimedInput(InputStream in) {
        this.in = in;
    }

    /** The next byte, or -1 at the end of the stream. */
    int read() throws IOException {
        if (position == limit && !fill()) return -1;
        consumed++;
        return buffer[position++] & 0xFF;
    }

    /** {@link System#nanoTime()} when the last byte handed out arrived. */
    long arrivedNs() {
        return arrivedNs;
    }

    /** Bytes handed out so far (not read ahead). */
    long consumed() {
        return consumed;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer);
        if (n <= 0) return false;
        arrivedNs = System.nanoTime();
        position = 0;
        limit = n;
        return true;
    }
}
