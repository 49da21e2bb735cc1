package io.aiscope.correlate;

import io.aiscope.probe.http.HttpExchange;

/**
 * A finished request with its decomposition: what every request output (report, live view, Perfetto, OTLP) reads.
 *
 * @param localPort  the traced process's port of the connection (a server's listening port)
 * @param remotePort the peer's
 */
public record TracedRequest(long id, HttpExchange exchange, int localPort, int remotePort, Decomposition decomposition) {
}
