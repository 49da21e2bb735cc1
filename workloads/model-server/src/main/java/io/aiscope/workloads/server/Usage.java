package io.aiscope.workloads.server;

/** Token counts, as OpenAI's {@code usage} object reports them. */
record Usage(int promptTokens, int completionTokens) {
    int totalTokens() {
        return promptTokens + completionTokens;
    }
}
