package io.aiscope.workloads.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The JSON shapes of one generation's response in one API's format: whole, or as server-sent events. One
 * instance serves one request, so a format may keep state (a sequence number, the text so far).
 */
interface Dialect {
    /** One server-sent event: {@code event: NAME} (omitted when null) and one {@code data:} line. */
    record Event(String name, String data) {
        static Event data(ObjectNode data) {
            return new Event(null, Json.write(data));
        }

        static Event named(String name, ObjectNode data) {
            return new Event(name, Json.write(data));
        }

        String frame() {
            return (name == null ? "" : "event: " + name + "\n") + "data: " + data + "\n\n";
        }
    }

    /** The events that precede the first token's: the message or response being opened. */
    List<Event> opening();

    /** The event that carries one token; the first and the last may say more. */
    Event token(String text, boolean first, boolean last);

    /** The events after the last token: usage, the stop reason, the end marker. */
    List<Event> closing(Usage usage);

    /** The non-streamed response. */
    ObjectNode whole(String text, Usage usage);

    /** The body of a 429 in this API's error shape. */
    ObjectNode rateLimited(String message);

    static Dialect of(Api api, long number, CompletionRequest request) {
        return switch (api) {
            case COMPLETIONS, CHAT -> new OpenAiFormat(api, number, request.model(), request.includeUsage());
            case MESSAGES -> new AnthropicFormat(number, request.model(), request.prompt().length);
            case RESPONSES -> new ResponsesFormat(number, request.model(), request.prompt().length);
        };
    }

    /** OpenAI's rate-limit error, which every endpoint but Anthropic's uses. */
    static ObjectNode openAiRateLimited(String message) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("error").put("message", message).put("type", "requests").putNull("param")
                .put("code", "rate_limit_exceeded");
        return body;
    }
}
