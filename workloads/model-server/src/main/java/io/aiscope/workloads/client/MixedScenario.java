package io.aiscope.workloads.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * R requests (40) over C keep-alive connections (4), one thread each: connection t sends ids t, t+C, t+2C, …
 * in turn. The endpoint follows from the id: kind (id + id / 8) % 8, which rotates every 8 ids so that each
 * connection gets every kind, whatever C. Every fifth request (id % 5 == 4) is sent instead with
 * {@code Connection: close} on a connection of its own. The mix is the same on every run.
 */
final class MixedScenario implements Scenario {
    /** A request of the mix and the check its result must pass. */
    private record Planned(Request request, Function<Result, List<String>> check) {
    }

    @Override
    public void run(Run run) throws Exception {
        int requests = run.options().requestsOr(40);
        int connections = run.options().concurrency();
        try (ExecutorService threads = Executors.newFixedThreadPool(connections)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < connections; t++) {
                int first = t;
                done.add(threads.submit(() -> {
                    connection(run, first, connections, requests);
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        }
    }

    private static void connection(Run run, int first, int step, int requests) throws IOException {
        HttpConnection kept = null;
        try {
            for (int id = first; id < requests; id += step) {
                Planned planned = plan(run, id);
                if (!planned.request().keepAlive()) {
                    try (HttpConnection once = run.connect()) {
                        run.require(planned.check().apply(run.exchange(id, once, planned.request(), 0)));
                    }
                    continue;
                }
                if (kept == null) kept = run.connect();
                Result result = run.exchange(id, kept, planned.request(), 0);
                run.require(planned.check().apply(result));
                if (!result.response().reusable()) {
                    kept.close();
                    kept = null;
                }
            }
        } finally {
            if (kept != null) kept.close();
        }
    }

    private static Planned plan(Run run, int id) {
        boolean keepAlive = id % 5 != 4;
        int maxTokens = 8 + id * 7 % 25;  // 8..32
        String prompt = "request " + id + " tell me something";
        return switch ((id + id / 8) % 8) {
            case 0 -> new Planned(run.postJson("/v1/chat/completions", Bodies.chat(prompt, maxTokens, true), true, keepAlive),
                    r -> Checks.stream(r, maxTokens, true));
            case 1 -> new Planned(run.postJson("/v1/completions", Bodies.completion(prompt, 8, false), false, keepAlive),
                    r -> Checks.completion(r, 8));
            case 2 -> new Planned(run.postJson("/v1/embeddings", Bodies.embedding(prompt), false, keepAlive),
                    r -> Checks.complete(r, 200));
            case 3 -> new Planned(run.get("/health", keepAlive), r -> Checks.complete(r, 200));
            // The same stream, written by the server's inference thread instead of its HTTP worker.
            case 4 -> new Planned(run.postJson("/v1/chat/completions?writer=inference", Bodies.chat(prompt, maxTokens, true),
                    true, keepAlive), r -> Checks.stream(r, maxTokens, true));
            case 5 -> new Planned(run.get("/items/" + id, keepAlive), r -> Checks.complete(r, 200));
            case 6 -> new Planned(run.get("/slow?ms=50", keepAlive), r -> Checks.complete(r, 200));
            default -> new Planned(run.get("/fail", keepAlive), r -> Checks.complete(r, 500));
        };
    }
}
