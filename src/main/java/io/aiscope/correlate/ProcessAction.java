package io.aiscope.correlate;

import java.util.List;

/**
 * Something a traced process did that may follow from an LLM answer, as the proc family saw it: the process
 * tree's changes (fork, exec, exit) and its effects on the world (files opened, connections made). Times are
 * CLOCK_MONOTONIC nanoseconds, as every event's.
 */
public sealed interface ProcessAction {
    long tsNs();

    int pid();

    /** A new process {@code pid}, child of {@code ppid}. */
    record Fork(long tsNs, int pid, int ppid) implements ProcessAction {}

    /** {@code pid} began running {@code filename} with {@code argv} (as far as the capture reached). */
    record Exec(long tsNs, int pid, String filename, List<String> argv) implements ProcessAction {}

    /** {@code pid} exited with {@code exitCode} as a shell reports it (128 + signal when killed). */
    record Exit(long tsNs, int pid, int exitCode) implements ProcessAction {}

    /**
     * An open(2)/openat(2)/openat2(2)/creat(2) of {@code path} (as the caller passed it, relative paths included)
     * with open flags {@code flags}; {@code result} is the descriptor, or -errno.
     */
    record FileOpen(long tsNs, int pid, int tid, String path, int flags, long result) implements ProcessAction {
        private static final int O_ACCMODE = 3, O_CREAT = 0100, O_TRUNC = 01000, O_APPEND = 02000;

        /** Opened to write: write access, or creating, truncating or appending. */
        public boolean forWriting() {
            return (flags & O_ACCMODE) != 0 || (flags & (O_CREAT | O_TRUNC | O_APPEND)) != 0;
        }
    }

    /**
     * A connect(2) to {@code address} (an IPv4/IPv6 literal, or a Unix socket path) and {@code port} (0 for Unix
     * sockets); {@code result} is what the call returned: 0, or -errno (-EINPROGRESS for a non-blocking connect
     * under way, whose outcome may come later as a {@link ConnectResult}).
     */
    record Connect(long tsNs, int pid, int tid, String address, int port, long result) implements ProcessAction {
        public static final long EINPROGRESS = -115;
    }

    /**
     * How the non-blocking TCP {@code connect} ended, at {@code tsNs}: {@code result} is 0 (connected) or -errno
     * (-ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH, …), or {@link #CLOSED_WHILE_CONNECTING}. Consumers match it to
     * the connect they were given by equality.
     */
    record ConnectResult(long tsNs, Connect connect, long result) implements ProcessAction {
        /**
         * -ECANCELED, aiscope's name for a socket the process closed before the handshake ended (its own timeout,
         * say): the kernel reports no error then.
         */
        public static final long CLOSED_WHILE_CONNECTING = -125;

        @Override
        public int pid() {
            return connect.pid();
        }

        /** How long after the connect call the outcome was known. */
        public long afterNs() {
            return tsNs - connect.tsNs();
        }
    }
}
