package io.aiscope.workloads.server;

import com.sun.net.httpserver.HttpExchange;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Query parameters of a request URI. */
final class Query {
    private Query() {
    }

    /** The value of {@code name}, or null when absent. */
    static String get(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) return null;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
        return null;
    }

    /** An integer parameter within [min, max]. */
    static long integer(HttpExchange exchange, String name, long min, long max) throws BadRequest {
        String value = get(exchange, name);
        try {
            long n = Long.parseLong(value == null ? "" : value);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // reported below, like an out-of-range value
        }
        throw new BadRequest("query parameter " + name + " must be an integer in [" + min + ", " + max + "]");
    }
}
