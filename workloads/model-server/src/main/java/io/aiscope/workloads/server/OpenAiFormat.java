package io.aiscope.workloads.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON shapes of one completion's responses, whole or streamed, in OpenAI's format. */
final class OpenAiFormat {
    private final Api api;
    private final String id;
    private final String model;
    private final long created = System.currentTimeMillis() / 1000;

    OpenAiFormat(Api api, long number, String model) {
        this.api = api;
        this.id = api.idPrefix + number;
        this.model = model;
    }

    /** One token's chunk; the first carries the chat role, the last the finish reason. */
    ObjectNode chunk(String text, boolean first, boolean last) {
        ObjectNode chunk = header(api.chunkObject);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        if (api == Api.CHAT) {
            ObjectNode delta = choice.putObject("delta");
            if (first) delta.put("role", "assistant");
            delta.put("content", text);
        } else {
            choice.put("text", text);
        }
        if (last) choice.put("finish_reason", "length");
        else choice.putNull("finish_reason");
        return chunk;
    }

    /** The chunk that {@code stream_options.include_usage} asks for: no choices, only usage. */
    ObjectNode usageChunk(Usage usage) {
        ObjectNode chunk = header(api.chunkObject);
        chunk.putArray("choices");
        putUsage(chunk, usage);
        return chunk;
    }

    ObjectNode completion(String text, Usage usage) {
        ObjectNode response = header(api.object);
        ObjectNode choice = response.putArray("choices").addObject().put("index", 0);
        if (api == Api.CHAT) choice.putObject("message").put("role", "assistant").put("content", text);
        else choice.put("text", text);
        choice.put("finish_reason", "length");
        putUsage(response, usage);
        return response;
    }

    private ObjectNode header(String object) {
        return Json.MAPPER.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model);
    }

    private static void putUsage(ObjectNode node, Usage usage) {
        node.putObject("usage").put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens()).put("total_tokens", usage.totalTokens());
    }
}
