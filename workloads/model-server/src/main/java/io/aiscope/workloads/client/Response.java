package io.aiscope.workloads.client;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * What was read of one HTTP response and when, filled in as reading goes, so a response cut short still tells
 * how far it got. Times are {@link System#nanoTime()} values (CLOCK_MONOTONIC), 0 when not reached.
 */
final class Response {
    int status;
    final Map<String, String> headers = new HashMap<>();  // names in lower case
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    SseParser sse;
    long startNs;
    long firstBodyNs;
    long firstEventNs;
    long endNs;
    long bytes;
    boolean complete;
    String failure;  // why reading stopped short, null when it did not fail

    boolean streamed() {
        return sse != null;
    }

    int events() {
        return sse == null ? 0 : sse.events();
    }

    /** True when the connection can carry the next request: this response ended and did not end it. */
    boolean reusable() {
        return complete && !"close".equalsIgnoreCase(headers.get("connection"))
                && (headers.containsKey("content-length") || headers.containsKey("transfer-encoding"));
    }
}
