package io.aiscope.probe.http;

/**
 * What one socket call of a traced thread moved, as the kernel captured it: the first bytes ({@code head}, at
 * most the capture size) and, when the call moved more than that, its last bytes ({@code tail}). The parser sees
 * nothing in between; it knows how much there was from {@code bytes}.
 *
 * @param tsNs     CLOCK_MONOTONIC when the call had moved the data (for a read: when the bytes were in the buffer)
 * @param inbound  read/recv (true) or write/send (false)
 * @param bytes    bytes moved; 0 is end of stream (the peer closed), negative is -errno (EPIPE, ECONNRESET, ...)
 */
public record SocketIo(long tsNs, int tid, boolean inbound, long bytes, byte[] head, byte[] tail, ThreadClock clock) {
    public SocketIo {
        if (head.length > Math.max(bytes, 0) || tail.length > Math.max(bytes, 0) - head.length) {
            throw new IllegalArgumentException("captured more than was moved: " + head.length + "+" + tail.length + " of " + bytes);
        }
    }

    /** Bytes moved that were not captured (between head and tail). */
    public long missing() {
        return Math.max(bytes, 0) - head.length - tail.length;
    }
}
