package io.aiscope.workloads.server;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A streamed completion as server-sent events over a chunked response: one event per token, each written and
 * flushed on its own so that it leaves in its own socket write (HttpServer's chunked stream sends a chunk per
 * flush), then the usage event if asked for, then {@code [DONE]}, then the terminating chunk. Whichever thread
 * calls it writes the socket. A client that goes away ends the response: one line on stderr, no more tokens.
 */
final class SseResponse implements TokenSink {
    private final HttpExchange exchange;
    private final OpenAiFormat format;
    private final boolean includeUsage;
    private final int maxTokens;
    private OutputStream body;
    private int sent;

    SseResponse(HttpExchange exchange, OpenAiFormat format, boolean includeUsage, int maxTokens) {
        this.exchange = exchange;
        this.format = format;
        this.includeUsage = includeUsage;
        this.maxTokens = maxTokens;
    }

    @Override
    public boolean token(String text, boolean last) {
        try {
            if (body == null) start();
            event(Json.write(format.chunk(text, sent == 0, last)));
            sent++;
            return true;
        } catch (IOException e) {
            clientGone(e);
            return false;
        }
    }

    @Override
    public void finished(Usage usage) {
        try {
            if (includeUsage) event(Json.write(format.usageChunk(usage)));
            event("[DONE]");
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
    }

    private void event(String data) throws IOException {
        body.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        body.flush();
    }

    private void clientGone(IOException e) {
        System.err.printf("model-server: client %s gone after %d of %d tokens (%s)%n",
                exchange.getRemoteAddress(), sent, maxTokens, e.getMessage());
        exchange.close();
    }
}
