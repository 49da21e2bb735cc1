package io.aiscope.probe.http;

/**
 * An LLM API call (OpenAI-compatible or Anthropic), read from the captured request and response bodies. Fields
 * the capture did not contain are null.
 *
 * @param api                 the API's style: "openai" or "anthropic"
 * @param operation           the GenAI semantic conventions' operation name: "chat" ({@code /v1/chat/completions},
 *                            {@code /v1/responses}, {@code /v1/messages}), "text_completion" ({@code /v1/completions})
 *                            or "embeddings" ({@code /v1/embeddings})
 * @param model               the model the request asked for
 * @param maxTokens           the request's output limit: {@code max_tokens}, {@code max_completion_tokens} or
 *                            {@code max_output_tokens}
 * @param responseModel       the model the response names (a server may resolve an alias to a version)
 * @param inputTokens         the response's usage: {@code prompt_tokens} or {@code input_tokens}
 * @param outputTokens        the response's usage ({@code completion_tokens} or {@code output_tokens}); for a
 *                            stream without usage, its {@code contentEvents}
 * @param outputTokensCounted {@code outputTokens} is the count of content events, not the server's usage
 * @param contentEvents       streamed events that carried generated content (text, tool calls); 0 when not streamed
 * @param firstContentNs      when the first of them was moved (CLOCK_MONOTONIC); 0 when none was: the time to
 *                            first token ends here, not at a first event that carries only a role or metadata
 * @param errorType           the API error's {@code type}, or its {@code code} without one (never its message):
 *                            from an error response's body or an error event in a stream
 * @param promptText          the prompt's text, up to the capture size, only with content capture on
 * @param completionText      the completion's text, up to the capture size, only with content capture on
 */
public record LlmCall(String api, String operation, String model, Boolean stream, Integer maxTokens,
        String responseModel, Integer inputTokens, Integer outputTokens, boolean outputTokensCounted,
        int contentEvents, long firstContentNs, String errorType, String promptText, String completionText) {
}
