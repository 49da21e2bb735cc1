package io.aiscope.workloads.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;

/** The endpoints that do not touch the model: health, a slow one, a failing one, an echo, the model list. */
final class BasicHandlers {
    private static final long MAX_SLOW_MS = 60_000;

    private BasicHandlers() {
    }

    static void health(HttpExchange exchange) throws IOException {
        Responses.json(exchange, 200, Json.MAPPER.createObjectNode().put("status", "ok"));
    }

    /** {@code /slow?ms=N}: the worker thread sleeps N ms before it answers, holding the connection open. */
    static void slow(HttpExchange exchange) throws IOException, BadRequest, InterruptedException {
        long ms = Query.integer(exchange, "ms", 0, MAX_SLOW_MS);
        Thread.sleep(ms);
        Responses.json(exchange, 200, Json.MAPPER.createObjectNode().put("slept_ms", ms));
    }

    static void fail(HttpExchange exchange) throws IOException {
        Responses.error(exchange, 500, "deliberate failure");
    }

    /** {@code /items/{id}}: echoes the id, for checks that group requests by route template. */
    static void item(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestURI().getPath().substring("/items/".length());
        Responses.json(exchange, 200, Json.MAPPER.createObjectNode().put("id", id));
    }

    static void models(HttpExchange exchange) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("object", "list");
        body.putArray("data").addObject().put("id", "tiny-lm").put("object", "model").put("created", 0)
                .put("owned_by", "aiscope-workloads");
        Responses.json(exchange, 200, body);
    }
}
