package io.aiscope.workloads.server;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Carries a generation's tokens from the inference thread to the HTTP worker that waits for them, so the worker
 * that read the request also writes the response. When the worker finds its client gone, the next token the
 * inference thread offers is refused, which stops the generation.
 */
final class HandOffSink implements TokenSink {
    private sealed interface Event {
    }

    private record Token(String text, boolean last) implements Event {
    }

    private record Finished(Usage usage) implements Event {
    }

    private record Failed(Exception error) implements Event {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean clientGone;

    @Override
    public boolean token(String text, boolean last) {
        events.add(new Token(text, last));
        return !clientGone;
    }

    @Override
    public void finished(Usage usage) {
        events.add(new Finished(usage));
    }

    @Override
    public void failed(Exception e) {
        events.add(new Failed(e));
    }

    /** On the worker thread: passes each event on to {@code target}, until the generation's end. */
    void drainInto(TokenSink target) throws InterruptedException {
        while (true) {
            switch (events.take()) {
                case Token t -> {
                    if (!target.token(t.text(), t.last())) {
                        clientGone = true;
                        return;
                    }
                }
                case Finished f -> {
                    target.finished(f.usage());
                    return;
                }
                case Failed f -> {
                    target.failed(f.error());
                    return;
                }
            }
        }
    }
}
