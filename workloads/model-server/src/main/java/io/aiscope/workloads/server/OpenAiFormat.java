package io.aiscope.workloads.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** OpenAI's completions and chat completions: {@code data:} events only, ended by {@code data: [DONE]}. */
final class OpenAiFormat implements Dialect {
    private final boolean chat;
    private final String id;
    private final String model;
    private final boolean includeUsage;
    private final long created = System.currentTimeMillis() / 1000;

    OpenAiFormat(Api api, long number, String model, boolean includeUsage) {
        this.chat = api == Api.CHAT;
        this.id = (chat ? "chatcmpl-" : "cmpl-") + number;
        this.model = model;
        this.includeUsage = includeUsage;
    }

    @Override
    public List<Event> opening() {
        return List.of();
    }

    /** The first chunk carries the chat role, the last the finish reason. */
    @Override
    public Event token(String text, boolean first, boolean last) {
        ObjectNode chunk = header(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (first) delta.put("role", "assistant");
            delta.put("content", text);
        } else {
            choice.put("text", text);
        }
        if (last) choice.put("finish_reason", "length");
        else choice.putNull("finish_reason");
        return Event.data(chunk);
    }

    /** With {@code stream_options.include_usage}, a chunk with no choices and the usage comes before the end. */
    @Override
    public List<Event> closing(Usage usage) {
        List<Event> events = new ArrayList<>();
        if (includeUsage) {
            ObjectNode chunk = header(chat ? "chat.completion.chunk" : "text_completion");
            chunk.putArray("choices");
            putUsage(chunk, usage);
            events.add(Event.data(chunk));
        }
        events.add(new Event(null, "[DONE]"));
        return events;
    }

    @Override
    public ObjectNode whole(String text, Usage usage) {
        ObjectNode response = header(chat ? "chat.completion" : "text_completion");
        ObjectNode choice = response.putArray("choices").addObject().put("index", 0);
        if (chat) choice.putObject("message").put("role", "assistant").put("content", text);
        else choice.put("text", text);
        choice.put("finish_reason", "length");
        putUsage(response, usage);
        return response;
    }

    @Override
    public ObjectNode rateLimited(String message) {
        return Dialect.openAiRateLimited(message);
    }

    private ObjectNode header(String object) {
        return Json.MAPPER.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model);
    }

    private static void putUsage(ObjectNode node, Usage usage) {
        node.putObject("usage").put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens()).put("total_tokens", usage.totalTokens());
    }
}
