package io.aiscope.workloads.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;

/** JSON in and out of exchanges. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** The request body, which must be one JSON object. */
    static JsonNode readObject(HttpExchange exchange) throws IOException, BadRequest {
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            body = MAPPER.readTree(in.readAllBytes());
        } catch (JacksonException e) {
            throw new BadRequest("invalid JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) throw new BadRequest("the request body must be a JSON object");
        return body;
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);  // a tree of plain nodes always serializes
        }
    }
}
