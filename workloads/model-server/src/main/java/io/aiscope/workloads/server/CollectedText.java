package io.aiscope.workloads.server;

import java.util.concurrent.CompletableFuture;

/** Collects a whole generation for a non-streamed response, which the waiting worker then writes. */
final class CollectedText implements TokenSink {
    record Completed(String text, Usage usage) {
    }

    private final StringBuilder text = new StringBuilder();
    private final CompletableFuture<Completed> result = new CompletableFuture<>();

    CompletableFuture<Completed> result() {
        return result;
    }

    @Override
    public boolean token(String token, boolean last) {
        text.append(token);
        return true;
    }

    @Override
    public void finished(Usage usage) {
        result.complete(new Completed(text.toString(), usage));
    }

    @Override
    public void failed(Exception e) {
        result.completeExceptionally(e);
    }
}
