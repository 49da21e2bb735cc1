package io.aiscope.probe.http;

/** Token figures of an exchange: what the server said in {@code usage}, else what was seen streamed. */
public final class Tokens {
    private Tokens() {}

    /** Output tokens: usage.completion_tokens when the response had it, else streamed events of an LLM call. */
    public static long outputTokens(HttpExchange x) {
        OpenAiCall ai = x.openai();
        if (ai != null && ai.completionTokens() != null) {
            return ai.completionTokens();
        }
        return ai != null && x.streaming() ? x.tokenNs().length : 0;
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
