package io.aiscope.workloads.client;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One line of the client's NDJSON output: a request as the client saw it. Times are {@link System#nanoTime()}
 * (CLOCK_MONOTONIC, the clock of the kernel's bpf_ktime_get_ns), so tests can match them with traced events.
 * Outcome: {@code complete} (whole response read), {@code disconnected} (a response began but the connection
 * ended first, either side closing, the client on purpose in the disconnect scenario) or {@code error} (no
 * response at all).
 */
record RequestRecord(int id, String scenario, String method, String path, int status, boolean stream,
                     boolean keepAlive, int connection, int localPort, long startNs, long responseStartNs,
                     long firstBodyNs, long endNs, double latencyMs, Double ttftMs, int events, long requestBytes,
                     long responseBytes, String outcome, String failure,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String sentBase64) {

    static RequestRecord of(int id, String scenario, HttpConnection connection, Request request, long startNs,
                            Response response, long failedNs) {
        long endNs = response.startNs != 0 ? response.endNs : failedNs;
        String outcome = response.complete ? "complete" : response.startNs != 0 ? "disconnected" : "error";
        Double ttftMs = request.stream() && response.firstEventNs != 0 ? millis(response.firstEventNs - startNs) : null;
        return new RequestRecord(id, scenario, request.method(), request.path(), response.status, request.stream(),
                request.keepAlive(), connection.id(), connection.localPort(), startNs, response.startNs,
                response.firstBodyNs, endNs, millis(endNs - startNs), ttftMs, response.events(), request.wire().length,
                response.bytes, outcome, response.failure, request.sentBase64());
    }

    /** Milliseconds to the microsecond. */
    private static double millis(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }
}
