package io.aiscope.workloads.server;

import io.aiscope.workloads.model.Sampler;
import io.aiscope.workloads.model.TinyLm;

import java.util.Arrays;

/**
 * Autoregressive generation of exactly {@code maxTokens} tokens (no stop condition, so clients can count on the
 * number). The first step is the prefill: a pass over the prompt that yields the first token. Each later step
 * is a pass over the prompt plus every token generated so far (the tiny model has no KV cache).
 */
final class Generation implements Job {
    private final TinyLm model;
    private final Sampler sampler;
    private final TokenSink sink;
    private final int promptTokens;
    private final int maxTokens;
    private final long[] context;
    private int length;

    Generation(TinyLm model, long[] prompt, int maxTokens, Sampler sampler, TokenSink sink) {
        this.model = model;
        this.sampler = sampler;
        this.sink = sink;
        this.promptTokens = prompt.length;
        this.maxTokens = maxTokens;
        this.context = Arrays.copyOf(prompt, prompt.length + maxTokens);
        this.length = prompt.length;
    }

    @Override
    public boolean step() throws Exception {
        int token = sampler.next(model.forward(context, length).logits());
        context[length++] = token;
        int generated = length - promptTokens;
        boolean last = generated == maxTokens;
        if (!sink.token(model.vocabulary().text(token), last)) return true;
        if (last) sink.finished(new Usage(promptTokens, generated));
        return last;
    }

    @Override
    public void failed(Exception e) {
        sink.failed(e);
    }
}
