package io.aiscope.workloads.server;

import com.sun.net.httpserver.HttpServer;
import io.aiscope.workloads.model.TinyLm;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/** The HTTP server: routes, a fixed pool of worker threads for HTTP, one inference thread for the model. */
public final class Server {
    private final HttpServer http;

    public Server(TinyLm model, int port, int threads, long tokenDelayMs) throws IOException {
        // TCP_NODELAY on accepted sockets, as token-streaming servers set it: with Nagle's algorithm a small
        // token event waits for the ACK of the previous one. HttpServer reads this property once, on first use.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        InferenceThread inference = new InferenceThread(tokenDelayMs);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 128);
        http.setExecutor(Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("http-worker-", 0).factory()));
        http.createContext("/", new Router()
                .post("/v1/completions", new CompletionsHandler(Api.COMPLETIONS, model, inference))
                .post("/v1/chat/completions", new CompletionsHandler(Api.CHAT, model, inference))
                .post("/v1/embeddings", new EmbeddingsHandler(model, inference))
                .get("/v1/models", BasicHandlers::models)
                .get("/health", BasicHandlers::health)
                .get("/slow", BasicHandlers::slow)
                .get("/fail", BasicHandlers::fail)
                .getPrefix("/items/", BasicHandlers::item));
    }

    /**
     * Loads and runs the request and response JSON code once, in process: a first request would otherwise spend
     * a few hundred milliseconds on class loading. No request is sent to the server itself, so a tracer sees no
     * HTTP traffic that no client made.
     */
    public static void warmUp(TinyLm model) throws Exception {
        String body = """
                {"model":"tiny-lm","prompt":"warm up","messages":[{"role":"user","content":"warm up"}],
                 "max_tokens":1,"stream":true,"stream_options":{"include_usage":true}}""";
        for (Api api : Api.values()) {
            CompletionRequest request = CompletionRequest.parse(api, Json.MAPPER.readTree(body), model.vocabulary());
            OpenAiFormat format = new OpenAiFormat(api, 0, request.model());
            Usage usage = new Usage(request.prompt().length, request.maxTokens());
            Json.write(format.chunk("warm", true, true));
            Json.write(format.usageChunk(usage));
            Json.write(format.completion("warm", usage));
        }
    }

    /** Starts serving; returns the bound port. */
    public int start() {
        http.start();
        return http.getAddress().getPort();
    }
}
