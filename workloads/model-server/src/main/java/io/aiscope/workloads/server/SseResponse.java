package io.aiscope.workloads.server;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A streamed generation as server-sent events over a chunked response, in one API's format: with the first
 * token the head and the format's opening events, then one event per token, then the closing events, then the
 * terminating chunk. Every event is written and flushed on its own so that it leaves in its own socket write
 * (HttpServer's chunked stream sends a chunk per flush). Whichever thread calls it writes the socket. A client
 * that goes away ends the response: one line on stderr, no more tokens. With a reset asked for, the connection
 * is reset once that many token events are out.
 */
final class SseResponse implements TokenSink {
    private static final int NO_RESET = -1;

    private final HttpExchange exchange;
    private final Dialect dialect;
    private final int maxTokens;
    private final int resetAfter;
    private OutputStream body;
    private int sent;

    SseResponse(HttpExchange exchange, Dialect dialect, int maxTokens, Faults faults) {
        this.exchange = exchange;
        this.dialect = dialect;
        this.maxTokens = maxTokens;
        this.resetAfter = faults.resets() ? faults.resetAfter() : NO_RESET;
    }

    @Override
    public boolean token(String text, boolean last) {
        try {
            if (body == null) start();
            if (sent == resetAfter) return reset();
            event(dialect.token(text, sent == 0, last));
            sent++;
            return sent != resetAfter || reset();
        } catch (IOException e) {
            clientGone(e);
            return false;
        }
    }

    @Override
    public void finished(Usage usage) {
        try {
            for (Dialect.Event e : dialect.closing(usage)) event(e);
            body.close();  // writes the last chunk and hands the connection back for its next request
        } catch (IOException e) {
            clientGone(e);
        }
    }

    @Override
    public void failed(Exception e) {
        System.err.println("model-server: generation failed: " + e);
        try {
            if (body == null) Responses.error(exchange, 500, "generation failed: " + e);
            else exchange.close();
        } catch (IOException closing) {
            exchange.close();
        }
    }

    private void start() throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);  // 0: chunked, length unknown
        body = exchange.getResponseBody();
        for (Dialect.Event e : dialect.opening()) event(e);
    }

    private void event(Dialect.Event event) throws IOException {
        body.write(event.frame().getBytes(StandardCharsets.UTF_8));
        body.flush();
    }

    /** Always false: the generation stops. */
    private boolean reset() throws IOException {
        System.err.printf("model-server: resetting %s after %d of %d token events, as asked%n",
                exchange.getRemoteAddress(), sent, maxTokens);
        ConnectionReset.reset(exchange);
        return false;
    }

    private void clientGone(IOException e) {
        System.err.printf("model-server: client %s gone after %d of %d tokens (%s)%n",
                exchange.getRemoteAddress(), sent, maxTokens, e.getMessage());
        exchange.close();
    }
}
