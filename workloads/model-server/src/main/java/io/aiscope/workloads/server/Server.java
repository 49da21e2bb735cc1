package io.aiscope.workloads.server;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.aiscope.workloads.model.TinyLm;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP server: routes, a fixed pool of worker threads for HTTP, one inference thread for the model. It
 * listens on a plain port and, when asked, on a TLS port too; both share the routes, workers and model.
 */
public final class Server {
    private static final int BACKLOG = 128;

    private final Router router;
    private final ExecutorService workers;

    public Server(TinyLm model, int threads, long tokenDelayMs) {
        // TCP_NODELAY on accepted sockets, as token-streaming servers set it: with Nagle's algorithm a small
        // token event waits for the ACK of the previous one. HttpServer reads this property once, on first use.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        InferenceThread inference = new InferenceThread(tokenDelayMs);
        workers = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("http-worker-", 0).factory());
        router = new Router()
                .post("/v1/completions", new CompletionsHandler(Api.COMPLETIONS, model, inference))
                .post("/v1/chat/completions", new CompletionsHandler(Api.CHAT, model, inference))
                .post("/v1/messages", new CompletionsHandler(Api.MESSAGES, model, inference))
                .post("/v1/responses", new CompletionsHandler(Api.RESPONSES, model, inference))
                .post("/v1/embeddings", new EmbeddingsHandler(model, inference))
                .get("/v1/models", BasicHandlers::models)
                .get("/health", BasicHandlers::health)
                .get("/slow", BasicHandlers::slow)
                .get("/fail", BasicHandlers::fail)
                .getPrefix("/items/", BasicHandlers::item);
    }

    /**
     * Loads and runs the request and response JSON code once, in process: a first request would otherwise spend
     * a few hundred milliseconds on class loading. No request is sent to the server itself, so a tracer sees no
     * HTTP traffic that no client made.
     */
    public static void warmUp(TinyLm model) throws Exception {
        String body = """
                {"model":"tiny-lm","prompt":"warm up","messages":[{"role":"user","content":"warm up"}],
                 "input":"warm up","max_tokens":1,"stream":true,"stream_options":{"include_usage":true}}""";
        for (Api api : Api.values()) {
            CompletionRequest request = CompletionRequest.parse(api, Json.MAPPER.readTree(body), model.vocabulary());
            Dialect dialect = Dialect.of(api, 0, request);
            Usage usage = new Usage(request.prompt().length, request.maxTokens());
            dialect.opening().forEach(Dialect.Event::frame);
            dialect.token("warm", true, true).frame();
            dialect.closing(usage).forEach(Dialect.Event::frame);
            Json.write(dialect.whole("warm", usage));
        }
    }

    /** Starts serving plain HTTP on 127.0.0.1:{@code port} (0: ephemeral); returns the bound port. */
    public int listen(int port) throws IOException {
        return start(HttpServer.create(address(port), BACKLOG));
    }

    /** Starts serving HTTPS with the key and certificate of a PKCS12 keystore; returns the bound port. */
    public int listenTls(int port, Path keystore, char[] password) throws IOException, GeneralSecurityException {
        HttpsServer https = HttpsServer.create(address(port), BACKLOG);
        https.setHttpsConfigurator(new HttpsConfigurator(sslContext(keystore, password)));
        return start(https);
    }

    private int start(HttpServer http) {
        http.setExecutor(workers);
        http.createContext("/", router);
        http.start();
        return http.getAddress().getPort();
    }

    private static InetSocketAddress address(int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
    }

    private static SSLContext sslContext(Path keystore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }
}
