package io.aiscope.workloads.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For benchmarks: C keep-alive connections send streaming completions of --max-tokens (16) tokens back to back
 * for --duration seconds; then one summary line on stdout: requests, errors, rate, latency and TTFT percentiles.
 */
final class LoadScenario implements Scenario {
    /** One connection's share, merged at the end. */
    private static final class Tally {
        final Histogram latencyUs = new Histogram(3);
        final Histogram ttftUs = new Histogram(3);
        int requests;
        int errors;
        String firstProblem;
    }

    @Override
    public void run(Run run) throws Exception {
        int connections = run.options().concurrency();
        long durationNs = (long) (run.options().durationS() * 1e9);
        AtomicInteger ids = new AtomicInteger();
        long begin = System.nanoTime();
        List<Future<Tally>> tallies = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(connections)) {
            for (int t = 0; t < connections; t++) tallies.add(threads.submit(() -> connection(run, ids, begin + durationNs)));
        }
        double seconds = (System.nanoTime() - begin) / 1e9;

        Tally all = new Tally();
        for (Future<Tally> f : tallies) {
            Tally t = f.get();
            all.latencyUs.add(t.latencyUs);
            all.ttftUs.add(t.ttftUs);
            all.requests += t.requests;
            all.errors += t.errors;
            if (all.firstProblem == null) all.firstProblem = t.firstProblem;
        }
        run.require(all.errors == 0, all.errors + " of " + all.requests + " requests failed; first: " + all.firstProblem);
        System.out.println(new ObjectMapper().createObjectNode()
                .put("scenario", "load").put("connections", connections).put("max_tokens", run.options().maxTokens())
                .put("requests", all.requests).put("errors", all.errors).put("duration_s", round(seconds))
                .put("requests_per_s", round(all.requests / seconds))
                .put("p50_ms", millis(all.latencyUs, 50)).put("p99_ms", millis(all.latencyUs, 99))
                .put("ttft_p50_ms", millis(all.ttftUs, 50)).put("ttft_p99_ms", millis(all.ttftUs, 99)));
    }

    private static Tally connection(Run run, AtomicInteger ids, long deadlineNs) throws Exception {
        Tally tally = new Tally();
        int maxTokens = run.options().maxTokens();
        HttpConnection connection = run.connect();
        try {
            while (System.nanoTime() < deadlineNs) {
                Request request = run.postJson("/v1/completions" + run.options().writerQuery(),
                        Bodies.completion("load test prompt", maxTokens, true), true, true);
                Result result = run.exchange(ids.getAndIncrement(), connection, request, 0);
                tally.requests++;
                List<String> problems = Checks.stream(result, maxTokens, true);
                if (problems.isEmpty()) {
                    tally.latencyUs.recordValue(Math.round(result.record().latencyMs() * 1000));
                    tally.ttftUs.recordValue(Math.round(result.record().ttftMs() * 1000));
                } else {
                    tally.errors++;
                    if (tally.firstProblem == null) tally.firstProblem = problems.getFirst();
                }
                if (!result.response().reusable()) {
                    connection.close();
                    connection = run.connect();
                }
            }
        } finally {
            connection.close();
        }
        return tally;
    }

    private static double millis(Histogram us, double percentile) {
        return us.getTotalCount() == 0 ? 0 : round(us.getValueAtPercentile(percentile) / 1000.0);
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
