package io.aiscope.workloads.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.aiscope.workloads.model.TinyLm;
import io.aiscope.workloads.model.Vocabulary;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

/**
 * {@code POST /v1/embeddings}: {@code input} is a string or an array of strings; each one's embedding is the
 * model's hidden state after a pass over it (sequence marker + words), computed on the inference thread.
 * Of the {@link Faults}, only {@code rate_limit} applies.
 */
final class EmbeddingsHandler implements Router.Handler {
    private final TinyLm model;
    private final InferenceThread inference;

    EmbeddingsHandler(TinyLm model, InferenceThread inference) {
        this.model = model;
        this.inference = inference;
    }

    /** One forward pass per input. */
    private final class EmbeddingJob implements Job {
        private final List<long[]> inputs;
        private final List<float[]> embeddings = new ArrayList<>();
        private final CompletableFuture<List<float[]>> result = new CompletableFuture<>();

        EmbeddingJob(List<long[]> inputs) {
            this.inputs = inputs;
        }

        @Override
        public boolean step() throws Exception {
            long[] tokens = inputs.get(embeddings.size());
            embeddings.add(model.forward(tokens, tokens.length).hidden());
            if (embeddings.size() < inputs.size()) return false;
            result.complete(embeddings);
            return true;
        }

        @Override
        public void failed(Exception e) {
            result.completeExceptionally(e);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws Exception {
        Faults faults = Faults.of(exchange);
        JsonNode body = Json.readObject(exchange);
        List<long[]> inputs = inputs(body.path("input"));
        if (faults.rateLimited()) {
            faults.answerRateLimited(exchange, Dialect::openAiRateLimited);
            return;
        }
        EmbeddingJob job = new EmbeddingJob(inputs);
        inference.submit(job);
        List<float[]> embeddings = job.result.get();

        ObjectNode response = Json.MAPPER.createObjectNode().put("object", "list");
        ArrayNode data = response.putArray("data");
        for (int i = 0; i < embeddings.size(); i++) {
            ArrayNode vector = data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
            for (float v : embeddings.get(i)) vector.add(v);
        }
        int promptTokens = inputs.stream().mapToInt(t -> t.length).sum();
        response.put("model", body.path("model").asText("tiny-lm"));
        response.putObject("usage").put("prompt_tokens", promptTokens).put("total_tokens", promptTokens);
        Responses.json(exchange, 200, response);
    }

    private List<long[]> inputs(JsonNode input) throws BadRequest {
        List<long[]> inputs = new ArrayList<>();
        if (input.isTextual()) inputs.add(tokens(input.asText()));
        else if (input.isArray() && !input.isEmpty()) {
            for (JsonNode item : input) {
                if (!item.isTextual()) throw new BadRequest("input must be a string or an array of strings");
                inputs.add(tokens(item.asText()));
            }
        } else throw new BadRequest("input must be a string or a non-empty array of strings");
        return inputs;
    }

    private long[] tokens(String text) {
        return LongStream.concat(LongStream.of(Vocabulary.BOS), LongStream.of(model.vocabulary().encode(text))).toArray();
    }
}
