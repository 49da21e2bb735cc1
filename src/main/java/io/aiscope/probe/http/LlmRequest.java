package io.aiscope.probe.http;

import static io.aiscope.probe.http.JsonPath.CONTENT;
import static io.aiscope.probe.http.JsonPath.INPUT;
import static io.aiscope.probe.http.JsonPath.INSTRUCTIONS;
import static io.aiscope.probe.http.JsonPath.ITEM;
import static io.aiscope.probe.http.JsonPath.MAX_COMPLETION_TOKENS;
import static io.aiscope.probe.http.JsonPath.MAX_OUTPUT_TOKENS;
import static io.aiscope.probe.http.JsonPath.MAX_TOKENS;
import static io.aiscope.probe.http.JsonPath.MESSAGES;
import static io.aiscope.probe.http.JsonPath.MODEL;
import static io.aiscope.probe.http.JsonPath.PROMPT;
import static io.aiscope.probe.http.JsonPath.STREAM;
import static io.aiscope.probe.http.JsonPath.SYSTEM;
import static io.aiscope.probe.http.JsonPath.TEXT;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * The fields of an LLM API request body, in any of the dialects: the model, whether it streams, the output token
 * limit, and (with content capture on) the prompt's text. A field keeps the last value found, so the body's
 * tail, walked after its head, completes it.
 */
final class LlmRequest implements JsonWalker.Handler {
    /**
     * Where prompt text lies: OpenAI chat {@code messages[].content} (a string or text parts), completions'
     * {@code prompt} (a string or strings), embeddings' and Responses' {@code input} (the same, or messages with
     * content and {@code input_text} parts), Responses' {@code instructions}, Anthropic's {@code system} (a
     * string or text blocks) and {@code messages}.
     */
    private static final long[] PROMPT_TEXT = {
        JsonPath.of(MESSAGES, ITEM, CONTENT), JsonPath.of(MESSAGES, ITEM, CONTENT, ITEM, TEXT),
        JsonPath.of(PROMPT), JsonPath.of(PROMPT, ITEM),
        JsonPath.of(INPUT), JsonPath.of(INPUT, ITEM), JsonPath.of(INPUT, ITEM, CONTENT),
        JsonPath.of(INPUT, ITEM, CONTENT, ITEM, TEXT),
        JsonPath.of(INSTRUCTIONS), JsonPath.of(SYSTEM), JsonPath.of(SYSTEM, ITEM, TEXT)};
    private static final long MODEL_PATH = JsonPath.of(MODEL);
    private static final long STREAM_PATH = JsonPath.of(STREAM);
    private static final long MAX_TOKENS_PATH = JsonPath.of(MAX_TOKENS);
    private static final long MAX_COMPLETION_TOKENS_PATH = JsonPath.of(MAX_COMPLETION_TOKENS);
    private static final long MAX_OUTPUT_TOKENS_PATH = JsonPath.of(MAX_OUTPUT_TOKENS);

    private final JsonWalker json = new JsonWalker(this);
    /** Null when content capture is off. */
    private final TextCapture prompt;
    /** The document walked is a body's tail, whose members the head's walk may have read already. */
    private boolean tail;
    String model;
    Boolean stream;
    private Integer maxTokens;
    private Integer maxCompletionTokens;
    private Integer maxOutputTokens;

    /** @param captureBytes prompt text to keep, in UTF-8 bytes; 0 keeps none */
    LlmRequest(int captureBytes) {
        prompt = captureBytes > 0 ? new TextCapture(captureBytes) : null;
    }

    JsonWalker json() {
        return json;
    }

    /** The output token limit, under whichever of its names the request gave it. */
    Integer maxTokens() {
        return maxTokens != null ? maxTokens : maxCompletionTokens != null ? maxCompletionTokens : maxOutputTokens;
    }

    /** Null when capture is off or there was none. */
    String promptText() {
        return prompt == null ? null : prompt.text();
    }

    @Override
    public void startDocument(boolean tail) {
        this.tail = tail;
    }

    @Override
    public void open(long path, JsonToken t) {
    }

    @Override
    public void value(long path, JsonToken t, JsonParser p) throws IOException {
        if (path == MODEL_PATH) {
            model = JsonWalker.string(t, p);
        } else if (path == STREAM_PATH) {
            stream = t.isBoolean() ? t == JsonToken.VALUE_TRUE : null;
        } else if (path == MAX_TOKENS_PATH) {
            maxTokens = JsonWalker.integer(t, p);
        } else if (path == MAX_COMPLETION_TOKENS_PATH) {
            maxCompletionTokens = JsonWalker.integer(t, p);
        } else if (path == MAX_OUTPUT_TOKENS_PATH) {
            maxOutputTokens = JsonWalker.integer(t, p);
        } else if (prompt != null && !tail && t == JsonToken.VALUE_STRING && JsonPath.among(path, PROMPT_TEXT)) {
            prompt.part(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        }
    }
}
