package io.aiscope.workloads.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * Dispatches on method and exact path (or a path prefix, for {@code /items/{id}}). HttpServer's own contexts
 * match by prefix, so {@code /healthz} would reach {@code /health}; one context at "/" and this table keep
 * unknown paths 404. Handler failures become 400 (bad requests) or 500, while a response can still be started.
 */
final class Router implements HttpHandler {
    interface Handler {
        void handle(HttpExchange exchange) throws Exception;
    }

    private record Route(String method, String path, boolean prefix, Handler handler) {
        boolean matches(String requestPath) {
            return prefix ? requestPath.startsWith(path) && requestPath.length() > path.length() : requestPath.equals(path);
        }
    }

    private final List<Route> routes = new ArrayList<>();

    Router get(String path, Handler handler) {
        routes.add(new Route("GET", path, false, handler));
        return this;
    }

    Router post(String path, Handler handler) {
        routes.add(new Route("POST", path, false, handler));
        return this;
    }

    Router getPrefix(String prefix, Handler handler) {
        routes.add(new Route("GET", prefix, true, handler));
        return this;
    }

    @Override
    public void handle(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        List<Route> matching = routes.stream().filter(r -> r.matches(path)).toList();
        try {
            if (matching.isEmpty()) {
                Responses.error(exchange, 404, "no such path: " + path);
                return;
            }
            Route route = matching.stream().filter(r -> r.method().equals(exchange.getRequestMethod())).findFirst().orElse(null);
            if (route == null) {
                exchange.getResponseHeaders().set("Allow", matching.getFirst().method());
                Responses.error(exchange, 405, exchange.getRequestMethod() + " is not allowed on " + path);
                return;
            }
            route.handler().handle(exchange);
        } catch (BadRequest e) {
            respondIfStill(exchange, 400, e.getMessage());
        } catch (Exception e) {
            System.err.println("model-server: " + exchange.getRequestMethod() + " " + path + " failed: " + e);
            respondIfStill(exchange, 500, "internal error: " + e);
        }
    }

    /** Answers with an error unless the response has already begun; then all that is left is to end it. */
    private static void respondIfStill(HttpExchange exchange, int status, String message) {
        try {
            if (exchange.getResponseCode() == -1) Responses.error(exchange, status, message);
            else exchange.close();
        } catch (Exception e) {
            exchange.close();
        }
    }
}
