package io.aiscope.workloads.server;

import com.sun.net.httpserver.HttpExchange;
import io.aiscope.workloads.model.Sampler;
import io.aiscope.workloads.model.TinyLm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The text-generation endpoints ({@link Api}). The worker thread reads and checks the request, then hands the
 * generation to the inference thread. A non-streamed response is written by the worker once the text is
 * complete. A streamed one is written, token by token, by the worker from a hand-off queue (default), or with
 * {@code ?writer=inference} by the inference thread itself, the worker returning at once: then the thread that
 * writes the socket is not the one that read the request. {@link Faults} in the query string come first.
 */
final class CompletionsHandler implements Router.Handler {
    private static final AtomicLong IDS = new AtomicLong();

    private final Api api;
    private final TinyLm model;
    private final InferenceThread inference;

    CompletionsHandler(Api api, TinyLm model, InferenceThread inference) {
        this.api = api;
        this.model = model;
        this.inference = inference;
    }

    @Override
    public void handle(HttpExchange exchange) throws Exception {
        boolean inferenceWrites = inferenceWrites(exchange);
        Faults faults = Faults.of(exchange);
        CompletionRequest request = CompletionRequest.parse(api, Json.readObject(exchange), model.vocabulary());
        Dialect dialect = Dialect.of(api, IDS.incrementAndGet(), request);
        if (faults.rateLimited()) {
            faults.answerRateLimited(exchange, dialect::rateLimited);
            return;
        }
        if (!request.stream()) {
            CollectedText collected = new CollectedText();
            inference.submit(generation(request, collected));
            CollectedText.Completed done = collected.result().get();
            if (faults.resets()) ConnectionReset.reset(exchange);
            else Responses.json(exchange, 200, faults.padded(dialect.whole(done.text(), done.usage())));
            return;
        }
        SseResponse sse = new SseResponse(exchange, dialect, request.maxTokens(), faults);
        if (inferenceWrites) {
            inference.submit(generation(request, sse));
            return;
        }
        HandOffSink handOff = new HandOffSink();
        inference.submit(generation(request, handOff));
        handOff.drainInto(sse);
    }

    private Generation generation(CompletionRequest request, TokenSink sink) {
        return new Generation(model, request.prompt(), request.maxTokens(),
                new Sampler(request.temperature(), request.seed()), sink);
    }

    private static boolean inferenceWrites(HttpExchange exchange) throws BadRequest {
        String writer = Query.get(exchange, "writer");
        if (writer == null || writer.equals("worker")) return false;
        if (writer.equals("inference")) return true;
        throw new BadRequest("writer must be 'worker' or 'inference'");
    }
}
