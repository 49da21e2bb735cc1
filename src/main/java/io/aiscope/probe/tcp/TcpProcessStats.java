package io.aiscope.probe.tcp;

/**
 * One process's TCP totals since tracing began, for {@code top}: retransmitted segments (SYN-ACKs included),
 * connections opened (established) and closed, failed connects, connections open now, and the payload bytes of
 * its closed connections (bytes are read from the kernel when a connection closes).
 */
public record TcpProcessStats(int pid, String comm, long retransmits, long connectionsOpened, long connectionsClosed,
        long connectFailures, long openConnections, long txBytes, long rxBytes) {
}
