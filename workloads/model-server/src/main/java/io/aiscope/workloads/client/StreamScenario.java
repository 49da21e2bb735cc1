package io.aiscope.workloads.client;

/** R (5) streaming chat completions of --max-tokens tokens with usage, one after another on one keep-alive connection. */
final class StreamScenario implements Scenario {
    @Override
    public void run(Run run) throws Exception {
        int maxTokens = run.options().maxTokens();
        HttpConnection connection = run.connect();
        try {
            for (int id = 0; id < run.options().requestsOr(5); id++) {
                Request request = run.postJson("/v1/chat/completions" + run.options().writerQuery(),
                        Bodies.chat("stream number " + id, maxTokens, true), true, true);
                Result result = run.exchange(id, connection, request, 0);
                run.require(Checks.stream(result, maxTokens, true));
                if (!result.response().reusable()) {
                    connection.close();
                    connection = run.connect();
                }
            }
        } finally {
            connection.close();
        }
    }
}
