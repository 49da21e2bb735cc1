package io.aiscope.workloads.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.function.Function;

/**
 * Failures and sizes a test asks a generation endpoint for, in the query string, so that any real client can
 * ask for them without a special body field:
 * {@code rate_limit=S} answers 429 with {@code retry-after: S} instead of generating;
 * {@code reset_after=N} resets the connection (RST) once N token events are out, or instead of a non-streamed
 * response; {@code pad_bytes=N} adds a field of N bytes to a non-streamed response.
 */
record Faults(long retryAfterS, int resetAfter, int padBytes) {
    private static final int NONE = -1;
    private static final int MAX_PAD_BYTES = 64 << 20;

    static Faults of(HttpExchange exchange) throws BadRequest {
        return new Faults(optional(exchange, "rate_limit", 3600), (int) optional(exchange, "reset_after", 1 << 20),
                (int) Math.max(0, optional(exchange, "pad_bytes", MAX_PAD_BYTES)));
    }

    private static long optional(HttpExchange exchange, String name, long max) throws BadRequest {
        return Query.get(exchange, name) == null ? NONE : Query.integer(exchange, name, 0, max);
    }

    boolean rateLimited() {
        return retryAfterS != NONE;
    }

    boolean resets() {
        return resetAfter != NONE;
    }

    /** {@code errorShape} makes the API's error body from a message. */
    void answerRateLimited(HttpExchange exchange, Function<String, ObjectNode> errorShape) throws IOException {
        exchange.getResponseHeaders().set("retry-after", Long.toString(retryAfterS));
        Responses.json(exchange, 429, errorShape.apply("Rate limit reached for requests (injected for a test)"));
    }

    /** The response with the padding asked for; the field name is one no client reads. */
    ObjectNode padded(ObjectNode response) {
        if (padBytes > 0) response.put("x_padding", "x".repeat(padBytes));
        return response;
    }
}
