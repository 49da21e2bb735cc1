package io.aiscope.probe.http;

import static io.aiscope.probe.http.JsonPath.CHOICES;
import static io.aiscope.probe.http.JsonPath.CODE;
import static io.aiscope.probe.http.JsonPath.COMPLETION_TOKENS;
import static io.aiscope.probe.http.JsonPath.CONTENT;
import static io.aiscope.probe.http.JsonPath.DELTA;
import static io.aiscope.probe.http.JsonPath.ERROR;
import static io.aiscope.probe.http.JsonPath.INPUT_TOKENS;
import static io.aiscope.probe.http.JsonPath.ITEM;
import static io.aiscope.probe.http.JsonPath.MESSAGE;
import static io.aiscope.probe.http.JsonPath.MODEL;
import static io.aiscope.probe.http.JsonPath.OUTPUT;
import static io.aiscope.probe.http.JsonPath.OUTPUT_TOKENS;
import static io.aiscope.probe.http.JsonPath.PROMPT_TOKENS;
import static io.aiscope.probe.http.JsonPath.REASONING_CONTENT;
import static io.aiscope.probe.http.JsonPath.RESPONSE;
import static io.aiscope.probe.http.JsonPath.TEXT;
import static io.aiscope.probe.http.JsonPath.TOOL_CALLS;
import static io.aiscope.probe.http.JsonPath.TYPE;
import static io.aiscope.probe.http.JsonPath.USAGE;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Arrays;

/**
 * The fields of an LLM API response, read from its JSON body or from each event of its SSE stream, in any of the
 * dialects: the model, the token usage, the API error, and for streams the events that carry generated content
 * (their number, the first one's time) and, with content capture on, the completion's text. A field keeps the
 * last value found: a stream's cumulative usage ends as its final count.
 */
final class LlmResponse implements JsonWalker.Handler {
    /** The response's model: top level, Anthropic's {@code message_start}, the Responses API's events. */
    private static final long[] MODEL_PATHS = {JsonPath.of(MODEL), JsonPath.of(MESSAGE, MODEL),
        JsonPath.of(RESPONSE, MODEL)};
    /** Chat and completions' {@code usage}, the Responses API's (nested in its events), Anthropic's. */
    private static final long[] INPUT_TOKENS_PATHS = {JsonPath.of(USAGE, PROMPT_TOKENS),
        JsonPath.of(USAGE, INPUT_TOKENS), JsonPath.of(RESPONSE, USAGE, INPUT_TOKENS),
        JsonPath.of(MESSAGE, USAGE, INPUT_TOKENS)};
    /**
     * Not Anthropic's {@code message_start} {@code message.usage.output_tokens}: that is a placeholder (1) sent before
     * any token; the count is {@code message_delta}'s. Taken as usage, it would stand for a stream cut before its
     * {@code message_delta} instead of the content events counted.
     */
    private static final long[] OUTPUT_TOKENS_PATHS = {JsonPath.of(USAGE, COMPLETION_TOKENS),
        JsonPath.of(USAGE, OUTPUT_TOKENS), JsonPath.of(RESPONSE, USAGE, OUTPUT_TOKENS)};
    /** OpenAI's and Anthropic's error object; a failed Responses API response's. */
    private static final long ERROR_TYPE = JsonPath.of(ERROR, TYPE);
    private static final long[] ERROR_CODE_PATHS = {JsonPath.of(ERROR, CODE), JsonPath.of(RESPONSE, ERROR, CODE)};
    private static final long TOP_TYPE = JsonPath.of(TYPE);
    private static final long TOP_CODE = JsonPath.of(CODE);
    private static final long TOP_DELTA = JsonPath.of(DELTA);
    private static final long USAGE_PATH = JsonPath.of(USAGE);
    private static final long CHOICES_PATH = JsonPath.of(CHOICES);
    private static final long CHOICE = JsonPath.of(CHOICES, ITEM);
    /** Generated text of a chat chunk and of a completion (streamed or not). */
    private static final long[] CONTENT_TEXT = {JsonPath.of(CHOICES, ITEM, DELTA, CONTENT),
        JsonPath.of(CHOICES, ITEM, TEXT)};
    private static final long REASONING = JsonPath.of(CHOICES, ITEM, DELTA, REASONING_CONTENT);
    private static final long TOOL_CALL = JsonPath.of(CHOICES, ITEM, DELTA, TOOL_CALLS, ITEM);
    /**
     * Completion text that is not counted as content events: a whole chat message, the Responses API's output
     * parts, Anthropic's content blocks (whole, or a {@code text_delta} of a {@code content_block_delta} event,
     * counted by its type).
     */
    private static final long[] COMPLETION_TEXT = {JsonPath.of(CHOICES, ITEM, MESSAGE, CONTENT),
        JsonPath.of(CHOICES, ITEM, MESSAGE, CONTENT, ITEM, TEXT), JsonPath.of(OUTPUT, ITEM, CONTENT, ITEM, TEXT),
        JsonPath.of(CONTENT, ITEM, TEXT), JsonPath.of(DELTA, TEXT)};

    /** What a stream event's {@code type} says of it. */
    private enum Kind {
        OTHER,
        /** Anthropic's and the Responses API's error event. */
        ERROR,
        /** Generated text: its {@code delta} is completion text. */
        TEXT_DELTA,
        /** Other generated content (tool call arguments, Anthropic's content blocks). */
        CONTENT_DELTA;

        static Kind of(String type) {
            return switch (type) {
                case "error" -> ERROR;
                case "response.output_text.delta" -> TEXT_DELTA;
                case "response.function_call_arguments.delta", "content_block_delta" -> CONTENT_DELTA;
                case null, default -> OTHER;
            };
        }
    }

    private final JsonWalker json = new JsonWalker(this);
    /** Null when content capture is off. */
    private final TextCapture completion;
    private final int captureBytes;
    /** The body is an SSE stream, read event by event. */
    private final boolean stream;
    String model;
    Integer inputTokens;
    Integer outputTokens;
    String errorType;
    int contentEvents;
    long firstContentNs;

    private boolean tail;
    private Kind kind;
    private boolean content;
    private boolean usage;
    private boolean choices;
    private boolean choice;
    /** How telling {@link #errorType} is: 0 none yet, then by rank (a numeric code, the type, a named code). */
    private int errorRank;
    private static final int RANK_NUMBER_CODE = 1, RANK_TYPE = 2, RANK_NAMED_CODE = 3;
    private String code;
    /** A Responses API event's {@code delta}, kept until its type shows it is output text; capture only. */
    private char[] delta;

    /**
     * @param captureBytes completion text to keep, in UTF-8 bytes; 0 keeps none
     * @param stream       the body is SSE, fed by {@link #event}
     */
    LlmResponse(int captureBytes, boolean stream) {
        this.captureBytes = captureBytes;
        this.stream = stream;
        completion = captureBytes > 0 ? new TextCapture(captureBytes) : null;
    }

    JsonWalker json() {
        return json;
    }

    /** Null when capture is off or there was none. */
    String completionText() {
        return completion == null ? null : completion.text();
    }

    /** Output tokens from usage; without usage, a stream's content events; else null. */
    Integer outputTokens() {
        return outputTokens != null ? outputTokens : stream ? Integer.valueOf(contentEvents) : null;
    }

    /** Whether {@link #outputTokens()} is a count of content events rather than the server's usage. */
    boolean outputTokensCounted() {
        return outputTokens == null && stream;
    }

    /**
     * The data of one SSE event. False when it is OpenAI's usage-only chunk (an empty {@code choices} and a
     * {@code usage} object, sent with {@code stream_options.include_usage}), which carries no token.
     */
    boolean event(byte[] data, int len, long tsNs) {
        json.read(data, 0, len);
        if (kind == Kind.ERROR && code != null) {
            error(code, RANK_NAMED_CODE);
        }
        if (completion != null && delta != null && kind == Kind.TEXT_DELTA) {
            completion.append(delta, 0, delta.length);
        }
        if (content || kind == Kind.TEXT_DELTA || kind == Kind.CONTENT_DELTA) {
            content(tsNs);
        }
        return !(usage && choices && !choice);
    }

    /**
     * An event whose bytes were partly unseen: counted as content unexamined, as most events of a stream are
     * (and a capture loses bytes in the middle of long streams, not at their start).
     */
    void cutEvent(long tsNs) {
        content(tsNs);
    }

    private void content(long tsNs) {
        if (contentEvents++ == 0) {
            firstContentNs = tsNs;
        }
    }

    @Override
    public void startDocument(boolean tail) {
        this.tail = tail;
        kind = Kind.OTHER;
        content = false;
        usage = false;
        choices = false;
        choice = false;
        errorRank = 0;
        code = null;
        delta = null;
    }

    @Override
    public void open(long path, JsonToken t) {
        if (path == USAGE_PATH) {
            usage = t == JsonToken.START_OBJECT;
        } else if (path == CHOICES_PATH) {
            choices = t == JsonToken.START_ARRAY;
        } else if (path == CHOICE) {
            choice = true;
        } else if (path == TOOL_CALL) {
            content = true;
        }
    }

    @Override
    public void value(long path, JsonToken t, JsonParser p) throws IOException {
        if (path == JsonPath.NONE) {
            return;
        }
        if (path == CHOICE) {
            choice = true;
        } else if (path == TOP_TYPE) {
            kind = Kind.of(JsonWalker.string(t, p));
        } else if (JsonPath.among(path, MODEL_PATHS)) {
            model = JsonWalker.string(t, p);
        } else if (JsonPath.among(path, INPUT_TOKENS_PATHS)) {
            inputTokens = lastInteger(inputTokens, t, p);
        } else if (JsonPath.among(path, OUTPUT_TOKENS_PATHS)) {
            outputTokens = lastInteger(outputTokens, t, p);
        } else if (path == ERROR_TYPE) {
            error(JsonWalker.string(t, p), RANK_TYPE);
        } else if (JsonPath.among(path, ERROR_CODE_PATHS)) {
            error(code(t, p), t == JsonToken.VALUE_NUMBER_INT ? RANK_NUMBER_CODE : RANK_NAMED_CODE);
        } else if (path == TOP_CODE) {
            code = code(t, p);
        } else if (t == JsonToken.VALUE_STRING) {
            text(path, p);
        }
    }

    private void text(long path, JsonParser p) throws IOException {
        boolean generated = JsonPath.among(path, CONTENT_TEXT);
        if ((generated || path == REASONING) && p.getTextLength() > 0) {
            content = true;
        }
        if (completion == null || tail) {
            return;
        }
        if (generated || JsonPath.among(path, COMPLETION_TEXT)) {
            if (stream) {
                completion.append(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            } else {
                completion.part(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            }
        } else if (path == TOP_DELTA && stream) {
            int off = p.getTextOffset();
            delta = Arrays.copyOfRange(p.getTextCharacters(), off, off + Math.min(p.getTextLength(), captureBytes));
        }
    }

    /**
     * The most telling name wins, whichever comes first: a named code, then the type, then a numeric code. OpenAI's
     * code says what happened ({@code rate_limit_exceeded}, {@code insufficient_quota}) where its type is a
     * category ({@code requests}); Anthropic's errors have a type only ({@code rate_limit_error}); some servers'
     * numeric code only repeats the status.
     */
    private void error(String value, int rank) {
        if (value != null && rank >= errorRank) {
            errorType = value;
            errorRank = rank;
        }
    }

    /** Usage members may be null (Anthropic's {@code message_delta}): they do not erase a count. */
    private static Integer lastInteger(Integer last, JsonToken t, JsonParser p) throws IOException {
        Integer value = JsonWalker.integer(t, p);
        return value != null ? value : last;
    }

    /** An error code: a string, or a number (some servers repeat the HTTP status). */
    private static String code(JsonToken t, JsonParser p) throws IOException {
        return t == JsonToken.VALUE_NUMBER_INT ? p.getText() : JsonWalker.string(t, p);
    }
}
