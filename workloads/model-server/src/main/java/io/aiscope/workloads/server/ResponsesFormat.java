package io.aiscope.workloads.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * OpenAI's responses API. Streamed, its events are named and numbered: response.created, response.in_progress,
 * the output item and content part being added, a response.output_text.delta per token, then the text, part and
 * item done, and response.completed with the whole response and its usage.
 */
final class ResponsesFormat implements Dialect {
    private final String id;
    private final String itemId;
    private final String model;
    private final int inputTokens;
    private final long createdAt = System.currentTimeMillis() / 1000;
    private final StringBuilder text = new StringBuilder();
    private int sequence;

    ResponsesFormat(long number, String model, int inputTokens) {
        this.id = "resp_" + number;
        this.itemId = "msg_" + number;
        this.model = model;
        this.inputTokens = inputTokens;
    }

    @Override
    public List<Event> opening() {
        Event created = named(withResponse(event("response.created"), "in_progress", null));
        Event inProgress = named(withResponse(event("response.in_progress"), "in_progress", null));
        ObjectNode itemAdded = event("response.output_item.added").put("output_index", 0);
        item(itemAdded.putObject("item"), "in_progress").putArray("content");
        ObjectNode partAdded = event("response.content_part.added").put("item_id", itemId).put("output_index", 0)
                .put("content_index", 0);
        part(partAdded.putObject("part"), "");
        return List.of(created, inProgress, named(itemAdded), named(partAdded));
    }

    @Override
    public Event token(String token, boolean first, boolean last) {
        text.append(token);
        return named(event("response.output_text.delta").put("item_id", itemId).put("output_index", 0)
                .put("content_index", 0).put("delta", token));
    }

    @Override
    public List<Event> closing(Usage usage) {
        String all = text.toString();
        Event textDone = named(event("response.output_text.done").put("item_id", itemId).put("output_index", 0)
                .put("content_index", 0).put("text", all));
        ObjectNode partDone = event("response.content_part.done").put("item_id", itemId).put("output_index", 0)
                .put("content_index", 0);
        part(partDone.putObject("part"), all);
        ObjectNode itemDone = event("response.output_item.done").put("output_index", 0);
        part(item(itemDone.putObject("item"), "completed").putArray("content").addObject(), all);
        Event completed = named(withResponse(event("response.completed"), "completed", new Completed(all, usage)));
        return List.of(textDone, named(partDone), named(itemDone), completed);
    }

    @Override
    public ObjectNode whole(String all, Usage usage) {
        return response(Json.MAPPER.createObjectNode(), "completed", new Completed(all, usage));
    }

    @Override
    public ObjectNode rateLimited(String message) {
        return Dialect.openAiRateLimited(message);
    }

    private record Completed(String text, Usage usage) {
    }

    private ObjectNode event(String type) {
        return Json.MAPPER.createObjectNode().put("type", type).put("sequence_number", sequence++);
    }

    private static Event named(ObjectNode event) {
        return Event.named(event.get("type").asText(), event);
    }

    private ObjectNode withResponse(ObjectNode event, String status, Completed completed) {
        response(event.putObject("response"), status, completed);
        return event;
    }

    /** The response object; output and usage only once it is complete, as OpenAI's in-progress ones have none. */
    private ObjectNode response(ObjectNode node, String status, Completed completed) {
        node.put("id", id).put("object", "response").put("created_at", createdAt).put("status", status).put("model", model);
        if (completed == null) {
            node.putArray("output");
            node.putNull("usage");
            return node;
        }
        part(item(node.putArray("output").addObject(), "completed").putArray("content").addObject(), completed.text());
        node.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", completed.usage().completionTokens())
                .put("total_tokens", inputTokens + completed.usage().completionTokens());
        return node;
    }

    private ObjectNode item(ObjectNode node, String status) {
        return node.put("id", itemId).put("type", "message").put("status", status).put("role", "assistant");
    }

    private static ObjectNode part(ObjectNode node, String partText) {
        node.put("type", "output_text").put("text", partText).putArray("annotations");
        return node;
    }
}
