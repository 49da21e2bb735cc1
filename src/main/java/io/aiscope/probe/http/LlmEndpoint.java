package io.aiscope.probe.http;

/**
 * The LLM API endpoints recognised by their request path (without query string), with the API style and the
 * GenAI semantic conventions' operation name. A path matches when it ends with the endpoint's name right after
 * a {@code v1} segment, whatever comes before: gateways and providers mount the APIs under prefixes
 * ({@code /openai/v1/chat/completions}, {@code /api/v1/...}). The OpenAI endpoints are also recognised after an
 * {@code openai} segment (Gemini's {@code /v1beta/openai/chat/completions}) and under Azure's
 * {@code /openai/deployments/{name}/}. Anything longer (a trailing slash, {@code /v1/messages/count_tokens}) is
 * another endpoint.
 */
enum LlmEndpoint {
    CHAT_COMPLETIONS("/chat/completions", "openai", "chat"),
    COMPLETIONS("/completions", "openai", "text_completion"),
    RESPONSES("/responses", "openai", "chat"),
    EMBEDDINGS("/embeddings", "openai", "embeddings"),
    MESSAGES("/messages", "anthropic", "chat");

    private static final String AZURE_DEPLOYMENTS = "/openai/deployments/";
    /**
     * Declared longest first where one name ends with another: /chat/completions before /completions. Kept once:
     * values() makes a new array per call, and endpoints are looked up per request.
     */
    private static final LlmEndpoint[] ALL = values();

    private final String name;
    final String api;
    final String operation;

    LlmEndpoint(String name, String api, String operation) {
        this.name = name;
        this.api = api;
        this.operation = operation;
    }

    /** Null when the path is no LLM API endpoint. */
    static LlmEndpoint of(String path) {
        for (LlmEndpoint e : ALL) {
            if (path.endsWith(e.name)) {
                return e.mountedAt(path.substring(0, path.length() - e.name.length())) ? e : null;
            }
        }
        return null;
    }

    /** Whether {@code prefix}, the path before the endpoint's name, is where this API is served. */
    private boolean mountedAt(String prefix) {
        if (prefix.endsWith("/v1")) {
            return true;
        }
        if (!api.equals("openai")) {
            return false;
        }
        if (prefix.endsWith("/openai")) {
            return true;
        }
        int deployment = AZURE_DEPLOYMENTS.length();
        return prefix.startsWith(AZURE_DEPLOYMENTS) && prefix.length() > deployment
                && prefix.indexOf('/', deployment) < 0;
    }
}
