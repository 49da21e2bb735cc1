package io.aiscope.workloads.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.workloads.model.Vocabulary;

import java.util.stream.LongStream;

/**
 * A generation request to any of the text endpoints, validated, with its prompt tokenized: the sequence marker,
 * then the prompt's words; for conversations (chat, messages, a responses input list), each message's role and
 * content words, then the word {@code assistant} for the turn to generate. A system prompt (Anthropic's
 * {@code system}, the responses API's {@code instructions}) counts as a first message of role {@code system}.
 */
record CompletionRequest(Api api, String model, long[] prompt, int maxTokens, boolean stream, boolean includeUsage,
                         double temperature, long seed) {
    private static final int MAX_TOKENS_LIMIT = 4096;

    static CompletionRequest parse(Api api, JsonNode body, Vocabulary vocabulary) throws BadRequest {
        long[] prompt = switch (api) {
            case COMPLETIONS -> vocabulary.encode(text(body, "prompt"));
            case CHAT -> conversation(null, body.path("messages"), vocabulary);
            case MESSAGES -> conversation(body.path("system"), body.path("messages"), vocabulary);
            case RESPONSES -> body.path("input").isTextual()
                    ? conversation(body.path("instructions"), userMessage(body.path("input")), vocabulary)
                    : conversation(body.path("instructions"), body.path("input"), vocabulary);
        };
        long maxTokens = integer(body, api == Api.RESPONSES ? "max_output_tokens" : "max_tokens", 16);
        if (maxTokens < 1 || maxTokens > MAX_TOKENS_LIMIT) {
            throw new BadRequest("max_tokens must be between 1 and " + MAX_TOKENS_LIMIT);
        }
        JsonNode temperature = body.path("temperature");
        if (!temperature.isMissingNode() && !(temperature.isNumber() && temperature.asDouble() >= 0)) {
            throw new BadRequest("temperature must be a number >= 0");
        }
        return new CompletionRequest(api, body.path("model").asText("tiny-lm"),
                LongStream.concat(LongStream.of(Vocabulary.BOS), LongStream.of(prompt)).toArray(),
                (int) maxTokens, bool(body, "stream"), bool(body.path("stream_options"), "include_usage"),
                temperature.asDouble(1.0), integer(body, "seed", 0));
    }

    private static JsonNode userMessage(JsonNode content) {
        return Json.MAPPER.createArrayNode().add(Json.MAPPER.createObjectNode().put("role", "user").set("content", content));
    }

    private static long[] conversation(JsonNode system, JsonNode messages, Vocabulary vocabulary) throws BadRequest {
        if (!messages.isArray() || messages.isEmpty()) throw new BadRequest("messages must be a non-empty array");
        LongStream.Builder tokens = LongStream.builder();
        if (system != null && !system.isMissingNode() && !system.isNull()) {
            for (long t : vocabulary.encode("system " + content(system))) tokens.add(t);
        }
        for (JsonNode message : messages) {
            for (long t : vocabulary.encode(text(message, "role") + " " + content(message.path("content")))) tokens.add(t);
        }
        for (long t : vocabulary.encode("assistant")) tokens.add(t);
        return tokens.build().toArray();
    }

    /** A message's content: a string, or a list of content blocks whose texts are joined (all APIs allow both). */
    private static String content(JsonNode content) throws BadRequest {
        if (content.isTextual()) return content.asText();
        if (!content.isArray()) throw new BadRequest("content must be a string or an array of content blocks");
        StringBuilder joined = new StringBuilder();
        for (JsonNode block : content) joined.append(text(block, "text")).append(' ');
        return joined.toString();
    }

    private static String text(JsonNode node, String field) throws BadRequest {
        JsonNode value = node.path(field);
        if (!value.isTextual()) throw new BadRequest(field + " must be a string");
        return value.asText();
    }

    private static long integer(JsonNode node, String field, long absent) throws BadRequest {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) return absent;
        if (!value.isIntegralNumber() || !value.canConvertToLong()) throw new BadRequest(field + " must be an integer");
        return value.asLong();
    }

    private static boolean bool(JsonNode node, String field) throws BadRequest {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) return false;
        if (!value.isBoolean()) throw new BadRequest(field + " must be true or false");
        return value.asBoolean();
    }
}
