package io.aiscope.probe.http;

/**
 * One HTTP/1.x request and its response on one connection, as seen from the traced process's side of it. All
 * times are CLOCK_MONOTONIC nanoseconds at socket calls of the traced process; 0 where the moment did not occur.
 *
 * @param role            SERVER: the traced process received the request; CLIENT: it sent it
 * @param sock            kernel address of the socket (the tcp family's connection identity)
 * @param host            the request's Host header as sent (may carry a port); null without one
 * @param path            request target without query string
 * @param route           {@code path} with variable segments replaced ("/v1/models/{id}"), bounded in number
 * @param status          response status code, 0 when no response (head) was seen
 * @param requestBytes    bytes of the request (head and body) on the wire
 * @param responseBytes   bytes of the response (head and body) on the wire
 * @param startNs         first byte of the request (server: read; client: written)
 * @param requestEndNs    last byte of the request
 * @param responseStartNs first byte of the response
 * @param firstBodyNs     first response body byte after the head: the time to first token ends here
 * @param endNs           last byte of the response, or the moment the exchange was cut short
 * @param tokenNs         for streamed responses: when each event was sent (SSE event, or chunk when not SSE),
 *                        without the {@code [DONE]} sentinel; empty otherwise
 * @param streaming       response was chunked or {@code text/event-stream}
 * @param llm             non-null for LLM API endpoints (OpenAI-compatible, Anthropic)
 * @param startTid        thread that moved the request's first byte
 * @param endTid          thread that moved the response's last byte
 * @param tids            every thread that moved bytes of this exchange, ascending
 * @param startClock      scheduler counters at the first byte (on startTid)
 * @param endClock        scheduler counters at the last byte (on endTid)
 */
public record HttpExchange(Role role, int pid, long sock, String method, String host, String path, String route,
        int status, long requestBytes, long responseBytes, long startNs, long requestEndNs, long responseStartNs,
        long firstBodyNs, long endNs, long[] tokenNs, boolean streaming, LlmCall llm, Outcome outcome,
        int startTid, int endTid, int[] tids, ThreadClock startClock, ThreadClock endClock) {

    public enum Role { SERVER, CLIENT }

    public enum Outcome {
        /** The response was complete. */
        COMPLETE,
        /** The peer went away (end of stream, reset, broken pipe) before the response was complete. */
        ABORTED,
        /** The connection was closed by the traced process before the response was complete. */
        CLOSED
    }

    public long durationNs() {
        return endNs - startNs;
    }

    /** Time to first token: request start to the first body byte after the response head; -1 without one. */
    public long ttftNs() {
        return firstBodyNs > 0 ? firstBodyNs - startNs : -1;
    }

    /** Whether one thread moved every byte: then per-thread scheduler counters describe the whole request. */
    public boolean oneThread() {
        return tids.length == 1;
    }

    public boolean isError() {
        return status >= 500 || outcome != Outcome.COMPLETE;
    }
}
