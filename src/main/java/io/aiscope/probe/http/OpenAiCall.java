package io.aiscope.probe.http;

/**
 * An OpenAI-compatible API call, read from the captured request and response bodies. Fields the capture did not
 * contain are null.
 *
 * @param operation        "chat" ({@code /v1/chat/completions}), "text_completion" ({@code /v1/completions}) or
 *                         "embeddings" ({@code /v1/embeddings}): the GenAI semantic conventions' operation names
 * @param promptTokens     {@code usage.prompt_tokens} of the response
 * @param completionTokens {@code usage.completion_tokens} of the response
 */
public record OpenAiCall(String operation, String model, Boolean stream, Integer maxTokens, Integer promptTokens,
        Integer completionTokens) {
}
