package io.aiscope.workloads.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Anthropic's messages API: named events message_start, content_block_start, a content_block_delta per token,
 * content_block_stop, message_delta (stop reason, output tokens), message_stop. Generation always runs to
 * {@code max_tokens}, so the stop reason is always {@code max_tokens}.
 */
final class AnthropicFormat implements Dialect {
    private final String id;
    private final String model;
    private final int inputTokens;

    AnthropicFormat(long number, String model, int inputTokens) {
        this.id = "msg_" + number;
        this.model = model;
        this.inputTokens = inputTokens;
    }

    /** message_start carries the input tokens and, as Anthropic's does, an output count of 1 so far. */
    @Override
    public List<Event> opening() {
        ObjectNode start = Json.MAPPER.createObjectNode().put("type", "message_start");
        ObjectNode message = message(start.putObject("message"));
        message.putArray("content");
        message.putNull("stop_reason").putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", 1);
        ObjectNode blockStart = Json.MAPPER.createObjectNode().put("type", "content_block_start").put("index", 0);
        blockStart.putObject("content_block").put("type", "text").put("text", "");
        return List.of(Event.named("message_start", start), Event.named("content_block_start", blockStart));
    }

    @Override
    public Event token(String text, boolean first, boolean last) {
        ObjectNode delta = Json.MAPPER.createObjectNode().put("type", "content_block_delta").put("index", 0);
        delta.putObject("delta").put("type", "text_delta").put("text", text);
        return Event.named("content_block_delta", delta);
    }

    @Override
    public List<Event> closing(Usage usage) {
        ObjectNode messageDelta = Json.MAPPER.createObjectNode().put("type", "message_delta");
        messageDelta.putObject("delta").put("stop_reason", "max_tokens").putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", usage.completionTokens());
        return List.of(
                Event.named("content_block_stop", Json.MAPPER.createObjectNode().put("type", "content_block_stop").put("index", 0)),
                Event.named("message_delta", messageDelta),
                Event.named("message_stop", Json.MAPPER.createObjectNode().put("type", "message_stop")));
    }

    @Override
    public ObjectNode whole(String text, Usage usage) {
        ObjectNode message = message(Json.MAPPER.createObjectNode());
        message.putArray("content").addObject().put("type", "text").put("text", text);
        message.put("stop_reason", "max_tokens").putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", usage.promptTokens()).put("output_tokens", usage.completionTokens());
        return message;
    }

    @Override
    public ObjectNode rateLimited(String message) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("type", "error");
        body.putObject("error").put("type", "rate_limit_error").put("message", message);
        return body;
    }

    private ObjectNode message(ObjectNode node) {
        return node.put("id", id).put("type", "message").put("role", "assistant").put("model", model);
    }
}
