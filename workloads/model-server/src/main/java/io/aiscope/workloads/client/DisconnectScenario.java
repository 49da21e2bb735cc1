package io.aiscope.workloads.client;

/**
 * A streaming chat completion of 200 tokens that the client abandons after 3 events, closing with a reset, then
 * a {@code /health} request on a new connection to show the server still serves.
 */
final class DisconnectScenario implements Scenario {
    private static final int MAX_TOKENS = 200;
    private static final int EVENTS_READ = 3;

    @Override
    public void run(Run run) throws Exception {
        Request stream = run.postJson("/v1/chat/completions" + run.options().writerQuery(),
                Bodies.chat("a long answer please", MAX_TOKENS, true), true, true);
        HttpConnection abandoned = run.connect();
        Result cut = run.exchange(0, abandoned, stream, EVENTS_READ);
        abandoned.abort();
        run.require(cut.record().outcome().equals("disconnected") && cut.record().events() == EVENTS_READ,
                Checks.describe(cut.record()) + ": expected to abandon it after " + EVENTS_READ + " events, got "
                        + cut.record().events() + " events, outcome " + cut.record().outcome());

        try (HttpConnection fresh = run.connect()) {
            run.require(Checks.complete(run.exchange(1, fresh, run.get("/health", false), 0), 200));
        }
    }
}
