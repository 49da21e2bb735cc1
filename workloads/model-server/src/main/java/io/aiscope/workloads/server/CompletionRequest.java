package io.aiscope.workloads.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.workloads.model.Vocabulary;

import java.util.stream.LongStream;

/**
 * A request to {@code /v1/completions} or {@code /v1/chat/completions}, validated, with its prompt tokenized:
 * the sequence marker, then the prompt's words; for chat, each message's role and content words, then the
 * word {@code assistant} for the turn to generate.
 */
record CompletionRequest(Api api, String model, long[] prompt, int maxTokens, boolean stream, boolean includeUsage,
                         double temperature, long seed) {
    private static final int MAX_TOKENS_LIMIT = 4096;

    static CompletionRequest parse(Api api, JsonNode body, Vocabulary vocabulary) throws BadRequest {
        long[] prompt = switch (api) {
            case COMPLETIONS -> vocabulary.encode(text(body, "prompt"));
            case CHAT -> chatPrompt(body, vocabulary);
        };
        long maxTokens = integer(body, "max_tokens", 16);
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

    private static long[] chatPrompt(JsonNode body, Vocabulary vocabulary) throws BadRequest {
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) throw new BadRequest("messages must be a non-empty array");
        LongStream.Builder tokens = LongStream.builder();
        for (JsonNode message : messages) {
            for (long t : vocabulary.encode(text(message, "role") + " " + text(message, "content"))) tokens.add(t);
        }
        for (long t : vocabulary.encode("assistant")) tokens.add(t);
        return tokens.build().toArray();
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
