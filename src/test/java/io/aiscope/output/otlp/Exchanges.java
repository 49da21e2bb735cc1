package io.aiscope.output.otlp;

import io.aiscope.correlate.Decomposition;
import io.aiscope.correlate.TracedRequest;
import io.aiscope.probe.http.HttpExchange;
import io.aiscope.probe.http.HttpExchange.Outcome;
import io.aiscope.probe.http.HttpExchange.Role;
import io.aiscope.probe.http.LlmCall;
import io.aiscope.probe.http.ThreadClock;

/** Finished requests for the exporter's tests: a builder over HttpExchange's many fields, with plain defaults. */
final class Exchanges {
    static final long MS = 1_000_000L;

    Role role = Role.SERVER;
    int pid = 4242;
    String method = "GET";
    String path = "/health";
    String route = "/health";
    int status = 200;
    long requestBytes = 100;
    long responseBytes = 200;
    long startNs = 5_000 * MS;
    long requestEndNs = startNs + MS;
    long responseStartNs = startNs + 10 * MS;
    long firstBodyNs = 0;
    long endNs = startNs + 12 * MS;
    long[] tokenNs = {};
    boolean streaming;
    boolean tls;
    LlmCall llm;
    Outcome outcome = Outcome.COMPLETE;
    int[] tids = {4243};
    Decomposition decomposition =
            new Decomposition(Decomposition.Attribution.THREAD, MS / 2, 8 * MS, 3 * MS + MS / 2, 0, 0, 0, 0, 0);

    /** A streamed chat completion: 10 tokens 10 ms apart, the first 80 ms after the request began. */
    static Exchanges streamedChat() {
        Exchanges e = new Exchanges();
        e.method = "POST";
        e.path = "/v1/chat/completions";
        e.route = "/v1/chat/completions";
        e.requestBytes = 512;
        e.responseBytes = 4096;
        e.requestEndNs = e.startNs + MS;
        e.responseStartNs = e.startNs + 50 * MS;
        e.firstBodyNs = e.startNs + 80 * MS;
        e.tokenNs = new long[10];
        for (int i = 0; i < 10; i++) {
            e.tokenNs[i] = e.firstBodyNs + i * 10 * MS;
        }
        e.endNs = e.startNs + 500 * MS;
        e.streaming = true;
        e.llm = new LlmCall("openai", "chat", "llama-3-8b", true, 128, "llama-3-8b", 12, 10, false, 10,
                e.firstBodyNs, null, null, null);
        e.decomposition = new Decomposition(Decomposition.Attribution.THREAD, 2_500_000, 300 * MS, 197_500_000,
                40, 30, 1 << 20, 12 * MS, 1);
        return e;
    }

    TracedRequest request(long id) {
        HttpExchange exchange = new HttpExchange(role, pid, 0xffff8880_12345678L, method, "llm", path, route, status,
                requestBytes, responseBytes, startNs, requestEndNs, responseStartNs, firstBodyNs, endNs, tokenNs,
                streaming, llm, outcome, tids[0], tids[tids.length - 1], tids, ThreadClock.NONE,
                ThreadClock.NONE);
        return new TracedRequest(id, exchange, 8000, 41000, tls, decomposition);
    }
}
