package io.aiscope.correlate;

import io.aiscope.probe.http.HttpExchange;

/**
 * A finished request with its decomposition: what every request output (report, live view, Perfetto, OTLP) reads.
 *
 * @param localPort  the traced process's port of the connection (a server's listening port)
 * @param remotePort the peer's (both 0 when a TLS stream's socket was never seen)
 * @param tls        read from TLS plaintext (OpenSSL) rather than from the socket
 */
public record TracedRequest(long id, HttpExchange exchange, int localPort, int remotePort, boolean tls,
        Decomposition decomposition) {
}
