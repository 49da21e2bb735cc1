package io.aiscope.probe.http;

/** Token figures of an exchange: what the server said in {@code usage}, else what was seen streamed. */
public final class Tokens {
    private Tokens() {}

    /** Output tokens of an LLM call: its usage when the response had it, else its streamed content events. */
    public static long outputTokens(HttpExchange x) {
        LlmCall call = x.llm();
        return call != null && call.outputTokens() != null ? call.outputTokens() : 0;
    }

    /** Mean gap between streamed tokens (first to last), -1 with fewer than two. */
    public static long timePerOutputTokenNs(HttpExchange x) {
        long[] t = x.tokenNs();
        if (t.length < 2) {
            return -1;
        }
        return Math.max(0, (t[t.length - 1] - t[0]) / (t.length - 1));
    }
}
