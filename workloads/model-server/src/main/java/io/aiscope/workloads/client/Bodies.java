package io.aiscope.workloads.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Request bodies for the server's OpenAI-style endpoints. */
final class Bodies {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Bodies() {
    }

    static String chat(String content, int maxTokens, boolean stream) {
        ObjectNode body = MAPPER.createObjectNode().put("model", "tiny-lm");
        body.putArray("messages").addObject().put("role", "user").put("content", content);
        return finish(body, maxTokens, stream);
    }

    static String completion(String prompt, int maxTokens, boolean stream) {
        return finish(MAPPER.createObjectNode().put("model", "tiny-lm").put("prompt", prompt), maxTokens, stream);
    }

    static String embedding(String input) {
        return MAPPER.createObjectNode().put("model", "tiny-lm").put("input", input).toString();
    }

    /** Streams always ask for the usage event, so the client can check the token count. */
    private static String finish(ObjectNode body, int maxTokens, boolean stream) {
        body.put("max_tokens", maxTokens).put("stream", stream);
        if (stream) body.putObject("stream_options").put("include_usage", true);
        return body.toString();
    }
}
